import type { Sample } from '../core/types.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../graph/graph.js';
import { float32, type TensorData } from '../graph/onnx/index.js';
import {
  LEARNING_RATE_INPUT,
  STEP_INPUT,
  buildTrainingStep,
  type DecayScope,
  type OptimizerSpec,
  type TrainingStep,
} from '../graph/optim/index.js';
import { trainingNchwcBlock } from '../runtime/nchwc.js';
import { Session, type SessionOptions } from '../runtime/session.js';
import { trainingIo, type TrainingIo } from '../runtime/train/io.js';
import type { SharedKeys } from './keys.js';
import type { SharedTensorSpec, SharedWeights } from './weights.js';

const ZEROS = { kind: 'zeros' } as const;

/** How a child binds to the store: each looped model input, its shared key, and its next value's output. */
type Binding = {
  readonly input: string;
  readonly key: string;
  readonly output: string;
  readonly spec: SharedTensorSpec;
};

export type ChildOptions = {
  readonly optimizer: OptimizerSpec;
  readonly decay?: DecayScope;
  readonly session?: SessionOptions;
};

/**
 * One sampled architecture on the supernet: its training-step session (forward, backward and optimiser
 * update, graph/optim) with every parameter, batch-norm buffer and optimiser state fed from the shared
 * store, and the logits added as an output, so the same session also scores the child (batch
 * statistics, as ENAS scores children for the controller). The session holds no weights: any number of
 * children share the store's arrays, and a step writes its outputs back in place of the old arrays.
 */
export class ChildStep {
  private constructor(
    readonly key: string,
    readonly graph: Graph,
    private readonly session: Session,
    private readonly step: TrainingStep,
    readonly io: TrainingIo,
    private readonly bindings: readonly Binding[],
  ) {}

  static async create(
    key: string,
    graph: Graph,
    sample: Sample,
    keys: SharedKeys,
    data: Dataset,
    options: ChildOptions,
  ): Promise<ChildStep> {
    const io = trainingIo(graph, { train: data, valid: data });
    const nchwcBlock = await trainingNchwcBlock(options.session);
    const step = buildTrainingStep(graph, {
      loss: io.loss,
      optimizer: options.optimizer,
      decay: options.decay ?? 'all',
      ...(nchwcBlock === undefined ? {} : { nchwcBlock }),
    });
    const logits = graph.value(io.logits);
    step.model.output(io.logits, 'float32', [...logits.shape]);
    const keyOf = keys(sample);
    const paramKeys = new Map(graph.params.map((p) => [p.name, keyOf(p.name, p.shape)]));
    const bindings: Binding[] = [
      ...step.params.map((p) => ({
        input: p.name,
        key: paramKeys.get(p.name) as string,
        output: step.updated.get(p.name) as string,
        spec: p,
      })),
      ...step.buffers.map((b) => ({
        input: b.spec.name,
        key: paramKeys.get(b.spec.name) as string,
        output: b.next,
        spec: b.spec,
      })),
      ...step.state.map((s) => ({
        input: s.input,
        key: `${paramKeys.get(s.param) as string}#${s.kind}`,
        output: s.output,
        spec: { shape: s.shape, init: ZEROS },
      })),
    ];
    const seen = new Set<string>();
    for (const b of bindings) {
      if (seen.has(b.key)) {
        throw new Error(`supernet: two tensors of child ${key} map to the shared key '${b.key}'`);
      }
      seen.add(b.key);
    }
    const session = await Session.create(step.model.toBytes(), options.session);
    return new ChildStep(key, graph, session, step, io, bindings);
  }

  /** The shared key of each of the child's parameters and buffers (IR name -> key). */
  sharedKeys(): Map<string, string> {
    return new Map(this.bindings.filter((b) => !b.key.includes('#')).map((b) => [b.input, b.key]));
  }

  private feeds(
    weights: SharedWeights,
    x: TensorData,
    labels: TensorData,
    lr: number,
  ): Record<string, TensorData> {
    const out: Record<string, TensorData> = {
      [this.io.input]: x,
      [this.io.labels]: labels,
      [LEARNING_RATE_INPUT]: float32([], [lr]),
      [STEP_INPUT]: float32([], [weights.step]),
    };
    for (const b of this.bindings) {
      out[b.input] = { type: 'float32', dims: [...b.spec.shape], data: weights.get(b.key, b.spec) };
    }
    return out;
  }

  /** One training step on the batch; the store takes the updated tensors. Returns the batch's loss. */
  async train(weights: SharedWeights, x: TensorData, labels: TensorData, lr: number): Promise<number> {
    const fetches = [this.step.loss, ...this.bindings.map((b) => b.output)];
    const out = await this.session.run(this.feeds(weights, x, labels, lr), fetches);
    for (const b of this.bindings) weights.set(b.key, out[b.output]?.data as Float32Array);
    weights.step++;
    return out[this.step.loss]?.data[0] as number;
  }

  /** The logits of a batch with the current shared weights (batch statistics); nothing is written back. */
  async logits(weights: SharedWeights, x: TensorData, labels: TensorData): Promise<Float32Array> {
    const out = await this.session.run(this.feeds(weights, x, labels, 0), [this.io.logits]);
    return out[this.io.logits]?.data as Float32Array;
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }
}
