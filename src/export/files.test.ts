import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { checkOutDir, writeExportFiles } from './files.js';

const root = mkdtempSync(join(tmpdir(), 'naslab-export-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const files = (tag: string) =>
  [
    ['model.onnx', new Uint8Array([1, 2, 3])],
    ['model.json', `{"tag":"${tag}"}`],
  ] as const;

describe('writeExportFiles', () => {
  it('creates the folder and writes the files, leaving no temporary file', async () => {
    const dir = join(root, 'a', 'b');
    const written = await writeExportFiles(dir, files('one'), false);
    expect(written).toEqual([join(dir, 'model.onnx'), join(dir, 'model.json')]);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'model.onnx']);
    expect([...readFileSync(join(dir, 'model.onnx'))]).toEqual([1, 2, 3]);
  });

  it('takes an empty folder, refuses a non-empty one unless forced, and a file', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    await checkOutDir(dir, false);
    await writeExportFiles(dir, files('one'), false);
    await expect(writeExportFiles(dir, files('two'), false)).rejects.toThrow(
      new ConfigError(
        `--out ${dir} is not empty (model.json, model.onnx); choose a new or empty folder, or pass --force ` +
          'to replace model.onnx and model.json in it',
      ),
    );
    await writeExportFiles(dir, files('two'), true);
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe('{"tag":"two"}');
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    await expect(checkOutDir(file, true)).rejects.toThrow(/is a file, not a folder/);
  });

  it('a write that fails leaves the old files and no temporary ones', async () => {
    const dir = join(root, 'failing');
    await writeExportFiles(dir, files('old'), false);
    // model.json replaced by a non-empty folder: removing it fails before anything is renamed.
    rmSync(join(dir, 'model.json'));
    mkdirSync(join(dir, 'model.json'));
    writeFileSync(join(dir, 'model.json', 'keep'), '');
    await expect(writeExportFiles(dir, files('new'), true)).rejects.toThrow(/cannot write the export to/);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'model.onnx']);
    expect([...readFileSync(join(dir, 'model.onnx'))]).toEqual([1, 2, 3]);
  });

  it('a new folder whose write fails is removed again', async () => {
    const dir = join(root, 'gone');
    await expect(writeExportFiles(dir, [['../escape', 'x']], false)).rejects.toThrow(/plain file name/);
    expect(readdirSync(root)).not.toContain('gone');
  });
});
