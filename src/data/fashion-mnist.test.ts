import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classCounts } from './dataset.js';
import { type DownloadSource, type Fetcher, FASHION_MNIST_SOURCE } from './download.js';
import {
  FASHION_MNIST_CLASSES,
  SYSTEM_FASHION_MNIST_DIR,
  bundledFashionMnistDir,
  defaultCacheDir,
  loadBundledFashionMnist,
  locateFashionMnist,
} from './fashion-mnist.js';
import { encodeIdx } from './idx.js';
import { IDX_FILES, IDX_ROLES, type IdxRole } from './idx-folder.js';
import { failure, syntheticImages, syntheticLabels, tempDir, writeIdxFolder } from './idx.testkit.js';
import { FASHION_MNIST, hasSystem } from '../../test/system.testkit.js';

const hash = (algorithm: string, bytes: Uint8Array) => createHash(algorithm).update(bytes).digest('hex');

describe('locateFashionMnist', () => {
  it('takes the first folder that holds all four files', async () => {
    const [partial, first, second, cache] = [tempDir('a'), tempDir('b'), tempDir('c'), tempDir('cache')];
    writeIdxFolder(partial, { gzip: true });
    rmSync(join(partial, `${IDX_FILES.testLabels}.gz`));
    writeIdxFolder(first, { gzip: true });
    writeIdxFolder(second, { gzip: false });
    const paths = await locateFashionMnist({
      folders: [partial, first, second],
      cacheDir: cache,
      download: false,
    });
    expect(paths.trainImages).toBe(join(first, `${IDX_FILES.trainImages}.gz`));
    const next = await locateFashionMnist({
      folders: [tempDir('empty'), second],
      cacheDir: cache,
      download: false,
    });
    expect(next.testLabels).toBe(join(second, IDX_FILES.testLabels));
  });

  it('falls back to the cache folder', async () => {
    const cache = tempDir('cache');
    writeIdxFolder(cache, { gzip: true });
    const paths = await locateFashionMnist({ folders: [tempDir('empty')], cacheDir: cache, download: false });
    expect(paths.testImages).toBe(join(cache, `${IDX_FILES.testImages}.gz`));
  });

  it('says where it looked and what to do', async () => {
    const [empty, cache] = [tempDir('empty'), tempDir('cache')];
    const search = { folders: [empty], cacheDir: cache, download: false as const };
    const error = await failure(locateFashionMnist(search));
    expect(error.message).toContain('Fashion-MNIST not found; looked in:');
    expect(error.message).toContain(
      `${empty}: missing train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz)`,
    );
    expect(error.message).toContain(`${cache}: missing`);
    expect(error.message).toContain('apt-get install dataset-fashion-mnist');
    expect(error.message).toContain('set data.path to a folder');
  });
});

/** A download source over synthetic files, served by a fake fetch. */
function fakeSource(): { source: DownloadSource; served: Map<string, Uint8Array> } {
  const served = new Map<string, Uint8Array>();
  const contents: Record<IdxRole, Uint8Array> = {
    trainImages: encodeIdx([6, 2, 2], syntheticImages(6, 2, 2)),
    trainLabels: encodeIdx([6], syntheticLabels(6, 2)),
    testImages: encodeIdx([2, 2, 2], syntheticImages(2, 2, 2)),
    testLabels: encodeIdx([2], syntheticLabels(2, 2)),
  };
  const baseUrl = 'http://example.invalid/data/';
  const files = {} as Record<IdxRole, { name: string; md5: string; sha256: string }>;
  for (const role of IDX_ROLES) {
    const gz = gzipSync(contents[role]);
    const name = `${IDX_FILES[role]}.gz`;
    served.set(baseUrl + name, gz);
    files[role] = { name, md5: hash('md5', gz), sha256: hash('sha256', contents[role]) };
  }
  return { source: { title: 'Tiny', baseUrl, files }, served };
}

function fetchFrom(served: Map<string, Uint8Array>, log: string[] = []): Fetcher {
  return async (url) => {
    log.push(url);
    const body = served.get(url);
    if (body === undefined) return { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) };
    return { ok: true, status: 200, arrayBuffer: async () => new Uint8Array(body).buffer };
  };
}

describe('downloading into the cache', () => {
  it('downloads, verifies and keeps the four files; a second search finds them without the network', async () => {
    const { source, served } = fakeSource();
    const cache = join(tempDir('dl'), 'nested', 'cache');
    const log: string[] = [];
    const paths = await locateFashionMnist({
      folders: [],
      cacheDir: cache,
      download: { fetch: fetchFrom(served, log) },
      source,
    });
    expect(log).toHaveLength(4);
    expect(paths.trainLabels).toBe(join(cache, `${IDX_FILES.trainLabels}.gz`));
    expect(Array.from(gunzipSync(readFileSync(paths.trainLabels)).subarray(8))).toEqual([0, 1, 0, 1, 0, 1]);
    const again = await locateFashionMnist({
      folders: [],
      cacheDir: cache,
      download: { fetch: fetchFrom(new Map(), log) },
      source,
    });
    expect(again).toEqual(paths);
    expect(log).toHaveLength(4);
  });

  it('refuses a file whose checksum does not match, and keeps nothing of it', async () => {
    const { source, served } = fakeSource();
    const url = source.baseUrl + source.files.testImages.name;
    served.set(url, gzipSync(encodeIdx([2, 2, 2], new Uint8Array(8))));
    const cache = tempDir('dl-bad');
    const error = await failure(
      locateFashionMnist({
        folders: [],
        cacheDir: cache,
        download: { fetch: fetchFrom(served) },
        source,
      }),
    );
    expect(error.message).toMatch(
      new RegExp(`${url}: MD5 [0-9a-f]{32} does not match the published ${source.files.testImages.md5}`),
    );
    expect(existsSync(join(cache, source.files.testImages.name))).toBe(false);
    expect(readdirSync(cache).some((f) => f.endsWith('.part'))).toBe(false);
  });

  it('explains an unreachable network and suggests Debian or a folder', async () => {
    const failing: Fetcher = async () => {
      throw new TypeError('fetch failed', {
        cause: new Error('getaddrinfo ENOTFOUND fashion-mnist.s3-website.eu-central-1.amazonaws.com'),
      });
    };
    const error = await failure(
      locateFashionMnist({
        folders: [tempDir('empty')],
        cacheDir: tempDir('c'),
        download: { fetch: failing },
      }),
    );
    expect(error.message).toContain('downloading it into');
    expect(error.message).toContain(
      `could not download ${FASHION_MNIST_SOURCE.baseUrl}train-images-idx3-ubyte.gz: getaddrinfo ENOTFOUND`,
    );
    expect(error.message).toContain(
      'may have no access to http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    );
    expect(error.message).toContain('apt-get install dataset-fashion-mnist');
  });

  it('keeps the official location and checksums', () => {
    expect(FASHION_MNIST_SOURCE.files.trainImages.md5).toBe('8d4fb7e6c68d591d4c3dfef9ec88bf0d');
    expect(FASHION_MNIST_SOURCE.files.testLabels.md5).toBe('bb300cfdad3c16e7a12a480ee83cd310');
  });

  // Only where Debian's package is installed: the SHA-256s must match its unzipped files.
  it.skipIf(!hasSystem(FASHION_MNIST))("has SHA-256s that match Debian's files", () => {
    for (const role of IDX_ROLES) {
      const bytes = gunzipSync(readFileSync(join(SYSTEM_FASHION_MNIST_DIR, `${IDX_FILES[role]}.gz`)));
      expect(hash('sha256', bytes), role).toBe(FASHION_MNIST_SOURCE.files[role].sha256);
    }
  });

  it('puts the cache under NASLAB_CACHE_DIR or XDG_CACHE_HOME', () => {
    expect(defaultCacheDir({ NASLAB_CACHE_DIR: '/c' })).toBe('/c/fashion-mnist');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/naslab/fashion-mnist');
  });
});

describe('the bundled subset', () => {
  it('loads 3,000 + 1,000 balanced images in [0, 1]', async () => {
    const { train, test } = await loadBundledFashionMnist();
    expect(train.count).toBe(3000);
    expect(test.count).toBe(1000);
    expect(train.shape).toEqual([1, 28, 28]);
    expect(train.classes).toEqual(FASHION_MNIST_CLASSES);
    expect(classCounts(train)).toEqual(new Array(10).fill(300));
    expect(classCounts(test)).toEqual(new Array(10).fill(100));
    let [min, max, sum] = [Infinity, -Infinity, 0];
    for (const v of train.x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // Fashion-MNIST's mean pixel is about 0.286.
    expect(sum / train.x.length).toBeGreaterThan(0.25);
    expect(sum / train.x.length).toBeLessThan(0.32);
  });

  it('is small and carries the licence notice', () => {
    const dir = bundledFashionMnistDir();
    const bytes = readdirSync(dir).reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
    expect(bytes).toBeLessThan(2_000_000);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('Copyright © 2017 Zalando SE');
    expect(readme).toContain('Permission is hereby granted, free of charge');
  });
});
