import type { Command } from 'commander';
import { EXIT } from './output.js';

/** `naslab --help` lists commands by what they are for. */
export const COMMAND_GROUPS: readonly (readonly [heading: string, commands: readonly string[]])[] = [
  ['Search:', ['run', 'resume', 'worker']],
  ['Results:', ['ls', 'show', 'ui', 'export', 'latency']],
  ['Benchmarks and reference:', ['bench', 'strategies']],
];

export const EPILOG = `
Examples:
  naslab run --trials 200                           evolution on NAS-Bench-201 (CIFAR-10), seconds
  naslab run examples/chain-fashion.yaml            a real search: every candidate is trained
  naslab ls && naslab show 1                        the experiments, then one's best trials
  naslab export 1 --out model                       the best trial's network as ONNX
  naslab bench --budget 12000 --runs 100 --json     a strategy's mean result over 100 seeds
  naslab run --trials 50 --json | jq -c 'select(.event == "trial_end")'

Output: results on stdout; progress and notes on stderr. Every command takes --json (stdout is one JSON
document, or JSON lines for run/resume; errors are {"error": {"code", "message"}}) and --quiet (no
progress or notes). Progress is a bar on a terminal, a plain line every 10 s otherwise.

Exit codes: ${EXIT.ok} done, ${EXIT.failed} the search or command failed, ${EXIT.usage} bad usage, config or id, ${EXIT.storage} storage error,
  ${EXIT.interrupted} interrupted (Ctrl-C: finished trials are kept; naslab resume <id> continues).

Environment: NASLAB_DB (the store; default naslab-runs/naslab.db), NASLAB_UI_TOKEN (naslab ui),
  NASLAB_REDIS_PASSWORD (--queue), NASLAB_CACHE_DIR (downloaded datasets), NASLAB_NCHWC=off (train
  with plain ONNX convs only), NASLAB_DEBUG=1 (stack traces of internal errors). Full reference:
  docs/cli.md.`;

/**
 * Puts the registered commands under COMMAND_GROUPS' headings (commander shows a group where its first
 * command was registered) and adds the examples, output, exit-code and environment sections.
 * Called once every command is registered.
 */
export function finishHelp(program: Command): Command {
  const groupOf = new Map(COMMAND_GROUPS.flatMap(([heading, names]) => names.map((n) => [n, heading])));
  for (const c of program.commands) c.helpGroup(groupOf.get(c.name()) ?? 'Other:');
  // `help <command>` joins the last group instead of a "Commands:" heading of its own.
  program
    .commandsGroup(COMMAND_GROUPS.at(-1)?.[0] ?? 'Commands:')
    .helpCommand('help [command]', 'the help of a command (as naslab <command> --help)');
  return program.addHelpText('after', EPILOG);
}
