import { ConfigError } from '../core/errors.js';
import type { ArchGraph, SearchSpace, SpaceSpec } from '../core/space.js';
import { declaredSpaceFromConfig } from './declared.js';
import { NasbenchMacroSpace } from './nasbench-macro.js';
import { Nb201Space } from './nb201.js';

const BUILDERS: Readonly<Record<string, (spec: SpaceSpec) => SearchSpace<ArchGraph>>> = {
  nb201: () => new Nb201Space(),
  'nasbench-macro': () => new NasbenchMacroSpace(),
  declared: (spec) => {
    const name = typeof spec['name'] === 'string' && spec['name'] !== '' ? spec['name'] : 'declared';
    return declaredSpaceFromConfig(name, spec['decisions'], `space "${name}"`);
  },
};

export const SPACE_TYPES: readonly string[] = Object.keys(BUILDERS);

/** Rebuilds a space from its toJSON() (resume, the dashboard). */
export function createSpace(spec: SpaceSpec): SearchSpace<ArchGraph> {
  const build = Object.hasOwn(BUILDERS, spec.type) ? BUILDERS[spec.type] : undefined;
  if (build === undefined) {
    throw new ConfigError(
      `unknown space type ${JSON.stringify(spec.type)}; known types: ${SPACE_TYPES.join(', ')}`,
    );
  }
  return build(spec);
}
