import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArchitectureError } from '../../core/errors.js';
import type { Evaluation } from '../../core/evaluator.js';
import type { Sample } from '../../core/types.js';
import { countArchitectures } from '../../space/walk.js';
import { type Benchmark, loadBenchmark } from './benchmark.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const signal = new AbortController().signal;

function evaluate(bench: Benchmark, sample: Sample): Promise<Evaluation> {
  const key = bench.space.key(sample);
  return bench.evaluator.evaluate(
    bench.space.decode(sample),
    {
      id: 't',
      key,
      sample,
      report: async () => {},
      shouldStop: () => false,
    },
    signal,
  );
}

describe('user tables', () => {
  it('loads a CSV table with a cost column', async () => {
    const bench = await loadBenchmark(fixture('toy.yaml'), {});
    expect(bench.name).toBe('toy');
    expect(bench.dataset).toBe('toy');
    expect(bench.signal).toBe('val_acc');
    expect(bench.direction).toBe('maximize');
    expect(bench.report).toEqual(['val_acc', 'test_acc']);
    expect(countArchitectures(bench.space)).toBe(16);
    const result = await evaluate(bench, { e0: 'conv_1x1', e1: 'skip_connect' });
    expect(result).toEqual({ metrics: { val_acc: 72, test_acc: 71 }, cost: 3 });
    expect((await evaluate(bench, { e0: 'none', e1: 'none' })).metrics['test_acc']).toBeNaN();
  });

  it('treats a row missing from the table as an invalid architecture', async () => {
    const bench = await loadBenchmark(fixture('toy.yaml'), {});
    const missing = evaluate(bench, { e0: 'conv_3x3', e1: 'none' });
    await expect(missing).rejects.toThrow(InvalidArchitectureError);
    await expect(missing).rejects.toThrow('toy: no row for architecture e0=conv_3x3,e1=none in the table');
  });

  it('loads a gzipped table, minimize, a constant cost and report defaulting to the signal', async () => {
    const bench = await loadBenchmark(fixture('toy-gz.yaml'), { dataset: 'toy' });
    expect(bench.direction).toBe('minimize');
    expect(bench.evaluator.direction).toBe('minimize');
    expect(bench.report).toEqual(['test_acc']);
    expect(await evaluate(bench, { e0: 'conv_3x3', e1: 'conv_3x3' })).toEqual({
      metrics: { test_acc: 85 },
      cost: 2.5,
    });
    // test_acc (the signal here) is empty for (none, none): invalid, not a crash.
    await expect(evaluate(bench, { e0: 'none', e1: 'none' })).rejects.toThrow(
      'toy-gz: the table has no test_acc for e0=none,e1=none (empty or nan)',
    );
  });

  it('reads conditional decisions: skipped cells are empty, numbers match numeric choices', async () => {
    const bench = await loadBenchmark(fixture('conditional.yaml'), {});
    expect(await evaluate(bench, { op: 'conv', filters: 32 })).toEqual({
      metrics: { score: 75, params: 3 },
      cost: 1,
    });
    expect((await evaluate(bench, { op: 'pool' })).metrics).toEqual({ score: 60, params: 0 });
    await expect(evaluate(bench, { op: 'skip' })).rejects.toThrow(InvalidArchitectureError);
  });

  it('refuses a dataset other than its table', async () => {
    await expect(loadBenchmark(fixture('toy.yaml'), { dataset: 'cifar10' })).rejects.toThrow(
      /has one dataset, "toy" \(its table\); got dataset "cifar10": leave it out/,
    );
  });
});

const dir = mkdtempSync(join(tmpdir(), 'naslab-user-table-'));
let counter = 0;

const TOY_CSV =
  'e0,e1,val_acc,test_acc,time_s\nnone,none,50,49,1\nnone,conv,52,51,1\nconv,none,60,59,2\nconv,conv,62,61,2\n';
const TOY_YAML = `table: t.csv
decisions:
  - { name: e0, choices: [none, conv] }
  - { name: e1, choices: [none, conv] }
signal: val_acc
report: [val_acc, test_acc]
cost: time_s
`;

/** Writes a YAML (and its CSV, as t.csv) into a fresh folder and returns the YAML path. */
function writeCase(yaml: string, csv: string | null = TOY_CSV): string {
  const folder = mkdtempSync(join(dir, `case${counter++}-`));
  if (csv !== null) writeFileSync(join(folder, 't.csv'), csv);
  const path = join(folder, 'bench.yaml');
  writeFileSync(path, yaml);
  return path;
}

describe('malformed user tables', () => {
  it('accepts the well-formed base case', async () => {
    const bench = await loadBenchmark(writeCase(TOY_YAML), {});
    expect((await evaluate(bench, { e0: 'conv', e1: 'none' })).cost).toBe(2);
    const single = await loadBenchmark(writeCase(TOY_YAML.replace('[val_acc, test_acc]', 'test_acc')), {});
    expect(single.report).toEqual(['test_acc']);
    expect((await evaluate(single, { e0: 'conv', e1: 'none' })).metrics).toEqual({
      val_acc: 60,
      test_acc: 59,
    });
  });

  it.each<[string, string, string | null, RegExp | string]>([
    [
      'a missing table file',
      TOY_YAML,
      null,
      /bench\.yaml: table: no such file: .*t\.csv \(from "t\.csv", a path relative to the YAML file\)/,
    ],
    [
      'a typo in a field',
      TOY_YAML.replace('signal:', 'sigal:'),
      TOY_CSV,
      'sigal: unknown field "sigal"; did you mean "signal"? (expected fields: table, decisions, signal, report, direction, cost)',
    ],
    [
      'a bad direction',
      `${TOY_YAML}direction: max\n`,
      TOY_CSV,
      'direction: Invalid option: expected one of "maximize"|"minimize", found string "max"',
    ],
    ['a missing signal field', TOY_YAML.replace('signal: val_acc\n', ''), TOY_CSV, 'signal: missing'],
    [
      'a negative cost',
      TOY_YAML.replace('cost: time_s', 'cost: -1'),
      TOY_CSV,
      'cost: Too small: expected number to be >=0, found number -1',
    ],
    [
      'a report that is not a list of columns',
      TOY_YAML.replace('[val_acc, test_acc]', '{ a: 1 }'),
      TOY_CSV,
      'report: expected a column name or a list of column names',
    ],
    [
      'an empty report list',
      TOY_YAML.replace('[val_acc, test_acc]', '[]'),
      TOY_CSV,
      'report: expected at least one column name',
    ],
    [
      'a signal column missing from the table',
      TOY_YAML.replace('signal: val_acc', 'signal: val'),
      TOY_CSV,
      'signal: the table',
    ],
    [
      'a report column missing from the table',
      TOY_YAML.replace('test_acc]', 'tst]'),
      TOY_CSV,
      'report[1]: the table',
    ],
    [
      'a cost column missing from the table',
      TOY_YAML.replace('cost: time_s', 'cost: secs'),
      TOY_CSV,
      /cost: the table .*t\.csv has no column "secs" \(columns: e0, e1, val_acc, test_acc, time_s\)/,
    ],
    [
      'a decision column missing from the table',
      TOY_YAML.replace('name: e1,', 'name: e2,'),
      TOY_CSV,
      /decisions: the table .*t\.csv has no column "e2" for decision "e2"/,
    ],
    [
      'a cell that is not a choice',
      TOY_YAML,
      TOY_CSV.replace('conv,none,60', 'conv5,none,60'),
      'row 3 (line 4), column "e0": found "conv5", expected one of the choices of decision "e0": none, conv',
    ],
    [
      'a duplicate architecture row',
      TOY_YAML,
      `${TOY_CSV}none,conv,53,52,1\n`,
      'row 2 (line 3) and row 5 (line 6) are the same architecture (e0=none,e1=conv); keep one row per architecture',
    ],
    ['a non-numeric signal cell', TOY_YAML, TOY_CSV.replace('52,51', 'high,51'), 'signal: '],
    [
      'an empty cost cell',
      TOY_YAML,
      TOY_CSV.replace('51,1', '51,'),
      'cost: column "time_s", row 2 (line 3): expected simulated seconds >= 0, found an empty cell',
    ],
    [
      'a number that is not a numeric choice',
      'table: t.csv\ndecisions:\n  - { name: width, choices: [16, 32] }\nsignal: acc\n',
      'width,acc\n16,1\n24,2\n',
      'row 2 (line 3), column "width": found "24", expected one of the choices of decision "width": 16, 32',
    ],
    [
      'an asked decision with an empty cell',
      'table: t.csv\ndecisions:\n  - { name: op, choices: [conv, pool] }\n  - { name: k, choices: [3, 5], when: { op: [conv] } }\nsignal: acc\n',
      'op,k,acc\nconv,3,1\npool,,2\nconv,,3\n',
      'row 3 (line 4), column "k": found an empty cell, expected one of the choices of decision "k": 3, 5',
    ],
    [
      'invalid decisions',
      'table: t.csv\ndecisions:\n  - { name: op, choices: [conv] }\n  - { name: k, choices: [3], when: { op: [pool] } }\nsignal: acc\n',
      'op,k,acc\nconv,3,1\n',
      'decisions[1].when.op: "pool" is not a choice of "op" (choices: conv)',
    ],
    [
      'an empty table',
      TOY_YAML,
      'e0,e1,val_acc,test_acc,time_s\n',
      'the table is empty; expected a header line and at least one row',
    ],
    [
      'a ragged table',
      TOY_YAML,
      `${TOY_CSV}conv,conv\n`,
      'row 5 (line 6) has 2 cells, but the header has 5 columns',
    ],
    [
      'YAML that does not parse',
      'table: [t.csv\n',
      TOY_CSV,
      /bench\.yaml: not valid YAML \(line \d+, column \d+\)/,
    ],
    [
      'YAML that is not a mapping',
      '- table: t.csv\n',
      TOY_CSV,
      'bench.yaml: expected a mapping with the fields table, decisions, signal, report, direction, cost',
    ],
  ])('%s', async (_label, yaml, csv, expected) => {
    const path = writeCase(yaml, csv);
    const loading = loadBenchmark(path, {});
    await expect(loading).rejects.toThrow(ConfigError);
    await expect(loading).rejects.toThrow(expected);
  });

  it('names the YAML file that cannot be read', async () => {
    await expect(loadBenchmark(join(dir, 'nope.yaml'), {})).rejects.toThrow(
      `cannot read benchmark table config ${join(dir, 'nope.yaml')}: no such file`,
    );
  });
});
