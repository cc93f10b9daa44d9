import { float32, type ModelBuilder } from '../onnx/index.js';
import type { ResolvedAdam, ResolvedSgd } from './options.js';

/** One trainable parameter as the update sees it: its input, its gradient, and whether it decays. */
export type ParamSlot = {
  readonly param: string;
  readonly grad: string;
  readonly shape: readonly number[];
  readonly decay: boolean;
};

/** A looped tensor besides the parameters: fed as `input`, produced as `output` by the step. */
export type StateSlot = {
  readonly input: string;
  readonly output: string;
  readonly shape: readonly number[];
  /** What it is: 'momentum' (SGD), 'm' / 'v' (Adam's first and second moments). */
  readonly kind: 'momentum' | 'm' | 'v';
  /** The parameter it belongs to. */
  readonly param: string;
};

/** The shared scalars every update reads: the learning rate and t = step + 1 (this step's number). */
export type StepScalars = { readonly lr: string; readonly t: string };

export type ParamUpdate = { readonly next: string; readonly state: readonly StateSlot[] };

/**
 * Emits element-wise ONNX nodes with readable, collision-free names (`<param>.<what>`) and caches the
 * scalar constants, so twenty parameters share one `0.9` initializer.
 */
export class UpdateEmitter {
  private readonly constants = new Map<number, string>();

  constructor(readonly mb: ModelBuilder) {}

  op(opType: string, inputs: readonly string[], name: string): string {
    const out = this.mb.uniqueName(name);
    this.mb.node(opType, inputs, [out], {}, { name: out });
    return out;
  }

  /** A float32 scalar constant. */
  scalar(value: number): string {
    const known = this.constants.get(value);
    if (known !== undefined) return known;
    const name = this.mb.initializer(this.mb.uniqueName(`optim.const.${value}`), float32([], [value]));
    this.constants.set(value, name);
    return name;
  }

  /** A looped state input of the parameter's shape, and the name its next value must take. */
  state(slot: ParamSlot, kind: StateSlot['kind'], label: string): StateSlot {
    const input = this.mb.input(this.mb.uniqueName(`${slot.param}.${label}`), 'float32', slot.shape);
    return { input, output: this.mb.uniqueName(`${input}.next`), shape: slot.shape, kind, param: slot.param };
  }
}

/** grad + weightDecay * p: PyTorch's L2 form, shared by SGD and Adam. */
function l2(e: UpdateEmitter, slot: ParamSlot, weightDecay: number): string {
  if (weightDecay === 0 || !slot.decay) return slot.grad;
  const decay = e.op('Mul', [slot.param, e.scalar(weightDecay)], `${slot.param}.l2`);
  return e.op('Add', [slot.grad, decay], `${slot.param}.g`);
}

/** SGD (see SgdSpec): p' = p - lr * d, d = buf' (or g + momentum * buf' with nesterov), buf' = momentum * buf + g. */
export function emitSgd(
  e: UpdateEmitter,
  slot: ParamSlot,
  spec: ResolvedSgd,
  scalars: StepScalars,
): ParamUpdate {
  const g = l2(e, slot, spec.weightDecay);
  const state: StateSlot[] = [];
  let direction = g;
  if (spec.momentum > 0) {
    const buf = e.state(slot, 'momentum', 'momentum');
    state.push(buf);
    const kept = e.op('Mul', [buf.input, e.scalar(spec.momentum)], `${slot.param}.momentum.kept`);
    e.mb.node('Add', [kept, g], [buf.output], {}, { name: buf.output });
    direction = spec.nesterov
      ? e.op(
          'Add',
          [g, e.op('Mul', [buf.output, e.scalar(spec.momentum)], `${slot.param}.nesterov`)],
          `${slot.param}.direction`,
        )
      : buf.output;
  }
  const next = e.mb.uniqueName(`${slot.param}.next`);
  const delta = e.op('Mul', [direction, scalars.lr], `${slot.param}.delta`);
  e.mb.node('Sub', [slot.param, delta], [next], {}, { name: next });
  return { next, state };
}

/**
 * The Adam step's scalars, computed once per step: step_size = lr / (1 - beta1^t) and
 * sqrt(1 - beta2^t), as torch.optim.Adam's single-tensor path computes them.
 */
export type AdamScalars = {
  readonly stepSize: string;
  readonly sqrtBc2: string;
  readonly decayFactor: string | null;
};

export function adamScalars(e: UpdateEmitter, spec: ResolvedAdam, scalars: StepScalars): AdamScalars {
  const one = e.scalar(1);
  const bc1 = e.op(
    'Sub',
    [one, e.op('Pow', [e.scalar(spec.beta1), scalars.t], 'optim.beta1_t')],
    'optim.bc1',
  );
  const bc2 = e.op(
    'Sub',
    [one, e.op('Pow', [e.scalar(spec.beta2), scalars.t], 'optim.beta2_t')],
    'optim.bc2',
  );
  // AdamW's decoupled decay: p *= 1 - lr * weightDecay, before the moment update (PyTorch order).
  const decayFactor =
    spec.kind === 'adamw' && spec.weightDecay > 0
      ? e.op(
          'Sub',
          [one, e.op('Mul', [scalars.lr, e.scalar(spec.weightDecay)], 'optim.lr_wd')],
          'optim.decay',
        )
      : null;
  return {
    stepSize: e.op('Div', [scalars.lr, bc1], 'optim.step_size'),
    sqrtBc2: e.op('Sqrt', [bc2], 'optim.sqrt_bc2'),
    decayFactor,
  };
}

/**
 * Adam / AdamW (see AdamSpec): m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2;
 * p' = p - step_size * m' / (sqrt(v') / sqrt(1 - b2^t) + eps).
 */
export function emitAdam(
  e: UpdateEmitter,
  slot: ParamSlot,
  spec: ResolvedAdam,
  shared: AdamScalars,
): ParamUpdate {
  const p = slot.param;
  const decoupled = shared.decayFactor !== null && slot.decay;
  const base = decoupled ? e.op('Mul', [p, shared.decayFactor as string], `${p}.decayed`) : p;
  const g = spec.kind === 'adam' ? l2(e, slot, spec.weightDecay) : slot.grad;
  const m = e.state(slot, 'm', 'adam_m');
  const v = e.state(slot, 'v', 'adam_v');
  const mKept = e.op('Mul', [m.input, e.scalar(spec.beta1)], `${p}.adam_m.kept`);
  const mNew = e.op('Mul', [g, e.scalar(1 - spec.beta1)], `${p}.adam_m.new`);
  e.mb.node('Add', [mKept, mNew], [m.output], {}, { name: m.output });
  const g2 = e.op('Mul', [g, g], `${p}.g2`);
  const vKept = e.op('Mul', [v.input, e.scalar(spec.beta2)], `${p}.adam_v.kept`);
  const vNew = e.op('Mul', [g2, e.scalar(1 - spec.beta2)], `${p}.adam_v.new`);
  e.mb.node('Add', [vKept, vNew], [v.output], {}, { name: v.output });
  const rms = e.op('Div', [e.op('Sqrt', [v.output], `${p}.adam_v.sqrt`), shared.sqrtBc2], `${p}.rms`);
  const denom = e.op('Add', [rms, e.scalar(spec.eps)], `${p}.denom`);
  const ratio = e.op('Div', [m.output, denom], `${p}.ratio`);
  const delta = e.op('Mul', [ratio, shared.stepSize], `${p}.delta`);
  const next = e.mb.uniqueName(`${p}.next`);
  e.mb.node('Sub', [base, delta], [next], {}, { name: next });
  return { next, state: [m, v] };
}
