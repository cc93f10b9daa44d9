import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, NaslabError } from '../core/errors.js';

/** The files an export writes, and nothing else. */
export const MODEL_FILE = 'model.onnx';
export const DESCRIPTION_FILE = 'model.json';

/** Writing the export failed (disk full, permissions); nothing partial is left under the final names. */
export class ExportWriteError extends NaslabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_EXPORT_WRITE', message, options);
    this.name = 'ExportWriteError';
  }
}

function code(e: unknown): string | undefined {
  return e instanceof Error && 'code' in e ? String(e.code) : undefined;
}

/**
 * Checks the output folder before any work: it may be missing (it is created when writing) or empty;
 * a non-empty one only with `force`. Throws ConfigError naming the folder and the way out.
 */
export async function checkOutDir(dir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) {
      throw new ConfigError(`--out ${dir} is a file, not a folder: choose a folder for the exported model`);
    }
    entries = await readdir(dir);
  } catch (e) {
    if (code(e) === 'ENOENT') return;
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`--out ${dir}: cannot read it (${code(e) ?? String(e)})`, { cause: e });
  }
  if (entries.length > 0 && !force) {
    throw new ConfigError(
      `--out ${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}); ` +
        `choose a new or empty folder, or pass --force to replace ${MODEL_FILE} and ${DESCRIPTION_FILE} in it`,
    );
  }
}

/**
 * Writes `files` (name -> content) into `dir` so a crash or a full disk leaves no half-written file
 * under a final name: each goes to a hidden temporary file in `dir` itself (the same filesystem, and
 * nothing written outside `dir`), and only once every one is complete are they renamed into place, in
 * the order given (the description last: its presence marks a complete export). Other files in `dir`
 * are left alone.
 */
export async function writeExportFiles(
  dir: string,
  files: readonly (readonly [string, Uint8Array | string])[],
  force: boolean,
): Promise<string[]> {
  await checkOutDir(dir, force);
  const suffix = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const temps: string[] = [];
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true });
    for (const [name, content] of files) {
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) {
        throw new RangeError(`export file name ${JSON.stringify(name)} must be a plain file name`);
      }
      const temp = join(dir, `.${name}${suffix}`);
      temps.push(temp);
      await writeFile(temp, content, { flag: 'wx' });
    }
    // A replaced export loses its description first: until the new one lands, the folder reads as
    // incomplete rather than as the old description beside the new model.
    const last = files.at(-1);
    if (last !== undefined) await rm(join(dir, last[0]), { force: true });
    const finals: string[] = [];
    for (const [i, [name]] of files.entries()) {
      const final = join(dir, name);
      await rename(temps[i] as string, final);
      finals.push(resolve(final));
    }
    return finals;
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    // A folder this call created and left empty goes too (rmdir refuses a non-empty one).
    if (created !== undefined) await rmdir(dir).catch(() => undefined);
    if (e instanceof NaslabError || e instanceof RangeError) throw e;
    throw new ExportWriteError(`cannot write the export to ${dir}: ${e instanceof Error ? e.message : e}`, {
      cause: e,
    });
  }
}
