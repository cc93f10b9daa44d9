/**
 * Per-channel mean and biased variance of a batch of activations [N, C, ...] (flat, NCHW): what batch
 * norm normalises with in training mode. deepen() takes them as `statistics`, so an inserted batch norm
 * starts as (nearly) the identity in training mode too. Get the activations by lowering the parent with
 * `outputs: [where]` and running it on a training batch: that pass uses the running statistics of the
 * batch norms before `where`, which after training approximate the batch statistics training mode uses.
 */
export function channelStatistics(
  data: Float32Array,
  shape: readonly number[],
): { mean: Float64Array; variance: Float64Array } {
  const [n = 0, c = 0, ...rest] = shape;
  const inner = rest.reduce((a, d) => a * d, 1);
  if (shape.length < 2 || data.length !== n * c * inner || n * inner === 0) {
    throw new RangeError(
      `channelStatistics: ${data.length} values do not make a batch of shape [${shape.join(', ')}]`,
    );
  }
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  const count = n * inner;
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let i = 0; i < n; i++)
      for (let r = 0; r < inner; r++) sum += data[(i * c + ch) * inner + r] as number;
    const m = sum / count;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < inner; r++) sq += ((data[(i * c + ch) * inner + r] as number) - m) ** 2;
    }
    mean[ch] = m;
    variance[ch] = sq / count;
  }
  return { mean, variance };
}
