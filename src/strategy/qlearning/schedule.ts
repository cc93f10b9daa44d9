import { z } from 'zod';

/** One step of an explicit schedule: epsilon applies from budget share `from` on. */
export interface EpsilonStep {
  readonly from: number;
  readonly epsilon: number;
}

/** MetaQNN's exploitation steps after the warm-up: 0.9, 0.8, ..., 0.1 (Baker et al. 2017, Table 2). */
const STEPS = 9;

/**
 * MetaQNN's schedule over the budget share: epsilon 1 (pure exploration) for the warm-up share, then down
 * in equal steps from 0.9 to 0.1 over the rest. MetaQNN spent 1,500 of its ~2,700 models at epsilon 1 and
 * ~100-150 models at each later value; here each later value gets an equal share of what is left.
 */
export function metaqnnEpsilon(progress: number, warmup: number): number {
  if (!(progress >= warmup) || warmup >= 1) return 1;
  const k = Math.floor(((progress - warmup) * STEPS) / (1 - warmup));
  const step = Math.min(STEPS - 1, Math.max(0, k));
  // (9 - step) / 10 keeps the values exact decimals (0.9 - 0.1 * step would give 0.20000000000000007).
  return (STEPS - step) / 10;
}

/** The epsilon of an explicit schedule: the last step whose `from` is at most the progress. */
export function scheduledEpsilon(progress: number, schedule: readonly EpsilonStep[]): number {
  let epsilon = schedule[0]?.epsilon ?? 1;
  for (const step of schedule) {
    if (step.from > progress) break;
    epsilon = step.epsilon;
  }
  return epsilon;
}

const PAIR = /^\s*([0-9.eE+-]+)\s*:\s*([0-9.eE+-]+)\s*$/;

/**
 * `schedule` option: '' (MetaQNN's schedule from `warmup`) or comma-separated `from:epsilon` pairs with
 * increasing `from` starting at 0, e.g. "0:1,0.5:0.5,0.8:0.1". A string, so `--opt schedule=...` works.
 */
export const scheduleOption = z
  .string()
  .default('')
  .transform((text, ctx): EpsilonStep[] => {
    if (text.trim() === '') return [];
    const steps: EpsilonStep[] = [];
    for (const part of text.split(',')) {
      const match = PAIR.exec(part);
      const from = Number(match?.[1]);
      const epsilon = Number(match?.[2]);
      const previous = steps[steps.length - 1];
      const problem =
        match === null || !Number.isFinite(from) || !Number.isFinite(epsilon)
          ? 'is not of the form from:epsilon'
          : from < 0 || from > 1 || epsilon < 0 || epsilon > 1
            ? 'needs from and epsilon in [0, 1]'
            : previous === undefined
              ? from !== 0
                ? 'must start at 0 (the first pair covers the start of the search)'
                : undefined
              : from <= previous.from
                ? 'must come after the previous pair (increasing budget shares)'
                : undefined;
      if (problem !== undefined) {
        ctx.addIssue({
          code: 'custom',
          input: text,
          message: `schedule pair "${part.trim()}" ${problem}; e.g. "0:1,0.5:0.5,0.8:0.1"`,
        });
        return z.NEVER;
      }
      steps.push({ from, epsilon });
    }
    return steps;
  })
  .describe(
    'explicit epsilon schedule "from:epsilon,..." over the budget share (e.g. "0:1,0.5:0.5,0.8:0.1"); ' +
      "empty: MetaQNN's, epsilon 1 for the warm-up then 0.9 down to 0.1 in equal steps",
  );
