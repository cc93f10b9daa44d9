import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_GROUPS, EPILOG, finishHelp } from './help.js';

describe('finishHelp', () => {
  it('lists the commands under their groups, help last, then the epilog', () => {
    const program = new Command('naslab').configureOutput({ writeOut: () => {} });
    for (const name of ['run', 'ls', 'bench', 'extra']) program.command(name).description(`the ${name}`);
    finishHelp(program);
    let text = '';
    program.configureOutput({ writeOut: (s) => (text += s) });
    program.outputHelp();
    expect(text).toMatch(/\nSearch:\n {2}run +the run\n\nResults:\n {2}ls +the ls\n/);
    expect(text).toMatch(/\nBenchmarks and reference:\n {2}bench +the bench\n {2}help \[command\] /);
    expect(text).toMatch(/\nOther:\n {2}extra +the extra\n/);
    expect(text.endsWith(`${EPILOG}\n`)).toBe(true);
  });

  it('documents every exit code, the output streams and the environment', () => {
    expect(EPILOG).toMatch(/Exit codes: 0 done, 1 .*, 2 .*, 3 storage error,\n {2}130 interrupted/);
    for (const word of ['--json', '--quiet', 'stderr', 'NASLAB_DB', 'NASLAB_UI_TOKEN', 'docs/cli.md'])
      expect(EPILOG).toContain(word);
    expect(COMMAND_GROUPS.flatMap(([, names]) => names)).toEqual([
      'run',
      'resume',
      'worker',
      'ls',
      'show',
      'ui',
      'export',
      'latency',
      'bench',
      'strategies',
    ]);
  });
});
