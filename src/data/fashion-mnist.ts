import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.js';
import {
  type DownloadOptions,
  type DownloadSource,
  DownloadError,
  FASHION_MNIST_SOURCE,
  downloadIdxFiles,
} from './download.js';
import { type IdxPaths, type IdxSplits, idxFilesIn, loadIdxFiles, loadIdxFolder } from './idx-folder.js';

export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const SYSTEM_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

// src/data/ (tsx) and dist/data/ (built) are both two levels below the repository root.
const DATASETS_DIR = new URL('../../datasets/', import.meta.url);

/** The small class-balanced subset shipped in the repository (datasets/fashion-mnist-small). */
export function bundledFashionMnistDir(): string {
  return fileURLToPath(new URL('fashion-mnist-small/', DATASETS_DIR));
}

/** $NASLAB_CACHE_DIR, else $XDG_CACHE_HOME/naslab, else ~/.cache/naslab; then fashion-mnist/. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.NASLAB_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'naslab');
  return join(root, 'fashion-mnist');
}

/** Where to look for the full dataset, in order; injectable so tests use temporary folders. */
export interface FashionMnistSearch {
  /** Folders searched in order (each must hold all four files). */
  readonly folders: readonly string[];
  /** Searched after the folders; filled by downloading when `download` is not false. */
  readonly cacheDir: string;
  readonly download: false | DownloadOptions;
  readonly source?: DownloadSource;
}

/** The default search: the given folder, Debian's, then the user's cache (downloading into it). */
export function defaultFashionMnistSearch(folder?: string): FashionMnistSearch {
  return {
    folders: [...(folder === undefined ? [] : [folder]), SYSTEM_FASHION_MNIST_DIR],
    cacheDir: defaultCacheDir(),
    download: {},
  };
}

/** Finds (or downloads) the four Fashion-MNIST files; the error lists every place looked. */
export async function locateFashionMnist(search: FashionMnistSearch): Promise<IdxPaths> {
  const looked: string[] = [];
  for (const folder of [...search.folders, search.cacheDir]) {
    const found = idxFilesIn(folder);
    if ('paths' in found) return found.paths;
    looked.push(`  ${folder}: missing ${found.missing.join(', ')}`);
  }
  const source = search.source ?? FASHION_MNIST_SOURCE;
  const advice =
    `To use ${source.title}: install Debian's copy (apt-get install dataset-fashion-mnist, files in ` +
    `${SYSTEM_FASHION_MNIST_DIR}), or set data.path to a folder holding the four files ` +
    `(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz). ` +
    'Without data.path, type fashion-mnist uses the small subset bundled with naslab.';
  if (search.download === false) {
    throw new ConfigError(`${source.title} not found; looked in:\n${looked.join('\n')}\n${advice}`);
  }
  try {
    return await downloadIdxFiles(source, search.cacheDir, search.download);
  } catch (e) {
    if (!(e instanceof DownloadError)) throw e;
    throw new ConfigError(
      `${source.title} not found, and downloading it into ${search.cacheDir} failed: ${e.message}\n` +
        (e.kind === 'network'
          ? `This machine may have no access to ${source.baseUrl} (no internet access, or a proxy/firewall). `
          : '') +
        `Looked in:\n${looked.join('\n')}\n${advice}`,
      { cause: e },
    );
  }
}

/** The full dataset (60,000 + 10,000 images) found through `search`. */
export async function loadFashionMnist(search: FashionMnistSearch): Promise<IdxSplits> {
  const paths = await locateFashionMnist(search);
  return loadIdxFiles(paths, 'fashion-mnist', FASHION_MNIST_CLASSES);
}

/** The bundled subset (3,000 training + 1,000 test images, balanced over the 10 classes). */
export async function loadBundledFashionMnist(): Promise<IdxSplits> {
  const splits = await loadIdxFolder(bundledFashionMnistDir(), FASHION_MNIST_CLASSES);
  const rename = (d: IdxSplits['train'], part: string) => ({ ...d, source: `fashion-mnist-small ${part}` });
  return { train: rename(splits.train, 'train'), test: rename(splits.test, 'test') };
}
