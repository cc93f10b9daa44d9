import { z } from 'zod';
import { base64ToFloat64, float64ToBase64 } from '../core/blob.js';
import { ConfigError } from '../core/errors.js';
import type { Json } from '../core/types.js';
import { parseConfig } from '../core/validate.js';
import type { ParamVector } from './params.js';

export interface AdamOptions {
  readonly lr: number;
  /** Rescale the gradient to this L2 norm when it is larger; 0 turns clipping off. */
  readonly clipNorm: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

const savedSchema = z.strictObject({
  step: z.number().int().min(0),
  /** [first parameter index, step count when it was added]: parameters created later (new decisions). */
  segments: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])),
  m: z.string(),
  v: z.string(),
});

/**
 * Adam (Kingma & Ba 2015) minimising a loss over a ParamVector. Parameters appended later (a decision
 * met for the first time) get their own bias correction, counted from the step they joined, as if each
 * block had its own optimiser state, as in PyTorch's per-tensor step counts.
 */
export class Adam {
  private step = 0;
  private m = new Float64Array(0);
  private v = new Float64Array(0);
  private size = 0;
  private readonly segments: [number, number][] = [];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(private readonly options: AdamOptions) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** How many parameters it holds moments for (never more than the policy has). */
  get parameterCount(): number {
    return this.size;
  }

  /** theta -= lr * mhat / (sqrt(vhat) + eps) with the gradient `params.grad * scale`. */
  update(params: ParamVector, scale = 1): void {
    this.grow(params.size);
    const g = params.grad;
    const n = params.size;
    let factor = scale;
    if (this.options.clipNorm > 0) {
      let squares = 0;
      for (let i = 0; i < n; i++) squares += g[i]! * g[i]!;
      const norm = Math.sqrt(squares) * Math.abs(scale);
      if (norm > this.options.clipNorm) factor *= this.options.clipNorm / norm;
    }
    this.step++;
    const { beta1, beta2, epsilon } = this;
    const lr = this.options.lr;
    const theta = params.values;
    const m = this.m;
    const v = this.v;
    for (let s = 0; s < this.segments.length; s++) {
      const [from, born] = this.segments[s]!;
      const to = s + 1 < this.segments.length ? this.segments[s + 1]![0] : n;
      const t = this.step - born;
      const correct1 = 1 / (1 - beta1 ** t);
      const correct2 = 1 / (1 - beta2 ** t);
      for (let i = from; i < to; i++) {
        const gi = g[i]! * factor;
        const mi = beta1 * m[i]! + (1 - beta1) * gi;
        const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        theta[i] = theta[i]! - (lr * mi * correct1) / (Math.sqrt(vi * correct2) + epsilon);
      }
    }
    params.touch();
  }

  toJSON(): Json {
    return {
      step: this.step,
      segments: this.segments.map(([from, born]) => [from, born]),
      m: float64ToBase64(this.m.subarray(0, this.size)),
      v: float64ToBase64(this.v.subarray(0, this.size)),
    };
  }

  load(saved: unknown): void {
    const data = parseConfig(savedSchema, saved, 'saved Adam state');
    const m = base64ToFloat64(data.m);
    const v = base64ToFloat64(data.v);
    const starts = data.segments.map(([from]) => from);
    const ordered = starts.every((from, i) => (i === 0 ? from === 0 : from > (starts[i - 1] as number)));
    if (m.length !== v.length || !ordered || (starts.length > 0 && (starts.at(-1) as number) >= m.length)) {
      throw new ConfigError('saved Adam state: moments and segments do not fit together');
    }
    this.step = data.step;
    this.segments.length = 0;
    for (const [from, born] of data.segments) this.segments.push([from, born]);
    this.m = m.slice();
    this.v = v.slice();
    this.size = m.length;
  }

  /** New parameters start with zero moments and their own step count. */
  private grow(n: number): void {
    if (n <= this.size) return;
    if (n > this.m.length) {
      const capacity = Math.max(n, 2 * this.m.length);
      const m = new Float64Array(capacity);
      m.set(this.m.subarray(0, this.size));
      const v = new Float64Array(capacity);
      v.set(this.v.subarray(0, this.size));
      this.m = m;
      this.v = v;
    }
    this.segments.push([this.size, this.step]);
    this.size = n;
  }
}
