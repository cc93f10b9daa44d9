import { ConfigError, InvalidArchitectureError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Dataset } from '../../data/dataset.js';
import { Graph } from '../../graph/graph.js';
import { randomSample } from '../../space/walk.js';

/** How many random architectures to try decoding before giving up on the check (all invalid). */
const TRIES = 20;

/** One decodable network of the space, or undefined when the space builds no graphs at all. */
function someNetwork(space: SearchSpace<unknown>): Graph | undefined {
  const rng = new Rng(0);
  for (let i = 0; i < TRIES; i++) {
    let arch: unknown;
    try {
      arch = space.decode(randomSample(space, rng));
    } catch (e) {
      // An invalid draw says nothing about the input or the head: try another.
      if (e instanceof InvalidArchitectureError) continue;
      throw e;
    }
    return arch instanceof Graph ? arch : undefined;
  }
  return undefined;
}

const shapeText = (shape: readonly (number | string)[]): string => `[${shape.join(', ')}]`;

function listed(classes: readonly string[]): string {
  const shown = classes.slice(0, 12).join(', ');
  return classes.length > 12 ? `${shown}, ...` : shown;
}

/**
 * Checks, before an experiment is stored, that the networks a space builds take the data's samples and
 * predict its classes. Every network of a space shares its input and its classifier head, so one decoded
 * architecture speaks for all; without this check each trial would fail alike inside ONNX Runtime (labels
 * past the logits, a reshape that cannot hold the samples) and the search would end with nothing.
 */
export function checkSpaceFitsData(
  space: SearchSpace<unknown>,
  data: { readonly train: Dataset; readonly classes: readonly string[] },
): void {
  const net = someNetwork(space);
  if (net === undefined) return;
  const input = net.inputs.find((v) => v.dtype === 'float32');
  const sample = data.train.shape;
  if (input !== undefined) {
    const takes = input.shape.slice(1);
    const same = takes.length === sample.length && takes.every((d, i) => d === sample[i]);
    if (!same) {
      throw new ConfigError(
        `space.input ${shapeText(takes)} does not match the data: ${data.train.source} holds samples of ` +
          `shape ${shapeText(sample)}; set space.input: ${shapeText(sample)}`,
      );
    }
  }
  const loss = net.nodes.find((n) => n.op === 'softmaxCrossEntropy');
  if (loss === undefined) return;
  const logits = net.value(loss.inputs[0] as string).shape;
  const predicts = logits[logits.length - 1];
  const classes = data.classes.length;
  if (typeof predicts === 'number' && predicts !== classes) {
    throw new ConfigError(
      `space.classes is ${predicts}, but the data has ${classes} classes (${listed(data.classes)}); ` +
        `set space.classes: ${classes}`,
    );
  }
}
