import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { Evaluator } from '../core/evaluator.js';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import type { LoadedData } from '../data/config.js';
import { createSpace } from '../space/registry.js';
import { checkSpaceFitsData } from './train/fit.js';

/** A training evaluator's config with its `data.path` made absolute against `baseDir`. */
export function resolveDataPath<C extends { readonly data: { readonly path?: string } }>(
  config: C,
  baseDir: string,
): C {
  const path = config.data.path;
  if (path === undefined || isAbsolute(path)) return config;
  return { ...config, data: { ...config.data, path: resolve(baseDir, path) } };
}

/** The space a training evaluator searches: `space: { type: chain, input: [...], classes: N }`. */
export function networkSpace(spec: unknown): SearchSpace<unknown> {
  if (typeof spec !== 'object' || spec === null || !('type' in spec)) {
    throw new ConfigError(
      'space: training needs a space that builds networks, e.g. space: { type: chain, input: [1, 28, 28], classes: 10 }',
    );
  }
  return createSpace(spec as SpaceSpec);
}

/**
 * Hands back a training evaluator once its space is known to build networks that take its data's
 * samples and predict its classes; otherwise closes it and throws the ConfigError naming the field.
 */
export async function fittedEvaluator<E extends Evaluator<unknown> & { readonly data: LoadedData }>(
  space: SearchSpace<unknown>,
  evaluator: E,
): Promise<E> {
  try {
    checkSpaceFitsData(space, evaluator.data);
  } catch (e) {
    await evaluator.close?.();
    throw e;
  }
  return evaluator;
}
