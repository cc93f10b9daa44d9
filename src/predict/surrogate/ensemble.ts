import { z } from 'zod';
import { Rng } from '../../core/rng.js';
import { parseConfig } from '../../core/validate.js';
import { Mlp } from '../../numeric/mlp.js';
import {
  checkQuery,
  checkTrainingData,
  FeatureScale,
  TargetScale,
  type Prediction,
  type Predictor,
} from './predictor.js';

const optionsSchema = z.strictObject({
  members: z.number().int().min(1).max(100).default(5),
  hidden: z.array(z.number().int().min(1).max(1024)).max(8).default([32, 32]),
  epochs: z.number().int().min(1).default(200),
  batchSize: z.number().int().min(1).default(32),
  lr: z.number().positive().default(0.01),
  weightDecay: z.number().min(0).default(1e-4),
  /** Train each member on a bootstrap resample (more diversity, less data per member). */
  bootstrap: z.boolean().default(false),
  seed: z.number().int().default(0),
});

export type MlpEnsembleOptions = z.input<typeof optionsSchema>;

/**
 * BANANAS's predictor (White et al. 2021): several small MLPs differing in their initialisation and
 * batch order (and the data, with `bootstrap`); the mean of the members is the prediction and their
 * spread the uncertainty. Refitting starts from fresh weights drawn from the seed, so the same data
 * always gives the same model.
 */
export class MlpEnsemble implements Predictor {
  private readonly options: z.output<typeof optionsSchema>;
  private nets: Mlp[] = [];
  private features?: FeatureScale;
  private target?: TargetScale;
  private width?: number;

  constructor(options: MlpEnsembleOptions = {}) {
    this.options = parseConfig(optionsSchema, options, 'mlp ensemble options');
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): void {
    checkTrainingData(X, y, 'MlpEnsemble');
    const features = new FeatureScale(X);
    const target = new TargetScale(y);
    const rows = X.map((x) => features.apply(x));
    const targets = y.map((v) => target.forward(v));
    const o = this.options;
    this.nets = [];
    for (let m = 0; m < o.members; m++) {
      const rng = Rng.derive(o.seed, `mlp-ensemble member ${m}`);
      const net = new Mlp(rows[0]!.length, o.hidden, rng);
      let memberRows = rows;
      let memberTargets = targets;
      if (o.bootstrap) {
        const picks = rows.map(() => rng.int(rows.length));
        memberRows = picks.map((i) => rows[i]!);
        memberTargets = picks.map((i) => targets[i]!);
      }
      net.train(memberRows, memberTargets, o, rng);
      this.nets.push(net);
    }
    this.features = features;
    this.target = target;
    this.width = X[0]!.length;
  }

  predict(x: readonly number[]): Prediction {
    checkQuery(x, this.width, 'MlpEnsemble');
    const input = this.features!.apply(x);
    const outputs = this.nets.map((net) => net.forward(input));
    const mean = outputs.reduce((s, v) => s + v, 0) / outputs.length;
    const variance = outputs.reduce((s, v) => s + (v - mean) ** 2, 0) / outputs.length;
    return this.target!.back({ mean, std: Math.sqrt(variance) });
  }
}
