import { hashString } from '../../core/rng.js';
import { attr, float32, type ModelBuilder } from '../onnx/index.js';
import type { NodeOf } from '../types.js';
import type { GradContext, GradResult } from './context.js';

/** The mask output of a training-mode dropout: the rule reads it back. */
function maskName(node: NodeOf<'dropout'>): string {
  return `${node.name}.mask`;
}

/**
 * The seed of one dropout node's mask stream: the training seed mixed with the node's name, so two
 * dropouts of a network draw different masks and the same network and seed draw the same ones.
 * ORT keeps one generator per kernel, advanced by every run, so each step gets a fresh mask while a new
 * session with the same seed replays the same sequence.
 */
export function dropoutSeed(seed: number, node: string): number {
  // ONNX's seed attribute is an int; keep it a positive 31-bit value for every runtime.
  return ((seed ^ hashString(`dropout ${node}`)) >>> 0) & 0x7fffffff;
}

/**
 * Training-mode dropout: ONNX Dropout with training_mode true zeroes each element with probability
 * `rate` and scales the rest by 1 / (1 - rate) (inverted dropout, as PyTorch), and outputs the mask.
 */
export function emitDropoutTraining(mb: ModelBuilder, node: NodeOf<'dropout'>, seed: number): void {
  const ratio = mb.initializer(`${node.name}.ratio`, float32([], [node.attrs.rate]));
  const training = mb.initializer(`${node.name}.training`, {
    type: 'bool',
    dims: [],
    data: new Uint8Array([1]),
  });
  mb.node(
    'Dropout',
    [node.inputs[0] as string, ratio, training],
    [node.name, maskName(node)],
    {
      seed: attr.int(dropoutSeed(seed, node.name)),
    },
    { name: node.name },
  );
}

/** dx = dy * mask / (1 - rate); at rate 0 (emitted as an Identity) dx = dy. */
export function dropoutGrad(ctx: GradContext, node: NodeOf<'dropout'>, dy: string): GradResult {
  if (!ctx.wants(node.inputs[0] as string)) return { inputs: [null] };
  const rate = node.attrs.rate;
  if (rate === 0) return { inputs: [dy] };
  const kept = ctx.toFloat(node, maskName(node), 'kept');
  const scale = ctx.floats(node, 'scale', [], [1 / (1 - rate)]);
  const masked = ctx.op(node, 'Mul', [dy, kept], 'masked');
  return { inputs: [ctx.op(node, 'Mul', [masked, scale], 'dx')] };
}
