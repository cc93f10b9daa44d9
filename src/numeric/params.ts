import { base64ToFloat64, float64ToBase64 } from '../core/blob.js';
import { ConfigError } from '../core/errors.js';

/**
 * A model's parameters (a policy, the EAS controller, DARTS's architecture weights, an MLP) as one flat
 * vector with its gradient beside it, so the optimiser, the state blob and the finite-difference tests all
 * see one array. Blocks are appended as a policy meets decisions it has not seen (conditional spaces), so
 * the vector grows; capacity doubles, so growth is amortised and offsets stay valid (always index through
 * `values`, which may be a new array after `alloc`).
 */
export class ParamVector {
  /** Code that writes weights here other than through alloc/load/Adam must call touch() after. */
  values = new Float64Array(0);
  grad = new Float64Array(0);
  size = 0;
  /** Bumped on every change of the weights: a policy reuses its last walk only at the same version. */
  version = 0;

  /** Marks the weights as changed. */
  touch(): void {
    this.version++;
  }

  /** Appends `n` parameters set by `init` (called in order); returns their offset. */
  alloc(n: number, init: () => number): number {
    const offset = this.size;
    const needed = offset + n;
    if (needed > this.values.length) {
      const capacity = Math.max(needed, 2 * this.values.length, 64);
      const values = new Float64Array(capacity);
      values.set(this.values.subarray(0, this.size));
      const grad = new Float64Array(capacity);
      grad.set(this.grad.subarray(0, this.size));
      this.values = values;
      this.grad = grad;
    }
    for (let i = offset; i < needed; i++) this.values[i] = init();
    this.size = needed;
    this.touch();
    return offset;
  }

  /** Drops every parameter (a restore rebuilds the layout from its start). */
  reset(): void {
    this.touch();
    this.size = 0;
    this.grad.fill(0);
  }

  zeroGrad(): void {
    this.grad.fill(0, 0, this.size);
  }

  /** The parameters as a base64 float64 blob (exact). */
  valuesBlob(): string {
    return float64ToBase64(this.values.subarray(0, this.size));
  }

  /** The gradient accumulated so far as a blob (a batch may be half gathered when state is saved). */
  gradBlob(): string {
    return float64ToBase64(this.grad.subarray(0, this.size));
  }

  /** Overwrites the parameters from a blob; the blocks must already be allocated (same layout). */
  loadValues(blob: string): void {
    this.values.set(decode(blob, this.size, 'weights'));
    this.touch();
  }

  loadGrad(blob: string): void {
    this.grad.set(decode(blob, this.size, 'gradient'));
  }
}

function decode(blob: string, size: number, what: string): Float64Array {
  try {
    return base64ToFloat64(blob, size);
  } catch (e) {
    throw new ConfigError(`saved policy ${what} do not fit its layout: ${(e as Error).message}`);
  }
}
