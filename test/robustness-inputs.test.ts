import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRunConfig, type RunFlags } from '../src/cli/commands/run.js';
import { ConfigError } from '../src/core/errors.js';
import { loadBenchmark } from '../src/evaluate/tabular/index.js';
import { maybeGunzip, readDataFile } from '../src/files/data-file.js';
import { MAX_CONFIG_BYTES, readRegularFileSync } from '../src/files/regular-file.js';
import { readYamlFile } from '../src/files/yaml.js';
import { parseExperimentConfig } from '../src/runner/config.js';
import { declaredSpaceFromConfig } from '../src/space/declared.js';
import { Nb201Space } from '../src/space/nb201.js';
import { createStrategy } from '../src/strategy/registry.js';

// The inputs the fuzz tests first found crashing (each was a plain Error or a hang before the fix).
const dir = mkdtempSync(join(tmpdir(), 'naslab-robust-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yamlError(name: string, text: string): ConfigError {
  const file = join(dir, name);
  writeFileSync(file, text);
  try {
    readYamlFile(file, 'experiment config');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toContain(file);
    return e as ConfigError;
  }
  throw new Error(`${name} should have been refused`);
}

describe('hostile YAML is refused with a ConfigError', () => {
  it('an alias bomb ("billion laughs")', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
      .concat(
        ['b', 'c', 'd', 'e', 'f'].map(
          (k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`,
        ),
      )
      .join('\n');
    expect(yamlError('bomb.yaml', bomb).message).toMatch(/not valid YAML: Excessive alias count/);
  });

  it('an alias with no anchor', () => {
    expect(yamlError('ghost.yaml', 'a: *nowhere\n').message).toMatch(/not valid YAML: Unresolved alias/);
  });

  it('a structure that contains itself, and absurd nesting', () => {
    expect(yamlError('cycle.yaml', 'strategy:\n  options: &o { again: *o }\n').message).toMatch(
      /strategy\.options\.again: refers to itself/,
    );
    expect(yamlError('deep.yaml', `a: ${'['.repeat(100)}${']'.repeat(100)}\n`).message).toMatch(
      /nested more than 64 levels/,
    );
  });

  it('tags that would build code or objects', () => {
    for (const tag of ['!!js/function "function () {}"', '!!python/object/apply:os.system ["ls"]']) {
      expect(yamlError('tag.yaml', `a: ${tag}\n`).message).toMatch(
        /unsupported tag: configs hold plain data/,
      );
    }
  });
});

it('a device is not read as a data file (it would be read forever)', async () => {
  await expect(readDataFile('/dev/zero', 'table')).rejects.toThrow(/\/dev\/zero: not a regular file/);
});

describe('size limits', () => {
  it('a config over the size limit is refused before it is parsed', () => {
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, `# ${'x'.repeat(MAX_CONFIG_BYTES - 3)}\n`);
    expect(readYamlFile(file, 'experiment config')).toBeNull(); // exactly the limit: read
    writeFileSync(file, `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect(() => readYamlFile(file, 'experiment config')).toThrow(
      `experiment config ${file}: too large (1,048,579 bytes; the limit is 1 MiB): is it the right file?`,
    );
  });

  it('a gzip "bomb" stops at the limit with a message, not when memory runs out', async () => {
    const bomb = gzipSync(Buffer.alloc(3 * 1024 * 1024));
    await expect(maybeGunzip(bomb, 'bomb.csv.gz', 1024 * 1024)).rejects.toThrow(
      'bomb.csv.gz: the gzip data unpacks to more than 1 MiB',
    );
  });

  it.skipIf(!existsSync('/proc/self/status'))(
    'a regular file that reports size 0 is read to its end (/proc)',
    () => {
      expect(readRegularFileSync('/proc/self/status', 'status').toString()).toMatch(/^Name:/);
    },
  );
});

/** The ConfigError `body` throws (the test fails if it throws nothing or something else). */
function configError(body: () => unknown): string {
  try {
    body();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

function runConfigError(file: string | undefined, flags: RunFlags = {}): string {
  return configError(() => buildRunConfig(file, flags));
}

function yamlFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('prototype keys ("__proto__", "constructor") are refused wherever user keys become object keys', () => {
  const EVOLUTION = '(known options: population, sample)';

  it.each([['__proto__'], ['constructor'], ['toString'], ['hasOwnProperty']])(
    '--opt %s=1 is an unknown option, named with the valid ones',
    (key) => {
      expect(runConfigError(undefined, { opt: [`${key}=1`] })).toBe(
        `--opt ${key}: unknown option "${key}" of strategy "evolution" ${EVOLUTION}`,
      );
    },
  );

  it('--opt __proto__=1 with a strategy that takes no options', () => {
    expect(runConfigError(undefined, { strategy: 'random', opt: ['__proto__=1'] })).toBe(
      '--opt __proto__: unknown option "__proto__" of strategy "random" (it takes no options)',
    );
  });

  it('a valid --opt still passes, and screen=K wraps any strategy', () => {
    expect(buildRunConfig(undefined, { opt: ['population=20', 'screen=5'] }).strategy).toEqual({
      name: 'evolution',
      options: { population: 20, screen: 5 },
    });
  });

  it.each([
    ['strategy.options', 'strategy: { name: evolution, options: { __proto__: 1 } }\n'],
    ['(top level)', '__proto__: { polluted: 1 }\n'],
    ['evaluator', 'evaluator: { type: benchmark, __proto__: { benchmark: nb202 } }\n'],
    ['space', 'space: { type: chain, input: [1, 8, 8], classes: 2, __proto__: { maxLayers: 1 } }\n'],
    ['space.decisions[0]', 'space: { decisions: [{ name: a, choices: [1], __proto__: 1 }] }\n'],
  ])('a YAML "__proto__" key in %s is refused, naming the file and the field', (at, text) => {
    const file = yamlFile('proto.yaml', text);
    const field = at === '(top level)' ? '__proto__' : `${at}.__proto__`;
    expect(runConfigError(file)).toBe(
      `${file}: ${field}: "__proto__" cannot be a key (JavaScript reserves it); remove it`,
    );
  });

  it('a "__proto__" key in a config built in code (JSON) is refused; in options, by the strategy', () => {
    for (const json of [
      '{"space": {"type": "chain", "input": [1, 8, 8], "classes": 2, "__proto__": {"maxLayers": 1}}}',
      '{"evaluator": {"type": "benchmark", "__proto__": {"dataset": "x"}}}',
      '{"budget": {"trials": 3, "__proto__": {}}}',
    ]) {
      expect(configError(() => parseExperimentConfig(JSON.parse(json), 'object.json'))).toMatch(
        /^object\.json: invalid configuration\n {2}\S+\.__proto__: "__proto__" cannot be a key/,
      );
    }
    const config = parseExperimentConfig(
      JSON.parse('{"strategy": {"name": "evolution", "options": {"__proto__": 1}}}'),
      'object.json',
    );
    expect(Object.keys(config.strategy.options)).toEqual(['__proto__']);
    expect(configError(() => createStrategy('evolution', config.strategy.options, new Nb201Space(), 0))).toBe(
      `strategy "evolution" options: unknown option "__proto__" ${EVOLUTION}`,
    );
  });

  it('declared spaces: a "__proto__" field or condition, and decision names every object has', () => {
    const refused = (decisions: string): string =>
      configError(() => declaredSpaceFromConfig('s', JSON.parse(decisions), 'space.json'));
    expect(refused('[{"name": "a", "choices": [1, 2], "__proto__": {"when": {}}}]')).toMatch(
      /decisions\[0\]\.__proto__: "__proto__" cannot be a field/,
    );
    expect(
      refused(
        '[{"name": "a", "choices": [1, 2]}, {"name": "b", "choices": [1], "when": {"__proto__": [1]}}]',
      ),
    ).toMatch(/decisions\[1\]\.when\.__proto__: "__proto__" cannot be a decision name/);
    for (const name of ['__proto__', 'constructor', 'toString', 'valueOf']) {
      expect(refused(JSON.stringify([{ name, choices: [1, 2] }]))).toContain(
        `decisions[0].name: "${name}" cannot be a decision name (every JavaScript object has it)`,
      );
    }
  });

  it('a user table whose signal or report column is "__proto__" (a metric name) is refused', async () => {
    writeFileSync(join(dir, 'proto.csv'), 'e0,__proto__,acc\na,1,2\nb,3,4\n');
    for (const [field, fields] of [
      ['signal', 'signal: __proto__\n'],
      ['report[0]', 'signal: acc\nreport: [__proto__]\n'],
    ] as const) {
      const file = yamlFile(
        'proto-table.yaml',
        `table: ./proto.csv\ndecisions: [{ name: e0, choices: [a, b] }]\n${fields}`,
      );
      await expect(loadBenchmark(file)).rejects.toThrow(
        `${file}: ${field}: "__proto__" cannot name a metric (JavaScript reserves it); rename the column`,
      );
    }
  });
});

describe('an unknown strategy, option, benchmark or dataset names the file and field, or the flag', () => {
  const TABLE = join(dir, 'toy.yaml');
  writeFileSync(join(dir, 'toy.csv'), 'e0,acc\na,1\nb,2\n');
  writeFileSync(TABLE, 'table: ./toy.csv\ndecisions: [{ name: e0, choices: [a, b] }]\nsignal: acc\n');
  const cases: [string, string | undefined, RunFlags, (file: string) => string][] = [
    [
      'strategy (short form)',
      'strategy: foo\n',
      {},
      (f) => `${f}: strategy: unknown strategy "foo"; choose one of random, grid, evolution,`,
    ],
    [
      'strategy.name',
      'strategy: { name: annealing }\n',
      {},
      (f) => `${f}: strategy.name: unknown strategy "annealing"; choose one of `,
    ],
    ['--strategy', 'seed: 1\n', { strategy: 'annealing' }, () => '--strategy: unknown strategy "annealing"'],
    [
      'strategy.options',
      'strategy: { name: evolution, options: { populaton: 3 } }\n',
      {},
      (f) =>
        `${f}: strategy.options.populaton: unknown option "populaton" of strategy "evolution" (known options: population, sample); did you mean "population"?`,
    ],
    [
      "the file's options under --strategy",
      'strategy: { name: evolution, options: { population: 3 } }\n',
      { strategy: 'random' },
      (f) =>
        `${f}: strategy.options.population: unknown option "population" of strategy "random" (it takes no options)`,
    ],
    [
      '--opt',
      'strategy: random\n',
      { opt: ['limit=3'] },
      () => '--opt limit: unknown option "limit" of strategy "random"',
    ],
    [
      'evaluator.benchmark',
      'evaluator: { type: benchmark, benchmark: nb202 }\n',
      {},
      (f) =>
        `${f}: evaluator.benchmark: unknown benchmark "nb202": expected nb201, nasbench-macro or the path of a user table .yaml file; did you mean "nb201"?`,
    ],
    ['--benchmark', undefined, { benchmark: 'nb202' }, () => '--benchmark: unknown benchmark "nb202"'],
    [
      'evaluator.benchmark (a missing table)',
      'evaluator: { type: benchmark, benchmark: ./missing.yaml }\n',
      {},
      (f) =>
        `${f}: evaluator.benchmark: cannot read benchmark table config ${join(dir, 'missing.yaml')}: no such file`,
    ],
    [
      'evaluator.dataset',
      'evaluator: { type: benchmark, dataset: mnist }\n',
      {},
      (f) =>
        `${f}: evaluator.dataset: benchmark nb201 has no dataset "mnist"; valid datasets: cifar10, cifar100, imagenet16`,
    ],
    [
      '--dataset',
      'seed: 1\n',
      { dataset: 'mnist' },
      () => '--dataset: benchmark nb201 has no dataset "mnist"',
    ],
    [
      'evaluator.dataset of a user table',
      'evaluator: { type: benchmark, benchmark: ./toy.yaml, dataset: cifar10 }\n',
      {},
      (f) =>
        `${f}: evaluator.dataset: benchmark ${TABLE} has one dataset, "toy" (its table); got dataset "cifar10": leave it out`,
    ],
  ];
  it.each(cases)('%s', (_what, text, flags, expected) => {
    const file = text === undefined ? undefined : yamlFile('choice.yaml', text);
    expect(runConfigError(file, flags)).toContain(expected(file ?? ''));
  });

  it('valid choices pass: a user table with its own dataset, a built-in one with another', () => {
    const file = yamlFile('ok.yaml', 'evaluator: { type: benchmark, benchmark: ./toy.yaml, dataset: toy }\n');
    expect(buildRunConfig(file, {}).evaluator).toMatchObject({ benchmark: TABLE, dataset: 'toy' });
    expect(buildRunConfig(undefined, { dataset: 'cifar100' }).evaluator).toMatchObject({
      dataset: 'cifar100',
    });
  });
});
