import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { readDataFile } from '../files/data-file.js';
import { type Dataset, makeDataset } from './dataset.js';
import { type IdxArray, parseIdx } from './idx.js';

/** The four files of an MNIST-style dataset, by their standard names. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
export type IdxRole = keyof typeof IDX_FILES;
export type IdxPaths = Readonly<Record<IdxRole, string>>;
export const IDX_ROLES = Object.keys(IDX_FILES) as IdxRole[];

/** Names a file may have on disk: gzipped or not, and MNIST's own dotted spelling (train-images.idx3-ubyte). */
function candidates(name: string): string[] {
  const dotted = name.replace(/-(idx\d)/, '.$1');
  return [`${name}.gz`, name, `${dotted}.gz`, dotted];
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** The four files in `folder`, or the standard names of those it lacks. */
export function idxFilesIn(folder: string): { paths: IdxPaths } | { missing: string[] } {
  const paths: Partial<Record<IdxRole, string>> = {};
  const missing: string[] = [];
  for (const role of IDX_ROLES) {
    const found = candidates(IDX_FILES[role])
      .map((name) => join(folder, name))
      .find(isFile);
    if (found === undefined) missing.push(`${IDX_FILES[role]}(.gz)`);
    else paths[role] = found;
  }
  return missing.length > 0 ? { missing } : { paths: paths as IdxPaths };
}

export interface IdxSplits {
  readonly train: Dataset;
  readonly test: Dataset;
}

async function readIdx(path: string, what: string): Promise<IdxArray> {
  return parseIdx(await readDataFile(path, what), path);
}

function checkPair(images: IdxArray, labels: IdxArray, imagesPath: string, labelsPath: string): void {
  if (images.dims.length !== 3) {
    throw new ConfigError(
      `${imagesPath}: an images file must have 3 dimensions (count x height x width), found ${images.dims.length} (${images.dims.join(' x ')})`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new ConfigError(
      `${labelsPath}: a labels file must have 1 dimension (count), found ${labels.dims.length} (${labels.dims.join(' x ')})`,
    );
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new ConfigError(
      `${imagesPath} holds ${images.dims[0]} images but ${labelsPath} holds ${labels.dims[0]} labels; the files do not belong together`,
    );
  }
}

function toDataset(images: IdxArray, labels: IdxArray, source: string, classes: readonly string[]): Dataset {
  const x = new Float32Array(images.data.length);
  for (let k = 0; k < x.length; k++) x[k] = (images.data[k] as number) / 255;
  const [, height, width] = images.dims as [number, number, number];
  return makeDataset({
    source,
    shape: [1, height, width],
    x,
    y: Int32Array.from(labels.data),
    classes,
    inputScale: 1 / 255,
  });
}

/**
 * Reads the four IDX files as train and test datasets: images become [1, H, W] floats in [0, 1]
 * (bytes / 255). `classes` names the labels (e.g. Fashion-MNIST's); by default they are "0", "1", ...
 */
export async function loadIdxFiles(
  paths: IdxPaths,
  source: string,
  classes?: readonly string[],
): Promise<IdxSplits> {
  const [trainImages, trainLabels, testImages, testLabels] = (await Promise.all(
    IDX_ROLES.map((role) =>
      readIdx(paths[role], role === 'trainImages' || role === 'testImages' ? 'images' : 'labels'),
    ),
  )) as [IdxArray, IdxArray, IdxArray, IdxArray];
  checkPair(trainImages, trainLabels, paths.trainImages, paths.trainLabels);
  checkPair(testImages, testLabels, paths.testImages, paths.testLabels);
  if (trainImages.dims[1] !== testImages.dims[1] || trainImages.dims[2] !== testImages.dims[2]) {
    throw new ConfigError(
      `${paths.testImages}: test images are ${testImages.dims.slice(1).join(' x ')}, training images ${trainImages.dims.slice(1).join(' x ')}; they must match`,
    );
  }
  let top = 0;
  for (const labels of [trainLabels, testLabels]) for (const v of labels.data) top = Math.max(top, v);
  const names = classes ?? Array.from({ length: top + 1 }, (_, i) => String(i));
  if (top >= names.length) {
    throw new ConfigError(
      `${source}: a label is ${top}, but the dataset has ${names.length} classes (0..${names.length - 1})`,
    );
  }
  return {
    train: toDataset(trainImages, trainLabels, `${source} train`, names),
    test: toDataset(testImages, testLabels, `${source} test`, names),
  };
}

/** Reads an IDX folder; a missing file is an error that names it. */
export async function loadIdxFolder(folder: string, classes?: readonly string[]): Promise<IdxSplits> {
  const found = idxFilesIn(folder);
  if ('missing' in found) {
    throw new ConfigError(
      `${folder}: missing IDX file(s) ${found.missing.join(', ')}; an idx data folder needs all four (train/t10k images/labels)`,
    );
  }
  return loadIdxFiles(found.paths, folder, classes);
}
