import type { Rng } from '../core/rng.js';
import { Adam } from './adam.js';
import { ParamVector } from './params.js';

export interface MlpTraining {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  /** L2 penalty on the weights (not the biases), added to the gradient. */
  readonly weightDecay: number;
}

interface Layer {
  readonly inputs: number;
  readonly outputs: number;
  /** Offsets in the parameter vector: weights (outputs x inputs, row-major), then biases. */
  readonly w: number;
  readonly b: number;
}

/**
 * A small fully connected regression net (ReLU hidden layers, one linear output) trained on squared
 * error with Adam. Plain Float64Arrays: at 2 x 32 units a tensor library would cost more than the
 * arithmetic. The parameters are one ParamVector, so Adam updates them and the finite-difference test
 * can perturb them.
 */
export class Mlp {
  readonly params = new ParamVector();
  private readonly layers: Layer[] = [];
  /** Activations per layer (index 0 = input), reused for every sample. */
  private readonly acts: Float64Array[];
  private readonly deltas: Float64Array[];
  /** Indices of the last input's nonzero features, and how many there are. */
  private readonly nonzero: Int32Array;
  private nonzeroCount = 0;

  constructor(inputs: number, hidden: readonly number[], rng: Rng) {
    const widths = [inputs, ...hidden, 1];
    for (let l = 0; l + 1 < widths.length; l++) {
      const fanIn = widths[l]!;
      const fanOut = widths[l + 1]!;
      // He initialisation suits ReLU; biases start at 0.
      const scale = Math.sqrt(2 / fanIn);
      const w = this.params.alloc(fanIn * fanOut, () => rng.normal() * scale);
      const b = this.params.alloc(fanOut, () => 0);
      this.layers.push({ inputs: fanIn, outputs: fanOut, w, b });
    }
    this.acts = widths.map((n) => new Float64Array(n));
    this.deltas = widths.map((n) => new Float64Array(n));
    this.nonzero = new Int32Array(inputs);
  }

  /** The output for one input (also leaves every layer's activations in `acts` for backprop). */
  forward(x: Float64Array): number {
    this.acts[0]!.set(x);
    // Encodings are sparse (6 ones of 30 for nb201 one-hot): the first layer visits nonzero inputs only.
    let count = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0) this.nonzero[count++] = i;
    this.nonzeroCount = count;
    const theta = this.params.values;
    const last = this.layers.length - 1;
    for (let l = 0; l <= last; l++) {
      const layer = this.layers[l]!;
      const input = this.acts[l]!;
      const output = this.acts[l + 1]!;
      for (let o = 0; o < layer.outputs; o++) {
        let sum = theta[layer.b + o]!;
        const row = layer.w + o * layer.inputs;
        if (l === 0) {
          for (let k = 0; k < count; k++) {
            const i = this.nonzero[k]!;
            sum += theta[row + i]! * input[i]!;
          }
        } else {
          for (let i = 0; i < layer.inputs; i++) sum += theta[row + i]! * input[i]!;
        }
        output[o] = l < last && sum < 0 ? 0 : sum;
      }
    }
    return this.acts[last + 1]![0]!;
  }

  /** Adds d(loss)/d(params) for the last forward pass, given d(loss)/d(output). */
  backward(dOutput: number): void {
    const theta = this.params.values;
    const grad = this.params.grad;
    this.deltas[this.layers.length]![0] = dOutput;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const input = this.acts[l]!;
      const delta = this.deltas[l + 1]!;
      const back = this.deltas[l]!;
      if (l > 0) back.fill(0);
      for (let o = 0; o < layer.outputs; o++) {
        const d = delta[o]!;
        if (d === 0) continue;
        grad[layer.b + o] = grad[layer.b + o]! + d;
        const row = layer.w + o * layer.inputs;
        if (l === 0) {
          // The input needs no delta, and zero inputs add nothing to their weights' gradient.
          for (let k = 0; k < this.nonzeroCount; k++) {
            const i = this.nonzero[k]!;
            grad[row + i] = grad[row + i]! + d * input[i]!;
          }
          continue;
        }
        for (let i = 0; i < layer.inputs; i++) {
          grad[row + i] = grad[row + i]! + d * input[i]!;
          back[i] = back[i]! + d * theta[row + i]!;
        }
      }
      // Through the ReLU of the layer below.
      if (l > 0) for (let i = 0; i < layer.inputs; i++) if (input[i]! <= 0) back[i] = 0;
    }
  }

  /** Minibatch Adam on mean squared error over the given rows, shuffled each epoch with `rng`. */
  train(X: readonly Float64Array[], y: readonly number[], options: MlpTraining, rng: Rng): void {
    const adam = new Adam({ lr: options.lr, clipNorm: 0 });
    const order = X.map((_, i) => i);
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      rng.shuffle(order);
      for (let start = 0; start < order.length; start += options.batchSize) {
        const end = Math.min(order.length, start + options.batchSize);
        this.params.zeroGrad();
        for (let k = start; k < end; k++) {
          const i = order[k]!;
          const out = this.forward(X[i]!);
          this.backward(out - y[i]!);
        }
        this.addWeightDecay(options.weightDecay * (end - start));
        adam.update(this.params, 1 / (end - start));
      }
    }
  }

  /** grad += strength * w for the weight matrices (scaled by the batch size, as the update divides). */
  private addWeightDecay(strength: number): void {
    if (strength === 0) return;
    const theta = this.params.values;
    const grad = this.params.grad;
    for (const layer of this.layers) {
      const end = layer.w + layer.inputs * layer.outputs;
      for (let i = layer.w; i < end; i++) grad[i] = grad[i]! + strength * theta[i]!;
    }
  }
}
