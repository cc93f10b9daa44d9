import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';

/**
 * The one way naslab reads a file a user named (a config, a table, a space, a dataset). Only regular
 * files are read: a device (/dev/zero, /dev/urandom) never ends, and opening a FIFO blocks until a
 * writer comes, so both would hang the process or grow it until it dies. The path is stat()ed first
 * (following symbolic links, so a link to a device is refused too) and never opened unless it is a
 * regular file; the open itself is non-blocking and the opened file checked again, so a FIFO put in
 * its place between the two cannot hang it either. Reading stops at a size limit, with a message
 * that says so, rather than when memory runs out.
 */

/** YAML/JSON configs are a few kilobytes; the YAML parser needs seconds and gigabytes for megabytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** The most one read returns in Node (a Buffer's limit for fs reads), and so naslab's limit for data. */
export const MAX_DATA_BYTES = 2 ** 31 - 1;

/** Opens without waiting for a writer: only matters if a FIFO replaced the file after the stat. */
const NON_BLOCKING = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What a path that is not a regular file is, in words. */
function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

function errnoProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'ENOTDIR') return 'no such file (a part of the path is not a folder)';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many symbolic links (a link that points to itself?)';
  if (code === 'ENAMETOOLONG') return 'the path is too long';
  return String(code ?? (e as Error).message);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1).replace(/\.0$/, '')} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1).replace(/\.0$/, '')} GiB`;
}

/** A path for a message: one from a hostile config can be 100,000 characters long. */
export function shownPath(path: string, max = 300): string {
  return path.length <= max ? path : `${path.slice(0, max)}... (${path.length} characters)`;
}

/** Why an existing path is not readable as a file (a folder, a device, a FIFO...), or undefined. */
function kindProblem(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'it is a folder';
  return `not a regular file (${kindOf(info)})`;
}

/** The message for a `problem` with `path`: "<what> <path>: not a regular file (...)" and the like. */
function problemError(path: string, what: string, problem: string): ConfigError {
  return problem.startsWith('not a regular file')
    ? new ConfigError(`${what} ${shownPath(path)}: ${problem}`)
    : new ConfigError(`cannot read ${what} ${shownPath(path)}: ${problem}`);
}

function checkKind(info: Stats, path: string, what: string): void {
  const problem = kindProblem(info);
  if (problem !== undefined) throw problemError(path, what, problem);
}

function tooLarge(path: string, what: string, size: string, limit: number): ConfigError {
  return new ConfigError(
    `${what} ${shownPath(path)}: too large (${size}; the limit is ${formatBytes(limit)}): is it the right file?`,
  );
}

const bytesText = (n: number): string => `${n.toLocaleString('en-US')} bytes`;

/** The next read's size: the rest of the file as stat() saw it and a little more, never past the limit. */
function chunkSize(statSize: number, total: number, maxBytes: number): number {
  return Math.min(Math.max(statSize - total, 0) + 65536, maxBytes - total + 1, MAX_DATA_BYTES);
}

export interface ReadLimit {
  /** Refuse a file longer than this many bytes (default: MAX_DATA_BYTES). */
  readonly maxBytes?: number;
}

/**
 * Why `path` cannot be read as a regular file ("no such file", "it is a folder", "not a regular file
 * (a named pipe (FIFO))"...), or undefined when it can; stat() only, nothing is opened.
 */
export function regularFileProblem(path: string): string | undefined {
  try {
    return kindProblem(statSync(path));
  } catch (e) {
    return errnoProblem(e);
  }
}

/** Throws the ConfigError a user sees unless `path` is a regular file; nothing is opened. */
export function checkRegularFile(path: string, what: string): Stats {
  let info: Stats;
  try {
    info = statSync(path);
  } catch (e) {
    throw problemError(path, what, errnoProblem(e));
  }
  checkKind(info, path, what);
  return info;
}

/** Reads all of a regular file, at most `maxBytes` of it (a file that grows while read is cut there). */
export function readRegularFileSync(path: string, what: string, limit: ReadLimit = {}): Buffer {
  const maxBytes = limit.maxBytes ?? MAX_DATA_BYTES;
  const info = checkRegularFile(path, what);
  if (info.size > maxBytes) throw tooLarge(path, what, bytesText(info.size), maxBytes);
  let fd: number;
  try {
    fd = openSync(path, NON_BLOCKING);
  } catch (e) {
    throw problemError(path, what, errnoProblem(e));
  }
  try {
    checkKind(fstatSync(fd), path, what);
    const chunks: Buffer[] = [];
    let total = 0;
    // A regular file may still report a size of 0 and hold data (/proc), or grow: read to the end.
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkSize(info.size, total, maxBytes));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge(path, what, `more than ${bytesText(maxBytes)}`, maxBytes);
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw problemError(path, what, errnoProblem(e));
  } finally {
    closeSync(fd);
  }
}

/** readRegularFileSync without blocking the event loop: for data files of any size. */
export async function readRegularFile(path: string, what: string, limit: ReadLimit = {}): Promise<Buffer> {
  const maxBytes = limit.maxBytes ?? MAX_DATA_BYTES;
  let info: Stats;
  try {
    info = await stat(path);
  } catch (e) {
    throw problemError(path, what, errnoProblem(e));
  }
  checkKind(info, path, what);
  if (info.size > maxBytes) throw tooLarge(path, what, bytesText(info.size), maxBytes);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, NON_BLOCKING);
  } catch (e) {
    throw problemError(path, what, errnoProblem(e));
  }
  try {
    checkKind(await handle.stat(), path, what);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const size = chunkSize(info.size, total, maxBytes);
      const chunk = Buffer.allocUnsafe(size);
      const { bytesRead } = await handle.read(chunk, 0, size, null);
      if (bytesRead === 0) break;
      chunks.push(bytesRead === size ? chunk : chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(path, what, `more than ${bytesText(maxBytes)}`, maxBytes);
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw problemError(path, what, errnoProblem(e));
  } finally {
    await handle.close();
  }
}
