import { z } from 'zod';
import { InvalidArchitectureError } from '../core/errors.js';
import type { Sample } from '../core/types.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import { BATCH, type Value } from '../graph/types.js';

/**
 * Pieces shared by the spaces that decode to the network IR (macro, cell, nb201-net): the option fields
 * every one of them takes, and the layer idioms they are built from. Node names are '<prefix>/<part>'
 * so a shape error names the layer of the architecture that broke.
 */

export const posInt = z.number().int().min(1);

/** One sample's input [channels, height, width], as the chain space takes it. */
export const inputField = z.tuple([posInt, posInt, posInt], { error: 'expected [channels, height, width]' });
export const classesField = z.number().int().min(2);

/** A list of choices from `known`, each at most once, at least one. */
export function choiceList<T extends string>(known: readonly [T, ...T[]]) {
  return z
    .array(z.enum(known))
    .min(1, 'at least one choice')
    .refine((l) => new Set(l).size === l.length, { message: 'each choice once (remove the duplicate)' });
}

export function channelsOf(v: Value): number {
  return v.shape[1] as number;
}

/** The graph input every trained space reads: `x` [N, C, H, W] (runtime/train's trainingIo finds it). */
export function networkInput(b: GraphBuilder, input: readonly [number, number, number]): Value {
  return b.input('x', [BATCH, ...input]);
}

/**
 * The head: global average pool, a dense layer to the classes named `logits`, and the mean softmax
 * cross-entropy `loss` on the int64 `labels` input. Outputs [logits, loss], as ChainSpace.decode.
 */
export function classifierHead(b: GraphBuilder, h: Value, classes: number): Graph {
  const pooled = b.flatten(b.globalAvgPool(h, { name: 'gap' }), { name: 'flatten' });
  const logits = b.dense(pooled, { name: 'logits', outFeatures: classes });
  const loss = b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' });
  return b.build([logits, loss]);
}

type ConvSpec = { readonly out: number; readonly kernel: number; readonly stride?: number };

/** A conv without bias (batch norm follows and would cancel it), 'same'-style padding (k - 1) / 2. */
function conv(b: GraphBuilder, x: Value, name: string, s: ConvSpec, groups = 1): Value {
  return b.conv2d(x, {
    name,
    outChannels: s.out,
    kernel: s.kernel,
    stride: s.stride ?? 1,
    padding: (s.kernel - 1) / 2,
    groups,
    bias: false,
  });
}

/** conv - BN. */
export function convBn(b: GraphBuilder, x: Value, name: string, s: ConvSpec): Value {
  return b.batchNorm(conv(b, x, `${name}/conv`, s), { name: `${name}/bn` });
}

/** conv - BN - ReLU (ENAS macro's order). */
export function convBnRelu(b: GraphBuilder, x: Value, name: string, s: ConvSpec): Value {
  return b.relu(convBn(b, x, name, s), { name: `${name}/relu` });
}

/** ReLU - conv - BN (NASNet, ENAS micro, DARTS and NAS-Bench-201's order). */
export function reluConvBn(b: GraphBuilder, x: Value, name: string, s: ConvSpec): Value {
  return convBn(b, b.relu(x, { name: `${name}/relu` }), name, s);
}

/**
 * A separable conv: depthwise k x k (stride, one filter per input channel) then pointwise 1x1 to `out`,
 * both without bias, then BN.
 */
export function sepConvBn(b: GraphBuilder, x: Value, name: string, s: ConvSpec): Value {
  const cin = channelsOf(x);
  const dw = conv(b, x, `${name}/dw`, { out: cin, kernel: s.kernel, stride: s.stride ?? 1 }, cin);
  return b.batchNorm(conv(b, dw, `${name}/pw`, { out: s.out, kernel: 1 }), { name: `${name}/bn` });
}

/** A k x k max or average pool with padding (k - 1) / 2; the average does not count the padding. */
export function pool(
  b: GraphBuilder,
  x: Value,
  name: string,
  kind: 'max' | 'avg',
  kernel: number,
  stride: number,
): Value {
  const window = { name, kernel, stride, padding: (kernel - 1) / 2 };
  return kind === 'max' ? b.maxPool(x, window) : b.avgPool(x, window);
}

/** The sum of `terms`; a single term is itself (no add node). */
export function sum(b: GraphBuilder, terms: readonly Value[], name: string): Value {
  if (terms.length === 1) return terms[0] as Value;
  return b.add(terms, { name });
}

/** A sample's value for a decision the space asked, or InvalidArchitectureError naming it. */
export function decisionValue(space: string, sample: Sample, name: string): string | number {
  const value = sample[name];
  if (value === undefined) {
    throw new InvalidArchitectureError(`space "${space}": decision "${name}" is missing`);
  }
  return value;
}
