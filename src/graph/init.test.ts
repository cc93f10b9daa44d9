import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { GraphBuilder } from './builder.js';
import type { Graph } from './graph.js';
import { initParameters } from './init.js';
import { separableBlock, smallCnn } from './networks.testkit.js';
import { numel } from './shape.js';
import { BATCH } from './types.js';

function stats(data: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of data) sum += v;
  const mean = sum / data.length;
  let sq = 0;
  for (const v of data) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / data.length) };
}

function wide(extraBranch: boolean): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 64, 8, 8]);
  if (extraBranch) b.conv2d(x, { name: 'other', outChannels: 8, kernel: 1 });
  return b.build([b.conv2d(x, { name: 'c', outChannels: 64, kernel: 3, padding: 1 })]);
}

describe('initParameters', () => {
  it('allocates every parameter and buffer with its shape', () => {
    const g = separableBlock();
    const params = initParameters(g, new Rng(1));
    expect([...params.keys()]).toEqual(g.params.map((p) => p.name));
    for (const p of g.params) expect(params.get(p.name)?.length).toBe(numel(p.shape));
  });

  it('is deterministic per seed', () => {
    const g = smallCnn();
    const a = initParameters(g, new Rng(7));
    const b = initParameters(g, new Rng(7));
    const c = initParameters(g, new Rng(8));
    expect(b).toEqual(a);
    expect(c.get('conv1.weight')).not.toEqual(a.get('conv1.weight'));
    expect(a.get('conv1.weight')).not.toEqual(a.get('conv2.weight')?.subarray(0, 144));
  });

  it('draws he-normal weights: mean 0, std sqrt(2 / fanIn) (3x3x64 -> 64 conv, 36,864 values)', () => {
    const w = initParameters(wide(false), new Rng(3)).get('c.weight') as Float32Array;
    expect(w.length).toBe(36_864);
    const expected = Math.sqrt(2 / (64 * 9));
    const { mean, std } = stats(w);
    expect(Math.abs(mean)).toBeLessThan((3 * expected) / Math.sqrt(w.length));
    expect(std / expected).toBeGreaterThan(0.98);
    expect(std / expected).toBeLessThan(1.02);
  });

  it('fills biases and BN beta/running mean with zeros, BN gamma/running var with ones', () => {
    const cnn = initParameters(smallCnn(), new Rng(1));
    expect([...(cnn.get('fc.bias') as Float32Array)]).toEqual(new Array(10).fill(0));
    const bn = initParameters(separableBlock(), new Rng(1));
    expect([...(bn.get('batchNorm_1.gamma') as Float32Array)]).toEqual(new Array(32).fill(1));
    expect([...(bn.get('batchNorm_1.beta') as Float32Array)]).toEqual(new Array(32).fill(0));
    expect([...(bn.get('batchNorm_2.runningMean') as Float32Array)]).toEqual(new Array(64).fill(0));
    expect([...(bn.get('batchNorm_2.runningVar') as Float32Array)]).toEqual(new Array(64).fill(1));
  });

  it("gives a layer the same start whatever other layers the graph has (streams derive from the seed and the param's name)", () => {
    const alone = initParameters(wide(false), new Rng(5)).get('c.weight');
    const withBranch = initParameters(wide(true), new Rng(5)).get('c.weight');
    expect(withBranch).toEqual(alone);
  });

  it('advances the caller rng by one draw', () => {
    const rng = new Rng(9);
    initParameters(smallCnn(), rng);
    const reference = new Rng(9);
    reference.uint32();
    expect(rng.state()).toEqual(reference.state());
  });
});
