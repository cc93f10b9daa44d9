import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { loadTable, parseTable } from './table.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-table-'));
const write = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const rejects = async (promise: Promise<unknown>, message: string): Promise<void> => {
  await expect(promise).rejects.toThrow(ConfigError);
  await expect(promise).rejects.toThrow(message);
};

describe('parseTable', () => {
  const table = parseTable('\ufeffarch,acc,note\n"a,b",1.5,x\nc,,y\n\nd,NaN,z\ne,-2e3,w\n', 'mem.csv');

  it('stores columns of text and parses numbers on demand', () => {
    expect(table.columns).toEqual(['arch', 'acc', 'note']);
    expect(table.rowCount).toBe(4);
    expect(table.text('arch')).toEqual(['a,b', 'c', 'd', 'e']);
    expect([...table.numbers('acc')]).toEqual([1.5, NaN, NaN, -2000]);
    expect(table.numbers('acc')).toBe(table.numbers('acc'));
    expect(table.has('note')).toBe(true);
    expect(table.has('nope')).toBe(false);
  });

  it('names the row, line and cell of a non-number', () => {
    expect(() => table.numbers('note')).toThrow(
      'mem.csv: column "note", row 1 (line 2): expected a number, found "x" (leave the cell empty or write nan for a missing value)',
    );
    // The blank line 4 is skipped: row 3 is line 5.
    expect(table.where(2)).toBe('row 3 (line 5)');
  });

  it('lists the columns for an unknown one', () => {
    expect(() => table.text('accuracy')).toThrow('mem.csv: no column "accuracy" (columns: arch, acc, note)');
  });

  it.each([
    ['', 'mem.csv: the table is empty; expected a header line and at least one row'],
    ['a,b\n', 'mem.csv: the table is empty'],
    ['a,b\n1,2\n3\n', 'mem.csv: row 2 (line 3) has 1 cells, but the header has 2 columns'],
    ['a,b\n1,2,3\n', 'mem.csv: row 1 (line 2) has 3 cells, but the header has 2 columns'],
    ['a,a\n1,2\n', 'mem.csv: the header names column "a" twice'],
    ['a,,c\n1,2,3\n', "mem.csv: the header's column 2 has no name"],
    ['a,b\n"1,2\n', 'mem.csv: not valid CSV'],
  ])('rejects %j', (text, message) => {
    expect(() => parseTable(text, 'mem.csv')).toThrow(ConfigError);
    expect(() => parseTable(text, 'mem.csv')).toThrow(message);
  });
});

describe('loadTable', () => {
  it('reads CSV and gzipped CSV alike', async () => {
    const csv = 'k,v\nx,1\ny,2\n';
    const plain = await loadTable(write('t.csv', csv));
    const zipped = await loadTable(write('t.csv.gz', gzipSync(csv)));
    expect([...zipped.numbers('v')]).toEqual([...plain.numbers('v')]);
    expect(zipped.text('k')).toEqual(['x', 'y']);
    expect(zipped.source).toBe(join(dir, 't.csv.gz'));
  });

  it('reports a missing file', async () => {
    await rejects(
      loadTable(join(dir, 'missing.csv')),
      `cannot read table ${join(dir, 'missing.csv')}: no such file`,
    );
    await rejects(loadTable(dir), 'it is a folder');
  });

  it('reports unreadable gzip', async () => {
    const truncated = gzipSync('k,v\n'.repeat(1000)).subarray(0, 30);
    await rejects(loadTable(write('bad.csv.gz', truncated)), 'unreadable gzip data');
    await rejects(
      loadTable(write('plain.csv.gz', 'k,v\n1,2\n')),
      'the name ends in .gz but the file is not gzip data',
    );
  });

  it('reports an empty file', async () => {
    await rejects(loadTable(write('empty.csv', '')), 'the table is empty');
  });
});
