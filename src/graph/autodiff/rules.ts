import { InvalidArchitectureError } from '../../core/errors.js';
import type { Graph } from '../graph.js';
import type { GraphNode, OpName } from '../types.js';
import type { GradContext, GradResult } from './context.js';
import { conv2dGrad, globalAvgPoolGrad, maxPoolGrad } from './rules-spatial.js';
import {
  addGrad,
  denseGrad,
  identityGrad,
  reluGrad,
  reshapeGrad,
  softmaxCrossEntropyGrad,
} from './rules-tensor.js';

/** The ops with a gradient rule. The rest (batch norm's training mode, dropout...) come in later slices. */
export const DIFFERENTIABLE_OPS: readonly OpName[] = [
  'conv2d',
  'maxPool',
  'globalAvgPool',
  'relu',
  'add',
  'dense',
  'flatten',
  'reshape',
  'identity',
  'softmaxCrossEntropy',
];

/** Throws naming the node and op when the op has no rule (checked before anything is emitted). */
export function checkDifferentiable(node: GraphNode): void {
  if (!DIFFERENTIABLE_OPS.includes(node.op)) {
    throw new InvalidArchitectureError(
      `autodiff: ${node.op} '${node.name}' has no gradient rule yet, so the graph cannot be trained; ` +
        `ops with one: ${DIFFERENTIABLE_OPS.join(', ')}`,
    );
  }
}

/** Emits `node`'s backward pass given the gradient of its output. */
export function emitGradient(ctx: GradContext, graph: Graph, node: GraphNode, dy: string): GradResult {
  const inputShape = graph.value(node.inputs[0] as string).shape;
  switch (node.op) {
    case 'conv2d':
      return conv2dGrad(ctx, node, dy, inputShape);
    case 'maxPool':
      return maxPoolGrad(ctx, node, dy, inputShape);
    case 'globalAvgPool':
      return globalAvgPoolGrad(ctx, node, dy, inputShape);
    case 'relu':
      return reluGrad(ctx, node, dy);
    case 'add':
      return addGrad(ctx, node, dy);
    case 'dense':
      return denseGrad(ctx, node, dy);
    case 'flatten':
    case 'reshape':
      return reshapeGrad(ctx, node, dy, inputShape);
    case 'identity':
      return identityGrad(ctx, node, dy);
    case 'softmaxCrossEntropy':
      return softmaxCrossEntropyGrad(ctx, node, dy, inputShape[1] as number);
    default:
      checkDifferentiable(node);
      throw new Error(`autodiff: ${node.op} is listed as differentiable but has no rule`);
  }
}
