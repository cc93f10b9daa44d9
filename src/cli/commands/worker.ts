import type { Command } from 'commander';
import { startWorker } from '../../dist/worker.js';
import { parseQueueUrl } from '../../dist/connection.js';
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

/** Serves trials until SIGINT/SIGTERM: the first finishes the trials in hand, a second quits at once. */
export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const location = parseQueueUrl(flags.queue);
  const log = (line: string): void => {
    if (!flags.quiet) process.stderr.write(`naslab worker: ${line}\n`);
  };
  const worker = await startWorker({
    url: location.url,
    queueName: flags.queueName,
    concurrency: flags.concurrency,
    lockMs: flags.lockMs,
    log,
  });
  log(`taking trials from ${location.display} (queue ${flags.queueName ?? DEFAULT_QUEUE_NAME})`);
  return new Promise((resolve) => {
    let count = 0;
    const stop = (signal: NodeJS.Signals): void => {
      if (++count > 1) process.exit(EXIT.interrupted);
      log(`${signal}: finishing the trials in hand (again to quit at once)`);
      void worker.close().then(() => resolve(EXIT.ok));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
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
      'trial lock; a dead worker loses its trial about 1.5x this later (default 30000)',
      positiveInt('--lock-ms'),
    )
    .option('--json', 'errors as {"error": {code, message}} on stdout (the worker prints no result)')
    .option('--quiet', 'no log on stderr')
    .action(async (flags: WorkerFlags) => {
      process.exitCode = await workerCommand(flags);
    });
}
