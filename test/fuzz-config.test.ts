import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, expect, it } from 'vitest';
import { buildRunConfig } from '../src/cli/commands/run.js';
import { Rng } from '../src/core/rng.js';
import type { SpaceSpec } from '../src/core/space.js';
import { parseExperimentConfig, type ExperimentConfig } from '../src/runner/config.js';
import { checkChoices, fileOrigins } from '../src/runner/config-file.js';
import { startExperiment } from '../src/runner/experiment.js';
import { createSpace } from '../src/space/registry.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { createStrategy } from '../src/strategy/registry.js';
import {
  Tally,
  changed,
  unknown,
  mutateData,
  mutateYamlText,
  pick,
  snapshot,
  toYaml,
} from './fuzz.testkit.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const dir = mkdtempSync(join(tmpdir(), 'naslab-fuzz-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CASES = 1000;
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_900);

/** Every example config, read as text: the seeds the mutations start from. */
function examples(): { name: string; text: string }[] {
  const files = [
    ...readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(EXAMPLES, f)),
    ...['experiment.yaml', 'experiment-subspace.yaml'].map((f) => join(EXAMPLES, 'user-table', f)),
  ];
  return files.map((f) => ({ name: f.slice(EXAMPLES.length + 1), text: readFileSync(f, 'utf8') }));
}

/**
 * The paths of every `__proto__` key in a value (the mutations add them as own keys, as YAML does). zod
 * drops such a key without a word, so a config holding one must never load as valid.
 */
function protoKeys(value: unknown, at = '', out: string[] = []): string[] {
  if (typeof value !== 'object' || value === null) return out;
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) out.push(`${at}.__proto__`);
  for (const [key, child] of Object.entries(value)) protoKeys(child, `${at}.${key}`, out);
  return out;
}

/**
 * What `naslab run` does with a valid config, short of training: a tabular search runs for real (3
 * trials, in memory); a training config builds its space and strategy, the checks made before a run.
 */
async function tryRun(config: ExperimentConfig): Promise<void> {
  if (config.evaluator.type === 'benchmark') {
    const short = { ...config, budget: { trials: 3 }, concurrency: Math.min(config.concurrency, 2) };
    await startExperiment(short, new MemoryStorage());
    return;
  }
  const spec = config.space;
  if (typeof spec !== 'object' || !('type' in spec)) return; // refused by buildParts: covered elsewhere
  createStrategy(config.strategy.name, config.strategy.options, createSpace(spec as SpaceSpec), config.seed);
}

it(`${CASES} mutated experiment configs: each a valid run or a clean ConfigError naming the file`, async () => {
  // The user-table folder beside the cases, so the examples' relative benchmark paths resolve.
  const work = join(dir, 'user-table');
  cpSync(join(EXAMPLES, 'user-table'), work, { recursive: true });
  // The repository's top level (where a `writeFileSync('pwned')` tag would write) and the examples.
  const watched = () => new Map([...snapshot([ROOT], 0), ...snapshot([EXAMPLES])]);
  const before = watched();
  const bases = examples();
  const rng = new Rng(SEED);
  const loads = new Tally();
  const runs = new Tally();
  let withProto = 0;
  for (let i = 0; i < CASES; i++) {
    const base = pick(rng, bases);
    const file = join(work, `case-${i}.yaml`);
    const structural = rng.float() < 0.6;
    const data = structural ? mutateData(parse(base.text), rng) : undefined;
    const written = data !== undefined ? toYaml(data) : base.text;
    let content: string | Uint8Array = written;
    if (!structural || rng.float() < 0.15)
      content = mutateYamlText(typeof content === 'string' ? content : base.text, rng);
    // Only when the file is the mutated data as written: a text mutation may have cut the key out.
    const proto = data !== undefined && content === written ? protoKeys(data) : [];
    if (proto.length > 0) withProto++;
    writeFileSync(file, content);
    const label = `case ${i} (${base.name}, ${structural ? 'structural' : 'text'})`;
    let config: ExperimentConfig | undefined;
    await loads.run(label, [file], async () => {
      config = buildRunConfig(file, {});
      if (proto.length > 0) {
        config = undefined;
        throw new Error(`loaded although it holds ${proto.join(', ')}`);
      }
    });
    if (config !== undefined) {
      const valid = config;
      await runs.run(`${label}, run`, [], () => tryRun(valid));
    }
  }
  // Parsed data handed straight to the schema (no YAML in between): types YAML cannot write.
  for (let i = 0; i < 200; i++) {
    const raw = mutateData(parse(pick(rng, bases).text), rng);
    const proto = protoKeys(raw);
    if (proto.length > 0) withProto++;
    await loads.run(`object ${i}`, ['object.yaml'], async () => {
      const config = parseExperimentConfig(raw, 'object.yaml');
      if (proto.length === 0) return;
      // Strategy options are kept as given, for the choice check to refuse as unknown options.
      if (proto.some((p) => p !== '.strategy.options.__proto__')) {
        throw new Error(`parsed although it holds ${proto.join(', ')}`);
      }
      checkChoices(config, fileOrigins('object.yaml', raw));
      throw new Error('strategy.options.__proto__ passed the choice check');
    });
  }
  expect(unknown([...loads.problems, ...runs.problems])).toEqual([]);
  expect(loads.total).toBe(CASES + 200);
  expect(withProto).toBeGreaterThan(20); // the __proto__ mutations occur, and each was refused
  // Both outcomes occur: the mutations are neither all harmless nor all fatal.
  expect(loads.valid).toBeGreaterThan(50);
  expect(loads.errors.get('E_CONFIG')).toBeGreaterThan(500);
  expect(runs.valid).toBeGreaterThan(20);
  expect(changed(before, watched())).toEqual([]);
  // Nothing a tag could have made: no file outside the cases.
  expect(
    readdirSync(work)
      .filter((f) => !/^case-\d+\.yaml$/.test(f))
      .sort(),
  ).toEqual(readdirSync(join(EXAMPLES, 'user-table')).sort());
  console.log(
    `known problems: ${loads.problems.length + runs.problems.length}; __proto__ cases: ${withProto}; configs: ${loads.valid} valid, errors ${JSON.stringify(Object.fromEntries(loads.errors))}; ` +
      `runs: ${runs.valid} valid, errors ${JSON.stringify(Object.fromEntries(runs.errors))}`,
  );
}, 480_000);
