import { z } from 'zod';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import type { ArchGraph, ArchNode, SearchSpace, SpaceSpec } from '../core/space.js';
import type { Choice, Decision, Json, Sample } from '../core/types.js';
import { parseConfig } from '../core/validate.js';
import {
  compileDeclared,
  formatIssues,
  isRepeat,
  type CompiledDecision,
  type CompiledItem,
  type DeclaredItem,
  type Ref,
} from './declared-compile.js';
import { declaredDecisionsSchema } from './declared-schema.js';

export { declaredDecisionsSchema } from './declared-schema.js';
export type { DeclaredDecision, DeclaredItem, DeclaredRepeat } from './declared-compile.js';

/** Called for each decision a sample takes, in order; return true to stop the walk. */
type Visit = (decision: Decision, value: Choice | undefined) => boolean;

function itemsToJson(items: readonly DeclaredItem[]): Json {
  return items.map((item): Json => {
    if (isRepeat(item)) return { repeat: item.repeat, decisions: itemsToJson(item.decisions) };
    if (item.when === undefined) return { name: item.name, choices: [...item.choices] };
    const when: Record<string, Json> = {};
    for (const [ref, values] of Object.entries(item.when)) when[ref] = [...values];
    return { name: item.name, choices: [...item.choices], when };
  });
}

/**
 * A space declared in a config: named decisions, some conditional on earlier ones (`when`), some
 * repeated a number of times chosen by an earlier decision (`repeat`). Repeated decisions are named
 * with the iteration index (op_0, op_1, ...). The key lists `name=value` in decision order.
 */
export class DeclaredSpace implements SearchSpace<ArchGraph> {
  readonly name: string;
  private readonly decisions: readonly DeclaredItem[];
  private readonly program: readonly CompiledItem[];

  constructor(name: string, decisions: readonly DeclaredItem[]) {
    const { program, issues } = compileDeclared(decisions);
    if (issues.length > 0)
      throw new ConfigError(`space "${name}": invalid decisions\n  ${formatIssues(issues)}`);
    this.name = name;
    this.decisions = decisions;
    this.program = program;
  }

  next(prefix: Sample): Decision | null {
    let found: Decision | null = null;
    this.walk(prefix, (decision, value) => {
      if (value !== undefined) return false;
      found = decision;
      return true;
    });
    return found;
  }

  key(sample: Sample): string {
    let out = '';
    this.walk(sample, (decision, value) => {
      if (value === undefined) {
        throw new InvalidArchitectureError(`space "${this.name}": decision "${decision.name}" is missing`);
      }
      out += out === '' ? `${decision.name}=${value}` : `,${decision.name}=${value}`;
      return false;
    });
    return out;
  }

  /** One node per decision taken, each feeding the next. */
  decode(sample: Sample): ArchGraph {
    const nodes: ArchNode[] = [];
    this.walk(sample, (decision, value) => {
      if (value === undefined) {
        throw new InvalidArchitectureError(`space "${this.name}": decision "${decision.name}" is missing`);
      }
      const previous = nodes[nodes.length - 1];
      nodes.push({
        id: decision.name,
        op: String(value),
        inputs: previous ? [previous.id] : [],
        attrs: { value },
      });
      return false;
    });
    return { kind: 'decisions', nodes };
  }

  toJSON(): SpaceSpec {
    return { type: 'declared', name: this.name, decisions: itemsToJson(this.decisions) };
  }

  /** Follows the decisions `sample` takes; suffixes[k] is the name suffix of the k outermost repeats. */
  private walk(sample: Sample, visit: Visit): void {
    runItems(this.program, [''], sample, visit);
  }
}

function nameOf(ref: Ref, suffixes: readonly string[]): string {
  return ref.base + (suffixes[ref.depth] as string);
}

function instance(decision: CompiledDecision, suffix: string): Decision {
  let made = decision.instances.get(suffix);
  if (made === undefined) {
    made = Object.freeze({ name: decision.base + suffix, choices: decision.choices });
    decision.instances.set(suffix, made);
  }
  return made;
}

function isAsked(decision: CompiledDecision, suffixes: readonly string[], sample: Sample): boolean {
  for (const condition of decision.conditions) {
    const value = sample[nameOf(condition.ref, suffixes)];
    // A decision that was not asked (or not yet taken) matches nothing.
    if (value === undefined || !condition.allowed.has(value)) return false;
  }
  return true;
}

function repeatCount(count: number | Ref, suffixes: readonly string[], sample: Sample): number {
  if (typeof count === 'number') return count;
  const value = sample[nameOf(count, suffixes)];
  return typeof value === 'number' ? value : 0;
}

function runItems(items: readonly CompiledItem[], suffixes: string[], sample: Sample, visit: Visit): boolean {
  for (const item of items) {
    if (item.kind === 'decision') {
      if (!isAsked(item, suffixes, sample)) continue;
      const decision = instance(item, suffixes[item.depth] as string);
      if (visit(decision, sample[decision.name])) return true;
      continue;
    }
    const n = repeatCount(item.count, suffixes, sample);
    const outer = suffixes[suffixes.length - 1] as string;
    for (let i = 0; i < n; i++) {
      suffixes.push(`${outer}_${i}`);
      const stop = runItems(item.body, suffixes, sample, visit);
      suffixes.pop();
      if (stop) return true;
    }
  }
  return false;
}

const wrapper = z.object({ decisions: declaredDecisionsSchema });

/**
 * Validates a raw `decisions:` list (from YAML/JSON) and builds the space; a ConfigError names the
 * field, e.g. "my.yaml: decisions[1].decisions[1].when.op: ...".
 */
export function declaredSpaceFromConfig(name: string, rawDecisions: unknown, where: string): DeclaredSpace {
  const parsed = parseConfig(wrapper, { decisions: rawDecisions }, where);
  return new DeclaredSpace(name, parsed.decisions);
}
