import { expect } from 'vitest';
import { Rng } from '../../core/rng.js';
import { Session } from '../../runtime/session.js';
import { ChainSpace } from '../../space/chain.js';
import { MacroSpace, type MacroMerge } from '../../space/macro.js';
import type { Graph } from '../graph.js';
import { initParameters } from '../init.js';
import { lowerInference } from '../lower/index.js';
import { float32 } from '../onnx/index.js';
import type { Net } from './net.js';

/**
 * Networks and checks shared by the morphism tests. Parameters are "trained-looking": biases, batch
 * norm scales, shifts and running statistics are drawn away from their initial 0/1, so a transform
 * that forgot to copy one of them shows.
 */

export const INPUT = [1, 8, 8] as const;

/** A chain-space network (MetaQNN layers), e.g. 'C(4,3,1)-P(max,2,2)-FC(8)-T'. */
export function chainNet(key: string, batchNorm: boolean, seed = 1): Net {
  const space = new ChainSpace({
    input: INPUT,
    classes: 3,
    convFilters: [4, 6],
    convKernels: [1, 3],
    fcSizes: [8],
    batchNorm,
  });
  return trainedLooking(space.decode(space.sampleFromKey(key)), seed);
}

/** A macro-space network (ENAS macro) with a reduction after layer 1. */
export function macroNet(key: string, merge: MacroMerge, seed = 1): Net {
  const space = new MacroSpace({ input: INPUT, classes: 3, layers: 4, channels: 4, merge, reductions: [1] });
  return trainedLooking(space.decode(space.sampleFromKey(key)), seed);
}

export function trainedLooking(graph: Graph, seed: number): Net {
  const rng = new Rng(seed);
  const params = initParameters(graph, rng);
  for (const p of graph.params) {
    const data = params.get(p.name) as Float32Array;
    for (let i = 0; i < data.length; i++) {
      if (p.role === 'bias' || p.role === 'beta' || p.role === 'runningMean') data[i] = rng.normal() * 0.3;
      else if (p.role === 'gamma') data[i] = 0.5 + rng.float();
      else if (p.role === 'runningVar') data[i] = 0.3 + rng.float() * 2;
    }
  }
  return { graph, params };
}

/** The network's logits on `x` ([batch, ...INPUT]), through the inference lowering and ONNX Runtime. */
export async function logits(net: Net, x: Float32Array, batch: number): Promise<Float32Array> {
  const session = await Session.create(lowerInference(net.graph, net.params));
  try {
    const out = await session.run({ x: float32([batch, ...INPUT], x) });
    return out['logits']?.data as Float32Array;
  } finally {
    await session.dispose();
  }
}

export function randomInput(batch: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: batch * INPUT[0] * INPUT[1] * INPUT[2] }, () => rng.normal());
}

/** The largest absolute difference between the two networks' logits on random inputs. */
export async function outputGap(parent: Net, child: Net, seed = 5): Promise<number> {
  const batch = 4;
  const x = randomInput(batch, seed);
  const [a, b] = await Promise.all([logits(parent, x, batch), logits(child, x, batch)]);
  expect(b.length).toBe(a.length);
  let gap = 0;
  for (let i = 0; i < a.length; i++) gap = Math.max(gap, Math.abs((a[i] as number) - (b[i] as number)));
  // Logits of the size these networks give: a gap below 1e-4 is not "both tiny".
  expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(1e-2);
  return gap;
}

/**
 * What function-preserving means here: the child's outputs equal the parent's within 1e-4 on the same
 * inputs (float32 rounding through the extra or wider layers stays far below it).
 */
export async function expectSameFunction(parent: Net, child: Net): Promise<void> {
  expect(await outputGap(parent, child)).toBeLessThan(1e-4);
}
