import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import { writeIdxFolder } from '../src/data/idx.testkit.js';
import { parseExperimentConfig } from '../src/runner/config.js';
import { startExperiment } from '../src/runner/experiment.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { runCli } from './cli.testkit.js';

// A space whose networks cannot take the data's samples, or predict fewer classes than the labels
// hold, would fail every trial inside ONNX Runtime: the run must refuse it before storing anything.
const dir = mkdtempSync(join(tmpdir(), 'naslab-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const idx = join(dir, 'idx');
mkdirSync(idx);
writeIdxFolder(idx, { gzip: false });

/** Four numeric features; labels 0/1 plus the hostile extras a real file may carry. */
function csv(name: string, extraLabels: readonly string[]): string {
  const rows = ['0', '1', '0', '1', '0', '1', '0', '1', '0', '1', ...extraLabels].map(
    (label, i) => `${i % 3},${(i * 7) % 5},${i % 2},${(i * 3) % 4},${label}`,
  );
  const file = join(dir, name);
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

const DATA = {
  'fashion-mnist': { data: { type: 'fashion-mnist' }, input: [1, 28, 28], classes: 10 },
  idx: { data: { type: 'idx', path: idx }, input: [1, 4, 3], classes: 3 },
  csv: {
    data: { type: 'csv', path: csv('two.csv', []), shape: [1, 1, 4] },
    input: [4, 1, 1],
    classes: 2,
  },
} as const;

function config(data: unknown, space: { input: readonly number[]; classes: number }): unknown {
  return {
    seed: 0,
    space: { type: 'chain', input: space.input, classes: space.classes, maxLayers: 2 },
    evaluator: { type: 'train', data, epochs: 1, workers: 0 },
    strategy: 'random',
    budget: { trials: 1 },
  };
}

async function refusal(raw: unknown): Promise<{ error: Error; stored: number }> {
  const storage = new MemoryStorage();
  try {
    await startExperiment(parseExperimentConfig(raw, 'test'), storage);
  } catch (e) {
    return { error: e as Error, stored: (await storage.experiments()).length };
  }
  throw new Error('the run should have been refused');
}

describe('the space is checked against the data before anything is stored', () => {
  for (const [name, d] of Object.entries(DATA)) {
    it(`${name}: a class count other than the data's names space.classes`, async () => {
      const { error, stored } = await refusal(config(d.data, { input: d.input, classes: d.classes + 3 }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(`space.classes is ${d.classes + 3}`);
      expect(error.message).toContain(`set space.classes: ${d.classes}`);
      expect(stored).toBe(0);
    });

    it(`${name}: an input shape other than the samples' names space.input`, async () => {
      const wrong = [d.input[0] + 2, d.input[1], d.input[2]];
      const { error, stored } = await refusal(config(d.data, { input: wrong, classes: d.classes }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(`space.input [${wrong.join(', ')}] does not match the data`);
      expect(error.message).toContain(`set space.input: [${d.input.join(', ')}]`);
      expect(stored).toBe(0);
    });
  }

  it('CSV labels that add classes (1.5, 15, -1) are counted as the data has them', async () => {
    const data = { type: 'csv', path: csv('extra.csv', ['1.5', '15', '-1']), shape: [1, 1, 4] };
    const { error } = await refusal(config(data, { input: [4, 1, 1], classes: 2 }));
    expect(error.message).toMatch(/space\.classes is 2, but the data has 5 classes \(-1, 0, 1, 1\.5, 15\)/);
  });

  it('the same space and data that fit run', async () => {
    const d = DATA.idx;
    const storage = new MemoryStorage();
    const summary = await startExperiment(
      parseExperimentConfig(config(d.data, { input: d.input, classes: d.classes }), 'test'),
      storage,
    );
    expect((await storage.trials(summary.experimentId)).map((t) => t.state)).toEqual(['complete']);
  });

  it('the CLI exits 2 and the SQLite store holds no experiment', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, JSON.stringify(config(DATA.idx.data, { input: [1, 4, 3], classes: 7 })));
    const db = join(dir, 'runs.db');
    const result = await runCli(['run', file, '--db', db]);
    expect(result.stderr).toContain('space.classes is 7');
    expect(result.code).toBe(2);
    const store = SqliteStorage.open(db);
    try {
      expect(await store.experiments()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
