/**
 * The two networks of the training-speed comparison with PyTorch (bench/train-compare.ts), built with
 * GraphBuilder. The PyTorch reference (scripts/bench/train_reference.py) defines the same layers in the
 * same order: change both together. Inputs are Fashion-MNIST images [N, 1, 28, 28]; outputs [logits, loss].
 */
import { GraphBuilder } from '../src/graph/builder.js';
import type { Graph } from '../src/graph/graph.js';
import { smallCnn } from '../src/graph/networks.testkit.js';
import { BATCH, type Value } from '../src/graph/types.js';

/**
 * `sepconv_bn`: stem conv3x3x16 + BN + relu (28x28); sep(16 -> 32); maxpool2 (14x14); sep(32 -> 32),
 * sep(32 -> 32) with a skip connection (add) around the pair; sep(32 -> 64) whose depthwise conv has
 * stride 2 (7x7); global average pool; dense 10. sep(c -> o, s) = depthwise conv3x3 (pad 1, stride s,
 * no bias) + pointwise conv1x1 (no bias) + BN + relu.
 */
export function sepconvBn(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 1, 28, 28]);
  const sep = (v: Value, name: string, c: number, out: number, stride = 1): Value => {
    const dw = b.conv2d(v, {
      name: `${name}_dw`,
      outChannels: c,
      kernel: 3,
      padding: 1,
      stride,
      groups: c,
      bias: false,
    });
    const pw = b.conv2d(dw, { name: `${name}_pw`, outChannels: out, kernel: 1, bias: false });
    return b.relu(b.batchNorm(pw, { name: `${name}_bn` }));
  };
  let h = b.conv2d(x, { name: 'stem', outChannels: 16, kernel: 3, padding: 1, bias: false });
  h = b.relu(b.batchNorm(h, { name: 'stem_bn' }));
  h = sep(h, 'sep1', 16, 32);
  const pooled = b.maxPool(h, { name: 'pool', kernel: 2 });
  h = sep(sep(pooled, 'sep2', 32, 32), 'sep3', 32, 32);
  h = b.add([h, pooled], { name: 'skip' });
  h = sep(h, 'sep4', 32, 64, 2);
  const logits = b.dense(b.flatten(b.globalAvgPool(h)), { name: 'fc', outFeatures: 10 });
  const loss = b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' });
  return b.build([logits, loss]);
}

/** The comparison's models by their names in the JSON output. */
export const TRAIN_MODELS: Readonly<Record<'cnn' | 'sepconv_bn', () => Graph>> = {
  // conv3x3x16 (pad 1) - relu - maxpool2 - conv3x3x32 (pad 1) - relu - maxpool2 - dense 10.
  cnn: smallCnn,
  sepconv_bn: sepconvBn,
};
