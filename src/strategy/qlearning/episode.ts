import type { SearchSpace } from '../../core/space.js';
import type { Choice, Decision, Sample } from '../../core/types.js';
import { qKey, type QTable } from './table.js';

/** The agent's state before a decision, from the choices so far (`previous`: the last of them). */
export type StateOf = (
  prefix: Sample,
  index: number,
  decision: Decision,
  previous: Choice | undefined,
) => string;

/** MetaQNN-style default state: the decision index (and name, which fixes the actions) + the previous choice. */
export const decisionState: StateOf = (_prefix, index, decision, previous) => {
  const last = previous === undefined ? '^' : typeof previous === 'number' ? `#${previous}` : `'${previous}`;
  return `${index}:${decision.name}|${last}`;
};

/** One transition: the Q-keys of every action of the state, and which one was taken. */
export interface Step {
  readonly actions: readonly string[];
  readonly taken: number;
}

/** A finished episode as the replay memory keeps it. */
export interface Episode {
  readonly sample: Sample;
  /** The trial's score, in the signal's units (normalised when replayed, with the range known then). */
  readonly score: number;
  /** Subtracted from the normalised reward (BlockQNN's early-stop shaping; 0 when off). */
  readonly penalty: number;
  readonly steps: readonly Step[];
}

/** The actions' Q-keys in a state: one per choice of the decision, in choice order. */
export function actionKeys(state: string, decision: Decision): string[] {
  return decision.choices.map((c) => qKey(state, c));
}

/**
 * The trajectory a complete sample took. The state is a function of the prefix, so the sample alone gives
 * back the episode: nothing has to be remembered between ask() and tell().
 */
export function trajectory(space: SearchSpace<unknown>, sample: Sample, stateOf: StateOf): Step[] {
  const steps: Step[] = [];
  const prefix: Record<string, Choice> = {};
  let previous: Choice | undefined;
  for (let d = space.next(prefix); d !== null; d = space.next(prefix)) {
    const choice = sample[d.name];
    const taken = choice === undefined ? -1 : d.choices.indexOf(choice);
    if (choice === undefined || taken < 0 || d.name in prefix) {
      throw new RangeError(`sample does not walk space "${space.name}" at decision "${d.name}"`);
    }
    steps.push({ actions: actionKeys(stateOf(prefix, steps.length, d, previous), d), taken });
    prefix[d.name] = choice;
    previous = choice;
  }
  return steps;
}

/**
 * The reward r_t of a non-final step: 'zero' (MetaQNN's paper: reward only at the end), 'terminal'
 * (r_t = r_T: every step learns from the final reward) or 'share' (BlockQNN's shaping, r_t = r_T / T).
 */
export type StepReward = 'zero' | 'terminal' | 'share';

/**
 * One replay of an episode, backwards along its trajectory (MetaQNN, Algorithm 3; gamma = 1):
 *   terminal:     Q(s, a) <- (1 - alpha) Q(s, a) + alpha r_T
 *   non-terminal: Q(s, a) <- (1 - alpha) Q(s, a) + alpha [r_t + max_a' Q(s', a')]
 * with r_t as `stepReward` says. Backwards, so the terminal reward reaches the first step
 * within one replay.
 */
export function replay(
  table: QTable,
  steps: readonly Step[],
  reward: number,
  alpha: number,
  stepReward: StepReward,
): void {
  const last = steps.length - 1;
  const intermediate =
    stepReward === 'share' ? reward / steps.length : stepReward === 'terminal' ? reward : 0;
  for (let i = last; i >= 0; i--) {
    const step = steps[i] as Step;
    const target = i === last ? reward : intermediate + table.max((steps[i + 1] as Step).actions);
    const key = step.actions[step.taken] as string;
    table.set(key, (1 - alpha) * table.get(key) + alpha * target);
  }
}

/** A bounded replay memory: a ring buffer, the oldest episode forgotten first. */
export class ReplayMemory {
  private readonly ring: Episode[] = [];
  private head = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.ring.length;
  }

  /** The i-th episode, oldest first. */
  at(i: number): Episode {
    return this.ring[(this.head + i) % this.ring.length] as Episode;
  }

  add(episode: Episode): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(episode);
      return;
    }
    this.ring[this.head] = episode;
    this.head = (this.head + 1) % this.capacity;
  }

  /** Oldest first. */
  episodes(): Episode[] {
    return Array.from({ length: this.ring.length }, (_, i) => this.at(i));
  }

  clear(): void {
    this.ring.length = 0;
    this.head = 0;
  }
}
