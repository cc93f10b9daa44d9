import { ConfigError } from '../../core/errors.js';

/** Stop training once validation accuracy has not improved for `patience` epochs in a row. */
export type EarlyStoppingOptions = {
  /** Epochs without improvement tolerated; training stops after that many in a row. An integer >= 1. */
  readonly patience: number;
  /** An epoch improves on the best only by more than this (accuracy, 0..1). Default 0. */
  readonly minDelta?: number;
};

/**
 * Keras's EarlyStopping on a metric to maximise (validation accuracy), without restoring the best
 * weights: the result is the last epoch's, as for a run that was not stopped. The first epoch is always
 * an improvement; a tie is not (the same accuracy again is a plateau).
 */
export class EarlyStopping {
  private best = -Infinity;
  private waited = 0;
  private readonly patience: number;
  private readonly minDelta: number;

  constructor(options: EarlyStoppingOptions) {
    const { patience, minDelta = 0 } = options;
    if (!Number.isSafeInteger(patience) || patience < 1) {
      throw new ConfigError(
        `train.earlyStopping.patience must be an integer >= 1, found ${String(patience)}`,
      );
    }
    if (!(Number.isFinite(minDelta) && minDelta >= 0)) {
      throw new ConfigError(
        `train.earlyStopping.minDelta must be a finite number >= 0, found ${String(minDelta)}`,
      );
    }
    this.patience = patience;
    this.minDelta = minDelta;
  }

  /** Records one epoch's validation accuracy; true when training should stop now. */
  update(accuracy: number): boolean {
    if (accuracy > this.best + this.minDelta) {
      this.best = accuracy;
      this.waited = 0;
      return false;
    }
    this.waited++;
    return this.waited >= this.patience;
  }
}
