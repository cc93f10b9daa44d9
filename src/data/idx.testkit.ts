import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from './idx.js';
import { IDX_FILES } from './idx-folder.js';

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `naslab-${label}-`));
}

/** Image i has every pixel equal to (i * 7 + offset) % 256, so a read can be checked value by value. */
export function syntheticImages(count: number, height: number, width: number, offset = 0): Uint8Array {
  const data = new Uint8Array(count * height * width);
  for (let i = 0; i < count; i++)
    data.fill((i * 7 + offset) % 256, i * height * width, (i + 1) * height * width);
  return data;
}

export function syntheticLabels(count: number, classes: number): Uint8Array {
  return Uint8Array.from({ length: count }, (_, i) => i % classes);
}

/** Writes the four IDX files of a tiny dataset (train: 12 images 4x3, test: 5) into `folder`. */
export function writeIdxFolder(
  folder: string,
  options: { gzip: boolean; train?: number; test?: number },
): void {
  const train = options.train ?? 12;
  const test = options.test ?? 5;
  const files: [string, number[], Uint8Array][] = [
    [IDX_FILES.trainImages, [train, 4, 3], syntheticImages(train, 4, 3)],
    [IDX_FILES.trainLabels, [train], syntheticLabels(train, 3)],
    [IDX_FILES.testImages, [test, 4, 3], syntheticImages(test, 4, 3, 100)],
    [IDX_FILES.testLabels, [test], syntheticLabels(test, 3)],
  ];
  for (const [name, dims, data] of files) {
    const bytes = encodeIdx(dims, data);
    if (options.gzip) writeFileSync(join(folder, `${name}.gz`), gzipSync(bytes));
    else writeFileSync(join(folder, name), bytes);
  }
}

/** The error a promise rejects with; a test fails if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof Error) return e;
    throw e;
  }
  throw new Error('expected the promise to reject');
}
