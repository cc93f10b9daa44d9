// Toy spaces and a small ask/tell loop for the strategy tests (the runner is tested on its own).
import type { SearchSpace } from '../core/space.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import type { Choice, Decision, Sample, StrategyState, TrialRecord } from '../core/types.js';

/** Canonical key for tests: decision order does not matter. */
export function keyOf(sample: Sample): string {
  return Object.keys(sample)
    .sort()
    .map((k) => `${k}=${sample[k]}`)
    .join(',');
}

/**
 * A deterministic objective for restore tests: scores from a hash of the key, with failures (undefined)
 * and invalid-like -Infinity scores mixed in.
 */
export function hashedObjective(s: Sample): number | undefined {
  const key = keyOf(s);
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  if (h % 11 === 0) return undefined;
  return h % 7 === 0 ? -Infinity : h % 1000;
}

function toySpace(name: string, next: (prefix: Sample) => Decision | null): SearchSpace<unknown> {
  return { name, next, decode: (s) => s, key: keyOf, toJSON: () => ({ type: name }) };
}

/** `n` independent decisions d0..d{n-1}, each over the same choices. */
export function flatSpace(n: number, choices: readonly Choice[]): SearchSpace<unknown> {
  const decisions: Decision[] = Array.from({ length: n }, (_, i) => ({ name: `d${i}`, choices }));
  return toySpace(
    `flat${n}x${choices.length}`,
    (prefix) => decisions.find((d) => !(d.name in prefix)) ?? null,
  );
}

/**
 * op in {conv, pool, skip}; `filters` only after conv; `depth` in {1, 2, 3} decides how many layer
 * decisions follow. 5 x 14 = 70 architectures.
 */
export function conditionalSpace(): SearchSpace<unknown> {
  return toySpace('conditional', (prefix) => {
    if (!('op' in prefix)) return { name: 'op', choices: ['conv', 'pool', 'skip'] };
    if (prefix.op === 'conv' && !('filters' in prefix)) return { name: 'filters', choices: [16, 32, 64] };
    if (!('depth' in prefix)) return { name: 'depth', choices: [1, 2, 3] };
    for (let i = 0; i < Number(prefix.depth); i++) {
      if (!(`layer${i}` in prefix)) return { name: `layer${i}`, choices: ['a', 'b'] };
    }
    return null;
  });
}
export const CONDITIONAL_SIZE = 70;

export function context(space: SearchSpace<unknown>, running: number): StrategyContext {
  return { space, direction: 'maximize', progress: 0, history: [], running };
}

/** The score a toy objective gives; undefined makes the trial 'failed'. */
export type ToyObjective = (sample: Sample) => number | undefined;

let trialCounter = 0;
export function trialRecord(sample: Sample, score: number | undefined): TrialRecord {
  const n = trialCounter++;
  return {
    id: `t${n}`,
    experimentId: 'toy',
    number: n,
    sample,
    key: keyOf(sample),
    state: score === undefined ? 'failed' : 'complete',
    metrics: score === undefined ? {} : { score },
    ...(score === undefined ? {} : { score }),
    cost: 0,
    createdAt: 0,
  };
}

export type Step = string; // a proposal's key, 'wait' or 'done'

/**
 * Drives a strategy with up to `concurrency` trials in flight; results come back oldest first. Every
 * proposal is logged so two runs can be compared.
 */
export class Harness {
  readonly log: Step[] = [];
  readonly pending: Sample[];

  constructor(
    readonly strategy: Strategy,
    readonly space: SearchSpace<unknown>,
    readonly objective: ToyObjective,
    readonly concurrency = 1,
    pending: readonly Sample[] = [],
  ) {
    this.pending = [...pending];
  }

  /** One ask (when a slot is free) or one tell. Returns false once the strategy is done. */
  async step(): Promise<boolean> {
    if (this.pending.length < this.concurrency) {
      const proposal = await this.strategy.ask(context(this.space, this.pending.length));
      if (proposal.kind === 'done') {
        this.log.push('done');
        return false;
      }
      if (proposal.kind === 'trial') {
        this.log.push(keyOf(proposal.sample));
        this.pending.push(proposal.sample);
        return true;
      }
      this.log.push('wait');
      if (this.pending.length === 0) throw new Error('strategy waits with nothing running');
    }
    await this.tellOldest();
    return true;
  }

  async tellOldest(): Promise<void> {
    const sample = this.pending.shift();
    if (sample === undefined) return;
    const score = this.objective(sample);
    await this.strategy.tell(trialRecord(sample, score), context(this.space, this.pending.length));
  }

  async run(steps: number): Promise<void> {
    for (let i = 0; i < steps; i++) if (!(await this.step())) return;
  }

  snapshot(): { state: StrategyState; pending: Sample[] } {
    // Through JSON, as storage keeps it: proves the state is plain data.
    const state = JSON.parse(JSON.stringify(this.strategy.state())) as StrategyState;
    return { state, pending: [...this.pending] };
  }
}
