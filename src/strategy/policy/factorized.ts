import { z } from 'zod';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Json, Sample } from '../../core/types.js';
import { parseConfig } from '../../core/validate.js';
import { blockListSchema, DecisionBlocks } from './blocks.js';
import { backwardLogits, type LogitShaping } from './categorical.js';
import { ParamVector } from '../../numeric/params.js';
import type { Policy, PolicyOutcome, Sampled } from './policy.js';
import { StepTape, walkDecisions, type LogitsAt } from './tape.js';

const savedSchema = z.strictObject({
  kind: z.literal('factorized'),
  blocks: blockListSchema,
  params: z.string(),
});

/**
 * One independent categorical distribution per decision: its parameters are just the decision's logits
 * (the NAS-Bench-201 REINFORCE policy). Logits start at 1e-3 x N(0, 1) as there, i.e. almost uniform.
 */
export class FactorizedPolicy implements Policy {
  readonly kind = 'factorized';
  readonly params = new ParamVector();
  private readonly tape = new StepTape();
  private readonly blocks: DecisionBlocks;
  private readonly logitsAt: LogitsAt = (_t, block) => ({ u: this.params.values, offset: block.offset });

  constructor(
    private readonly shaping: LogitShaping,
    rng: Rng,
  ) {
    this.blocks = new DecisionBlocks((k) => this.params.alloc(k, () => 1e-3 * rng.normal()));
  }

  sample(space: SearchSpace<unknown>, rng: Rng): Sampled {
    return walkDecisions(space, { rng }, this.blocks, this.shaping, this.tape, this.params, this.logitsAt);
  }

  forward(space: SearchSpace<unknown>, sample: Sample): PolicyOutcome {
    return walkDecisions(
      space,
      { given: sample },
      this.blocks,
      this.shaping,
      this.tape,
      this.params,
      this.logitsAt,
    );
  }

  backward(coefLogp: number, coefEntropy: number): void {
    const tape = this.tape;
    for (let t = 0; t < tape.steps; t++) {
      backwardLogits(
        this.shaping,
        tape.z,
        tape.p,
        tape.zOff[t]!,
        tape.k[t]!,
        tape.lse[t]!,
        tape.entropy[t]!,
        tape.action[t]!,
        coefLogp,
        coefEntropy,
        this.params.grad,
        tape.blockOffset[t]!,
      );
    }
  }

  toJSON(): Json {
    return { kind: this.kind, blocks: this.blocks.toJSON(), params: this.params.valuesBlob() };
  }

  load(saved: unknown): void {
    const data = parseConfig(savedSchema, saved, 'saved factorized policy');
    this.params.reset();
    this.blocks.rebuild(data.blocks, (k) => this.params.alloc(k, () => 0));
    this.params.loadValues(data.params);
  }
}
