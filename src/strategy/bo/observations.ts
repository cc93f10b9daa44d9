import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { SearchSpace } from '../../core/space.js';
import type { Choice, Sample, TrialRecord } from '../../core/types.js';
import { walk } from '../../space/walk.js';
import { encodeScore, scoreSchema } from '../saved-state.js';

type AnySpace = SearchSpace<unknown>;

/** One evaluated architecture, as a model-based strategy remembers it. */
export interface Observation {
  readonly sample: Sample;
  readonly key: string;
  /** Higher is better; may be -Infinity (an invalid architecture's reward). */
  readonly score: number;
}

/** Saved form: the choice index of each decision along the walk, and the score. */
export const observationsSchema = z.array(
  z.strictObject({ path: z.array(z.number().int().min(0)), score: scoreSchema }),
);

/**
 * What bo, tpe and screen learn from: every distinct architecture told with a score, in the order it was
 * told. The strategies keep this themselves instead of reading ctx.history, because the runner adds a
 * finished trial to its history only after the tell section, and rebuilds it in trial-number order on
 * resume: a model refitted "on the first n results" must see the same n results in both runs. Saved
 * compactly (choice indices along the decision walk, a few bytes per trial), so the state stays small
 * next to the samples themselves.
 */
export class Observations {
  private readonly list: Observation[] = [];
  private readonly byKey = new Map<string, Observation>();
  /** Finite-score observations, in order (the model's training data). */
  private readonly finite: Observation[] = [];

  constructor(private readonly space: AnySpace) {}

  /** Records a told trial; failed trials (no score) and repeats of a known key are ignored. */
  add(trial: TrialRecord): boolean {
    if (trial.score === undefined || Number.isNaN(trial.score)) return false;
    return this.push({ sample: trial.sample, key: trial.key, score: trial.score });
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): Observation | undefined {
    return this.byKey.get(key);
  }

  get size(): number {
    return this.list.length;
  }

  /** The first n observations with a finite score, in the order told. */
  scored(n = this.finite.length): readonly Observation[] {
    return this.finite.slice(0, n);
  }

  get scoredCount(): number {
    return this.finite.length;
  }

  all(): readonly Observation[] {
    return this.list;
  }

  /** JSON-ready: scores that JSON cannot hold (-Infinity) become strings, as saved-state.ts does. */
  toJSON(): { path: number[]; score: number | string }[] {
    return this.list.map((o) => ({ path: pathOf(this.space, o.sample), score: encodeScore(o.score) }));
  }

  /** Replaces the contents with saved ones; a path that does not fit the space is a ConfigError. */
  load(saved: z.output<typeof observationsSchema>, who: string): void {
    this.list.length = 0;
    this.finite.length = 0;
    this.byKey.clear();
    saved.forEach((o, i) => {
      const sample = sampleOf(this.space, o.path, `saved "${who}" state: observations[${i}]`);
      this.push({ sample, key: this.space.key(sample), score: o.score });
    });
  }

  private push(o: Observation): boolean {
    if (this.byKey.has(o.key)) return false;
    this.list.push(o);
    this.byKey.set(o.key, o);
    if (Number.isFinite(o.score)) this.finite.push(o);
    return true;
  }
}

/** The index of each choice taken along the decision walk. */
function pathOf(space: AnySpace, sample: Sample): number[] {
  const path: number[] = [];
  walk(space, (d) => {
    const choice = sample[d.name] as Choice;
    path.push(d.choices.indexOf(choice));
    return choice;
  });
  return path;
}

function sampleOf(space: AnySpace, path: readonly number[], where: string): Sample {
  let step = 0;
  const sample = walk(space, (d) => {
    const choice = d.choices[path[step++] ?? -1];
    if (choice === undefined) {
      throw new ConfigError(
        `${where} does not fit space "${space.name}" at decision "${d.name}"; ` +
          'resume with the experiment’s own space',
      );
    }
    return choice;
  });
  if (step !== path.length) {
    throw new ConfigError(`${where} has ${path.length} choices, space "${space.name}" asked ${step}`);
  }
  return sample;
}

/** Proposed, not yet told keys (saved, so a resumed run avoids the same ones). */
export const pendingSchema = z.array(z.string());
