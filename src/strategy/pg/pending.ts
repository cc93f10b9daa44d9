import { z } from 'zod';
import type { Json, Sample } from '../../core/types.js';
import { sampleSchema } from '../saved-state.js';

/** A proposal out for evaluation, with the log-probability the policy gave it when it was sampled. */
export interface PendingProposal {
  readonly key: string;
  readonly sample: Sample;
  readonly logp: number;
}

export const pendingSchema = z.array(
  z.strictObject({ key: z.string(), sample: sampleSchema, logp: z.number() }),
);

/**
 * Proposals not told yet, oldest first, matched to results by architecture key. The same architecture
 * may be out twice (the runner then tells the stored result twice), so a key takes its oldest match.
 * Bounded: past `capacity` the oldest entry is dropped (its result, should it come, is learned from at
 * the current parameters), so lost results cannot make it grow across a long search.
 */
export class PendingProposals {
  private readonly items: PendingProposal[] = [];

  constructor(readonly capacity = 1024) {}

  get size(): number {
    return this.items.length;
  }

  add(proposal: PendingProposal): void {
    this.items.push(proposal);
    if (this.items.length > this.capacity) this.items.shift();
  }

  /** Removes and returns the oldest proposal with this key. */
  take(key: string): PendingProposal | undefined {
    const at = this.items.findIndex((p) => p.key === key);
    return at < 0 ? undefined : this.items.splice(at, 1)[0];
  }

  /** Whether a proposal with this key is out. */
  has(key: string): boolean {
    return this.items.some((p) => p.key === key);
  }

  clear(): void {
    this.items.length = 0;
  }

  toJSON(): Json {
    return this.items.map((p) => ({ key: p.key, sample: p.sample, logp: p.logp }));
  }

  load(saved: z.output<typeof pendingSchema>): void {
    this.items.length = 0;
    for (const p of saved.slice(-this.capacity)) this.items.push(p);
  }
}
