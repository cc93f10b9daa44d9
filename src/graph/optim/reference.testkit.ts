/**
 * Float64 JS references for the optimiser tests: a dense layer + softmax cross-entropy (closed-form
 * gradients) and torch.optim's SGD and Adam update rules, written from PyTorch's documentation.
 */
import type { ResolvedOptimizer } from './options.js';

export type Params = Record<string, Float64Array>;

/** y = x W + b, W [inF, outF]; mean softmax cross-entropy; returns the loss and the gradients. */
export function denseCe(
  x: ArrayLike<number>,
  labels: readonly number[],
  p: Params,
  inF: number,
  outF: number,
): { loss: number; grads: Params } {
  const n = labels.length;
  const w = p['fc.weight'] as Float64Array;
  const b = p['fc.bias'] as Float64Array;
  const gw = new Float64Array(w.length);
  const gb = new Float64Array(b.length);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const logits = Array.from({ length: outF }, (_, k) => {
      let s = b[k] as number;
      for (let j = 0; j < inF; j++) s += (x[i * inF + j] as number) * (w[j * outF + k] as number);
      return s;
    });
    const max = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - max));
    const z = e.reduce((a, c) => a + c, 0);
    const label = labels[i] as number;
    loss -= Math.log((e[label] as number) / z) / n;
    for (let k = 0; k < outF; k++) {
      const d = ((e[k] as number) / z - (k === label ? 1 : 0)) / n;
      gb[k] = (gb[k] as number) + d;
      for (let j = 0; j < inF; j++)
        gw[j * outF + k] = (gw[j * outF + k] as number) + (x[i * inF + j] as number) * d;
    }
  }
  return { loss, grads: { 'fc.weight': gw, 'fc.bias': gb } };
}

/** torch.optim state for one parameter. */
type Slot = { momentum?: Float64Array; m?: Float64Array; v?: Float64Array };

/** torch.optim.SGD / Adam / AdamW applied in place, step `t` (1-based); `decays(name)` as DecayScope. */
export class ReferenceOptimizer {
  readonly state: Record<string, Slot> = {};
  private t = 0;

  constructor(
    private readonly spec: ResolvedOptimizer,
    private readonly decays: (name: string) => boolean = () => true,
  ) {}

  step(params: Params, grads: Params, lr: number): void {
    this.t += 1;
    for (const [name, p] of Object.entries(params)) {
      const grad = grads[name] as Float64Array;
      const slot = (this.state[name] ??= {});
      const wd = this.decays(name) ? this.spec.weightDecay : 0;
      const s = this.spec;
      if (s.kind === 'sgd') {
        const g = grad.map((gi, i) => gi + wd * (p[i] as number));
        let d = g;
        if (s.momentum > 0) {
          // PyTorch: buf = clone(g) on the first step, then buf = momentum * buf + g.
          const buf =
            slot.momentum === undefined
              ? g.slice()
              : slot.momentum.map((bi, i) => s.momentum * bi + (g[i] as number));
          slot.momentum = buf;
          d = s.nesterov ? g.map((gi, i) => gi + s.momentum * (buf[i] as number)) : buf;
        }
        for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) - lr * (d[i] as number);
        continue;
      }
      if (s.kind === 'adamw') for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) * (1 - lr * wd);
      const g = s.kind === 'adam' ? grad.map((gi, i) => gi + wd * (p[i] as number)) : grad;
      const m = (slot.m ??= new Float64Array(p.length));
      const v = (slot.v ??= new Float64Array(p.length));
      const bc1 = 1 - s.beta1 ** this.t;
      const bc2 = 1 - s.beta2 ** this.t;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i] as number;
        m[i] = s.beta1 * (m[i] as number) + (1 - s.beta1) * gi;
        v[i] = s.beta2 * (v[i] as number) + (1 - s.beta2) * gi * gi;
        const denom = Math.sqrt(v[i] as number) / Math.sqrt(bc2) + s.eps;
        p[i] = (p[i] as number) - (lr / bc1) * ((m[i] as number) / denom);
      }
    }
  }
}
