import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FatalError, TrialFailedError } from '../../../core/errors.js';
import type { Evaluation, TrialHandle } from '../../../core/evaluator.js';
import type { Splits } from '../../../data/split.js';
import type { Graph } from '../../../graph/graph.js';
import type { TrainEvaluatorConfig } from '../config.js';
import {
  CANCELLED,
  PRUNED,
  RUN,
  errorFromData,
  type FromWorker,
  type ToWorker,
  type WorkerSetup,
} from './messages.js';
import { shareSplits } from './shared-data.js';

export interface TrainingPoolOptions {
  /** Worker threads at most (started when trials need them). */
  readonly size: number;
  readonly config: TrainEvaluatorConfig;
  /** Shared with every worker: moved into SharedArrayBuffers once (shareSplits) unless already there. */
  readonly data: Splits;
  /** The worker script. Default: worker.js beside this file (worker.ts when running from sources). */
  readonly workerUrl?: URL;
}

/** This module's worker script: .ts when this file runs from sources (vitest, tsx), .js once compiled. */
function defaultWorkerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}

/**
 * The ES-module entry of tsx's API. Node 20 does not apply `--import tsx` given in a Worker's execArgv to
 * the worker's own entry (it fails with ERR_UNKNOWN_FILE_EXTENSION), so a .ts worker is started by a small
 * bootstrap that registers tsx's loader and then imports the script. tsx is a devDependency: only
 * source checkouts run .ts workers.
 */
function tsxApi(): string {
  let cjs: string;
  try {
    cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  } catch (e) {
    throw new FatalError(
      'train: worker threads started from TypeScript sources need tsx (a devDependency): run npm install, ' +
        'use the compiled package, or set evaluator.workers to 0',
      { cause: e },
    );
  }
  const esm = cjs.replace(/\.cjs$/, '.mjs');
  return pathToFileURL(existsSync(esm) ? esm : cjs).href;
}

function startWorker(url: URL, setup: WorkerSetup): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: setup });
  const code =
    `import(${JSON.stringify(tsxApi())})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true, workerData: setup });
}

/** A started worker and whether it has said it is ready (a crash before that is a failure to start). */
type Slot = { readonly worker: Worker; ready: boolean };

/**
 * Trains trials in worker threads, one trial per worker at a time, with the dataset shared (not copied).
 * `run` has the Evaluator's contract: reports are forwarded to the trial handle; the run's signal and
 * the trial's pruner reach the worker through a shared flag its training loop reads between steps. A
 * worker that crashes (an uncaught error, process.exit, running out of memory) fails its trial alone
 * with TrialFailedError and is replaced by a new one for the next trial. Idle workers do not keep the
 * process alive; close() ends them all.
 */
export class TrainingPool {
  private readonly setup: WorkerSetup;
  private readonly url: URL;
  private readonly slots = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly waiters: (() => void)[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: TrainingPoolOptions) {
    if (!Number.isSafeInteger(options.size) || options.size < 1) {
      throw new RangeError(`TrainingPool size must be an integer >= 1, found ${options.size}`);
    }
    this.setup = { config: options.config, data: shareSplits(options.data) };
    this.url = options.workerUrl ?? defaultWorkerUrl();
  }

  /** Worker threads alive now (busy or idle). */
  get workers(): number {
    return this.slots.size;
  }

  async run(graph: Graph, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    const slot = await this.acquire();
    let alive = true;
    try {
      return await this.runOn(slot, graph, trial, signal, () => (alive = false));
    } finally {
      this.release(slot, alive);
    }
  }

  /** Ends every worker (a trial still running fails); queued and later calls are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
    const slots = [...this.slots];
    this.slots.clear();
    this.idle.length = 0;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private async acquire(): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new TrialFailedError('train: the training pool is closed');
      const slot = this.idle.pop();
      if (slot !== undefined) return slot;
      if (this.slots.size < this.options.size) return this.spawn();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker(this.url, this.setup), ready: false };
    const forget = (): void => {
      this.slots.delete(slot);
      const i = this.idle.indexOf(slot);
      if (i >= 0) this.idle.splice(i, 1);
    };
    slot.worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') slot.ready = true;
    });
    // Always listened to, so a crash of an idle worker is not an unhandled 'error' event.
    slot.worker.on('error', () => undefined);
    slot.worker.on('exit', forget);
    this.slots.add(slot);
    return slot;
  }

  private release(slot: Slot, alive: boolean): void {
    if (alive && !this.closed && this.slots.has(slot)) {
      slot.worker.unref();
      this.idle.push(slot);
    } else {
      this.slots.delete(slot);
      void slot.worker.terminate();
    }
    this.waiters.shift()?.();
  }

  private runOn(
    slot: Slot,
    graph: Graph,
    trial: TrialHandle,
    signal: AbortSignal,
    died: () => void,
  ): Promise<Evaluation> {
    const { worker } = slot;
    const id = ++this.nextId;
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const stop = (value: number): void => void Atomics.compareExchange(flag, 0, RUN, value);
    const onAbort = (): void => stop(CANCELLED);
    if (signal.aborted) onAbort();
    else if (trial.shouldStop()) stop(PRUNED);
    let reportError: unknown;

    return new Promise<Evaluation>((resolve, reject) => {
      let settled = false;
      const settle = (body: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        body();
      };
      const crashed = (what: string, cause?: unknown): void => {
        died();
        settle(() => {
          if (!slot.ready) {
            reject(new FatalError(`train: a training worker thread could not start: ${what}`, { cause }));
          } else {
            reject(
              new TrialFailedError(
                `train: the worker thread training this trial ${what}; the trial fails alone and a new ` +
                  'worker takes the next one',
                { cause },
              ),
            );
          }
        });
      };
      const acknowledge = (): void => {
        if (trial.shouldStop()) stop(PRUNED);
        worker.postMessage({ type: 'ack', id } satisfies ToWorker);
      };
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'ready' || m.id !== id) return;
        if (m.type === 'report') {
          trial.report(m.step, m.metrics).then(acknowledge, (e: unknown) => {
            // As in the main thread, a failed report fails the trial: stop the worker's training, and
            // answer with this error once it is done (the worker stays usable).
            reportError ??= e;
            stop(CANCELLED);
            acknowledge();
          });
        } else if (m.type === 'result') {
          settle(() => (reportError === undefined ? resolve(m.evaluation) : reject(reportError)));
        } else {
          settle(() => reject(reportError ?? errorFromData(m.error)));
        }
      };
      const onError = (e: Error): void => crashed(`crashed: ${e.message}`, e);
      const onExit = (code: number): void => crashed(`exited (code ${code})`);
      signal.addEventListener('abort', onAbort, { once: true });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.ref();
      const task: ToWorker = { type: 'trial', id, graph: graph.toJSON(), key: trial.key, flag };
      worker.postMessage(task);
    });
  }
}
