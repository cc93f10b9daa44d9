import { Command, CommanderError, Option } from 'commander';
import { describeStrategies } from '../strategy/registry.js';
import { benchCommand } from './commands/bench.js';
import { exportCommand } from './commands/export.js';
import { registerLatencyCommand } from './commands/latency.js';
import { registerUiCommand } from './commands/ui.js';
import { registerWorkerCommand } from './commands/worker.js';
import { lsCommand } from './commands/ls.js';
import { resumeCommand, runCommand } from './commands/run.js';
import { showCommand } from './commands/show.js';
import { EXIT, reportError } from './output.js';
import { DB_HELP, collect, nonNegativeInt, positiveInt, positiveNumber } from './options.js';

const EPILOG = `
Exit codes: 0 done, 1 the search failed, 2 bad usage or config, 3 storage error, 130 interrupted.
Docs: README.md and docs/ in the package. Debug a crash with NASLAB_DEBUG=1.`;

function program(): Command {
  const cmd = new Command('naslab')
    .description('Neural architecture search: strategies, search spaces, benchmarks and experiments')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // Before adding subcommands, so they inherit it: usage errors reach main() and exit with 2.
    .exitOverride()
    .addHelpText('after', EPILOG);

  cmd
    .command('run')
    .description(
      'run a search; with no config: regularized evolution on NAS-Bench-201/CIFAR-10, 12,000 simulated s',
    )
    .argument('[config]', 'experiment config (YAML); flags override its settings')
    .option('--benchmark <name|file>', 'nb201, nasbench-macro, or a user table YAML')
    .option('--dataset <name>', 'nb201: cifar10 | cifar100 | imagenet16')
    .option('--strategy <name>', 'search strategy (see: naslab strategies)')
    .option('--opt <key=value>', 'strategy option, repeatable (e.g. --opt population=20)', collect)
    .option('--trials <n>', 'budget: number of evaluations', positiveInt('--trials'))
    .option('--budget <seconds>', 'budget: simulated seconds of training', positiveNumber('--budget'))
    .option('--wall <seconds>', 'budget: wall-clock seconds', positiveNumber('--wall'))
    .option('--seed <n>', 'random seed (same seed, same run)', nonNegativeInt('--seed'))
    .option('--concurrency <n>', 'trials evaluated at once', positiveInt('--concurrency'))
    .option(
      '--workers <n>',
      'train evaluator: worker threads (0 = main thread; default: the cores, and as many trials at once)',
      nonNegativeInt('--workers'),
    )
    .option('--name <name>', 'experiment name')
    .option(
      '--queue <url>',
      'push trials to naslab workers through Redis: redis://[:pw@]HOST:PORT[/db], rediss:// for TLS',
    )
    .option(
      '--queue-attempts <n>',
      'with --queue: starts of a trial (its worker dying each time) before it is recorded failed',
      positiveInt('--queue-attempts'),
      3,
    )
    .option(
      '--trial-timeout <seconds>',
      'with --queue: a trial running longer is recorded failed',
      positiveNumber('--trial-timeout'),
    )
    .option('--db <path>', DB_HELP)
    .option('--json', 'JSON lines on stdout (one event per trial)')
    .option('--quiet', 'no progress output')
    .action(async (config: string | undefined, flags) => {
      process.exitCode = await runCommand(config, flags);
    });

  cmd
    .command('resume')
    .description('continue an interrupted experiment: finished trials are kept, unfinished ones run again')
    .argument('<id>', 'experiment id (see: naslab ls)')
    .option(
      '--queue <url>',
      'push trials to naslab workers through Redis: redis://[:pw@]HOST:PORT[/db], rediss:// for TLS',
    )
    .option(
      '--queue-attempts <n>',
      'with --queue: starts of a trial (its worker dying each time) before it is recorded failed',
      positiveInt('--queue-attempts'),
      3,
    )
    .option(
      '--trial-timeout <seconds>',
      'with --queue: a trial running longer is recorded failed',
      positiveNumber('--trial-timeout'),
    )
    .option('--db <path>', DB_HELP)
    .option('--json', 'JSON lines on stdout')
    .option('--quiet', 'no progress output')
    .action(async (id: string, flags) => {
      process.exitCode = await resumeCommand(id, flags);
    });

  cmd
    .command('ls')
    .description('list experiments')
    .option('--db <path>', DB_HELP)
    .option('--json', 'one JSON object on stdout')
    .action(async (flags) => {
      process.exitCode = await lsCommand(flags);
    });

  cmd
    .command('show')
    .description('an experiment: its best trial, the top-k table and architecture strings')
    .argument('<id>', 'experiment id (see: naslab ls)')
    .option('--top <k>', 'rows in the top-k table', positiveInt('--top'), 10)
    .option(
      '--objectives <list>',
      "Pareto front axes, e.g. valid_acc_200ep:max,latency_pixel3_ms:min (default: the strategy's objectives or the reward's metrics)",
    )
    .option('--db <path>', DB_HELP)
    .option('--json', 'one JSON object on stdout')
    .action(async (id: string, flags) => {
      process.exitCode = await showCommand(id, flags);
    });

  cmd
    .command('bench')
    .description('run a strategy many times under a tabular benchmark protocol and summarise (in memory)')
    .option('--benchmark <name|file>', 'nb201, nasbench-macro, or a user table YAML', 'nb201')
    .option('--dataset <name>', 'nb201: cifar10 | cifar100 | imagenet16')
    .option('--strategy <name>', 'search strategy (see: naslab strategies)', 'random')
    .option('--compare <names>', 'several strategies, comma-separated: one table (a JSON array with --json)')
    .option('--opt <key=value>', 'strategy option, repeatable; with --compare: strategy.key=value', collect)
    .option('--runs <n>', 'independent searches (seeds seed..seed+n-1)', positiveInt('--runs'), 100)
    .option(
      '--budget <seconds>',
      'simulated seconds per search (NAS-Bench-201 protocol: 12000)',
      positiveNumber('--budget'),
    )
    .option('--trials <n>', 'evaluations per search instead of a time budget', positiveInt('--trials'))
    .option('--seed <n>', 'first seed', nonNegativeInt('--seed'), 0)
    .addOption(
      new Option(
        '--duplicates <policy>',
        'repeated architectures: reuse the result or evaluate again',
      ).choices(['reuse', 'evaluate']),
    )
    .option('--curve', 'add the mean best-so-far curve against evaluations to the JSON')
    .option('--out <file>', 'also write the JSON summary to a file')
    .option('--json', 'one JSON object on stdout')
    .option('--quiet', 'no progress output')
    .action(async (flags) => {
      process.exitCode = await benchCommand(flags);
    });

  cmd
    .command('export')
    .description(
      "write a trial's network as model.onnx (trained weights) + model.json; default the best trial",
    )
    .argument('<id>', 'experiment id (see: naslab ls)')
    .requiredOption('--out <dir>', 'folder for model.onnx and model.json (new or empty, unless --force)')
    .option('--trial <id|#n>', 'trial id as naslab show lists it, or #N (its number); default the best')
    .option(
      '--near-latency <ms>',
      'export the front trial closest to this latency budget, not above it when one fits',
      positiveNumber('--near-latency'),
    )
    .option(
      '--latency-metric <name>',
      'latency metric for --near-latency (default: the only latency*_ms metric)',
    )
    .option(
      '--retrain-epochs <n>',
      'train n epochs on training + validation data instead of reproducing the trial',
      positiveInt('--retrain-epochs'),
    )
    .option('--force', 'replace model.onnx and model.json in a non-empty folder')
    .option('--db <path>', DB_HELP)
    .option('--json', 'one JSON object on stdout')
    .option('--quiet', 'no progress output')
    .action(async (id: string, flags) => {
      process.exitCode = await exportCommand(id, flags);
    });

  registerLatencyCommand(cmd);
  registerUiCommand(cmd);
  registerWorkerCommand(cmd);

  cmd
    .command('strategies')
    .description('list the search strategies and their options')
    .option('--json', 'one JSON object on stdout')
    .action((flags: { json?: boolean }) => {
      const all = describeStrategies();
      process.stdout.write(flags.json ? `${JSON.stringify(all)}\n` : `${formatStrategies(all)}\n`);
    });

  return cmd;
}

function formatStrategies(all: ReturnType<typeof describeStrategies>): string {
  return all
    .map((s) => {
      const opts = s.options.map(
        (o) =>
          `\n${' '.repeat(13)}--opt ${o.name}=${JSON.stringify(o.default)}${o.description ? `  ${o.description}` : ''}`,
      );
      return `${s.name.padEnd(12)} ${s.description}${opts.join('')}`;
    })
    .join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const cmd = program();
  const json = argv.includes('--json');
  try {
    await cmd.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; commander already printed the usage message otherwise.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(e, { json });
  }
}
