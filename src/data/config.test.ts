import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { loadDataset, parseDataConfig } from './config.js';
import { classCounts } from './dataset.js';
import { FASHION_MNIST_CLASSES } from './fashion-mnist.js';
import { computeNormalization } from './normalize.js';
import { failure, tempDir, writeIdxFolder } from './idx.testkit.js';

describe('parseDataConfig', () => {
  it('fills defaults', () => {
    expect(parseDataConfig({ type: 'fashion-mnist' }, 'x.yaml')).toEqual({
      type: 'fashion-mnist',
      split: { valid: 0.2, seed: 0 },
      normalize: true,
    });
    const csv = parseDataConfig(
      {
        type: 'csv',
        path: './digits.csv.gz',
        label: -1,
        header: false,
        shape: [8, 8, 1],
        split: { valid: 0.2, test: 0.2, seed: 0 },
      },
      'x.yaml',
    );
    expect(csv.shape).toEqual([8, 8, 1]);
    expect(csv.split).toEqual({ valid: 0.2, test: 0.2, seed: 0 });
  });

  const bad: [string, unknown, string][] = [
    [
      'an unknown type',
      { type: 'parquet', path: 'x' },
      'data.type: Invalid option: expected one of "csv"|"idx"|"fashion-mnist", found string "parquet"',
    ],
    [
      'no type',
      { path: 'x.csv' },
      'data.type: Invalid option: expected one of "csv"|"idx"|"fashion-mnist", found nothing',
    ],
    ['csv without a path', { type: 'csv' }, 'data.path: missing: type csv needs a file'],
    ['idx without a path', { type: 'idx' }, 'data.path: missing: type idx needs a folder'],
    [
      'fractions leaving no training data',
      { type: 'csv', path: 'a.csv', split: { valid: 0.6, test: 0.5 } },
      'data.split: valid + test must be less than 1',
    ],
    [
      'a fraction of 1 or more',
      { type: 'csv', path: 'a.csv', split: { valid: 1.2 } },
      'data.split.valid: Too big: expected number to be <1, found number 1.2',
    ],
    ['a csv option on idx data', { type: 'idx', path: 'd', header: true }, 'data.header: only for type csv'],
    [
      'split.test on fashion-mnist',
      { type: 'fashion-mnist', split: { test: 0.1 } },
      'data.split.test: type fashion-mnist uses its own test files (t10k-*); remove split.test',
    ],
    [
      'a fractional label index',
      { type: 'csv', path: 'a.csv', label: 1.5 },
      'data.label: expected a column index (an integer; negative counts from the end) or a header name, found number 1.5',
    ],
    [
      'a zero in shape',
      { type: 'csv', path: 'a.csv', shape: [8, 0, 1] },
      'data.shape[1]: Too small: expected number to be >0',
    ],
    [
      'a 4-d shape',
      { type: 'csv', path: 'a.csv', shape: [1, 2, 3, 4] },
      'data.shape: Too big: expected array to have <=3 items',
    ],
    ['a misspelt key', { type: 'csv', path: 'a.csv', lable: 0 }, 'data: Unrecognized key: "lable"'],
    [
      'a negative seed',
      { type: 'csv', path: 'a.csv', split: { seed: -1 } },
      'data.split.seed: Too small: expected number to be >=0',
    ],
  ];
  it.each(bad)('refuses %s with a message naming the field', (_, raw, message) => {
    expect(() => parseDataConfig(raw, 'exp.yaml')).toThrow(ConfigError);
    expect(() => parseDataConfig(raw, 'exp.yaml')).toThrow(message);
  });
});

describe('loadDataset', () => {
  it('loads a csv file relative to the config folder, splits and normalises it', async () => {
    const dir = tempDir('cfg');
    mkdirSync(join(dir, 'data'));
    // 40 rows of 4 features (a 2x2 image) and a label; class = row % 2.
    const rows = Array.from(
      { length: 40 },
      (_, r) => `${[r, r + 1, r + 2, r + 3].join(',')},${r % 2 === 0 ? 'even' : 'odd'}`,
    );
    writeFileSync(join(dir, 'data', 'toy.csv.gz'), gzipSync(`a,b,c,d,kind\n${rows.join('\n')}\n`));
    const config = parseDataConfig(
      {
        type: 'csv',
        path: './data/toy.csv.gz',
        label: 'kind',
        header: true,
        shape: [2, 2, 1],
        split: { valid: 0.25, test: 0.25, seed: 4 },
      },
      'x.yaml',
    );
    const data = await loadDataset(config, dir);
    expect([data.train.count, data.valid.count, data.test.count]).toEqual([20, 10, 10]);
    expect(data.shape).toEqual([1, 2, 2]);
    expect(data.classes).toEqual(['even', 'odd']);
    expect(classCounts(data.test)).toEqual([5, 5]);
    expect(data.normalization.mean).toHaveLength(1);
    const trainStats = computeNormalization(data.train);
    expect(trainStats.mean[0]).toBeCloseTo(0, 5);
    expect(trainStats.std[0]).toBeCloseTo(1, 5);
    const again = await loadDataset(config, dir);
    expect(Array.from(again.test.x)).toEqual(Array.from(data.test.x));
  });

  it('names the file when a csv path does not exist', async () => {
    const dir = tempDir('cfg-missing');
    const config = parseDataConfig({ type: 'csv', path: 'nope.csv' }, 'x.yaml');
    const error = await failure(loadDataset(config, dir));
    expect(error.message).toBe(`cannot read CSV data ${join(dir, 'nope.csv')}: no such file`);
  });

  it('loads an idx folder: validation carved from train, test from the t10k files', async () => {
    const dir = tempDir('cfg-idx');
    writeIdxFolder(dir, { gzip: true, train: 30, test: 9 });
    const data = await loadDataset(
      parseDataConfig({ type: 'idx', path: dir, split: { valid: 0.2 } }, 'x.yaml'),
      '/elsewhere',
    );
    expect([data.train.count, data.valid.count, data.test.count]).toEqual([24, 6, 9]);
    expect(data.shape).toEqual([1, 4, 3]);
    expect(data.normalization.inputScale).toBeCloseTo(1 / 255, 12);
  });

  it('loads the bundled Fashion-MNIST subset when no path is given', async () => {
    const data = await loadDataset(
      parseDataConfig({ type: 'fashion-mnist', normalize: false }, 'x.yaml'),
      '/anywhere',
    );
    expect([data.train.count, data.valid.count, data.test.count]).toEqual([2400, 600, 1000]);
    expect(data.classes).toEqual(FASHION_MNIST_CLASSES);
    expect(classCounts(data.valid)).toEqual(new Array(10).fill(60));
    expect(data.normalization).toEqual({ inputScale: 1 / 255, mean: [0], std: [1] });
  });

  it('looks for full Fashion-MNIST through the injected search when a path is given', async () => {
    const [given, cache] = [tempDir('fm-given'), tempDir('fm-cache')];
    writeIdxFolder(cache, { gzip: false, train: 10, test: 4 });
    const search = (folder: string) => ({ folders: [folder], cacheDir: cache, download: false as const });
    const config = parseDataConfig({ type: 'fashion-mnist', path: given, split: { valid: 0.2 } }, 'x.yaml');
    const data = await loadDataset(config, '/', { search });
    expect([data.train.count, data.valid.count, data.test.count]).toEqual([8, 2, 4]);
    expect(data.classes).toEqual(FASHION_MNIST_CLASSES);
    const empty = tempDir('fm-empty');
    const none = (folder: string) => ({ folders: [folder], cacheDir: empty, download: false as const });
    const error = await failure(loadDataset(config, '/', { search: none }));
    expect(error.message).toContain(`${given}: missing train-images-idx3-ubyte(.gz)`);
  });
});
