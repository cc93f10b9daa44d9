import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BenchResult } from '../../runner/bench.js';
import { fakeTerminal } from '../bar.testkit.js';
import { formatNumber } from '../output.js';
import { benchCommand, registerBenchCommand, type BenchFlags } from './bench.js';

const TOY = fileURLToPath(new URL('../../evaluate/tabular/fixtures/toy.yaml', import.meta.url));
const FLAGS: BenchFlags = { benchmark: TOY, strategy: 'random', runs: 5, trials: 4, seed: 0 };

afterEach(() => vi.restoreAllMocks());

/** Collects what the command writes to stdout and stderr (the bar gets its own stream). */
function capture(): { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  return { stdout: () => out, stderr: () => err };
}

describe('naslab bench progress', () => {
  it('shows a bar over the runs with the running mean, and keeps stdout pure JSON with --json', async () => {
    const io = capture();
    const bar = fakeTerminal(false);
    expect(await benchCommand({ ...FLAGS, json: true }, { stream: bar, lineIntervalMs: 0 })).toBe(0);
    const result = JSON.parse(io.stdout()) as BenchResult;
    expect(result).toMatchObject({ benchmark: 'toy', runs: 5 });
    const lines = bar.text().trim().split('\n');
    expect(lines.map((l) => / (\d)\/5 runs/.exec(l)?.[1])).toEqual(['1', '2', '3', '4', '5']);
    for (const l of lines) expect(l).toMatch(/^progress: .* \| random \| mean val_acc [\d.]+ \| .* ETA /);
    // The last line's mean is the mean the summary reports.
    const mean = result.metrics.val_acc?.mean as number;
    expect(lines.at(-1)).toContain(`mean val_acc ${formatNumber(mean)} |`);
    expect(bar.text()).not.toContain('\r');
    expect(io.stderr()).toBe(`loading ${TOY}\n`);
  });

  it('starts the mean afresh for each strategy compared', async () => {
    capture();
    const bar = fakeTerminal(false);
    const flags = { ...FLAGS, compare: 'random,evolution', runs: 2, json: true };
    expect(await benchCommand(flags, { stream: bar, lineIntervalMs: 0 })).toBe(0);
    const lines = bar.text().trim().split('\n');
    expect(lines.map((l) => /(\d\/4 runs \| \w+)/.exec(l)?.[1])).toEqual([
      '1/4 runs | random',
      '2/4 runs | random',
      '3/4 runs | evolution',
      '4/4 runs | evolution',
    ]);
  });

  it('shows nothing on stderr with --quiet, and the table on stdout', async () => {
    const io = capture();
    const bar = fakeTerminal(false);
    expect(await benchCommand({ ...FLAGS, quiet: true }, { stream: bar, lineIntervalMs: 0 })).toBe(0);
    expect(bar.text()).toBe('');
    expect(io.stderr()).toBe('');
    expect(io.stdout()).toMatch(/toy\/toy: 5 runs per strategy[\s\S]*│ random +│ 4\.0 +│/);
  });

  it('registers its options, with the documented defaults', async () => {
    const program = new Command('naslab').exitOverride();
    registerBenchCommand(program);
    const bench = program.commands.find((c) => c.name() === 'bench') as Command;
    bench.action(() => undefined);
    await program.parseAsync(['bench', '--trials', '3', '--json', '--quiet'], { from: 'user' });
    expect(bench.opts()).toMatchObject({
      benchmark: 'nb201',
      strategy: 'random',
      runs: 100,
      seed: 0,
      trials: 3,
      json: true,
      quiet: true,
    });
  });
});
