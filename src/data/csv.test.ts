import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { parseCsvDataset, readCsvDataset } from './csv.js';
import { tempDir } from './idx.testkit.js';

const IRIS = `sepal,petal,species
5.1,1.4,setosa
7.0,4.7,versicolor
6.3,6.0,virginica
4.9,1.4,setosa
`;

describe('parseCsvDataset', () => {
  it('reads the last column as labels by default (-1), with class names sorted', () => {
    const d = parseCsvDataset(IRIS, 'iris.csv', { label: -1, header: true });
    expect(d.count).toBe(4);
    expect(d.shape).toEqual([2]);
    expect(d.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(d.y)).toEqual([0, 1, 2, 0]);
    expect(Array.from(d.x)).toEqual([5.1, 1.4, 7.0, 4.7, 6.3, 6.0, 4.9, 1.4].map(Math.fround));
    expect(d.inputScale).toBe(1);
  });

  it('finds the label by header name and by a positive index', () => {
    const text = 'species,a,b\nx,1,2\ny,3,4\n';
    const byName = parseCsvDataset(text, 't', { label: 'species', header: true });
    const byIndex = parseCsvDataset(text, 't', { label: 0, header: true });
    const fromEnd = parseCsvDataset(text, 't', { label: -3, header: true });
    for (const d of [byName, byIndex, fromEnd]) {
      expect(Array.from(d.x)).toEqual([1, 2, 3, 4]);
      expect(d.classes).toEqual(['x', 'y']);
    }
  });

  it('orders numeric labels by value and maps them to 0..K-1', () => {
    const d = parseCsvDataset('1,10\n2,2\n3,10\n4,0\n', 't', { label: 1, header: false });
    expect(d.classes).toEqual(['0', '2', '10']);
    expect(Array.from(d.y)).toEqual([2, 1, 2, 0]);
  });

  it('reshapes rows stored as [height, width, channels] into [C, H, W]', () => {
    // One 2x2 image with 2 channels, row-major HWC: pixel p channel c = 10 * p + c.
    const row = [0, 1, 10, 11, 20, 21, 30, 31];
    const text = `${row.join(',')},a\n${row.map((v) => v + 100).join(',')},b\n`;
    const d = parseCsvDataset(text, 't', { label: -1, header: false, shape: [2, 2, 2] });
    expect(d.shape).toEqual([2, 2, 2]);
    expect(Array.from(d.x.subarray(0, 8))).toEqual([0, 10, 20, 30, 1, 11, 21, 31]);
    const gray = parseCsvDataset('1,2,3,4,0\n5,6,7,8,1\n', 't', { label: -1, header: false, shape: [2, 2] });
    expect(gray.shape).toEqual([1, 2, 2]);
    expect(Array.from(gray.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  const bad: [string, string, Parameters<typeof parseCsvDataset>[2], string][] = [
    [
      'a non-number',
      'a,b,c\n1,2,x\n3,oops,y\n',
      { label: -1, header: true },
      't.csv: row 2 (line 3), column 2 ("b"): expected a number, found "oops"',
    ],
    [
      'a missing value',
      '1,,x\n3,4,y\n',
      { label: -1, header: false },
      't.csv: row 1 (line 1), column 2: expected a number, found ""',
    ],
    [
      'a short row',
      '1,2,x\n3,y\n',
      { label: -1, header: false },
      't.csv: row 2 (line 2) has 2 cells, expected 3',
    ],
    [
      'an empty label',
      '1,2,x\n3,4,\n',
      { label: -1, header: false },
      't.csv: row 2 (line 2), column 3: the label is empty',
    ],
    [
      'a label index out of range',
      '1,2,x\n3,4,y\n',
      { label: 3, header: false },
      't.csv: data.label 3 is outside the 3 columns (use 0..2, or -1..-3 from the end)',
    ],
    [
      'a label name without header',
      '1,2,x\n3,4,y\n',
      { label: 'species', header: false },
      'data.label "species" names a column, but data.header is false',
    ],
    [
      'an unknown label name',
      'a,b,c\n1,2,x\n',
      { label: 'species', header: true },
      't.csv: data.label: no column "species" (columns: a, b, c)',
    ],
    [
      'a shape of the wrong size',
      '1,2,3,x\n4,5,6,y\n',
      { label: -1, header: false, shape: [2, 2, 1] },
      't.csv: data.shape [2, 2, 1] holds 4 values, but each row has 3 features',
    ],
    [
      'a single class',
      '1,2,x\n3,4,x\n',
      { label: -1, header: false },
      'the label column 3 has a single value (x)',
    ],
    ['only a header', 'a,b\n', { label: -1, header: true }, 't.csv: no data rows after the header'],
    ['bad quoting', '1,"2,x\n', { label: -1, header: false }, 't.csv: not valid CSV'],
  ];
  it.each(bad)('refuses %s, naming the row and column', (_, text, options, message) => {
    expect(() => parseCsvDataset(text, 't.csv', options)).toThrow(ConfigError);
    expect(() => parseCsvDataset(text, 't.csv', options)).toThrow(message);
  });
});

describe('readCsvDataset', () => {
  it('reads plain and gzipped files alike', async () => {
    const dir = tempDir('csv');
    writeFileSync(join(dir, 'iris.csv'), IRIS);
    writeFileSync(join(dir, 'iris.csv.gz'), gzipSync(IRIS));
    const plain = await readCsvDataset(join(dir, 'iris.csv'), { label: 'species', header: true });
    const zipped = await readCsvDataset(join(dir, 'iris.csv.gz'), { label: 'species', header: true });
    expect(Array.from(zipped.x)).toEqual(Array.from(plain.x));
    expect(zipped.source).toBe(join(dir, 'iris.csv.gz'));
    await expect(readCsvDataset(join(dir, 'nope.csv'), { label: -1, header: false })).rejects.toThrow(
      `cannot read CSV data ${join(dir, 'nope.csv')}: no such file`,
    );
  });
});
