import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { loadConfigFile } from './config-file.js';
import { parseExperimentConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('experiment config', () => {
  it('fills defaults: nb201, evolution, 12000 simulated seconds, seed 0, reuse duplicates', () => {
    const c = parseExperimentConfig({}, 'x');
    expect(c).toEqual({
      seed: 0,
      evaluator: { type: 'benchmark', benchmark: 'nb201' },
      strategy: { name: 'evolution', options: {} },
      budget: { simulatedSeconds: 12000 },
      concurrency: 1,
      duplicates: 'reuse',
    });
  });

  it('accepts the strategy shorthand and the long form', () => {
    expect(parseExperimentConfig({ strategy: 'random' }, 'x').strategy).toEqual({
      name: 'random',
      options: {},
    });
    expect(
      parseExperimentConfig({ strategy: { name: 'evolution', options: { population: 20 } } }, 'x').strategy,
    ).toEqual({ name: 'evolution', options: { population: 20 } });
  });

  it('resolves a user table path against the config file folder', () => {
    const path = file('rel.yaml', 'evaluator: { type: benchmark, benchmark: ./tables/t.yaml }\n');
    expect(loadConfigFile(path).evaluator).toMatchObject({ benchmark: join(dir, 'tables/t.yaml') });
    const builtin = file('builtin.yaml', 'evaluator: { type: benchmark, benchmark: nasbench-macro }\n');
    expect(loadConfigFile(builtin).evaluator).toMatchObject({ benchmark: 'nasbench-macro' });
  });

  const malformed: [string, string, string[]][] = [
    ['unknown top-level key (typo)', 'strategyy: random\n', ['Unrecognized key', 'strategyy']],
    ['seed of the wrong type', 'seed: abc\n', ['seed', 'expected number, received string']],
    ['negative seed', 'seed: -1\n', ['seed', '>=0']],
    [
      'budget with nothing set',
      'budget: {}\n',
      ['budget', 'set at least one of trials, simulatedSeconds, wallSeconds'],
    ],
    ['budget trials not an integer', 'budget: { trials: 2.5 }\n', ['budget.trials', 'expected int']],
    ['budget with an unknown key', 'budget: { seconds: 10 }\n', ['budget', 'Unrecognized key', 'seconds']],
    ['zero concurrency', 'concurrency: 0\n', ['concurrency', '>=1']],
    [
      'bad duplicates policy',
      'duplicates: ignore\n',
      ['duplicates', '"reuse"|"evaluate"', 'found string "ignore"'],
    ],
    ['unknown evaluator type', 'evaluator: { type: magic }\n', ['evaluator.type', "Expected 'benchmark'"]],
    ['strategy without a name', 'strategy: { options: {} }\n', ['strategy']],
    ['strategy options not a mapping', 'strategy: { name: random, options: [1, 2] }\n', ['strategy']],
    ['not a mapping at all', '- a\n- b\n', ['expected a mapping of settings']],
    ['invalid YAML', 'strategy: [random\n', ['not valid YAML', 'line']],
  ];
  for (const [what, text, parts] of malformed) {
    it(`rejects ${what} with a message naming the field`, () => {
      const path = file(`${what.replace(/\W+/g, '_')}.yaml`, text);
      const message = messageOf(() => loadConfigFile(path));
      expect(message).toContain(path);
      for (const part of parts) expect(message).toContain(part);
      expect(message).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it('names a missing file', () => {
    expect(messageOf(() => loadConfigFile(join(dir, 'nope.yaml')))).toContain('no such file');
  });

  it('refuses custom YAML tags: configs are plain data, never code', () => {
    const path = file('tag.yaml', 'name: !!js/function "function () { return 1 }"\n');
    expect(messageOf(() => loadConfigFile(path))).toContain('unsupported tag: configs hold plain data only');
  });
});
