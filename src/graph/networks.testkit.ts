import { GraphBuilder } from './builder.js';
import type { Graph } from './graph.js';
import { BATCH, type Value } from './types.js';

/**
 * The small CNN of the training-speed benchmark (bench/train-models.ts, bench/train-speed.ts) and of the
 * gradient fixtures: conv3x3x16 (pad 1) - relu - maxpool2 - conv3x3x32 (pad 1) - relu - maxpool2 -
 * flatten - dense 10, with a softmax cross-entropy loss on int64 labels. Outputs: [logits, loss].
 */
export function smallCnn(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 1, 28, 28]);
  let h = b.conv2d(x, { name: 'conv1', outChannels: 16, kernel: 3, padding: 1 });
  h = b.maxPool(b.relu(h), { name: 'pool1', kernel: 2 });
  h = b.conv2d(h, { name: 'conv2', outChannels: 32, kernel: 3, padding: 1 });
  h = b.maxPool(b.relu(h), { name: 'pool2', kernel: 2 });
  const logits = b.dense(b.flatten(h), { name: 'fc', outFeatures: 10 });
  const loss = b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' });
  return b.build([logits, loss]);
}

/** A depthwise-separable block on [N,32,16,16]: dw3x3 - BN - pw1x1 (64) - BN - relu, convs without bias. */
export function separableBlock(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 32, 16, 16]);
  const dw = b.conv2d(x, { name: 'dw', outChannels: 32, kernel: 3, padding: 1, groups: 32, bias: false });
  const pw = b.conv2d(b.batchNorm(dw), { name: 'pw', outChannels: 64, kernel: 1, bias: false });
  return b.build([b.relu(b.batchNorm(pw))]);
}

/** One of every op, with a skip connection, a concat and a `none` edge: for round trips. */
export function everyOp(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 3, 16, 16]);
  const labels = b.input('labels', [BATCH], 'int64');
  const stem = b.relu(b.batchNorm(b.conv2d(x, { outChannels: 8, kernel: 3, padding: 'same', bias: false })));
  const sep = b.conv2d(b.conv2d(stem, { outChannels: 8, kernel: 3, padding: 1, groups: 8 }), {
    outChannels: 8,
    kernel: 1,
  });
  const skip = b.add([sep, b.identity(stem), b.zero(stem)]);
  const pools = b.concat([
    b.maxPool(skip, { kernel: 3, stride: 2, padding: 1 }),
    b.avgPool(skip, { kernel: 3, stride: 2, padding: 1, countIncludePad: true }),
    b.conv2d(skip, { outChannels: 4, kernel: 3, stride: 2, dilation: 2, padding: 2 }),
  ]);
  const gap = b.reshape(b.flatten(b.globalAvgPool(pools)), { shape: [-1] });
  const logits = b.dense(b.dropout(gap, { rate: 0.25 }), { outFeatures: 10, bias: false });
  return b.build([logits, b.softmaxCrossEntropy(logits, labels)]);
}

/**
 * NAS-Bench-201's network for a cell (xautodl TinyNetwork, C=16, N=5): stem conv3x3 + BN; three stages of
 * five cells, with residual blocks (ReLU-conv-BN x2, shortcut avgpool2 + conv1x1) between them; BN, ReLU,
 * global pooling, dense. Each cell node sums its edges; ops: none, skip_connect, nor_conv_1x1/3x3
 * (ReLU-conv-BN, no conv bias), avg_pool_3x3 (stride 1, pad 1, padding not counted). A reference for the
 * counting conventions, not the nb201 space itself.
 */
export function nb201Network(arch: string, classes: number, size: number): Graph {
  const edges = arch.split('+').map((n) =>
    n
      .split('|')
      .filter((e) => e !== '')
      .map((e) => e.split('~')[0]),
  );
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 3, size, size]);
  const reluConvBn = (v: Value, c: number, k: number, stride: number): Value =>
    b.batchNorm(
      b.conv2d(b.relu(v), { outChannels: c, kernel: k, stride, padding: (k - 1) / 2, bias: false }),
    );
  const edge = (op: string | undefined, v: Value, c: number): Value => {
    if (op === 'none') return b.zero(v);
    if (op === 'skip_connect') return b.identity(v);
    if (op === 'nor_conv_1x1') return reluConvBn(v, c, 1, 1);
    if (op === 'nor_conv_3x3') return reluConvBn(v, c, 3, 1);
    if (op === 'avg_pool_3x3') return b.avgPool(v, { kernel: 3, stride: 1, padding: 1 });
    throw new Error(`nb201Network: unknown op ${String(op)}`);
  };
  const cell = (input: Value, c: number): Value => {
    const nodes = [input];
    for (const node of edges) nodes.push(b.add(node.map((op, j) => edge(op, nodes[j] as Value, c))));
    return nodes[nodes.length - 1] as Value;
  };
  const residual = (v: Value, c: number): Value => {
    const shortcut = b.conv2d(b.avgPool(v, { kernel: 2 }), { outChannels: c, kernel: 1, bias: false });
    return b.add([reluConvBn(reluConvBn(v, c, 3, 2), c, 3, 1), shortcut]);
  };
  let h = b.batchNorm(b.conv2d(x, { outChannels: 16, kernel: 3, padding: 1, bias: false }));
  [16, 32, 64].forEach((c, stage) => {
    if (stage > 0) h = residual(h, c);
    for (let i = 0; i < 5; i++) h = cell(h, c);
  });
  h = b.globalAvgPool(b.relu(b.batchNorm(h)));
  return b.build([b.dense(b.flatten(h), { outFeatures: classes })]);
}
