import type { Command } from 'commander';
import { startWorker, type RunningWorker } from '../../dist/worker.js';
import { StoppedError, parseQueueUrl, type QueueLocation } from '../../dist/connection.js';
import { DEFAULT_QUEUE_NAME } from '../../dist/protocol.js';
import { EXIT } from '../output.js';
import { positiveInt } from '../options.js';

export interface WorkerFlags {
  readonly queue: string;
  readonly queueName?: string;
  readonly concurrency?: number;
  readonly lockMs?: number;
  readonly quiet?: boolean;
}

/**
 * Serves trials until SIGINT/SIGTERM: the first finishes the trials in hand (at once when Redis is out
 * of reach, even before it was ever reached) and exits 0, a stop being the worker's normal end; a
 * second quits at once with 130.
 */
export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const location = parseQueueUrl(flags.queue);
  const log = (line: string): void => {
    if (!flags.quiet) process.stderr.write(`naslab worker: ${line}\n`);
  };
  // Listening before connecting: a worker waiting for an unreachable Redis must still hear a stop.
  const stopped = new AbortController();
  let count = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++count > 1) process.exit(EXIT.interrupted);
    log(`${signal}: finishing the trials in hand (again to quit at once)`);
    stopped.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await serve(flags, location, log, stopped.signal);
  // What the worker left behind must not hold the process: an evaluator that does not honour its stop
  // signal, or BullMQ's watchdog timer on a blocking read of a connection already ended.
  setTimeout(() => process.stdout.write('', () => process.exit(EXIT.ok)), 200).unref();
  return EXIT.ok;
}

/** Takes trials until `stop` is aborted. */
async function serve(
  flags: WorkerFlags,
  location: QueueLocation,
  log: (line: string) => void,
  stop: AbortSignal,
): Promise<void> {
  let worker: RunningWorker;
  try {
    worker = await startWorker({
      url: location.url,
      queueName: flags.queueName,
      concurrency: flags.concurrency,
      lockMs: flags.lockMs,
      log,
      stop,
    });
  } catch (e) {
    if (!(e instanceof StoppedError)) throw e;
    log('stopped before Redis was reached');
    return;
  }
  log(`taking trials from ${location.display} (queue ${flags.queueName ?? DEFAULT_QUEUE_NAME})`);
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  await worker.close();
}

export function registerWorkerCommand(cmd: Command): void {
  cmd
    .command('worker')
    .description('evaluate trials for coordinators started with naslab run --queue (any machine)')
    .requiredOption('--queue <url>', 'redis://[:password@]HOST:PORT[/db], rediss:// for TLS')
    .option('--queue-name <name>', `BullMQ queue (default ${DEFAULT_QUEUE_NAME})`)
    .option(
      '--concurrency <n>',
      'trials evaluated at once by this worker (default 1)',
      positiveInt('--concurrency'),
    )
    .option(
      '--lock-ms <ms>',
      'trial lock; a dead worker loses its trial 0.9-1.1x this later (default 30000)',
      positiveInt('--lock-ms'),
    )
    .option('--json', 'errors as {"error": {code, message}} on stdout (the worker prints no result)')
    .option('--quiet', 'no log on stderr')
    .action(async (flags: WorkerFlags) => {
      process.exitCode = await workerCommand(flags);
    });
}
