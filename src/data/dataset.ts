/**
 * A labelled dataset held in memory as one flat Float32Array, sample after sample. An image sample is
 * [C, H, W] (so a batch is N x C x H x W, NCHW, what ONNX convolutions take); a tabular sample is [F].
 */
export interface Dataset {
  /** Where it came from, for messages ("fashion-mnist-small train", "./digits.csv.gz"). */
  readonly source: string;
  readonly count: number;
  /** The shape of one sample: [C, H, W] or [F]. */
  readonly shape: readonly number[];
  /** count x product(shape) values. */
  readonly x: Float32Array;
  /** count labels in 0..classes.length-1. */
  readonly y: Int32Array;
  /** Class names; label i is classes[i]. */
  readonly classes: readonly string[];
  /**
   * What a raw value in the file was multiplied by to give x (1/255 for image bytes, 1 for CSV), so an
   * exported model can describe the preprocessing from the file's numbers.
   */
  readonly inputScale: number;
}

export function sampleSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Builds a Dataset after checking that the arrays agree (a mismatch is a bug in a reader). */
export function makeDataset(fields: Omit<Dataset, 'count'>): Dataset {
  const count = fields.y.length;
  const size = sampleSize(fields.shape);
  if (fields.shape.length === 0 || fields.shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`${fields.source}: bad sample shape [${fields.shape.join(', ')}]`);
  }
  if (fields.x.length !== count * size) {
    throw new RangeError(
      `${fields.source}: ${count} labels x ${size} values per sample != ${fields.x.length} feature values`,
    );
  }
  for (let i = 0; i < count; i++) {
    const label = fields.y[i] as number;
    if (label < 0 || label >= fields.classes.length) {
      throw new RangeError(
        `${fields.source}: sample ${i} has label ${label}, outside 0..${fields.classes.length - 1}`,
      );
    }
  }
  return { ...fields, count };
}

/** The samples at `indices`, in that order (copied). */
export function subset(data: Dataset, indices: ArrayLike<number>, source = data.source): Dataset {
  const size = sampleSize(data.shape);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    x.set(data.x.subarray(i * size, (i + 1) * size), k * size);
    y[k] = data.y[i] as number;
  }
  return { ...data, source, count: indices.length, x, y };
}

/** How many samples of each class (index = label). */
export function classCounts(data: Pick<Dataset, 'y' | 'classes'>): number[] {
  const counts = new Array<number>(data.classes.length).fill(0);
  for (const label of data.y) counts[label] = (counts[label] as number) + 1;
  return counts;
}
