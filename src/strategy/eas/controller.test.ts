import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { MorphSpace } from '../../space/morph.js';
import { createSpace } from '../../space/registry.js';
import { EasController } from './controller.js';
import { Adam } from '../../numeric/adam.js';

function tinySpace(): MorphSpace {
  return new MorphSpace(
    {
      type: 'morph',
      base: { type: 'chain', input: [1, 8, 8], classes: 3, convFilters: [4], fcSizes: [6] },
      start: 'C(4,3,1)-P(max,2,2)-FC(6)-T',
      widths: [4, 6, 8],
      kernels: [1, 3],
    },
    createSpace,
  );
}

function controller(hidden: number, seed: number): EasController {
  return new EasController(
    { hidden, kernels: 2, merges: 2, shaping: { temperature: 1.3, tanhClip: 2.5 } },
    new Rng(seed),
  );
}

describe('EasController', () => {
  it('offers only the transformations of the network, and replays a drawn one with the same log-probability', () => {
    const space = tinySpace();
    const c = controller(3, 1);
    const graph = space.decode(space.sampleOf([]));
    const options = space.optionsAfter([]);
    const rng = new Rng(5);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const drawn = c.step(graph, options, rng);
      expect(options).toContain(drawn.option);
      const replay = c.step(graph, options, drawn.option.choice);
      expect(replay.logp).toBeCloseTo(drawn.logp, 12);
      expect(replay.entropy).toBeCloseTo(drawn.entropy, 12);
      expect(drawn.logp).toBeLessThan(0);
      seen.add(drawn.option.kind);
    }
    expect([...seen].sort()).toEqual(['deepen', 'split', 'widen']);
    expect(() => c.step(graph, options, 'widen:nothing')).toThrow(/not a transformation/);
  });

  it('has gradients equal to finite differences (encoder, kind, where and option heads)', () => {
    const space = tinySpace();
    const graph = space.decode(space.sampleOf(['deepen:relu_0:k3']));
    const options = space.optionsAfter(['deepen:relu_0:k3']);
    const beta = 0.3;
    // One choice per head shape: a kernel option (3 decisions), a split merge, a widen (2 decisions).
    for (const choice of [
      options.find((o) => o.kind === 'deepen' && o.option === 1)!,
      options.find((o) => o.choice.endsWith(':concat'))!,
      options.find((o) => o.kind === 'widen')!,
    ]) {
      const c = controller(3, 2);
      const f = (): number => {
        const r = c.step(graph, options, choice.choice);
        return r.logp + beta * r.entropy;
      };
      c.params.zeroGrad();
      f();
      c.backward(1, beta);
      const grad = c.params.grad.slice(0, c.params.size);
      const w = c.params.values;
      const eps = 1e-6;
      let checked = 0;
      let nonzero = 0;
      for (let i = 0; i < c.params.size; i++) {
        const old = w[i]!;
        w[i] = old + eps;
        const up = f();
        w[i] = old - eps;
        const down = f();
        w[i] = old;
        const numeric = (up - down) / (2 * eps);
        expect(grad[i]).toBeCloseTo(numeric, 6);
        checked++;
        if (Math.abs(numeric) > 1e-6) nonzero++;
      }
      expect(checked).toBe(c.params.size);
      expect(nonzero).toBeGreaterThan(100);
    }
  });

  it('learns a toy reward with REINFORCE: prefers widening', () => {
    const space = tinySpace();
    const graph = space.decode(space.sampleOf([]));
    const options = space.optionsAfter([]);
    const c = controller(8, 3);
    const adam = new Adam({ lr: 0.02, clipNorm: 5 });
    const rng = new Rng(9);
    const widenShare = (n: number): number => {
      let w = 0;
      const r = new Rng(77);
      for (let i = 0; i < n; i++) if (c.step(graph, options, r).option.kind === 'widen') w++;
      return w / n;
    };
    const before = widenShare(300);
    let baseline = 0.5;
    for (let it = 0; it < 60; it++) {
      c.params.zeroGrad();
      const batch = Array.from({ length: 8 }, () => c.step(graph, options, rng).option.choice);
      const rewards: number[] = batch.map((ch) => (ch.startsWith('widen') ? 1 : 0));
      for (let i = 0; i < batch.length; i++) {
        c.step(graph, options, batch[i]!);
        c.backward(-(rewards[i]! - baseline) / batch.length, 0);
      }
      baseline = 0.9 * baseline + 0.1 * (rewards.reduce((a, b) => a + b, 0) / batch.length);
      adam.update(c.params);
    }
    const after = widenShare(300);
    expect(before).toBeLessThan(0.6);
    expect(after).toBeGreaterThan(0.9);
  });
});
