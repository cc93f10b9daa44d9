import type { Graph } from '../graph.js';
import { buildTrainingGradients, gradientName, type BufferSlot } from '../autodiff/index.js';
import { float32, type ModelBuilder, type TensorData } from '../onnx/index.js';
import { formatShape, numel } from '../shape.js';
import type { ParamSpec } from '../types.js';
import { resolveOptimizer, type DecayScope, type OptimizerSpec, type ResolvedOptimizer } from './options.js';
import { UpdateEmitter, adamScalars, emitAdam, emitSgd, type ParamSlot, type StateSlot } from './updates.js';

export type TrainingStepOptions = {
  /** The softmaxCrossEntropy node to minimise. */
  readonly loss: string;
  readonly optimizer: OptimizerSpec;
  /** Which parameters weight decay applies to. Default 'all' (PyTorch's default). */
  readonly decay?: DecayScope;
  /** The ONNX graph's name. Default 'naslab-training-step'. */
  readonly name?: string;
  /** Seeds dropout's masks. Default 0. */
  readonly seed?: number;
  /** Which trainable parameters this step updates (default: all); the rest are fed and held fixed (`frozen`). */
  readonly trainable?: (p: ParamSpec) => boolean;
  /** ONNX Runtime's NCHWc channel block: blocked convs where they fit (TrainingGradientsOptions). */
  readonly nchwcBlock?: number;
};

/** The model inputs that are neither data nor looped state: fed by the caller every step. */
export const LEARNING_RATE_INPUT = 'optim.lr';
/** Steps taken so far (float32 scalar, exact up to 2^24); the step outputs it plus one. */
export const STEP_INPUT = 'optim.step';

export type TrainingStep = {
  readonly model: ModelBuilder;
  /** The loss output (the value before this step's update). */
  readonly loss: string;
  readonly optimizer: ResolvedOptimizer;
  /** The trainable parameters, each a model input; `updated.get(p.name)` is its updated output. */
  readonly params: readonly ParamSpec[];
  readonly updated: ReadonlyMap<string, string>;
  /** Trainable parameters the `trainable` option left out: model inputs fed every step, never updated. */
  readonly frozen: readonly ParamSpec[];
  /** Batch norm's running statistics: model inputs whose `next` outputs are looped back (no gradient). */
  readonly buffers: readonly BufferSlot[];
  /** Optimiser state per parameter (momentum; Adam's m and v), zero before the first step. */
  readonly state: readonly StateSlot[];
  /** The step counter: input STEP_INPUT, output `stepOutput` = input + 1. */
  readonly stepOutput: string;
  /** Output -> input for FeedbackRunner: parameters, optimiser state and the step counter. */
  readonly loop: Readonly<Record<string, string>>;
  /** The outputs worth fetching each step besides the looped ones (the loss). */
  readonly fetches: readonly string[];
};

/**
 * One training step as one ONNX model: the forward and backward pass (autodiff) followed by the
 * optimiser update, so a step is a single session.run. Inputs: the data (x, labels), LEARNING_RATE_INPUT
 * (a float32 scalar, so a schedule changes it per step without rebuilding), STEP_INPUT, every trainable
 * parameter and the optimiser state. Outputs: the loss, the updated parameters and state, the next step
 * count (and the raw gradients, which the autodiff model declares; fetch only `fetches` + the loop).
 */
export function buildTrainingStep(graph: Graph, options: TrainingStepOptions): TrainingStep {
  const optimizer = resolveOptimizer(options.optimizer);
  const {
    model: mb,
    loss,
    params,
    frozen,
    buffers,
  } = buildTrainingGradients(graph, {
    loss: options.loss,
    name: options.name ?? 'naslab-training-step',
    seed: options.seed ?? 0,
    ...(options.trainable === undefined ? {} : { trainable: options.trainable }),
    ...(options.nchwcBlock === undefined ? {} : { nchwcBlock: options.nchwcBlock }),
  });
  const e = new UpdateEmitter(mb);
  const lr = mb.input(LEARNING_RATE_INPUT, 'float32', []);
  const step = mb.input(STEP_INPUT, 'float32', []);
  const t = e.op('Add', [step, e.scalar(1)], `${STEP_INPUT}.next`);
  const scalars = { lr, t };
  const scope = options.decay ?? 'all';
  const shared = optimizer.kind === 'sgd' ? null : adamScalars(e, optimizer, scalars);

  const updated = new Map<string, string>();
  const state: StateSlot[] = [];
  for (const p of params) {
    const slot: ParamSlot = {
      param: p.name,
      grad: gradientName(p.name),
      shape: p.shape,
      decay: scope === 'all' || p.role === 'weight',
    };
    const result =
      optimizer.kind === 'sgd'
        ? emitSgd(e, slot, optimizer, scalars)
        : emitAdam(e, slot, optimizer, shared as NonNullable<typeof shared>);
    updated.set(p.name, result.next);
    state.push(...result.state);
  }

  for (const p of params) mb.output(updated.get(p.name) as string, 'float32', p.shape);
  for (const s of state) mb.output(s.output, 'float32', s.shape);
  mb.output(t, 'float32', []);
  const loop: Record<string, string> = {};
  for (const p of params) loop[updated.get(p.name) as string] = p.name;
  for (const s of state) loop[s.output] = s.input;
  for (const b of buffers) loop[b.next] = b.spec.name;
  loop[t] = step;
  return {
    model: mb,
    loss,
    optimizer,
    params,
    updated,
    frozen,
    buffers,
    state,
    stepOutput: t,
    loop,
    fetches: [loss],
  };
}

/**
 * The looped inputs' first values: the given parameters and buffers (and the fixed parameters, fed as
 * they are every step), zero optimiser state, step 0. The parameter
 * arrays are used as they are (not copied); the step never writes its inputs.
 */
export function initialStepState(
  step: TrainingStep,
  params: ReadonlyMap<string, Float32Array>,
): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  for (const p of [...step.params, ...step.frozen, ...step.buffers.map((b) => b.spec)]) {
    const data = params.get(p.name);
    if (data === undefined || data.length !== numel(p.shape)) {
      const found = data === undefined ? 'it is missing' : `it has ${data.length} values`;
      throw new RangeError(
        `initialStepState: parameter '${p.name}' needs ${numel(p.shape)} values (shape ${formatShape(p.shape)}), ` +
          `but ${found}; initParameters(graph, rng) makes every one`,
      );
    }
    out[p.name] = { type: 'float32', dims: [...p.shape], data };
  }
  for (const s of step.state) out[s.input] = float32(s.shape);
  out[STEP_INPUT] = float32([], [0]);
  return out;
}
