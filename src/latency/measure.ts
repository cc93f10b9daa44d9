import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { Rng } from '../core/rng.js';
import { parseConfig } from '../core/validate.js';
import type { Graph } from '../graph/graph.js';
import { initParameters } from '../graph/init.js';
import { buildInferenceModel } from '../graph/lower/index.js';
import type { ValueInfo } from '../graph/onnx/graph.js';
import { Session } from '../runtime/session.js';
import { toOrtTensor } from '../runtime/tensors.js';
import { coefficientOfVariation, median, summarize, type Summary } from './stats.js';

const OptionsSchema = z
  .object({
    /** Batch sizes to time, each in every repeat. */
    batches: z.array(z.number().int().positive()).min(1).default([1, 32]),
    /** ONNX Runtime intra-op threads (the runtime's default, 1, is what parallel trials use). */
    threads: z.number().int().positive().default(1),
    /** Untimed runs before the timed ones, per batch and repeat: allocators and caches settle. */
    warmup: z.number().int().nonnegative().default(10),
    /** Timed runs per batch and repeat. */
    runs: z.number().int().positive().default(50),
    /** Fresh sessions, each timed `runs` times; the spread of their medians is the repeatability. */
    repeats: z.number().int().positive().default(5),
    /** Seeds the random weights (of measureLatency) and inputs. Latency does not depend on the values. */
    seed: z.number().int().nonnegative().default(0),
    graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']).default('extended'),
  })
  .strict();

export type LatencyOptionsInput = z.input<typeof OptionsSchema>;

/** Progress callbacks (not options: they are not data, and not validated). */
export interface LatencyHooks {
  /** After each batch size is timed (every repeat's session, interleaved). */
  readonly onBatch?: (done: number, total: number) => void;
}
export type LatencyOptions = z.output<typeof OptionsSchema>;

export function parseLatencyOptions(value: unknown, where = 'latency'): LatencyOptions {
  return parseConfig(OptionsSchema, value ?? {}, where);
}

/** One batch size's timings, in milliseconds. */
export interface BatchLatency {
  readonly batch: number;
  /** The median of the repeats' medians: the figure to quote. */
  readonly medianMs: number;
  /** Over all timed runs of all repeats. */
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly meanMs: number;
  readonly stdMs: number;
  /** The median over repeats of each repeat's coefficient of variation (run-to-run noise). */
  readonly cvWithin: number;
  /** The coefficient of variation of the repeats' medians (repeatability); NaN with one repeat. */
  readonly cvAcross: number;
  /** Per repeat, the summary of its timed runs. */
  readonly repeats: readonly Summary[];
}

export interface LatencyResult {
  readonly options: LatencyOptions;
  readonly onnxruntime: string;
  readonly batches: readonly BatchLatency[];
}

function randomInput(info: ValueInfo, batch: number, rng: Rng): ort.Tensor {
  const dims = (info.shape ?? []).map((d) => (typeof d === 'number' ? d : batch));
  const size = dims.reduce((a, b) => a * b, 1);
  if (info.type === 'float32') {
    const data = Float32Array.from({ length: size }, () => rng.normal());
    return toOrtTensor(info.name, { type: 'float32', dims, data });
  }
  if (info.type === 'int64') {
    return toOrtTensor(info.name, { type: 'int64', dims, data: new BigInt64Array(size) });
  }
  throw new RangeError(`latency: model input '${info.name}' has type ${info.type}; feed float32 or int64`);
}

/** One timed `session.run`, in milliseconds. */
async function timeRun(session: Session, feeds: Record<string, ort.Tensor>): Promise<number> {
  const start = process.hrtime.bigint();
  await session.runTensors(feeds, session.outputNames);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * `runs` timed runs of each session, interleaved (run k of every session before run k + 1), after
 * `warmup` untimed runs each: every repeat then spans the same stretch of time, so a slow drift of the
 * machine (another job, frequency scaling) shows in every repeat alike instead of as a gap between
 * repeats, and the CV across repeats measures what differs between sessions.
 */
async function timeInterleaved(
  sessions: readonly Session[],
  feeds: Record<string, ort.Tensor>,
  warmup: number,
  runs: number,
): Promise<number[][]> {
  for (const session of sessions) {
    for (let i = 0; i < warmup; i++) await session.runTensors(feeds, session.outputNames);
  }
  const times = sessions.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (let r = 0; r < sessions.length; r++) {
      (times[r] as number[]).push(await timeRun(sessions[r] as Session, feeds));
    }
  }
  return times;
}

/**
 * Times an ONNX model in ONNX Runtime (Node, CPU provider): one fresh session per repeat, and for each
 * batch size `warmup` untimed and `runs` timed `session.run` calls per session on fixed random inputs,
 * the sessions' runs interleaved (timeInterleaved).
 * A symbolic dim of an input (the IR's 'N') is the batch; int64 inputs are fed zeros.
 * Sessions are disposed however the measurement ends.
 */
export async function measureModelLatency(
  bytes: Uint8Array,
  inputs: readonly ValueInfo[],
  options: LatencyOptionsInput = {},
  hooks: LatencyHooks = {},
): Promise<LatencyResult> {
  const o = parseLatencyOptions(options);
  const rng = Rng.derive(o.seed, 'latency-inputs');
  // Inputs are made once, outside the timed loop, so every repeat times the same work.
  const feeds = o.batches.map((batch) =>
    Object.fromEntries(inputs.map((info) => [info.name, randomInput(info, batch, rng)])),
  );
  const sessions: Session[] = [];
  const times: number[][][] = [];
  try {
    for (let r = 0; r < o.repeats; r++) {
      sessions.push(
        await Session.create(bytes, {
          intraOpNumThreads: o.threads,
          graphOptimizationLevel: o.graphOptimizationLevel,
        }),
      );
    }
    for (let b = 0; b < o.batches.length; b++) {
      times.push(await timeInterleaved(sessions, feeds[b] as Record<string, ort.Tensor>, o.warmup, o.runs));
      hooks.onBatch?.(b + 1, o.batches.length);
    }
  } finally {
    for (const session of sessions) await session.dispose();
  }
  return {
    options: o,
    onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
    batches: o.batches.map((batch, b) => batchLatency(batch, times[b] as number[][])),
  };
}

/** Aggregates one batch size's timings, one array per repeat. */
export function batchLatency(batch: number, perRepeat: readonly (readonly number[])[]): BatchLatency {
  const repeats = perRepeat.map(summarize);
  const all = summarize(perRepeat.flat());
  const medians = repeats.map((s) => s.median);
  return {
    batch,
    medianMs: median(medians),
    p10Ms: all.p10,
    p90Ms: all.p90,
    meanMs: all.mean,
    stdMs: all.std,
    cvWithin: median(repeats.map((s) => s.cv)),
    cvAcross: medians.length < 2 ? NaN : coefficientOfVariation(medians),
    repeats,
  };
}

/**
 * The latency of a network of the IR (a network space's decode): lowered to the ONNX inference graph
 * (what `naslab export` writes, less the input standardisation) with seeded random weights, then timed
 * by measureModelLatency. Losses are replaced by their logits, so no labels are fed.
 */
export async function measureLatency(
  graph: Graph,
  options: LatencyOptionsInput = {},
  hooks: LatencyHooks = {},
): Promise<LatencyResult> {
  const o = parseLatencyOptions(options);
  const params = initParameters(graph, Rng.derive(o.seed, 'latency-weights'));
  const model = buildInferenceModel(graph, params, { name: 'naslab-latency' });
  return measureModelLatency(model.toBytes(), model.spec().inputs, o, hooks);
}
