import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Choice, Sample } from '../../core/types.js';
import { choiceIndex, type Block, type DecisionBlocks } from './blocks.js';
import { distribution, drawIndex, entropyOf, type LogitShaping } from './categorical.js';
import { grownF64, grownI32 } from '../../numeric/grow.js';
import type { ParamVector } from '../../numeric/params.js';
import type { Sampled } from './policy.js';

/**
 * What one walk through the decisions recorded for the backward pass: per step the decision's block, the
 * action, the shaped logits z, the probabilities p, the log-normaliser and the entropy. Arrays grow to
 * the longest walk seen and are reused, so a walk allocates nothing once warm.
 */
export class StepTape {
  steps = 0;
  blockOffset = new Int32Array(8);
  k = new Int32Array(8);
  action = new Int32Array(8);
  zOff = new Int32Array(8);
  lse = new Float64Array(8);
  entropy = new Float64Array(8);
  z = new Float64Array(64);
  p = new Float64Array(64);
  private used = 0;
  // What the tape holds: the walk of `walked` through `space` at parameter version `version`.
  private walked: Sample | null = null;
  private space: SearchSpace<unknown> | null = null;
  private version = -1;
  private outcome: Sampled | null = null;

  reset(): void {
    this.steps = 0;
    this.used = 0;
    this.walked = null;
    this.outcome = null;
  }

  /**
   * The outcome of the last walk when it was of this very sample object through this space at this
   * parameter version: then the tape is already what backward() needs, and walking again would only
   * recompute it (REINFORCE's tell learns from the sample its ask just drew).
   */
  reuse(space: SearchSpace<unknown>, sample: Sample, version: number): Sampled | null {
    return this.walked === sample && this.space === space && this.version === version ? this.outcome : null;
  }

  /** Records what a completed walk was. */
  hold(space: SearchSpace<unknown>, outcome: Sampled, walked: Sample, version: number): void {
    this.space = space;
    this.walked = walked;
    this.version = version;
    this.outcome = outcome;
  }

  /** Reserves step `steps` for a decision block; returns its index. */
  push(block: Block): number {
    const t = this.steps++;
    if (t >= this.k.length) this.growSteps(2 * this.k.length);
    if (this.used + block.k > this.z.length) {
      const size = Math.max(2 * this.z.length, this.used + block.k);
      this.z = grownF64(this.z, size);
      this.p = grownF64(this.p, size);
    }
    this.blockOffset[t] = block.offset;
    this.k[t] = block.k;
    this.zOff[t] = this.used;
    this.used += block.k;
    return t;
  }

  private growSteps(size: number): void {
    this.blockOffset = grownI32(this.blockOffset, size);
    this.k = grownI32(this.k, size);
    this.action = grownI32(this.action, size);
    this.zOff = grownI32(this.zOff, size);
    this.lse = grownF64(this.lse, size);
    this.entropy = grownF64(this.entropy, size);
  }
}

/** Where step t's raw logits are, once the policy has computed them. */
export type LogitsAt = (t: number, block: Block) => { readonly u: Float64Array; readonly offset: number };

/**
 * The walk both policies share: for each decision the space asks, fetch (or create) its block, let the
 * policy compute raw logits, shape them into a distribution, then either draw a choice with `rng` or take
 * the one in `given`. Records everything on `tape`; a walk of the very sample object the tape already
 * holds, at unchanged parameters, returns the recorded outcome without walking again.
 */
export function walkDecisions(
  space: SearchSpace<unknown>,
  source: { readonly rng: Rng } | { readonly given: Sample },
  blocks: DecisionBlocks,
  shaping: LogitShaping,
  tape: StepTape,
  params: ParamVector,
  logitsAt: LogitsAt,
): Sampled {
  if ('given' in source) {
    const held = tape.reuse(space, source.given, params.version);
    if (held !== null) return held;
  }
  tape.reset();
  const prefix: Record<string, Choice> = {};
  let logp = 0;
  let entropy = 0;
  for (let d = space.next(prefix); d !== null; d = space.next(prefix)) {
    if (d.name in prefix) throw new Error(`space ${space.name} asked decision "${d.name}" twice`);
    const block = blocks.get(d);
    const t = tape.push(block);
    const { u, offset } = logitsAt(t, block);
    const zOff = tape.zOff[t]!;
    const lse = distribution(shaping, u, offset, block.k, tape.z, tape.p, zOff);
    const h = entropyOf(tape.z, tape.p, zOff, block.k, lse);
    const a =
      'rng' in source
        ? drawIndex(tape.p, zOff, block.k, source.rng.float())
        : choiceIndex(d, source.given[d.name]);
    tape.action[t] = a;
    tape.lse[t] = lse;
    tape.entropy[t] = h;
    logp += tape.z[zOff + a]! - lse;
    entropy += h;
    prefix[d.name] = d.choices[a] as Choice;
  }
  const outcome = { sample: prefix, logp, entropy };
  // Blocks created during the walk changed the version: record the one the walk ended at.
  tape.hold(space, outcome, 'given' in source ? source.given : prefix, params.version);
  return outcome;
}
