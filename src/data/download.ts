import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ConfigError } from '../core/errors.js';
import { IDX_FILES, IDX_ROLES, type IdxPaths, type IdxRole } from './idx-folder.js';

const gunzipAsync = promisify(gunzip);

export interface RemoteFile {
  /** The file name under the base URL (and in the cache folder). */
  readonly name: string;
  /** MD5 of the gzipped file, as the dataset publishes it. */
  readonly md5: string;
  /** SHA-256 of the unzipped bytes: also holds for a copy gzipped again elsewhere (Debian's is). */
  readonly sha256: string;
}

export interface DownloadSource {
  readonly title: string;
  readonly baseUrl: string;
  readonly files: Readonly<Record<IdxRole, RemoteFile>>;
}

/**
 * Fashion-MNIST's official location and checksums (MD5s from the dataset's README; SHA-256s of the
 * unzipped files, checked against Debian's dataset-fashion-mnist). The S3 website endpoint serves plain
 * HTTP only, which is why both checksums are verified before a file is kept.
 */
export const FASHION_MNIST_SOURCE: DownloadSource = {
  title: 'Fashion-MNIST',
  baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  files: {
    trainImages: {
      name: `${IDX_FILES.trainImages}.gz`,
      md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
      sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    },
    trainLabels: {
      name: `${IDX_FILES.trainLabels}.gz`,
      md5: '25c81989df183df01b3e8a0aad5dffbe',
      sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    },
    testImages: {
      name: `${IDX_FILES.testImages}.gz`,
      md5: 'bef4ecab320f06d8554ea6380940ec79',
      sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    },
    testLabels: {
      name: `${IDX_FILES.testLabels}.gz`,
      md5: 'bb300cfdad3c16e7a12a480ee83cd310',
      sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    },
  },
};

/** The part of `fetch` the downloader uses, so tests can stand in for the network. */
export type Fetcher = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface DownloadOptions {
  readonly fetch?: Fetcher;
  /** Per file (default 120 s). */
  readonly timeoutMs?: number;
}

function digest(algorithm: 'md5' | 'sha256', bytes: Uint8Array): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

/** Thrown when the network cannot be reached: the caller adds what to do instead. */
export class DownloadError extends ConfigError {
  /** `network`: the server could not be reached; `integrity`: it answered with the wrong bytes. */
  readonly kind: 'network' | 'integrity';
  constructor(kind: 'network' | 'integrity', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = 'DownloadError';
  }
}

async function fetchFile(url: string, options: DownloadOptions): Promise<Uint8Array> {
  const fetcher: Fetcher = options.fetch ?? ((u, init) => fetch(u, init));
  let response: Awaited<ReturnType<Fetcher>>;
  try {
    response = await fetcher(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 120_000) });
  } catch (e) {
    const cause = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    throw new DownloadError('network', `could not download ${url}: ${cause}`, { cause: e });
  }
  if (!response.ok)
    throw new DownloadError('network', `could not download ${url}: HTTP status ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Downloads, verifies and stores one file; a file that fails a checksum is never kept. */
async function downloadOne(
  source: DownloadSource,
  file: RemoteFile,
  folder: string,
  options: DownloadOptions,
): Promise<string> {
  const path = join(folder, file.name);
  // Only verified files are ever renamed into place, so one already there was checked when it came.
  if (existsSync(path)) return path;
  const url = new URL(file.name, source.baseUrl).href;
  const bytes = await fetchFile(url, options);
  const md5 = digest('md5', bytes);
  if (md5 !== file.md5) {
    throw new DownloadError(
      'integrity',
      `${url}: MD5 ${md5} does not match the published ${file.md5}; the download is corrupt (not kept)`,
    );
  }
  let unzipped: Uint8Array;
  try {
    unzipped = await gunzipAsync(bytes);
  } catch (e) {
    throw new DownloadError('integrity', `${url}: not valid gzip data (${(e as Error).message}); not kept`);
  }
  const sha256 = digest('sha256', unzipped);
  if (sha256 !== file.sha256) {
    throw new DownloadError(
      'integrity',
      `${url}: SHA-256 ${sha256} of the unzipped data does not match ${file.sha256}; not kept`,
    );
  }
  // Written under a temporary name and renamed, so an interrupted download never looks complete.
  const partial = `${path}.part`;
  await writeFile(partial, bytes);
  await rename(partial, path);
  return path;
}

/** Fills `folder` with the source's four files, verified; returns their paths. */
export async function downloadIdxFiles(
  source: DownloadSource,
  folder: string,
  options: DownloadOptions = {},
): Promise<IdxPaths> {
  await mkdir(folder, { recursive: true });
  const paths: Partial<Record<IdxRole, string>> = {};
  try {
    for (const role of IDX_ROLES)
      paths[role] = await downloadOne(source, source.files[role], folder, options);
  } catch (e) {
    await Promise.all(
      IDX_ROLES.map((role) => rm(join(folder, `${source.files[role].name}.part`), { force: true })),
    );
    throw e;
  }
  return paths as IdxPaths;
}
