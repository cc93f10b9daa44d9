import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import { readDataFile } from '../src/files/data-file.js';
import { readYamlFile } from '../src/files/yaml.js';

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
