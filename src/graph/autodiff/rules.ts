import type { Graph } from '../graph.js';
import { OP_NAMES, type GraphNode, type OpName } from '../types.js';
import { batchNormGrad } from './batchnorm.js';
import { dropoutGrad } from './dropout.js';
import type { GradContext, GradResult } from './context.js';
import { conv2dGrad } from './rules-conv.js';
import { mixtureGrad } from './rules-mixture.js';
import { avgPoolGrad, globalAvgPoolGrad, maxPoolGrad } from './rules-spatial.js';
import {
  addGrad,
  concatGrad,
  denseGrad,
  identityGrad,
  reluGrad,
  reshapeGrad,
  softmaxCrossEntropyGrad,
  zeroGrad,
} from './rules-tensor.js';

/** The ops with a gradient rule: every op (batch norm and dropout in training mode: batchnorm.ts, dropout.ts). */
export const DIFFERENTIABLE_OPS: readonly OpName[] = OP_NAMES;

/** Emits `node`'s backward pass given the gradient of its output. */
export function emitGradient(ctx: GradContext, graph: Graph, node: GraphNode, dy: string): GradResult {
  const inputShape = graph.value(node.inputs[0] as string).shape;
  switch (node.op) {
    case 'conv2d':
      return conv2dGrad(ctx, node, dy, inputShape);
    case 'maxPool':
      return maxPoolGrad(ctx, node, dy, inputShape);
    case 'avgPool':
      return avgPoolGrad(ctx, node, dy, inputShape);
    case 'globalAvgPool':
      return globalAvgPoolGrad(ctx, node, dy, inputShape);
    case 'batchNorm':
      return batchNormGrad(ctx, node, dy);
    case 'relu':
      return reluGrad(ctx, node, dy);
    case 'add':
      return addGrad(ctx, node, dy);
    case 'concat':
      return concatGrad(
        ctx,
        node,
        dy,
        node.inputs.map((v) => graph.value(v).shape[1] as number),
      );
    case 'zero':
      return zeroGrad();
    case 'dropout':
      return dropoutGrad(ctx, node, dy);
    case 'dense':
      return denseGrad(ctx, node, dy);
    case 'flatten':
    case 'reshape':
      return reshapeGrad(ctx, node, dy, inputShape);
    case 'identity':
      return identityGrad(ctx, node, dy);
    case 'mixture':
      return mixtureGrad(ctx, node, dy);
    case 'softmaxCrossEntropy':
      return softmaxCrossEntropyGrad(ctx, node, dy, inputShape[1] as number);
    default: {
      // Every op has a rule now; this keeps the switch exhaustive (a new op fails to compile here).
      const unhandled: never = node;
      throw new Error(`autodiff: no gradient rule for ${(unhandled as GraphNode).op}`);
    }
  }
}
