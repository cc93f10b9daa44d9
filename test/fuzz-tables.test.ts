import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import { parseDataConfig, loadDataset } from '../src/data/config.js';
import { loadBenchmark } from '../src/evaluate/tabular/benchmark.js';
import { startExperiment } from '../src/runner/experiment.js';
import { parseExperimentConfig } from '../src/runner/config.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { Tally, unknown, mutateCsv, mutateData, mutateYamlText, toYaml } from './fuzz.testkit.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USER_TABLE = join(ROOT, 'examples', 'user-table');
const dir = mkdtempSync(join(tmpdir(), 'naslab-fuzz-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_901);

/** The files of a case, in a folder of its own; returns what each must be named in errors. */
function writeCase(folder: string, files: Record<string, string | Uint8Array>): void {
  mkdirSync(folder, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
}

/** The paths of every `__proto__` key in a value: zod drops one silently, so it must never load. */
function protoKeys(value: unknown, at = '', out: string[] = []): string[] {
  if (typeof value !== 'object' || value === null) return out;
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) out.push(`${at}.__proto__`);
  for (const [key, child] of Object.entries(value)) protoKeys(child, `${at}.${key}`, out);
  return out;
}

/** Only the folders the cases were given: a tag or a path could not make the loaders write elsewhere. */
function strayFiles(root: string, expected: readonly string[]): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => !f.includes('/') || !expected.includes(f.split('/').pop() as string))
    .filter((f) => !/^case-\d+$/.test(f));
}

it('1,000 mutated user tables (YAML and CSV): each a valid search or a clean error naming the file', async () => {
  // The example's header and first 80 rows: a real table, small enough for 1,000 loads.
  const csv = `${readFileSync(join(USER_TABLE, 'nb201-3ops.csv'), 'utf8').split('\n').slice(0, 81).join('\n')}\n`;
  const yamlText = readFileSync(join(USER_TABLE, 'nb201-3ops.yaml'), 'utf8').replace(
    './nb201-3ops.csv',
    './table.csv',
  );
  const root = join(dir, 'tables');
  const rng = new Rng(SEED);
  const loads = new Tally();
  const runs = new Tally();
  let withProto = 0;
  for (let i = 0; i < 1000; i++) {
    const folder = join(root, `case-${i}`);
    const target = rng.int(10); // 0-3: the YAML, 4-8: the CSV, 9: both
    let yaml: string | Uint8Array = yamlText;
    let proto: string[] = [];
    if (target <= 3 || target === 9) {
      const data = rng.float() < 0.6 ? mutateData(parse(yamlText), rng) : undefined;
      yaml = data !== undefined ? toYaml(data) : mutateYamlText(yamlText, rng);
      proto = protoKeys(data);
      if (proto.length > 0) withProto++;
    }
    const table = target >= 4 ? mutateCsv(csv, rng) : csv;
    writeCase(folder, { 'table.yaml': yaml, 'table.csv': table });
    const file = join(folder, 'table.yaml');
    const label = `table case ${i} (${target <= 3 ? 'yaml' : target === 9 ? 'both' : 'csv'})`;
    let loaded = false;
    // A hostile `table:` path may point anywhere; the message must then name that path or the YAML.
    await loads.run(label, [folder, 'table:', 'table.csv'], async () => {
      await loadBenchmark(file);
      if (proto.length > 0) throw new Error(`loaded although it holds ${proto.join(', ')}`);
      loaded = true;
    });
    if (loaded) {
      const config = parseExperimentConfig(
        { evaluator: { type: 'benchmark', benchmark: file }, budget: { trials: 3 } },
        'fuzz',
      );
      await runs.run(`${label}, run`, [], () => startExperiment(config, new MemoryStorage()));
    }
  }
  expect(unknown([...loads.problems, ...runs.problems])).toEqual([]);
  expect(loads.total).toBe(1000);
  expect(loads.valid).toBeGreaterThan(100);
  expect(loads.errors.get('E_CONFIG')).toBeGreaterThan(500);
  expect(runs.total).toBe(loads.valid);
  expect(strayFiles(root, ['table.yaml', 'table.csv'])).toEqual([]);
  expect(withProto).toBeGreaterThan(0); // the __proto__ mutations occur, and each was refused
  console.log(
    `user tables (${withProto} with a __proto__ key): ${loads.valid} valid, errors ${JSON.stringify(Object.fromEntries(loads.errors))}`,
  );
}, 480_000);

/** 40 rows of 4 features (a 2x2 image) and a label of 3 classes, with a header. */
function datasetCsv(rng: Rng): string {
  const rows = ['a,b,c,d,label'];
  for (let r = 0; r < 40; r++) {
    const x = Array.from({ length: 4 }, () => (rng.float() * 10 - 5).toFixed(3));
    rows.push([...x, ['cat', 'dog', 'bird'][r % 3]].join(','));
  }
  return `${rows.join('\n')}\n`;
}

const DATA_CONFIG = {
  type: 'csv',
  path: 'data.csv',
  header: true,
  label: 'label',
  shape: [2, 2],
  split: { valid: 0.2, test: 0.2, seed: 3 },
  normalize: true,
};

it('400 mutated CSV datasets and data sections: each loads or fails with a clean ConfigError', async () => {
  const rng = new Rng(SEED + 1);
  const base = datasetCsv(rng);
  const root = join(dir, 'data');
  const tally = new Tally();
  for (let i = 0; i < 400; i++) {
    const folder = join(root, `case-${i}`);
    const target = rng.int(3); // 0: the data section, 1: the CSV, 2: both
    const raw = target !== 1 ? mutateData(DATA_CONFIG, rng) : DATA_CONFIG;
    writeCase(folder, { 'data.csv': target !== 0 ? mutateCsv(base, rng) : base });
    const where = join(folder, 'experiment.yaml');
    await tally.run(
      `dataset case ${i} (${['section', 'csv', 'both'][target]})`,
      [folder, 'data'],
      async () => {
        const config = parseDataConfig(raw, where);
        const data = await loadDataset(config, folder);
        expect(data.train.count).toBeGreaterThan(0);
      },
    );
  }
  expect(unknown(tally.problems)).toEqual([]);
  expect(tally.total).toBe(400);
  expect(tally.valid).toBeGreaterThan(40);
  expect(tally.errors.get('E_CONFIG')).toBeGreaterThan(150);
  expect(strayFiles(root, ['data.csv'])).toEqual([]);
  console.log(`datasets: ${tally.valid} valid, errors ${JSON.stringify(Object.fromEntries(tally.errors))}`);
}, 240_000);
