import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ConfigError } from '../core/errors.js';
import { MAX_DATA_BYTES, formatBytes, readRegularFile } from './regular-file.js';

const gunzipAsync = promisify(gunzip);

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Unzips gzip data (detected by its magic bytes); other bytes come back as they are. The output is
 * capped like a plain file's bytes: a small "gzip bomb" must not grow the process until it dies.
 */
export async function maybeGunzip(
  bytes: Uint8Array,
  source: string,
  maxBytes = MAX_DATA_BYTES,
): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ConfigError(
        `${source}: the gzip data unpacks to more than ${formatBytes(maxBytes)}, the most naslab reads from one file`,
      );
    }
    throw new ConfigError(
      `${source}: unreadable gzip data (${(e as Error).message}); is the file truncated?`,
    );
  }
}

/**
 * Reads a data file, gzipped or not. Gzip is recognised by its magic bytes, not the name, so a file
 * unzipped by hand keeps working; a `.gz` name over plain bytes is refused because it means a mix-up.
 * Only a regular file is read (regular-file.ts): a device or a FIFO is refused at once.
 */
export async function readDataFile(path: string, what: string): Promise<Uint8Array> {
  const bytes = await readRegularFile(path, what);
  if (!isGzip(bytes) && path.endsWith('.gz')) {
    throw new ConfigError(`${path}: the name ends in .gz but the file is not gzip data`);
  }
  return maybeGunzip(bytes, path);
}
