import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Choice, Decision, Sample } from '../../core/types.js';
import { decisionsOf, randomSample, walk } from '../../space/walk.js';

type AnySpace = SearchSpace<unknown>;

/** Turns a complete sample into a fixed-length feature vector. */
export interface Encoder {
  readonly name: string;
  /** Length of every vector encode returns. */
  readonly size: number;
  encode(sample: Sample): number[];
}

/** Encodes every sample. */
export function encodeAll(encoder: Encoder, samples: readonly Sample[]): number[][] {
  return samples.map((s) => encoder.encode(s));
}

/** One block of the one-hot layout: a decision and the offset of its first choice. */
interface Slot {
  readonly offset: number;
  /** Choice -> index within the block (a Map keeps 1 and '1' apart, as the space does). */
  readonly index: ReadonlyMap<Choice, number>;
}

export interface OneHotOptions {
  /** Samples whose decisions must be in the layout (e.g. the history so far). */
  readonly samples?: readonly Sample[];
  /** Extra random walks to find conditional decisions (default 0). */
  readonly probes?: number;
  /** Needed when probes > 0. */
  readonly rng?: Rng;
}

/**
 * One indicator per (decision, choice). The layout is fixed when the encoder is built, from the
 * decisions met walking the space: the first-choice walk, every walk that changes one decision of it
 * (which finds decisions gated by a single choice), the given samples, and optional random probes.
 * A fixed-decision space (nb201, chain) is complete after the first walk. In a conditional space a
 * decision a sample does not ask encodes as an all-zero block, so "absent" differs from every choice;
 * a decision missing from the layout (gated by two changes and never probed) is left out.
 */
export class OneHotEncoder implements Encoder {
  readonly name = 'onehot';
  readonly size: number;
  /** The decisions in layout order. */
  readonly decisions: readonly Decision[];
  private readonly slots: ReadonlyMap<string, Slot>;

  constructor(space: AnySpace, options: OneHotOptions = {}) {
    const found = new Map<string, Map<Choice, true>>();
    const order: string[] = [];
    const note = (d: Decision): void => {
      let choices = found.get(d.name);
      if (choices === undefined) {
        choices = new Map();
        found.set(d.name, choices);
        order.push(d.name);
      }
      for (const c of d.choices) choices.set(c, true);
    };
    const base = walk(space, (d) => {
      note(d);
      return d.choices[0] as Choice;
    });
    for (const d of decisionsOf(space, base)) {
      for (const c of d.choices.slice(1)) {
        walk(space, (asked) => {
          note(asked);
          if (asked.name === d.name) return c;
          const kept = base[asked.name];
          return kept !== undefined && asked.choices.includes(kept) ? kept : (asked.choices[0] as Choice);
        });
      }
    }
    for (const s of options.samples ?? []) decisionsOf(space, s).forEach(note);
    const probes = options.probes ?? 0;
    if (probes > 0) {
      if (options.rng === undefined) throw new ConfigError('OneHotEncoder: probes need an rng');
      for (let i = 0; i < probes; i++) decisionsOf(space, randomSample(space, options.rng)).forEach(note);
    }
    const slots = new Map<string, Slot>();
    const decisions: Decision[] = [];
    let offset = 0;
    for (const name of order) {
      const choices = [...found.get(name)!.keys()];
      slots.set(name, { offset, index: new Map(choices.map((c, i) => [c, i])) });
      decisions.push({ name, choices });
      offset += choices.length;
    }
    this.slots = slots;
    this.decisions = decisions;
    this.size = offset;
  }

  encode(sample: Sample): number[] {
    const out = new Array<number>(this.size).fill(0);
    for (const [name, choice] of Object.entries(sample)) {
      const slot = this.slots.get(name);
      const i = slot?.index.get(choice);
      if (slot !== undefined && i !== undefined) out[slot.offset + i] = 1;
    }
    return out;
  }
}
