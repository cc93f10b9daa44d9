import type { Choice, Decision, Json, Sample } from './types.js';

/** Enough to rebuild a space: its type plus its parameters (stored with the experiment). */
export interface SpaceSpec {
  readonly type: string;
  readonly [param: string]: Json;
}

/**
 * A search space is a sequential decision process. RL controllers, MCTS and Q-learning walk it step by
 * step; random search and evolution use the same steps. A decision may depend on the prefix, so
 * conditional and variable-length spaces are natural.
 */
export interface SearchSpace<A = ArchGraph> {
  readonly name: string;
  /** The next decision given the choices so far; null when the sample is complete. */
  next(prefix: Sample): Decision | null;
  /** A complete sample -> the architecture. */
  decode(sample: Sample): A;
  /** Canonical string: equal architectures get equal keys. */
  key(sample: Sample): string;
  toJSON(): SpaceSpec;
  /**
   * Optional: the state a tabular agent (Q-learning) is in before the next decision, as a string (equal
   * strings = same state). Without it, agents use the decision index plus the previous choice.
   */
  agentState?(prefix: Sample): string;
}

/** A node of an architecture DAG: an op applied to the sum (or concat) of its inputs. */
export interface ArchNode {
  readonly id: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly attrs?: Readonly<Record<string, Choice>>;
}

/** The architecture IR the spaces decode to (the training engine refines it later). */
export interface ArchGraph {
  /** 'cell': a DAG cell (nb201); 'chain': a layer sequence; 'decisions': a plain list of choices. */
  readonly kind: 'cell' | 'chain' | 'decisions';
  readonly nodes: readonly ArchNode[];
}
