import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ConfigError } from '../core/errors.js';

const gunzipAsync = promisify(gunzip);

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function readProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES') return 'permission denied';
  return String(code ?? (e as Error).message);
}

/** Unzips gzip data (detected by its magic bytes); other bytes come back as they are. */
export async function maybeGunzip(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (e) {
    throw new ConfigError(
      `${source}: unreadable gzip data (${(e as Error).message}); is the file truncated?`,
    );
  }
}

/**
 * Reads a data file, gzipped or not. Gzip is recognised by its magic bytes, not the name, so a file
 * unzipped by hand keeps working; a `.gz` name over plain bytes is refused because it means a mix-up.
 */
export async function readDataFile(path: string, what: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    // A device or a pipe (/dev/zero, a FIFO) would be read forever: only regular files are data.
    const info = await stat(path);
    if (!info.isFile() && !info.isDirectory()) {
      throw new ConfigError(`cannot read ${what} ${path}: not a regular file`);
    }
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot read ${what} ${path}: ${readProblem(e)}`);
  }
  if (!isGzip(bytes) && path.endsWith('.gz')) {
    throw new ConfigError(`${path}: the name ends in .gz but the file is not gzip data`);
  }
  return maybeGunzip(bytes, path);
}
