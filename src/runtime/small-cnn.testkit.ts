/**
 * A small forward CNN built with ModelBuilder plus a float64 JS reference of the same maths, shared by the
 * session tests and the timing script. Layout NCHW:
 *   x[N,2,9,9] -> Conv 4x3x3 (stride 2, pads 1) -> Relu -> MaxPool 2x2/2 -> GlobalAveragePool -> Flatten
 *   -> Gemm (W[3,4], transB) -> Softmax = probs[N,3]; ArgMax = pred[N] (int64);
 *   labels[N] (int64) -> OneHot -> mean cross-entropy = loss[]; Gather(class_weight, labels) = label_weight[N].
 */
import { ModelBuilder, attr, float32, int64, type TensorData } from '../graph/onnx/index.js';

export const C_IN = 2;
export const H = 9;
export const C_OUT = 4;
export const K = 3;
export const CLASSES = 3;

/** Deterministic pseudo-random values in [-scale, scale]. */
export function values(n: number, seed: number, scale = 0.5): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed * 3.1) * scale);
}

export const weights = {
  convW: values(C_OUT * C_IN * K * K, 1),
  convB: values(C_OUT, 2, 0.1),
  fcW: values(CLASSES * C_OUT, 3),
  fcB: values(CLASSES, 4, 0.1),
  classWeight: Float32Array.from([0.5, 1, 2]),
};

export function buildSmallCnn(): Uint8Array {
  const b = new ModelBuilder({ name: 'small_cnn' });
  const x = b.input('x', 'float32', ['N', C_IN, H, H]);
  const labels = b.input('labels', 'int64', ['N']);
  const w = b.initializer('conv.w', float32([C_OUT, C_IN, K, K], weights.convW));
  const cb = b.initializer('conv.b', float32([C_OUT], weights.convB));
  const conv = b.op('Conv', [x, w, cb], {
    kernel_shape: attr.ints([K, K]),
    pads: attr.ints([1, 1, 1, 1]),
    strides: attr.ints([2, 2]),
  });
  const relu = b.op('Relu', [conv]);
  const pool = b.op('MaxPool', [relu], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
  const gap = b.op('GlobalAveragePool', [pool]);
  const flat = b.op('Flatten', [gap], { axis: attr.int(1) });
  const fw = b.initializer('fc.w', float32([CLASSES, C_OUT], weights.fcW));
  const fb = b.initializer('fc.b', float32([CLASSES], weights.fcB));
  const logits = b.op('Gemm', [flat, fw, fb], {
    transB: attr.int(1),
    alpha: attr.float(1),
    beta: attr.float(1),
  });
  b.node('Softmax', [logits], ['probs'], { axis: attr.int(-1) });
  b.node('ArgMax', [logits], ['pred'], { axis: attr.int(1), keepdims: attr.int(0) });
  // Cross-entropy through the int64 labels: OneHot(labels, depth, [off, on]) * log(probs).
  const depth = b.initializer('depth', int64([], [CLASSES]));
  const onOff = b.initializer('on_off', float32([2], [0, 1]));
  const onehot = b.op('OneHot', [labels, depth, onOff], { axis: attr.int(-1) });
  const logp = b.op('Log', ['probs']);
  const picked = b.op('Mul', [onehot, logp]);
  const axes = b.initializer('axes_1', int64([1], [1]));
  const perSample = b.op('ReduceSum', [picked, axes], { keepdims: attr.int(0) });
  const mean = b.op('ReduceMean', [perSample], { keepdims: attr.int(0) });
  b.node('Neg', [mean], ['loss']);
  const cw = b.initializer('class_weight', float32([CLASSES], weights.classWeight));
  b.node('Gather', [cw, labels], ['label_weight'], { axis: attr.int(0) });
  b.output('probs', 'float32', ['N', CLASSES]);
  b.output('pred', 'int64', ['N']);
  b.output('loss', 'float32', []);
  b.output('label_weight', 'float32', ['N']);
  return b.toBytes();
}

export function input(batch: number, seed = 7): TensorData {
  return { type: 'float32', dims: [batch, C_IN, H, H], data: values(batch * C_IN * H * H, seed, 1) };
}

export function labelsOf(batch: number): TensorData {
  return {
    type: 'int64',
    dims: [batch],
    data: BigInt64Array.from({ length: batch }, (_, i) => BigInt(i % CLASSES)),
  };
}

/** Float64 reference of the graph above, written the obvious way (loops over indices). */
export function reference(x: Float32Array, batch: number, labels: readonly number[]) {
  const hc = Math.floor((H + 2 - K) / 2) + 1; // conv output size: 5
  const hp = Math.floor((hc - 2) / 2) + 1; // pool output size: 2
  const probs: number[][] = [];
  const pred: number[] = [];
  let loss = 0;
  for (let n = 0; n < batch; n++) {
    const features: number[] = [];
    for (let co = 0; co < C_OUT; co++) {
      const act = (i: number, j: number): number => {
        let s = weights.convB[co] ?? 0;
        for (let ci = 0; ci < C_IN; ci++)
          for (let ki = 0; ki < K; ki++)
            for (let kj = 0; kj < K; kj++) {
              const y = i * 2 - 1 + ki;
              const z = j * 2 - 1 + kj;
              if (y < 0 || z < 0 || y >= H || z >= H) continue;
              s +=
                (x[((n * C_IN + ci) * H + y) * H + z] ?? 0) *
                (weights.convW[((co * C_IN + ci) * K + ki) * K + kj] ?? 0);
            }
        return Math.max(0, s);
      };
      let sum = 0;
      for (let pi = 0; pi < hp; pi++)
        for (let pj = 0; pj < hp; pj++) {
          let m = -Infinity;
          for (let a = 0; a < 2; a++)
            for (let c = 0; c < 2; c++) m = Math.max(m, act(pi * 2 + a, pj * 2 + c));
          sum += m;
        }
      features.push(sum / (hp * hp));
    }
    const logits = Array.from({ length: CLASSES }, (_, k) => {
      let s = weights.fcB[k] ?? 0;
      for (let c = 0; c < C_OUT; c++) s += (features[c] ?? 0) * (weights.fcW[k * C_OUT + c] ?? 0);
      return s;
    });
    const max = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - max));
    const z = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / z);
    probs.push(p);
    pred.push(logits.indexOf(max));
    loss -= Math.log(p[labels[n] ?? 0] ?? 1) / batch;
  }
  return { probs, pred, loss };
}
