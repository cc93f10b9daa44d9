import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { encodeIdx, parseIdx } from './idx.js';
import { IDX_FILES, idxFilesIn, loadIdxFolder } from './idx-folder.js';
import { tempDir, writeIdxFolder } from './idx.testkit.js';

describe('parseIdx', () => {
  it('reads back what encodeIdx wrote', () => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
    const parsed = parseIdx(encodeIdx([2, 3, 4], data), 'x');
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('writes the standard header bytes', () => {
    expect(Array.from(encodeIdx([2], Uint8Array.of(5, 6)))).toEqual([0, 0, 8, 1, 0, 0, 0, 2, 5, 6]);
  });

  const bad: [string, number[], RegExp][] = [
    ['too short', [0, 0], /f\.idx: not an IDX file: 2 bytes, shorter than the 4-byte magic number/],
    [
      'nonzero magic',
      [0x1f, 0x8b, 8, 1],
      /f\.idx: not an IDX file: the magic number 0x1f 0x8b 0x08 0x01 must start with two zero bytes/,
    ],
    [
      'float32 type',
      [0, 0, 0x0d, 1, 0, 0, 0, 0],
      /f\.idx: IDX values of type float32 \(0x0d\) are not supported/,
    ],
    ['unknown type', [0, 0, 0x42, 1], /f\.idx: not an IDX file: unknown type code 0x42/],
    ['zero dimensions', [0, 0, 8, 0], /f\.idx: not an IDX file: 0 dimensions .* \(expected 1 to 8\)/],
    [
      'truncated header',
      [0, 0, 8, 3, 0, 0, 0, 1],
      /f\.idx: truncated IDX header: 3 dimensions need 16 bytes, the file has 8/,
    ],
    [
      'truncated data',
      [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3],
      /f\.idx: IDX data truncated: dimensions 2 x 2 need 4 values, the file holds 3/,
    ],
    [
      'trailing bytes',
      [0, 0, 8, 1, 0, 0, 0, 1, 9, 9],
      /f\.idx: IDX data has trailing bytes: dimensions 1 need 1 values, the file holds 2/,
    ],
  ];
  it.each(bad)('refuses a file that is %s', (_, bytes, message) => {
    expect(() => parseIdx(Uint8Array.from(bytes), 'f.idx')).toThrow(message);
    expect(() => parseIdx(Uint8Array.from(bytes), 'f.idx')).toThrow(ConfigError);
  });
});

describe('loadIdxFolder', () => {
  it.each([true, false])('round-trips a synthetic dataset (gzip %s)', async (gzip) => {
    const dir = tempDir('idx');
    writeIdxFolder(dir, { gzip });
    const { train, test } = await loadIdxFolder(dir);
    expect(train.count).toBe(12);
    expect(test.count).toBe(5);
    expect(train.shape).toEqual([1, 4, 3]);
    expect(train.classes).toEqual(['0', '1', '2']);
    expect(Array.from(train.y)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(train.inputScale).toBeCloseTo(1 / 255, 12);
    // Image 3 is filled with 21, test image 1 with 107: bytes / 255.
    expect(train.x[3 * 12]).toBeCloseTo(21 / 255, 6);
    expect(train.x[3 * 12 + 11]).toBeCloseTo(21 / 255, 6);
    expect(test.x[12]).toBeCloseTo(107 / 255, 6);
  });

  it('accepts MNIST dotted names', async () => {
    const dir = tempDir('idx-dotted');
    writeIdxFolder(dir, { gzip: false });
    writeFileSync(join(dir, 'train-images.idx3-ubyte'), encodeIdx([1, 1, 1], Uint8Array.of(1)));
    expect('paths' in idxFilesIn(dir)).toBe(true);
  });

  it('names the missing files', async () => {
    const dir = tempDir('idx-missing');
    writeFileSync(join(dir, `${IDX_FILES.trainImages}.gz`), gzipSync(encodeIdx([1, 1, 1], Uint8Array.of(1))));
    await expect(loadIdxFolder(dir)).rejects.toThrow(
      `${dir}: missing IDX file(s) train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)`,
    );
  });

  it('refuses images and labels that do not belong together', async () => {
    const dir = tempDir('idx-count');
    writeIdxFolder(dir, { gzip: false });
    writeFileSync(join(dir, IDX_FILES.trainLabels), encodeIdx([11], new Uint8Array(11)));
    await expect(loadIdxFolder(dir)).rejects.toThrow(
      /holds 12 images but .*train-labels-idx1-ubyte holds 11 labels/,
    );
  });

  it('refuses an images file without 3 dimensions', async () => {
    const dir = tempDir('idx-dims');
    writeIdxFolder(dir, { gzip: false });
    writeFileSync(join(dir, IDX_FILES.testImages), encodeIdx([5, 12], new Uint8Array(60)));
    await expect(loadIdxFolder(dir)).rejects.toThrow(
      /t10k-images-idx3-ubyte: an images file must have 3 dimensions .*found 2 \(5 x 12\)/,
    );
  });

  it('refuses test images of another size', async () => {
    const dir = tempDir('idx-size');
    writeIdxFolder(dir, { gzip: false });
    writeFileSync(join(dir, IDX_FILES.testImages), encodeIdx([5, 3, 4], new Uint8Array(60)));
    await expect(loadIdxFolder(dir)).rejects.toThrow(/test images are 3 x 4, training images 4 x 3/);
  });

  it('refuses corrupt gzip and a .gz name over plain bytes', async () => {
    const dir = tempDir('idx-gz');
    writeIdxFolder(dir, { gzip: true });
    const path = join(dir, `${IDX_FILES.trainLabels}.gz`);
    writeFileSync(path, gzipSync(encodeIdx([12], new Uint8Array(12))).subarray(0, 20));
    await expect(loadIdxFolder(dir)).rejects.toThrow(`${path}: unreadable gzip data`);
    writeFileSync(path, encodeIdx([12], new Uint8Array(12)));
    await expect(loadIdxFolder(dir)).rejects.toThrow(
      `${path}: the name ends in .gz but the file is not gzip data`,
    );
  });
});
