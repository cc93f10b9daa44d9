import { z } from 'zod';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import type { Choice, Decision, Json, Sample } from '../core/types.js';
import { parseConfig } from '../core/validate.js';
import { Graph } from '../graph/graph.js';
import { initParameters } from '../graph/init.js';
import { applyMorph, type MorphSpec, type Net } from '../graph/morph/index.js';
import {
  MORPH_CHOICE_DEFAULTS,
  morphOptions,
  type MorphChoiceRules,
  type MorphOption,
} from './morph-options.js';

export {
  MORPH_CHOICE_DEFAULTS,
  morphOptions,
  type MorphChoiceRules,
  type MorphOption,
} from './morph-options.js';

/** The choice that ends a sample's list of transformations. */
export const END = 'end';

const optionsSchema = z.strictObject({
  type: z.literal('morph'),
  name: z.string().min(1).optional(),
  /** The space the start network comes from (chain, macro, cell, nb201-net). */
  base: z.looseObject({ type: z.string() }),
  /** The start network: a key of the base space (its sampleFromKey) or a complete sample of it. */
  start: z.union([z.string().min(1), z.record(z.string(), z.union([z.string(), z.number()]))]),
  maxSteps: z.number().int().min(1).max(1000).default(32),
  widths: z
    .array(z.number().int().min(1))
    .min(1)
    .refine((w) => w.every((x, i) => i === 0 || x > w[i - 1]!), { message: 'widths must be increasing' })
    .default([...MORPH_CHOICE_DEFAULTS.widths]),
  kernels: z
    .array(
      z
        .number()
        .int()
        .min(1)
        .refine((k) => k % 2 === 1, { message: 'kernels must be odd' }),
    )
    .min(1)
    .default([...MORPH_CHOICE_DEFAULTS.kernels]),
  merges: z.array(z.enum(['add', 'concat'])).default([...MORPH_CHOICE_DEFAULTS.merges]),
});

export type MorphSpaceOptions = z.output<typeof optionsSchema>;

/** How many structural networks (prefixes of recent walks) are kept; a walk re-reads its prefixes. */
const CACHE = 32;

/**
 * Networks grown from a start network by function-preserving transformations (graph/morph): decision
 * `m<i>` is the i-th transformation, one of the choices `morphOptions` lists for the network after the
 * first i (`widen:<layer>`, `deepen:<node>:k<kernel>`, `deepen:<node>`, `split:<layer>:<merge>`), or `end`.
 * A sample is the whole list from the start network, so it decodes on its own (export, resume) and its
 * key is the start network's key plus the list. Samples are not a fixed-length vector: the eas strategy
 * builds them, and any strategy can walk them (random search over transformation sequences).
 */
export class MorphSpace implements SearchSpace<Graph> {
  readonly name: string;
  readonly options: MorphSpaceOptions;
  readonly rules: MorphChoiceRules;
  readonly base: SearchSpace<unknown>;
  readonly startSample: Sample;
  private readonly startKey: string;
  private readonly start: Net;
  private readonly cache = new Map<string, { net: Net; options: MorphOption[] }>();

  constructor(spec: unknown, createSpace: (spec: SpaceSpec) => SearchSpace<unknown>) {
    const o = parseConfig(optionsSchema, spec, 'space (type morph)');
    this.options = o;
    this.name = o.name ?? 'morph';
    this.rules = { widths: o.widths, kernels: o.kernels, merges: o.merges };
    this.base = createSpace(o.base as SpaceSpec);
    let graph: unknown;
    try {
      this.startSample = typeof o.start === 'string' ? this.fromKey(o.start) : o.start;
      this.startKey = this.base.key(this.startSample);
      graph = this.base.decode(this.startSample);
    } catch (e) {
      if (e instanceof ConfigError && e.message.startsWith('space (type morph)')) throw e;
      throw new ConfigError(
        `space (type morph).start: not a network of base space "${this.base.name}": ${(e as Error).message}`,
        { cause: e },
      );
    }
    if (!(graph instanceof Graph)) {
      throw new ConfigError(
        `space (type morph): base space "${this.base.name}" does not build networks; use chain, macro, cell or nb201-net`,
      );
    }
    // Only shapes matter here; the weights a network really has come from training (evaluate/eas).
    this.start = { graph, params: initParameters(graph, new Rng(0)) };
  }

  private fromKey(key: string): Sample {
    const base = this.base as SearchSpace<unknown> & { sampleFromKey?: (key: string) => Sample };
    if (typeof base.sampleFromKey !== 'function') {
      throw new ConfigError(
        `space (type morph).start: base space "${this.base.name}" reads no keys; give start as a sample`,
      );
    }
    return base.sampleFromKey(key);
  }

  next(prefix: Sample): Decision | null {
    const steps: string[] = [];
    for (let i = 0; i < this.options.maxSteps; i++) {
      const value = prefix[`m${i}`];
      if (value === undefined) {
        return { name: `m${i}`, choices: [END, ...this.at(steps).options.map((o) => o.choice)] };
      }
      if (value === END) return null;
      steps.push(String(value));
    }
    return null;
  }

  /** The transformations of a sample, in order (without `end`). */
  steps(sample: Sample): string[] {
    const steps: string[] = [];
    for (let i = 0; i < this.options.maxSteps; i++) {
      const value = sample[`m${i}`];
      if (value === undefined || value === END) break;
      steps.push(String(value));
    }
    return steps;
  }

  /** The sample of a list of transformations (ended by `end` unless it is maxSteps long). */
  sampleOf(steps: readonly string[]): Sample {
    const out: Record<string, Choice> = {};
    steps.forEach((s, i) => (out[`m${i}`] = s));
    if (steps.length < this.options.maxSteps) out[`m${steps.length}`] = END;
    return out;
  }

  /** The MorphSpecs of a list of transformations (InvalidArchitectureError for one that does not apply). */
  specs(steps: readonly string[]): MorphSpec[] {
    return steps.map((choice, i) => {
      const option = this.at(steps.slice(0, i)).options.find((o) => o.choice === choice);
      if (option === undefined) {
        throw new InvalidArchitectureError(
          `space "${this.name}": transformation ${i} "${choice}" does not apply there`,
        );
      }
      return option.spec;
    });
  }

  /** The transformations offered after `steps`. */
  optionsAfter(steps: readonly string[]): readonly MorphOption[] {
    return this.at(steps).options;
  }

  decode(sample: Sample): Graph {
    return this.at(this.steps(sample)).net.graph;
  }

  key(sample: Sample): string {
    const steps = this.steps(sample);
    return steps.length === 0 ? this.startKey : `${this.startKey} + ${steps.join(' + ')}`;
  }

  toJSON(): SpaceSpec {
    const { name, ...rest } = this.options;
    return {
      ...(rest as unknown as Record<string, Json>),
      ...(name === undefined ? {} : { name }),
      type: 'morph',
    };
  }

  /** The (structural) network after `steps` and its options, built from the longest cached prefix. */
  private at(steps: readonly string[]): { net: Net; options: MorphOption[] } {
    const id = steps.join('\n');
    const hit = this.cache.get(id);
    if (hit !== undefined) return hit;
    let entry: { net: Net; options: MorphOption[] };
    if (steps.length === 0) {
      entry = { net: this.start, options: morphOptions(this.start.graph, this.rules) };
    } else {
      const parent = this.at(steps.slice(0, -1));
      const choice = steps[steps.length - 1]!;
      const option = parent.options.find((o) => o.choice === choice);
      if (option === undefined) {
        throw new InvalidArchitectureError(
          `space "${this.name}": transformation ${steps.length - 1} "${choice}" does not apply there`,
        );
      }
      const net = applyMorph(parent.net.graph, parent.net.params, option.spec, new Rng(0));
      entry = { net, options: morphOptions(net.graph, this.rules) };
    }
    if (this.cache.size >= CACHE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(id, entry);
    return entry;
  }
}

export function morphSpaceFromSpec(
  spec: SpaceSpec,
  createSpace: (spec: SpaceSpec) => SearchSpace<unknown>,
): MorphSpace {
  return new MorphSpace(spec, createSpace);
}
