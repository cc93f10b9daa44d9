/**
 * Builds datasets/fashion-mnist-small/ from the full Fashion-MNIST (Debian's dataset-fashion-mnist):
 * the first 300 training and the first 100 test images of each class, in file order, so the subset is
 * class-balanced and the same on every run. The source files are already shuffled, so "first" is as
 * good as a random draw and needs no seed.
 *
 *   npx tsx scripts/make-fashion-subset.ts [source-folder] [--train 300] [--test 100]
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { readDataFile } from '../src/files/data-file.js';
import { encodeIdx, parseIdx, type IdxArray } from '../src/data/idx.js';
import { IDX_FILES, idxFilesIn } from '../src/data/idx-folder.js';
import { SYSTEM_FASHION_MNIST_DIR } from '../src/data/fashion-mnist.js';

const CLASSES = 10;

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at < 0 ? fallback : Number(args[at + 1]);
}

/** Indices of the first `perClass` samples of each class, in file order. */
function firstPerClass(labels: Uint8Array, perClass: number): number[] {
  const taken = new Array<number>(CLASSES).fill(0);
  const picked: number[] = [];
  labels.forEach((label, i) => {
    if ((taken[label] as number) < perClass) {
      taken[label] = (taken[label] as number) + 1;
      picked.push(i);
    }
  });
  if (taken.some((n) => n < perClass)) throw new Error(`a class has fewer than ${perClass} samples`);
  return picked;
}

function select(
  images: IdxArray,
  labels: IdxArray,
  picked: number[],
): { images: Uint8Array; labels: Uint8Array } {
  const size = (images.dims[1] as number) * (images.dims[2] as number);
  const outImages = new Uint8Array(picked.length * size);
  const outLabels = new Uint8Array(picked.length);
  picked.forEach((i, k) => {
    outImages.set(images.data.subarray(i * size, (i + 1) * size), k * size);
    outLabels[k] = labels.data[i] as number;
  });
  return { images: outImages, labels: outLabels };
}

function write(folder: string, name: string, dims: number[], data: Uint8Array): void {
  // mtime 0 in the gzip header (Node's default): the same input gives the same bytes.
  const bytes = gzipSync(encodeIdx(dims, data), { level: 9 });
  writeFileSync(join(folder, `${name}.gz`), bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  console.log(`${name}.gz  ${dims.join(' x ')}  ${bytes.length} bytes  sha256 ${sha}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sourceDir = args[0] !== undefined && !args[0].startsWith('--') ? args[0] : SYSTEM_FASHION_MNIST_DIR;
  const perClass = { train: option(args, '--train', 300), test: option(args, '--test', 100) };
  const found = idxFilesIn(sourceDir);
  if ('missing' in found) {
    throw new Error(`${sourceDir} lacks ${found.missing.join(', ')} (apt-get install dataset-fashion-mnist)`);
  }
  const read = async (path: string) => parseIdx(await readDataFile(path, 'IDX file'), path);
  const outDir = fileURLToPath(new URL('../datasets/fashion-mnist-small/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  for (const part of ['train', 't10k'] as const) {
    const [imagesPath, labelsPath] =
      part === 'train'
        ? [found.paths.trainImages, found.paths.trainLabels]
        : [found.paths.testImages, found.paths.testLabels];
    const images = await read(imagesPath);
    const labels = await read(labelsPath);
    const picked = firstPerClass(labels.data, part === 'train' ? perClass.train : perClass.test);
    const chosen = select(images, labels, picked);
    const [, h, w] = images.dims as [number, number, number];
    const names = part === 'train' ? IDX_FILES.trainImages : IDX_FILES.testImages;
    write(outDir, names, [picked.length, h, w], chosen.images);
    write(
      outDir,
      part === 'train' ? IDX_FILES.trainLabels : IDX_FILES.testLabels,
      [picked.length],
      chosen.labels,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
