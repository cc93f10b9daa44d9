import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, NotFoundError } from '../../core/errors.js';
import { SMALL_TRAIN_CONFIG, TABULAR_CONFIG, runFixture } from '../../export/experiment.testkit.js';
import type { LatencyResult } from '../../latency/measure.js';
import { openStorage } from '../../storage/open.js';
import { fakeTerminal } from '../bar.testkit.js';
import { batchList, latencyCommand, registerLatencyCommand } from './latency.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-latency-'));
const db = join(dir, 'runs.db');
const spaceFile = join(dir, 'chain.yaml');
const KEY = 'C(8,3,1)-P(max,2,2)-T';
const FAST = { batch: [1, 2], runs: 2, repeats: 2, warmup: 1 };
let trained: string;
let tabular: string;

beforeAll(async () => {
  writeFileSync(
    spaceFile,
    'space: { type: chain, input: [1, 28, 28], classes: 10, maxLayers: 2, convFilters: [8], poolKinds: [max] }\n',
  );
  const storage = openStorage(db);
  try {
    trained = await runFixture(storage, SMALL_TRAIN_CONFIG);
    tabular = await runFixture(storage, TABULAR_CONFIG);
  } finally {
    await storage.close();
  }
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function captureStdout(): () => string {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  return () => out;
}

function captureStderr(): () => string {
  let err = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  return () => err;
}

interface LatencyJson {
  architecture: { key: string; space: string; experimentId?: string; trialNumber?: number };
  params: number;
  flops: number;
  latency: LatencyResult;
}

describe('naslab latency', () => {
  it('measures an architecture key of a space file (--json)', async () => {
    const stdout = captureStdout();
    expect(await latencyCommand(KEY, { ...FAST, space: spaceFile, json: true })).toBe(0);
    const r = JSON.parse(stdout()) as LatencyJson;
    expect(r.architecture).toEqual({ key: KEY, space: 'chain' });
    // conv 1->8 3x3 (72 + 8) and the classifier 8*14*14 -> 10 (15,680 + 10)
    expect(r.params).toBe(80 + 15690);
    expect(r.latency.options).toMatchObject({ batches: [1, 2], runs: 2, repeats: 2, warmup: 1, threads: 1 });
    expect(r.latency.batches.map((b) => b.batch)).toEqual([1, 2]);
    for (const b of r.latency.batches) expect(b.medianMs).toBeGreaterThan(0);
  });

  it("measures an experiment's best trial, or the one --trial names, as a table", async () => {
    const stdout = captureStdout();
    captureStderr(); // a busy machine's note
    expect(await latencyCommand(trained, { ...FAST, db, trial: '#1' })).toBe(0);
    const text = stdout();
    expect(text).toMatch(new RegExp(`^chain .* \\(experiment ${trained}, trial #1\\)\\n`));
    expect(text).toContain('1 thread: median of 2 runs after 1 warm-up, 2 repeats');
    expect(text).toMatch(/batch.*median ms.*p10 ms.*p90 ms.*CV within.*CV across repeats/);
    const best = captureStdout();
    expect(await latencyCommand(trained, { ...FAST, batch: [1], db, json: true })).toBe(0);
    expect((JSON.parse(best()) as LatencyJson).architecture.experimentId).toBe(trained);
  }, 120_000);

  it('shows a bar over the batch sizes on stderr, and only the JSON document on stdout with --json', async () => {
    const stdout = captureStdout();
    const bar = fakeTerminal(false);
    const flags = { ...FAST, batch: [1, 2, 4], repeats: 3, space: spaceFile, json: true };
    expect(await latencyCommand(KEY, flags, { stream: bar, lineIntervalMs: 0 })).toBe(0);
    const r = JSON.parse(stdout()) as LatencyJson;
    expect(r.latency.batches[0]?.repeats).toHaveLength(3);
    const lines = bar.text().trim().split('\n');
    // A line per batch size (every repeat's session timed, interleaved); the last says all are done.
    for (const l of lines) expect(l).toMatch(/^progress: +\d+% [1-3]\/3 batch sizes \| .* ETA /);
    expect(lines.at(-1)).toMatch(/^progress: 100% 3\/3 batch sizes/);
    expect(bar.text()).not.toContain('\r');
  });

  it('prints the table but no progress or notes with --quiet', async () => {
    const stdout = captureStdout();
    const stderr = captureStderr();
    const bar = fakeTerminal(false);
    const flags = { ...FAST, space: spaceFile, quiet: true };
    expect(await latencyCommand(KEY, flags, { stream: bar, lineIntervalMs: 0 })).toBe(0);
    expect(stdout()).toMatch(/^chain C\(8,3,1\)-P\(max,2,2\)-T\n[\s\S]*median ms/);
    expect(bar.text()).toBe('');
    expect(stderr()).toBe('');
  });

  it('explains bad input', async () => {
    await expect(latencyCommand('424242', { ...FAST, db })).rejects.toThrow(
      /no experiment with id "424242".*; to measure an architecture key instead, name its space: --space/,
    );
    await expect(latencyCommand('424242', { ...FAST, db })).rejects.toThrow(NotFoundError);
    await expect(latencyCommand(tabular, { ...FAST, db })).rejects.toThrow(
      /searched the tabular benchmark nb201.*HW-NAS-Bench latencies/,
    );
    await expect(latencyCommand('C(16,3,1)-T', { ...FAST, space: spaceFile })).rejects.toThrow(
      /key "C\(16,3,1\)-T" is not in this space/,
    );
    await expect(latencyCommand(KEY, { ...FAST, space: spaceFile, trial: '#1' })).rejects.toThrow(
      '--trial picks a trial of an experiment',
    );
    const bare = join(dir, 'bare.yaml');
    writeFileSync(bare, 'input: [1, 28, 28]\n');
    await expect(latencyCommand(KEY, { space: bare })).rejects.toThrow(ConfigError);
    await expect(latencyCommand(KEY, { space: bare })).rejects.toThrow(/a space spec with a `type`/);
    const nb201 = join(dir, 'nb201.yaml');
    writeFileSync(nb201, 'type: nb201\n');
    await expect(latencyCommand('x', { space: nb201 })).rejects.toThrow(/reads no architecture keys/);
  });

  it('parses --batch and refuses bad option values', async () => {
    expect(batchList('1,32')).toEqual([1, 32]);
    expect(batchList(' 8 ')).toEqual([8]);
    const program = new Command('naslab').exitOverride().configureOutput({ writeErr: () => {} });
    registerLatencyCommand(program);
    const parse = (args: string[]) => program.parseAsync(['latency', ...args], { from: 'user' });
    await expect(parse([KEY, '--batch', '1,,2'])).rejects.toThrow(
      /--batch takes batch sizes separated by commas/,
    );
    await expect(parse([KEY, '--batch', '0'])).rejects.toThrow(/--batch must be a positive integer, got "0"/);
    await expect(parse([KEY, '--runs', 'ten'])).rejects.toThrow(CommanderError);
    await expect(parse([])).rejects.toThrow(/missing required argument 'target'/);
  });
});
