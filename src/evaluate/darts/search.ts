import { buildTrainingGradients, gradientName } from '../../graph/autodiff/index.js';
import type { Graph } from '../../graph/graph.js';
import { float32, type TensorData } from '../../graph/onnx/index.js';
import {
  LEARNING_RATE_INPUT,
  STEP_INPUT,
  buildTrainingStep,
  type OptimizerSpec,
  type TrainingStep,
} from '../../graph/optim/index.js';
import type { ParamSpec } from '../../graph/types.js';
import { trainingNchwcBlock } from '../../runtime/nchwc.js';
import { Session, type SessionOptions } from '../../runtime/session.js';
import type { Batch } from '../../runtime/train/batches.js';
import type { CellSpace } from '../../space/cell.js';
import type { DartsController } from '../../strategy/darts/darts.js';
import { SharedWeights } from '../../supernet/weights.js';
import { buildDartsNetwork } from './network.js';

const isAlpha = (p: ParamSpec): boolean => p.role === 'alpha';
const ZEROS = { kind: 'zeros' } as const;

/**
 * One looped tensor of the weight step: its model input, the output with its next value, and its key
 * in the store (a parameter's or buffer's name; `<param>#<kind>` for optimiser state, as the supernet's).
 */
type Slot = {
  readonly input: string;
  readonly output: string;
  readonly key: string;
  readonly spec: Pick<ParamSpec, 'shape' | 'init'>;
};

export type ArchStepResult = { readonly loss: number; readonly correct: number };

/**
 * The relaxed network's two sessions and its weights. The weight step (graph/optim, alpha fixed via
 * `trainable`) updates every weight, batch-norm statistic and momentum in one run; the architecture
 * step (graph/autodiff over alpha only) returns d loss / d alpha of every mixture node, which are summed
 * per edge (cells of a kind share their alphas) and handed to the strategy's Adam. The weights live in
 * a SharedWeights store keyed by parameter name (plain data, saved with the strategy's state); alpha
 * lives in the strategy. First order: the architecture gradient is taken at the current weights.
 */
export class DartsSearch {
  private constructor(
    readonly graph: Graph,
    private readonly mixtures: ReadonlyMap<string, number>,
    private readonly controller: DartsController,
    readonly weights: SharedWeights,
    private readonly step: TrainingStep,
    private readonly weightSession: Session,
    private readonly archSession: Session,
    private readonly slots: readonly Slot[],
    private readonly fixed: readonly ParamSpec[],
    private readonly alphas: readonly ParamSpec[],
    private readonly logits: string,
  ) {}

  static async create(
    space: CellSpace,
    controller: DartsController,
    weights: SharedWeights,
    options: { readonly optimizer: OptimizerSpec; readonly session?: SessionOptions },
  ): Promise<DartsSearch> {
    const { graph, mixtures } = buildDartsNetwork(space, controller.edges, controller.ops);
    const nchwcBlock = await trainingNchwcBlock(options.session);
    const blocked = nchwcBlock === undefined ? {} : { nchwcBlock };
    const step = buildTrainingStep(graph, {
      loss: 'loss',
      optimizer: options.optimizer,
      decay: 'all',
      trainable: (p) => !isAlpha(p),
      name: 'darts-weight-step',
      ...blocked,
    });
    const arch = buildTrainingGradients(graph, {
      loss: 'loss',
      trainable: isAlpha,
      name: 'darts-arch-step',
      ...blocked,
    });
    const logits = graph.node('loss')?.inputs[0] as string;
    arch.model.output(logits, 'float32', [...graph.value(logits).shape]);
    const slots: Slot[] = [
      ...step.params.map((p) => ({
        input: p.name,
        output: step.updated.get(p.name) as string,
        key: p.name,
        spec: p,
      })),
      ...step.buffers.map((b) => ({ input: b.spec.name, output: b.next, key: b.spec.name, spec: b.spec })),
      ...step.state.map((s) => ({
        input: s.input,
        output: s.output,
        key: `${s.param}#${s.kind}`,
        spec: { shape: s.shape, init: ZEROS },
      })),
    ];
    const weightSession = await Session.create(step.model.toBytes(), options.session);
    try {
      const archSession = await Session.create(arch.model.toBytes(), options.session);
      const fixed = [...arch.frozen, ...arch.buffers.map((b) => b.spec)];
      return new DartsSearch(
        graph,
        mixtures,
        controller,
        weights,
        step,
        weightSession,
        archSession,
        slots,
        fixed,
        arch.params,
        logits,
      );
    } catch (e) {
      await weightSession.dispose();
      throw e;
    }
  }

  /** Each mixture's alpha as a feed: its edge's current values (float32). */
  private alphaFeeds(specs: readonly ParamSpec[]): Record<string, TensorData> {
    const out: Record<string, TensorData> = {};
    for (const p of specs) {
      const edge = this.mixtures.get(p.name.slice(0, -'.alpha'.length)) as number;
      out[p.name] = float32(p.shape, Float32Array.from(this.controller.alpha(edge)));
    }
    return out;
  }

  private tensor(name: string, spec: Pick<ParamSpec, 'shape' | 'init'>): TensorData {
    return { type: 'float32', dims: [...spec.shape], data: this.weights.get(name, spec) };
  }

  /** One SGD step of the weights on a training batch, alpha fixed; returns the batch loss. */
  async weightStep(batch: Batch, lr: number): Promise<number> {
    const feeds: Record<string, TensorData> = {
      x: batch.x,
      labels: batch.labels,
      [LEARNING_RATE_INPUT]: float32([], [lr]),
      [STEP_INPUT]: float32([], [this.weights.step]),
      ...this.alphaFeeds(this.step.frozen),
    };
    for (const s of this.slots) feeds[s.input] = this.tensor(s.key, s.spec);
    const out = await this.weightSession.run(feeds, [this.step.loss, ...this.slots.map((s) => s.output)]);
    for (const s of this.slots) this.weights.set(s.key, out[s.output]?.data as Float32Array);
    this.weights.step++;
    return out[this.step.loss]?.data[0] as number;
  }

  /**
   * One architecture step on a validation batch, weights fixed: d loss / d alpha summed per edge goes
   * to the strategy's Adam. Returns the batch's loss and how many it classified right (before the step).
   */
  async archStep(batch: Batch): Promise<ArchStepResult> {
    const feeds: Record<string, TensorData> = {
      x: batch.x,
      labels: batch.labels,
      ...this.alphaFeeds(this.alphas),
    };
    for (const p of this.fixed) feeds[p.name] = this.tensor(p.name, p);
    const grads = this.alphas.map((p) => gradientName(p.name));
    const out = await this.archSession.run(feeds, ['loss', this.logits, ...grads]);
    const k = this.controller.ops.length;
    const total = new Float64Array(this.controller.edges.length * k);
    this.alphas.forEach((p, i) => {
      const edge = this.mixtures.get(p.name.slice(0, -'.alpha'.length)) as number;
      const g = out[grads[i] as string]?.data as Float32Array;
      for (let j = 0; j < k; j++) total[edge * k + j] = (total[edge * k + j] as number) + (g[j] as number);
    });
    this.controller.learn(total);
    return {
      loss: out['loss']?.data[0] as number,
      correct: countCorrect(out[this.logits]?.data as Float32Array, batch.labels.data as BigInt64Array),
    };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.weightSession.dispose(), this.archSession.dispose()]);
  }
}

/** How many rows of logits [b, classes] have their largest value at the label. */
function countCorrect(logits: Float32Array, labels: BigInt64Array): number {
  const b = labels.length;
  const classes = logits.length / b;
  let correct = 0;
  for (let r = 0; r < b; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if ((logits[r * classes + c] as number) > (logits[r * classes + best] as number)) best = c;
    }
    if (BigInt(best) === labels[r]) correct++;
  }
  return correct;
}
