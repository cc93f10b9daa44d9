import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_TRAIN_CONFIG, TABULAR_CONFIG, runFixture } from '../src/export/experiment.testkit.js';
import type { ExportDescription } from '../src/export/index.js';
import { openStorage } from '../src/storage/open.js';
import { finished, runCli, startCli } from './cli.testkit.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-export-cli-'));
const db = join(dir, 'runs.db');
let trained: string;
let tabular: string;

beforeAll(async () => {
  const storage = openStorage(db);
  try {
    trained = await runFixture(storage, SMALL_TRAIN_CONFIG);
    tabular = await runFixture(storage, TABULAR_CONFIG);
  } finally {
    await storage.close();
  }
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('naslab export (CLI)', () => {
  it('writes model.onnx and model.json, reporting the test accuracy (text and --json)', async () => {
    const out = join(dir, 'text');
    const text = await runCli(['export', trained, '--out', out, '--db', db]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toMatch(/reproducing the trial's training .*: 1 epoch on 240 samples/);
    expect(text.stderr).toMatch(/epoch 1\/1: train loss [\d.]+, valid acc [\d.]+/);
    const d = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as ExportDescription;
    expect(text.stdout).toContain(`test accuracy of model.onnx: ${d.evaluation.testAccuracy} (1000 samples)`);
    expect(text.stdout).toContain(`wrote ${join(out, 'model.onnx')}`);

    // --json changes stdout only; --quiet keeps the epoch progress off stderr.
    const json = await runCli([
      'export',
      trained,
      '--out',
      join(dir, 'json'),
      '--db',
      db,
      '--json',
      '--quiet',
    ]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toBe('');
    const result = JSON.parse(json.stdout) as { files: string[]; description: ExportDescription };
    expect(result.files).toEqual([join(dir, 'json', 'model.onnx'), join(dir, 'json', 'model.json')]);
    expect(result.description.architecture.key).toBe(d.architecture.key);
    expect(result.description.evaluation.testAccuracy).toBe(d.evaluation.testAccuracy);
  }, 240_000);

  it('gives clear errors and exit code 2 for bad input', async () => {
    const tab = await runCli(['export', tabular, '--out', join(dir, 'tab'), '--db', db]);
    expect(tab.code).toBe(2);
    expect(tab.stderr).toMatch(
      /^naslab: error: experiment \d+ \(tabular-fixture\) is evaluated on the tabular/,
    );
    expect(existsSync(join(dir, 'tab'))).toBe(false);

    const full = join(dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'x'), '');
    const busy = await runCli(['export', trained, '--out', full, '--db', db, '--json']);
    expect(busy.code).toBe(2);
    expect(JSON.parse(busy.stdout)).toMatchObject({ error: { code: 'E_CONFIG' } });

    const unknown = await runCli(['export', '42', '--out', join(dir, 'u'), '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('42');
    const noOut = await runCli(['export', trained, '--db', db]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out');
  }, 240_000);

  it('stops on Ctrl-C while retraining, exits 130 and writes nothing', async () => {
    const out = join(dir, 'interrupted');
    const child = startCli(['export', trained, '--retrain-epochs', '500', '--out', out, '--db', db]);
    const exit = finished(child);
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (d: Buffer) => {
        seen += d.toString();
        if (/epoch 1\/500/.test(seen)) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await exit;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`interrupted: nothing written to ${out}`);
    expect(existsSync(out)).toBe(false);
  }, 240_000);
});
