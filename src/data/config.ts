import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { parseConfig } from '../core/validate.js';
import { readCsvDataset } from './csv.js';
import type { Dataset } from './dataset.js';
import {
  type FashionMnistSearch,
  defaultFashionMnistSearch,
  loadBundledFashionMnist,
  loadFashionMnist,
} from './fashion-mnist.js';
import { type IdxSplits, loadIdxFolder } from './idx-folder.js';
import { type Normalization, normalizeSplits } from './normalize.js';
import { type Splits, splitDataset } from './split.js';

const fraction = z.number().min(0).lt(1);

const splitSchema = z
  .object({
    valid: fraction.default(0.2),
    /** csv only (default 0.2): idx and fashion-mnist use their own test files. */
    test: fraction.optional(),
    seed: z.number().int().min(0).max(0xffffffff).default(0),
  })
  .strict()
  .refine((s) => s.valid + (s.test ?? 0) < 1, {
    message: 'valid + test must be less than 1: some data must be left for training',
  });

/** The config's `data` section (field names are the contract; see docs). */
export const dataConfigSchema = z
  .object({
    type: z.enum(['csv', 'idx', 'fashion-mnist']),
    /** A file (csv) or folder (idx, fashion-mnist), relative to the config file. */
    path: z.string().min(1).optional(),
    /** csv: the label column, an index (negative counts from the end) or a header name. Default -1. */
    label: z
      .union([z.number().int(), z.string().min(1)], {
        error: 'expected a column index (an integer; negative counts from the end) or a header name',
      })
      .optional(),
    /** csv: whether the first row names the columns. Default false. */
    header: z.boolean().optional(),
    /** csv: [height, width, channels], [height, width] or [features]: reshapes each row's features. */
    shape: z.array(z.number().int().positive()).min(1).max(3).optional(),
    split: splitSchema.default({ valid: 0.2, seed: 0 }),
    /** Standardise each channel with the training split's mean and std (default true). */
    normalize: z.boolean().default(true),
  })
  .strict()
  .superRefine((data, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    if (data.type !== 'fashion-mnist' && data.path === undefined) {
      issue(['path'], `missing: type ${data.type} needs a ${data.type === 'csv' ? 'file' : 'folder'}`);
    }
    if (data.type !== 'csv') {
      for (const key of ['label', 'header', 'shape'] as const) {
        if (data[key] !== undefined)
          issue([key], `only for type csv (${data.type} files hold their own labels and shapes)`);
      }
      if (data.split.test !== undefined) {
        issue(['split', 'test'], `type ${data.type} uses its own test files (t10k-*); remove split.test`);
      }
    }
  });

export type DataConfig = z.output<typeof dataConfigSchema>;

const sectionSchema = z.object({ data: dataConfigSchema });

/** Validates a `data` section on its own; messages name fields as in the file (data.split.valid). */
export function parseDataConfig(raw: unknown, where: string): DataConfig {
  return parseConfig(sectionSchema, { data: raw }, where).data;
}

/** The three splits, standardised with training statistics, and how to redo that preprocessing. */
export interface LoadedData extends Splits {
  readonly classes: readonly string[];
  /** One sample: [C, H, W] or [F]. */
  readonly shape: readonly number[];
  /** Identity (mean 0, std 1) when `normalize` is false, so export always has one to describe. */
  readonly normalization: Normalization;
}

export interface LoadOptions {
  /** Where fashion-mnist with a path looks; default: the path, Debian's folder, the cache. */
  readonly search?: (folder: string) => FashionMnistSearch;
}

function fromFixedTest(data: IdxSplits, config: DataConfig): Splits {
  const parts = splitDataset(data.train, { valid: config.split.valid, test: 0, seed: config.split.seed });
  return { train: parts.train, valid: parts.valid, test: data.test };
}

async function readSplits(config: DataConfig, baseDir: string, options: LoadOptions): Promise<Splits> {
  const path =
    config.path === undefined
      ? undefined
      : isAbsolute(config.path)
        ? config.path
        : resolve(baseDir, config.path);
  if (config.type === 'csv') {
    const all: Dataset = await readCsvDataset(path as string, {
      label: config.label ?? -1,
      header: config.header ?? false,
      shape: config.shape,
    });
    return splitDataset(all, {
      valid: config.split.valid,
      test: config.split.test ?? 0.2,
      seed: config.split.seed,
    });
  }
  if (config.type === 'idx') return fromFixedTest(await loadIdxFolder(path as string), config);
  if (path === undefined) return fromFixedTest(await loadBundledFashionMnist(), config);
  const search = (options.search ?? defaultFashionMnistSearch)(path);
  return fromFixedTest(await loadFashionMnist(search), config);
}

/**
 * Loads the dataset a config's `data` section describes (paths relative to `baseDir`, the config
 * file's folder), splits it with the config's seed and standardises it with training statistics.
 */
export async function loadDataset(
  config: DataConfig,
  baseDir: string,
  options: LoadOptions = {},
): Promise<LoadedData> {
  const splits = await readSplits(config, baseDir, options);
  const { train } = splits;
  if (train.count === 0) {
    throw new ConfigError(
      `${train.source}: the training split is empty: lower data.split.valid / data.split.test or add rows`,
    );
  }
  const base = { classes: train.classes, shape: train.shape };
  // The splits are this function's own copies, so they are standardised in place.
  if (config.normalize) return { ...normalizeSplits(splits, true), ...base };
  const channels = train.shape[0] as number;
  const identity: Normalization = {
    inputScale: train.inputScale,
    mean: new Array<number>(channels).fill(0),
    std: new Array<number>(channels).fill(1),
  };
  return { ...splits, ...base, normalization: identity };
}
