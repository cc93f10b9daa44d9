import { parentPort, workerData } from 'node:worker_threads';
import type { Metrics } from '../../../core/types.js';
import { graphFromJSON } from '../../../graph/json.js';
import { classify, trainTrial, type TrialControl } from '../trial.js';
import { CANCELLED, RUN, errorToData, type FromWorker, type ToWorker, type WorkerSetup } from './messages.js';

/** The trial message, as a hook sees it (tests use a hook to crash a worker on purpose). */
export type TrialTask = Extract<ToWorker, { type: 'trial' }>;

/**
 * The worker side of the pool: trains each trial it is sent with trainTrial, the code the in-process
 * evaluator runs, on the shared data it was started with. One trial at a time (the pool sends one).
 * Posts 'ready' once listening, so the pool can tell a worker that cannot start from a trial that crashes.
 */
export function serveTrials(hooks: { readonly beforeTrial?: (task: TrialTask) => void } = {}): void {
  const port = parentPort;
  if (port === null) throw new Error('serveTrials() runs in a worker thread started by TrainingPool');
  const { config, data } = workerData as WorkerSetup;
  const post = (m: FromWorker): void => port.postMessage(m);
  const acks = new Map<number, () => void>();

  async function run(task: TrialTask): Promise<void> {
    const control: TrialControl = {
      stopRequested: () => Atomics.load(task.flag, 0) !== RUN,
      cancelled: () => Atomics.load(task.flag, 0) === CANCELLED,
      report: (step: number, metrics: Metrics) =>
        new Promise<void>((resolve) => {
          acks.set(task.id, resolve);
          post({ type: 'report', id: task.id, step, metrics });
        }),
    };
    try {
      hooks.beforeTrial?.(task);
      const graph = graphFromJSON(task.graph, `trial ${task.key}: graph`);
      const evaluation = await trainTrial(graph, task.key, config, data, control);
      post({ type: 'result', id: task.id, evaluation });
    } catch (e) {
      post({ type: 'error', id: task.id, error: errorToData(classify(e)) });
    }
  }

  port.on('message', (m: ToWorker) => {
    if (m.type === 'ack') {
      acks.get(m.id)?.();
      acks.delete(m.id);
    } else void run(m);
  });
  post({ type: 'ready' });
}
