import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { SearchSpace, SpaceSpec } from '../../core/space.js';
import { quoted } from '../../core/validate.js';
import { declaredSpaceFromConfig } from '../../space/declared.js';
import { createSpace } from '../../space/registry.js';
import { defineEvaluator } from '../define.js';
import { commandEvaluatorConfigSchema, resolveCommandPaths, type CommandEvaluatorConfig } from './config.js';
import { CommandEvaluator } from './evaluator.js';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Checks the program of `run` can be started here: a path must be an executable file, a bare name
 * must be one on PATH (the PATH the trials get: the config's env may set one). Without this every
 * trial would fail alike; here the config is refused before anything is stored.
 */
export function checkProgram(config: CommandEvaluatorConfig): void {
  const program = config.run[0] ?? '';
  if (program.includes('/')) {
    if (!isExecutableFile(program)) {
      throw new ConfigError(`evaluator.run[0]: ${quoted(program, 200)} is not an executable file`);
    }
    return;
  }
  const path = config.env['PATH'] ?? process.env['PATH'] ?? '';
  const found = path
    .split(delimiter)
    .filter((d) => d !== '')
    .some((d) => isExecutableFile(join(d, program)));
  if (!found) {
    throw new ConfigError(
      `evaluator.run[0]: ${quoted(program)} is not an executable on PATH; install it, or give its path`,
    );
  }
}

/**
 * The space a command evaluator searches: any space. A name (`nb201`), declared decisions
 * (`{ decisions: [...] }`) or a space spec (`{ type: chain, ... }`).
 */
export function commandSpace(spec: unknown): SearchSpace<unknown> {
  if (typeof spec === 'string') return createSpace({ type: spec });
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) {
    if ('type' in spec) return createSpace(spec as SpaceSpec);
    if ('decisions' in spec) {
      const { name, decisions } = spec as { readonly name?: unknown; readonly decisions: unknown };
      return declaredSpaceFromConfig(typeof name === 'string' ? name : 'declared', decisions, 'space');
    }
  }
  throw new ConfigError(
    'space: evaluator type command needs a space: a name (nb201), declared decisions ' +
      '(space: { decisions: [...] }) or a space spec (space: { type: chain, ... })',
  );
}

/** `evaluator: { type: command, run: [python3, train.py] }`: each trial one run of an external program. */
export const commandEvaluatorEntry = defineEvaluator({
  type: 'command',
  schema: commandEvaluatorConfigSchema,
  trains: false,
  untrained: {
    what: 'an external program',
    why: 'its trials ran in the program of evaluator.run, which keeps any weights itself',
  },
  resolvePaths: resolveCommandPaths,
  describe: (config) => {
    const script = config.run.find((a, i) => i > 0 && !a.startsWith('-')) ?? config.run[0] ?? '';
    const stem = script.replace(/^.*[\\/]/, '').replace(/\.[A-Za-z0-9]+$/, '');
    return { label: `command:${stem}`, name: stem === '' ? 'command' : stem };
  },
  build: async (raw, { space: spec, baseDir }) => {
    const config = resolveCommandPaths(raw, baseDir);
    checkProgram(config);
    return { space: commandSpace(spec), evaluator: new CommandEvaluator(config), config };
  },
});
