import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../../core/validate.js';

/** An environment variable's name as POSIX shells accept it. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `evaluator: { type: command, run: [python3, train.py], ... }`: every trial is one run of an external
 * program, which reads its architecture from a JSON file and prints its metrics as JSON lines
 * (docs/command-evaluator.md has the protocol).
 */
export const commandEvaluatorConfigSchema = z.strictObject({
  type: z.literal('command'),
  /** The program and its arguments, spawned without a shell. */
  run: z.array(z.string().min(1)).min(1),
  /** Seconds a trial may run before its processes are killed and it fails; absent: no limit. */
  timeout: z.number().positive().finite().optional(),
  /** Variables added to the inherited environment (values given as numbers or booleans become text). */
  env: z
    .record(
      z.string().regex(ENV_NAME, 'expected an environment variable name (letters, digits, _)'),
      z.union([z.string(), z.number(), z.boolean()]).transform(String),
    )
    .default({}),
  /** The final metric the strategy optimises, and whether higher is better. */
  signal: z.string().min(1).default('valid_acc'),
  direction: z.enum(['maximize', 'minimize']).default('maximize'),
  /** The steps a full trial reports (the curve pruner's default target, handed to the process). */
  steps: z.number().int().min(1).optional(),
  /** The process's working folder; absent: the trial's own folder. */
  cwd: z.string().min(1).optional(),
  /** Where the trials' folders go (`<workDir>/<trial id>/`). */
  workDir: z.string().min(1).default('naslab-trials'),
  /** Seconds between SIGTERM and SIGKILL when a trial's processes are stopped. */
  killGrace: z.number().min(0).finite().default(5),
});

export type CommandEvaluatorConfig = z.output<typeof commandEvaluatorConfigSchema>;
export type CommandEvaluatorConfigInput = z.input<typeof commandEvaluatorConfigSchema>;

export function parseCommandEvaluatorConfig(raw: unknown, where = 'evaluator'): CommandEvaluatorConfig {
  return parseConfig(commandEvaluatorConfigSchema, raw, where);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes the config's paths absolute, relative to `baseDir` (the config file's folder), so the stored
 * config runs the same from any folder, on resume and on queue workers:
 * - run[0] when it holds a slash (`./train.sh`); a bare name (`python3`) stays a name, looked up on
 *   PATH where the trial runs;
 * - each later argument that is not a flag and names a file or folder existing under `baseDir`
 *   (`train.py`, `data/`); any other argument (`--lr`, `0.1`, a name) stays as written;
 * - cwd and workDir.
 * Idempotent: absolute paths are kept.
 */
export function resolveCommandPaths(config: CommandEvaluatorConfig, baseDir: string): CommandEvaluatorConfig {
  const [program = '', ...args] = config.run;
  const absolute = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const run = [
    program.includes('/') ? absolute(program) : program,
    ...args.map((a) => (isAbsolute(a) || a.startsWith('-') || !exists(join(baseDir, a)) ? a : absolute(a))),
  ];
  return {
    ...config,
    run,
    workDir: absolute(config.workDir),
    ...(config.cwd === undefined ? {} : { cwd: absolute(config.cwd) }),
  };
}

/** The folder of one trial: its architecture file, its logs and whatever the process writes there. */
export function trialDir(config: Pick<CommandEvaluatorConfig, 'workDir'>, trialId: string): string {
  // Store ids are digits; anything else is kept to a safe file name.
  return join(config.workDir, trialId.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/** The names of the files the evaluator writes in a trial's folder. */
export const TRIAL_FILES = {
  arch: 'trial.json',
  stdout: 'stdout.log',
  stderr: 'stderr.log',
} as const;
