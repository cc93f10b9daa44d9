import * as ort from 'onnxruntime-node';
import { SessionError, messageOf } from './errors.js';
import { fromOrtTensor, toOrtTensor, type Feeds, type Outputs } from './tensors.js';

export interface SessionOptions {
  /**
   * Default 'extended'. 'all' adds ORT's own layout transformations (NCHWc reorders), which never apply
   * to a training graph's convs (their weights are inputs) and made training no faster (docs/benchmarks.md,
   * "Kernel choices and their measurements"; `scripts/bench/profile-train.ts --level all` measures it);
   * training graphs ask for the blocked convs themselves (graph/lower/nchwc.ts).
   */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Threads inside one op. Default 1: parallel trials each get a core, so sessions must not oversubscribe. */
  readonly intraOpNumThreads?: number;
  /** Threads across independent ops (only used by the parallel execution mode). Default 1. */
  readonly interOpNumThreads?: number;
  /** ORT's log level, 0 verbose .. 4 fatal. Default 3 (errors): ORT's warnings are mostly about unused initializers. */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /**
   * Turns on ONNX Runtime's profiler: it writes `<prefix>_<date>.json` (Chrome trace events, one per
   * node run) when the session is disposed. For scripts/bench/profile-train.ts; off by default.
   */
  readonly profileFilePrefix?: string;
  /**
   * ONNX Runtime execution providers in order of preference; default ['cpu']. 'cuda' needs the CUDA
   * provider's libraries, which onnxruntime-node installs only when asked (docs/gpu.md); nodes a
   * provider cannot run fall back to the next one.
   */
  readonly executionProviders?: readonly string[];
}

function threads(value: number | undefined, field: string): number {
  const n = value ?? 1;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new SessionError('E_SESSION_CREATE', `${field} must be an integer >= 1, found ${n}`);
  }
  return n;
}

/**
 * One ONNX Runtime inference session over model bytes (CPU provider). A session holds native memory:
 * call dispose() when done; a disposed session refuses to run. dispose() waits for runs in flight,
 * so releasing never pulls memory from under a running graph.
 */
export class Session {
  private readonly inFlight = new Set<Promise<unknown>>();
  private released: Promise<void> | null = null;

  private constructor(private readonly ort: ort.InferenceSession) {}

  static async create(bytes: Uint8Array, options: SessionOptions = {}): Promise<Session> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: [...(options.executionProviders ?? ['cpu'])],
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'extended',
      intraOpNumThreads: threads(options.intraOpNumThreads, 'intraOpNumThreads'),
      interOpNumThreads: threads(options.interOpNumThreads, 'interOpNumThreads'),
      // Sequential: the graphs are chains of big ops; parallel mode only adds scheduling overhead.
      executionMode: 'sequential',
      logSeverityLevel: options.logSeverityLevel ?? 3,
      ...(options.profileFilePrefix === undefined
        ? {}
        : { enableProfiling: true, profileFilePrefix: options.profileFilePrefix }),
    };
    try {
      return new Session(await ort.InferenceSession.create(bytes, sessionOptions));
    } catch (e) {
      const providers = options.executionProviders ?? ['cpu'];
      const hint = providers.some((p) => p !== 'cpu')
        ? ` (execution providers ${providers.join(', ')}: a GPU provider must be installed; see docs/gpu.md)`
        : '';
      throw new SessionError('E_SESSION_CREATE', `ONNX Runtime rejected the model: ${messageOf(e)}${hint}`, {
        cause: e,
      });
    }
  }

  get inputNames(): readonly string[] {
    return this.ort.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.ort.outputNames;
  }

  get disposed(): boolean {
    return this.released !== null;
  }

  /**
   * Runs the graph. Every model input must be fed (no defaults); `fetches` picks outputs (default: all).
   * Returns plain typed arrays keyed by output name.
   */
  async run(feeds: Feeds, fetches: readonly string[] = this.outputNames): Promise<Outputs> {
    this.assertLive();
    this.checkFetches(fetches);
    const results = await this.runTensors(this.toOrtFeeds(feeds), fetches);
    const out: Outputs = {};
    for (const name of fetches) out[name] = fromOrtTensor(name, results[name] as ort.Tensor);
    return out;
  }

  /**
   * run() without the conversions, for callers that keep ORT tensors between runs (FeedbackRunner feeds
   * each step's outputs back as they are). The caller has checked the feeds' names and that every input
   * is fed, and the fetches with checkFetches(); ORT checks the tensors' types and shapes.
   */
  async runTensors(
    feeds: Readonly<Record<string, ort.Tensor>>,
    fetches: readonly string[],
  ): Promise<Record<string, ort.Tensor>> {
    this.assertLive();
    const pending = this.ort.run(feeds, fetches);
    this.inFlight.add(pending);
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await pending;
    } catch (e) {
      throw new SessionError('E_SESSION_RUN', `ONNX Runtime failed to run the model: ${messageOf(e)}`, {
        cause: e,
      });
    } finally {
      this.inFlight.delete(pending);
    }
    for (const name of fetches) {
      if (results[name] === undefined) {
        throw new SessionError('E_SESSION_RUN', `ONNX Runtime returned no output '${name}'`);
      }
    }
    return results;
  }

  private assertLive(): void {
    if (this.released !== null) {
      throw new SessionError('E_SESSION_DISPOSED', 'run() on a disposed session; create a new Session');
    }
  }

  /** Throws unless every name is a model output. */
  checkFetches(fetches: readonly string[]): void {
    for (const f of fetches) {
      if (!this.outputNames.includes(f)) {
        throw new SessionError(
          'E_SESSION_FEED',
          `fetch '${f}' is not a model output (${this.outputNames.join(', ')})`,
        );
      }
    }
  }

  /** Releases the native session once runs in flight settle. Idempotent. */
  dispose(): Promise<void> {
    this.released ??= (async () => {
      await Promise.allSettled([...this.inFlight]);
      await this.ort.release();
    })();
    return this.released;
  }

  private toOrtFeeds(feeds: Feeds): Record<string, ort.Tensor> {
    const missing = this.inputNames.filter((n) => !Object.hasOwn(feeds, n));
    if (missing.length > 0) {
      throw new SessionError('E_SESSION_FEED', `missing feed(s) ${missing.map((n) => `'${n}'`).join(', ')}`);
    }
    const out: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      if (!this.inputNames.includes(name)) {
        throw new SessionError(
          'E_SESSION_FEED',
          `feed '${name}' is not a model input; the inputs are ${this.inputNames.join(', ')}`,
        );
      }
      out[name] = toOrtTensor(name, t);
    }
    return out;
  }
}

/** Shorthand for Session.create. */
export function createSession(bytes: Uint8Array, options?: SessionOptions): Promise<Session> {
  return Session.create(bytes, options);
}
