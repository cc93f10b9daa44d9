import { ConfigError, InvalidArchitectureError, NotFoundError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../graph/graph.js';
import { formatShape } from '../../graph/shape.js';

/** The graph's names a trainer feeds and reads. */
export type TrainingIo = {
  readonly loss: string;
  readonly logits: string;
  /** The float32 data input, fed with batches of samples. */
  readonly input: string;
  /** The int64 labels input the loss reads. */
  readonly labels: string;
};

/**
 * Finds the loss (the named softmaxCrossEntropy node, or the graph's only one), its logits and labels
 * input, and the one float32 data input, and checks that the datasets' sample shape fits that input.
 */
export function trainingIo(
  graph: Graph,
  data: { readonly train: Dataset; readonly valid: Dataset },
  loss?: string,
): TrainingIo {
  const losses = graph.nodes.filter((n) => n.op === 'softmaxCrossEntropy');
  const node = loss === undefined ? losses[0] : graph.node(loss);
  if (node === undefined || node.op !== 'softmaxCrossEntropy') {
    throw new NotFoundError(
      loss === undefined
        ? 'train: the graph has no softmaxCrossEntropy node to minimise; add one on the logits and an int64 labels input'
        : `train: loss '${loss}' is not a softmaxCrossEntropy node of the graph`,
    );
  }
  if (loss === undefined && losses.length > 1) {
    throw new InvalidArchitectureError(
      `train: the graph has ${losses.length} softmaxCrossEntropy nodes (${losses.map((n) => n.name).join(', ')}); name one as the loss`,
    );
  }
  const [logits, labels] = node.inputs as [string, string];
  const inputs = graph.inputs.filter((v) => v.dtype === 'float32');
  if (inputs.length !== 1 || !graph.inputs.some((v) => v.name === labels && v.dtype === 'int64')) {
    throw new InvalidArchitectureError(
      `train: the graph needs exactly one float32 data input and an int64 labels input read by '${node.name}'; ` +
        `its inputs are ${graph.inputs.map((v) => `${v.name} (${v.dtype})`).join(', ')}`,
    );
  }
  const input = inputs[0] as (typeof inputs)[number];
  const want = input.shape.slice(1);
  for (const d of [data.train, data.valid]) {
    if (want.length !== d.shape.length || want.some((s, i) => s !== d.shape[i])) {
      throw new ConfigError(
        `train: ${d.source} holds samples of shape ${formatShape(d.shape)}, but the graph's input '${input.name}' ` +
          `takes ${formatShape(input.shape)}; reshape the data or change the network's input`,
      );
    }
  }
  return { loss: node.name, logits, input: input.name, labels };
}
