import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import type { ArchGraph, ArchNode, SearchSpace, SpaceSpec } from '../core/space.js';
import type { Choice, Decision, Sample } from '../core/types.js';

/** The layer choices, indexed by the benchmark's digit (0, 1, 2). */
export const MACRO_CHOICES = ['identity', 'mb_e3_k3', 'mb_e6_k5'] as const;
export const MACRO_LAYERS = 8;

const BLOCKS: Readonly<Record<string, { expansion: number; kernel: number }>> = {
  mb_e3_k3: { expansion: 3, kernel: 3 },
  mb_e6_k5: { expansion: 6, kernel: 5 },
};

const DIGIT: ReadonlyMap<Choice, string> = new Map(MACRO_CHOICES.map((c, i) => [c, String(i)]));

const DECISIONS: readonly Decision[] = Object.freeze(
  Array.from({ length: MACRO_LAYERS }, (_, i) =>
    Object.freeze({ name: `layer_${i}`, choices: Object.freeze([...MACRO_CHOICES]) }),
  ),
);

const NAMES: readonly string[] = DECISIONS.map((d) => d.name);

function layer(sample: Sample, name: string): Choice {
  const value = sample[name];
  if (value === undefined)
    throw new InvalidArchitectureError(`nasbench-macro: decision "${name}" is missing`);
  return value;
}

/**
 * NAS-Bench-Macro: a chain of 8 layers, each identity or one of two MobileNet blocks (3^8 = 6,561
 * architectures). The key is the benchmark's 8-digit string.
 */
export class NasbenchMacroSpace implements SearchSpace<ArchGraph> {
  readonly name = 'nasbench-macro';

  next(prefix: Sample): Decision | null {
    for (const d of DECISIONS) if (prefix[d.name] === undefined) return d;
    return null;
  }

  key(sample: Sample): string {
    let out = '';
    for (const name of NAMES) {
      const digit = DIGIT.get(layer(sample, name));
      if (digit === undefined) {
        throw new InvalidArchitectureError(
          `nasbench-macro: decision "${name}" has ${JSON.stringify(sample[name])}, expected one of ${MACRO_CHOICES.join(', ')}`,
        );
      }
      out += digit;
    }
    return out;
  }

  decode(sample: Sample): ArchGraph {
    const nodes: ArchNode[] = [{ id: 'input', op: 'input', inputs: [] }];
    let previous = 'input';
    for (const name of NAMES) {
      const op = String(layer(sample, name));
      const block = BLOCKS[op];
      nodes.push(
        block === undefined
          ? { id: name, op, inputs: [previous] }
          : { id: name, op, inputs: [previous], attrs: { expansion: block.expansion, kernel: block.kernel } },
      );
      previous = name;
    }
    return { kind: 'chain', nodes };
  }

  toJSON(): SpaceSpec {
    return { type: 'nasbench-macro' };
  }
}

/** Parses the benchmark's 8-digit string (the inverse of NasbenchMacroSpace.key). */
export function macroSampleFromKey(digits: string): Sample {
  if (!/^[012]{8}$/.test(digits)) {
    throw new ConfigError(
      `not a NAS-Bench-Macro architecture: ${JSON.stringify(digits)}; expected 8 digits, each 0 (identity), ` +
        `1 (mb_e3_k3) or 2 (mb_e6_k5), e.g. "01201210"`,
    );
  }
  const sample: Record<string, Choice> = {};
  for (let i = 0; i < MACRO_LAYERS; i++) sample[`layer_${i}`] = MACRO_CHOICES[Number(digits[i])] as string;
  return sample;
}
