import { Command } from 'commander';
import { describeStrategies } from '../strategy/registry.js';
import { registerBenchCommand } from './commands/bench.js';
import { exportCommand } from './commands/export.js';
import { registerLatencyCommand } from './commands/latency.js';
import { registerUiCommand } from './commands/ui.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerLsCommand } from './commands/ls.js';
import { resumeCommand, runCommand } from './commands/run.js';
import { showCommand } from './commands/show.js';
import { finishHelp } from './help.js';
import { EXIT, reportError } from './output.js';
import { DB_HELP, collect, nonNegativeInt, positiveInt, positiveNumber } from './options.js';

/** The coordinator's options (`run` and `resume`): trials go to `naslab worker`s through Redis. */
function withQueueOptions(command: Command): Command {
  return command
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
    );
}

function program(): Command {
  const cmd = new Command('naslab')
    .description('Neural architecture search: strategies, search spaces, benchmarks and experiments')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // Before adding subcommands, so they inherit it: usage errors reach main() and exit with 2.
    .exitOverride();

  const run = cmd
    .command('run')
    .description(
      'run a search (default: regularized evolution on NAS-Bench-201/CIFAR-10, 12,000 simulated seconds)',
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
    .option('--db <path>', DB_HELP)
    .option('--json', 'JSON lines on stdout: experiment_start, one trial_end per trial, experiment_end')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      `
Examples:
  naslab run --trials 200 --seed 1                  evolution on NAS-Bench-201, 200 evaluations
  naslab run --strategy random --budget 12000       the NAS-Bench-201 protocol (simulated seconds)
  naslab run examples/chain-fashion.yaml --trials 5 train every candidate (config file + override)
  naslab run --trials 100 --json > events.jsonl     progress stays on stderr`,
    );
  withQueueOptions(run).action(async (config: string | undefined, flags) => {
    process.exitCode = await runCommand(config, flags);
  });

  const resume = cmd
    .command('resume')
    .description('continue an interrupted experiment: finished trials are kept, unfinished ones run again')
    .argument('<id>', 'experiment id (see: naslab ls)')
    .option('--db <path>', DB_HELP)
    .option('--json', 'JSON lines on stdout, as naslab run --json')
    .option('--quiet', 'no progress on stderr');
  withQueueOptions(resume).action(async (id: string, flags) => {
    process.exitCode = await resumeCommand(id, flags);
  });

  registerLsCommand(cmd);

  cmd
    .command('show')
    .description('an experiment: its best trial, the top-k table and architecture strings')
    .argument('<id>', 'experiment id (see: naslab ls)')
    .option('--top <k>', 'rows in the top-k table', positiveInt('--top'), 10)
    .option(
      '--objectives <list>',
      "Pareto front axes, e.g. valid_acc_200ep:max,latency_pixel3_ms:min (default: the strategy's objectives or the reward's metrics)",
    )
    .option(
      '--trial <id|#n>',
      'one trial instead: its record, reports and, for evaluator: command, its folder and the ends of its logs',
    )
    .option('--db <path>', DB_HELP)
    .option(
      '--json',
      'one JSON document on stdout: {experiment, counts, best, top, front?}; with --trial {trial, reports, logs?}',
    )
    .option('--quiet', 'accepted for scripts (show prints no progress)')
    .action(async (id: string, flags) => {
      process.exitCode = await showCommand(id, flags);
    });

  registerBenchCommand(cmd);

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
    .option('--json', 'one JSON document on stdout: {files, description}')
    .option('--quiet', 'no progress on stderr')
    .action(async (id: string, flags) => {
      process.exitCode = await exportCommand(id, flags);
    });

  registerLatencyCommand(cmd);
  registerUiCommand(cmd);
  registerWorkerCommand(cmd);

  cmd
    .command('strategies')
    .description('list the search strategies and their options')
    .option('--json', 'one JSON document on stdout: [{name, description, options}]')
    .option('--quiet', 'accepted for scripts (strategies prints no progress)')
    .action((flags: { json?: boolean }) => {
      const all = describeStrategies();
      process.stdout.write(flags.json ? `${JSON.stringify(all)}\n` : `${formatStrategies(all)}\n`);
    });

  return finishHelp(cmd);
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
    // Usage errors (commander's) too: exit 2, and {"error": ...} on stdout with --json.
    return reportError(e, { json });
  }
}
