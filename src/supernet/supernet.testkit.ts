import { Rng } from '../core/rng.js';
import { makeDataset, type Dataset } from '../data/dataset.js';
import type { TensorData } from '../graph/onnx/index.js';
import { CellSpace } from '../space/cell.js';
import { MacroSpace } from '../space/macro.js';

/** Tiny macro and cell spaces on 1x8x8 inputs, 3 classes: a child builds and steps in milliseconds. */
export const tinyMacro = (merge: 'concat' | 'add' = 'concat') =>
  new MacroSpace({ input: [1, 8, 8], classes: 3, layers: 3, channels: 4, reductions: [1], merge });
export const tinyCell = () =>
  new CellSpace({ input: [1, 8, 8], classes: 3, blocks: 2, cells: 1, channels: 4 });

/** A seeded synthetic 3-class dataset whose label is readable from the image (the mean of a region). */
export function tinyData(count: number, seed: number, source = 'tiny'): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(count * 64);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.int(3);
    y[i] = label;
    for (let p = 0; p < 64; p++) {
      const region = Math.floor(p / 8 / 3);
      x[i * 64 + p] = rng.normal() * 0.5 + (region === label ? 1.5 : 0);
    }
  }
  return makeDataset({ source, shape: [1, 8, 8], x, y, classes: ['a', 'b', 'c'], inputScale: 1 });
}

/** The first `n` samples of a dataset as one batch's feeds. */
export function batchOf(data: Dataset, n: number, from = 0): { x: TensorData; labels: TensorData } {
  return {
    x: { type: 'float32', dims: [n, ...data.shape], data: data.x.slice(from * 64, (from + n) * 64) },
    labels: { type: 'int64', dims: [n], data: BigInt64Array.from(data.y.slice(from, from + n), BigInt) },
  };
}
