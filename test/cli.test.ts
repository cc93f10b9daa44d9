import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.testkit.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOY = join(ROOT, 'src/evaluate/tabular/fixtures/toy.yaml');

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('naslab CLI', () => {
  const db = join(dir, 'cli.db');

  it('runs a stored search, lists it and shows its best trial', async () => {
    const run = await runCli(['run', '--trials', '40', '--seed', '1', '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('started experiment 1');
    expect(run.stdout).toMatch(/best trial \d+ \(#\d+\): \|[a-z_0-9~|+]+\|/);
    expect(run.stdout).toContain('naslab show 1');

    const ls = await runCli(['ls', '--json', '--db', db]);
    const { experiments } = JSON.parse(ls.stdout) as { experiments: Record<string, unknown>[] };
    expect(experiments).toHaveLength(1);
    expect(experiments[0]).toMatchObject({ id: '1', strategy: 'evolution', state: 'complete', trials: 40 });

    const show = await runCli(['show', '1', '--json', '--top', '5', '--db', db]);
    const shown = JSON.parse(show.stdout) as {
      best: { key: string; score: number };
      top: { key: string; score: number }[];
      counts: Record<string, number>;
    };
    expect(shown.top).toHaveLength(5);
    expect(shown.top[0]?.key).toBe(shown.best.key);
    expect(shown.top.map((t) => t.score)).toEqual([...shown.top.map((t) => t.score)].sort((a, b) => b - a));
    expect(Object.values(shown.counts).reduce((a, b) => a + b, 0)).toBe(40);

    const text = await runCli(['show', '1', '--db', db]);
    expect(text.stdout).toContain(`architecture: ${shown.best.key}`);
    expect(text.stdout).toContain('valid_acc_200ep');
  });

  it('emits one JSON object per trial with --json, ending with the summary', async () => {
    const run = await runCli(['run', '--strategy', 'random', '--trials', '5', '--json', '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    const events = lines(run.stdout);
    expect(events[0]).toMatchObject({ event: 'experiment_start', signal: 'c10valid_xvalid_acc_12ep' });
    expect(events.filter((e) => e.event === 'trial_end')).toHaveLength(5);
    expect(events.at(-1)).toMatchObject({ event: 'experiment_end', stopReason: 'budget', trials: 5 });
  });

  it('bench prints the documented JSON summary', async () => {
    const bench = await runCli([
      'bench',
      '--benchmark',
      TOY,
      '--strategy',
      'random',
      '--runs',
      '20',
      '--trials',
      '4',
      '--json',
    ]);
    expect(bench.code, bench.stderr).toBe(0);
    const out = JSON.parse(bench.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ benchmark: 'toy', dataset: 'toy', strategy: 'random', runs: 20 });
    expect(out.evaluationsPerRun).toMatchObject({ mean: 4 });
    const metrics = out.metrics as Record<string, { mean: number; std: number; n: number }>;
    expect(Object.keys(metrics)).toEqual(['val_acc', 'test_acc']);
    expect(metrics.val_acc?.n).toBe(20);
    expect(typeof out.wallSeconds).toBe('number');
  });

  it('bench --compare prints one JSON array, one object per strategy, with scoped options', async () => {
    const bench = await runCli([
      'bench',
      '--benchmark',
      TOY,
      '--compare',
      'random,evolution',
      '--opt',
      'evolution.population=3',
      '--opt',
      'evolution.sample=2',
      '--runs',
      '10',
      '--trials',
      '6',
      '--curve',
      '--json',
    ]);
    expect(bench.code, bench.stderr).toBe(0);
    const out = JSON.parse(bench.stdout) as {
      strategy: string;
      options: object;
      curve: { evaluations: number[] };
    }[];
    expect(out.map((r) => r.strategy)).toEqual(['random', 'evolution']);
    expect(out[1]?.options).toEqual({ population: 3, sample: 2 });
    expect(out[0]?.curve.evaluations).toEqual([1, 2, 3, 4, 5, 6]);
  });

  const usageErrors: [string, string[], string][] = [
    ['an invalid config file', ['run', 'BAD'], 'concurrency'],
    [
      'an unknown strategy',
      ['run', '--strategy', 'annealing', '--db', ':memory:'],
      'unknown strategy "annealing"',
    ],
    [
      'a bad strategy option',
      ['run', '--opt', 'populaton=5', '--db', ':memory:'],
      'unknown option "populaton"',
    ],
    ['an unknown dataset', ['run', '--dataset', 'mnist', '--db', ':memory:'], 'no dataset "mnist"'],
    ['an unknown experiment', ['show', '99', '--db', join(dir, 'cli.db')], '99'],
    ['a bench without budget', ['bench', '--runs', '2'], 'bench needs a budget'],
    ['a non-numeric flag', ['run', '--trials', 'many'], '--trials must be a positive integer'],
    [
      'an unscoped option with --compare',
      ['bench', '--compare', 'random,evolution', '--opt', 'population=3', '--trials', '3'],
      'with --compare, name the strategy the option is for',
    ],
  ];
  for (const [what, args, expected] of usageErrors) {
    it(`exits 2 on ${what}, with a message and no stack trace`, async () => {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'concurrency: 0\n');
      const result = await runCli(args.map((a) => (a === 'BAD' ? bad : a)));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(expected);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('reports a usage error as JSON with --json', async () => {
    const result = await runCli(['run', '--strategy', 'annealing', '--json', '--db', ':memory:']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'E_CONFIG' } });
  });

  it('prints help that lists the commands and exit codes', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['run', 'resume', 'ls', 'show', 'bench', 'strategies', 'Exit codes'])
      expect(help.stdout).toContain(c);
    const strategies = await runCli(['strategies']);
    expect(strategies.stdout).toContain('--opt population=10');
  });
});
