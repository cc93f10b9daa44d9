import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { SearchSpace } from '../core/space.js';
import type { Choice, Decision, Sample } from '../core/types.js';

type AnySpace = SearchSpace<unknown>;

/** Walks the decision process, letting `choose` pick each step. */
export function walk(space: AnySpace, choose: (d: Decision, prefix: Sample) => Choice): Sample {
  const sample: Record<string, Choice> = {};
  for (let d = space.next(sample); d !== null; d = space.next(sample)) {
    if (d.name in sample) throw new Error(`space ${space.name} asked decision "${d.name}" twice`);
    sample[d.name] = choose(d, sample);
  }
  return sample;
}

/** A uniformly random choice at every step. */
export function randomSample(space: AnySpace, rng: Rng): Sample {
  return walk(space, (d) => rng.pick(d.choices));
}

/** The decisions a complete sample went through, in order. */
export function decisionsOf(space: AnySpace, sample: Sample): Decision[] {
  const out: Decision[] = [];
  walk(space, (d) => {
    out.push(d);
    return sample[d.name] as Choice;
  });
  return out;
}

/**
 * Checks that `sample` is exactly one complete path through the space: every decision asked is
 * present with an allowed choice, and nothing else is. Throws InvalidArchitectureError naming the field.
 */
export function validateSample(space: AnySpace, sample: Sample): void {
  const seen = new Set<string>();
  walk(space, (d) => {
    const value = sample[d.name];
    if (value === undefined) {
      throw new InvalidArchitectureError(
        `decision "${d.name}" is missing (choices: ${d.choices.join(', ')})`,
      );
    }
    if (!d.choices.includes(value)) {
      throw new InvalidArchitectureError(
        `decision "${d.name}" has ${JSON.stringify(value)}, expected one of: ${d.choices.join(', ')}`,
      );
    }
    seen.add(d.name);
    return value;
  });
  for (const name of Object.keys(sample)) {
    if (!seen.has(name))
      throw new InvalidArchitectureError(`decision "${name}" is not part of this architecture`);
  }
}

/**
 * Changes one decision to a different choice (uniformly among decisions that have more than one choice),
 * keeps every other choice that is still asked, and fills newly asked conditional decisions at random.
 * Returns the parent unchanged only when no decision can change.
 */
export function mutate(space: AnySpace, parent: Sample, rng: Rng): Sample {
  const mutable = decisionsOf(space, parent).filter((d) => d.choices.length > 1);
  if (mutable.length === 0) return parent;
  const target = rng.pick(mutable);
  const current = parent[target.name];
  const others = target.choices.filter((c) => c !== current);
  const replacement = rng.pick(others);
  return walk(space, (d) => {
    if (d.name === target.name) return replacement;
    const kept = parent[d.name];
    return kept !== undefined && d.choices.includes(kept) ? kept : rng.pick(d.choices);
  });
}

/**
 * Every complete sample, depth first in choice order. Throws ConfigError once more than `limit` would be
 * produced, so a huge space fails fast instead of exhausting memory.
 */
export function enumerate(space: AnySpace, limit: number): Sample[] {
  const out: Sample[] = [];
  const visit = (prefix: Record<string, Choice>): void => {
    const d = space.next(prefix);
    if (d === null) {
      if (out.length >= limit) {
        throw new ConfigError(
          `space "${space.name}" has more than ${limit} architectures; raise the limit or use another strategy`,
        );
      }
      out.push({ ...prefix });
      return;
    }
    for (const c of d.choices) {
      prefix[d.name] = c;
      visit(prefix);
      delete prefix[d.name];
    }
  };
  visit({});
  return out;
}

/** Number of complete samples, counting up to `limit` (returns limit + 1 when larger). */
export function countArchitectures(space: AnySpace, limit = Number.MAX_SAFE_INTEGER): number {
  let n = 0;
  const visit = (prefix: Record<string, Choice>): boolean => {
    const d = space.next(prefix);
    if (d === null) return ++n <= limit;
    for (const c of d.choices) {
      prefix[d.name] = c;
      const go = visit(prefix);
      delete prefix[d.name];
      if (!go) return false;
    }
    return true;
  };
  visit({});
  return n;
}
