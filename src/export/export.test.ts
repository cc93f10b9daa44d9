import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  existsSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, NotFoundError } from '../core/errors.js';
import type { TrialRecord } from '../core/types.js';
import { FASHION_MNIST_CLASSES, bundledFashionMnistDir } from '../data/fashion-mnist.js';
import { Session } from '../runtime/session.js';
import { MemoryStorage } from '../storage/memory.js';
import type { ExportDescription } from './description.js';
import { SMALL_TRAIN_CONFIG, TABULAR_CONFIG, runFixture } from './experiment.testkit.js';
import { exportModel, type ExportOptions } from './export.js';
import { bestTrial } from '../runner/best.js';
import { naslabVersion } from './version.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-export-'));
const storage = new MemoryStorage();
let id: string;
let tabular: string;
let trials: readonly TrialRecord[];
let outs = 0;
const out = (): string => join(dir, `out-${++outs}`);

beforeAll(async () => {
  id = await runFixture(storage, SMALL_TRAIN_CONFIG);
  tabular = await runFixture(storage, TABULAR_CONFIG);
  trials = await storage.trials(id);
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** The bundled test split as a user reads it: the IDX files' bytes, no naslab code involved. */
function rawTestSplit(): { x: Float32Array; y: Uint8Array; count: number } {
  const read = (name: string) => gunzipSync(readFileSync(join(bundledFashionMnistDir(), name)));
  const images = read('t10k-images-idx3-ubyte.gz').subarray(16); // magic, count, rows, cols
  const labels = read('t10k-labels-idx1-ubyte.gz').subarray(8); // magic, count
  return { x: Float32Array.from(images), y: labels, count: labels.length };
}

/** model.onnx in a fresh onnxruntime-node session with default options, fed as model.json says. */
async function accuracyInFreshSession(folder: string): Promise<number> {
  const d = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as ExportDescription;
  expect(d.preprocessing.baked).toBe(true); // so the raw bytes go in as they are
  const session = await ort.InferenceSession.create(join(folder, d.model.file));
  try {
    const { x, y, count } = rawTestSplit();
    const [, c, h, w] = d.model.input.shape as [string, number, number, number];
    const out = await session.run({ [d.model.input.name]: new ort.Tensor('float32', x, [count, c, h, w]) });
    const logits = out[d.model.outputs[0]!.name]!.data as Float32Array;
    const probabilities = out[d.model.outputs[1]!.name]!.data as Float32Array;
    const classes = d.classes.length;
    let correct = 0;
    for (let i = 0; i < count; i++) {
      let best = 0;
      let sum = 0;
      for (let k = 0; k < classes; k++) {
        if (logits[i * classes + k]! > logits[i * classes + best]!) best = k;
        sum += probabilities[i * classes + k]!;
      }
      expect(sum).toBeCloseTo(1, 5);
      if (best === y[i]) correct++;
    }
    return correct / count;
  } finally {
    await session.release();
  }
}

function run(options: Partial<ExportOptions> = {}) {
  return exportModel(storage, { experimentId: id, out: out(), ...options });
}

async function written(options: Partial<ExportOptions> = {}) {
  const result = await run(options);
  if (result.status !== 'written') throw new Error('export was aborted');
  return result;
}

describe('naslab export', () => {
  it('exports the best trial: a fresh InferenceSession reproduces model.json test accuracy exactly', async () => {
    const folder = out();
    const { description: d, files } = await written({ out: folder });
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'model.onnx']);
    expect(files).toEqual([join(folder, 'model.onnx'), join(folder, 'model.json')]);
    const best = bestTrial(trials)!;
    expect(d.source).toMatchObject({ experimentId: id, trialId: best.id, trialNumber: best.number });
    expect(d.architecture).toMatchObject({ key: best.key, sample: best.sample, params: best.metrics.params });
    expect(d.model.input).toEqual({ name: 'input', dtype: 'float32', shape: ['N', 1, 28, 28] });
    expect(d.model.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['logits', ['N', 10]],
      ['probabilities', ['N', 10]],
    ]);
    expect(d.classes).toEqual(FASHION_MNIST_CLASSES);
    expect(d.preprocessing).toMatchObject({ baked: true, layout: 'NCHW', inputScale: 1 / 255 });
    expect(d.naslab).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(d.naslab).toBe(naslabVersion());
    // Retrained exactly as the trial was: same weights, so the same validation accuracy to the bit.
    expect(d.training).toMatchObject({ mode: 'reproduced', epochs: 1, samples: 240, matchesTrial: true });
    expect(d.training.validAccuracy).toBe(best.metrics.valid_acc);
    expect(d.evaluation.testSamples).toBe(1000);
    expect(d.evaluation.testAccuracy).toBeGreaterThan(0.15); // 10 classes: chance is 0.1
    expect(await accuracyInFreshSession(folder)).toBe(d.evaluation.testAccuracy);
    // The in-graph standardisation computes in float32, the trial's in float64: equal up to rare ties.
    expect(Math.abs(d.evaluation.testAccuracy! - best.metrics.test_acc!)).toBeLessThanOrEqual(0.002);
  });

  it('--trial N exports that trial, and --retrain-epochs trains on training + validation data', async () => {
    const other = trials.find((t) => t.id !== bestTrial(trials)!.id)!;
    const picked = await written({ trial: other.id });
    expect(picked.description.source.trialNumber).toBe(other.number);
    expect(picked.description.architecture.key).toBe(other.key);
    expect(picked.description.training.validAccuracy).toBe(other.metrics.valid_acc);
    expect((await written({ trial: `#${other.number}` })).description.architecture.key).toBe(other.key);

    const folder = out();
    const { description: d } = await written({ out: folder, trial: `#${other.number}`, retrainEpochs: 2 });
    expect(d.training).toMatchObject({ mode: 'retrained', epochs: 2, samples: 3000 });
    expect(d.training).not.toHaveProperty('matchesTrial');
    expect(await accuracyInFreshSession(folder)).toBe(d.evaluation.testAccuracy);
  });

  it('refuses what cannot be exported, with the reason and the fix', async () => {
    await expect(run({ experimentId: '99' })).rejects.toThrow(NotFoundError);
    await expect(run({ experimentId: tabular })).rejects.toThrow(ConfigError);
    await expect(run({ experimentId: tabular })).rejects.toThrow(
      /tabular benchmark nb201\/cifar10: its trials were looked up in a table, not trained.*evaluator: \{ type: train/,
    );
    await expect(run({ trial: '42' })).rejects.toThrow(NotFoundError);
    await expect(run({ trial: '#3' })).rejects.toThrow(
      `experiment ${id} has no trial "#3": give a trial id as naslab show ${id} lists it, or #N for its N-th trial (#0..#2)`,
    );
    const foreign = (await storage.trials(tabular))[0]!.id; // a trial of another experiment
    await expect(run({ trial: foreign })).rejects.toThrow(NotFoundError);
    const running = await storage.createTrial(id, { sample: trials[0]!.sample, key: trials[0]!.key });
    await expect(run({ trial: running.id })).rejects.toThrow(
      new RegExp(
        `trial #${running.number} \\(${running.id}\\) of experiment ${id} is running: only a complete`,
      ),
    );
    await storage.finish(running.id, {
      state: 'failed',
      metrics: {},
      cost: 0,
      error: { code: 'E', message: 'boom' },
    });
    await expect(run({ trial: `#${running.number}` })).rejects.toThrow(/is failed \(boom\)/);
  });

  it('refuses a non-empty folder before training; --force replaces the model files only', async () => {
    const folder = out();
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    const created = vi.spyOn(Session, 'create');
    await expect(run({ out: folder })).rejects.toThrow(/not empty \(notes\.txt\).*--force/);
    expect(created).not.toHaveBeenCalled();
    await written({ out: folder, force: true });
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'model.onnx', 'notes.txt']);
    expect(readFileSync(join(folder, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('writes nothing when stopped, and disposes every session it creates', async () => {
    const sessions: Session[] = [];
    const create = Session.create.bind(Session);
    vi.spyOn(Session, 'create').mockImplementation(async (...args) => {
      const s = await create(...args);
      sessions.push(s);
      return s;
    });
    const folder = out();
    expect(await run({ out: folder, signal: AbortSignal.abort() })).toEqual({ status: 'aborted' });
    expect(existsSync(folder)).toBe(false);
    await written({ out: folder });
    expect(sessions.length).toBeGreaterThanOrEqual(3); // training, validation, the exported model
    for (const s of sessions) expect(s.disposed).toBe(true);
  });
});
