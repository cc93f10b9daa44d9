import type { Budget, Progress, Reporter, RunInfo, RunSummary } from '../runner/reporter.js';
import type { ExperimentRecord } from '../core/storage.js';
import type { Metrics, TrialRecord } from '../core/types.js';
import { ProgressBar, type BarOptions, type ProgressStream } from './bar.js';
import { formatDuration, formatNumber, showProgress, type OutputFlags } from './output.js';

/** The bar's resolution: the runner reports the share of the budget used as a fraction. */
const STEPS = 1000;

/** `50 trials`, `12000 simulated s or 60 s wall`: what the bar fills up to. */
export function describeBudget(b: Budget): string {
  const parts = [
    b.trials === undefined ? undefined : `${b.trials} trials`,
    b.simulatedSeconds === undefined ? undefined : `${formatNumber(b.simulatedSeconds)} simulated s`,
    b.wallSeconds === undefined ? undefined : `${formatNumber(b.wallSeconds)} s wall`,
  ].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? 'no budget (until the strategy is done)' : parts.join(' or ');
}

/**
 * Search progress on stderr: a bar over the budget with trials, the best value of the search signal so
 * far and an ETA (a terminal), or a plain line every few seconds (a log).
 */
export class ProgressReporter implements Reporter {
  private bar: ProgressBar | undefined;
  private signal = '';
  private resumed = false;
  private updates = 0;

  constructor(
    private readonly stream: ProgressStream = process.stderr,
    private readonly barOptions: Omit<BarOptions, 'total' | 'stream'> = {},
  ) {}

  onExperimentStart(experiment: ExperimentRecord, run: RunInfo): void {
    this.signal = run.signal;
    this.resumed = run.resumed;
    this.stream.write(
      `${run.resumed ? 'resuming' : 'started'} experiment ${experiment.id} (${experiment.name}): ` +
        `budget ${describeBudget(run.budget)}, best by ${run.signal} (${run.direction === 'maximize' ? 'max' : 'min'})\n`,
    );
    this.bar = new ProgressBar({ ...this.barOptions, total: STEPS, stream: this.stream });
  }

  onTrialEnd(_trial: TrialRecord, p: Progress): void {
    const bar = this.bar;
    if (bar === undefined) return;
    const best = p.best?.metrics[this.signal];
    bar.update(
      Math.min(STEPS, Math.round(p.fraction * STEPS)),
      `${p.trials} trials | best ${this.signal} ${formatNumber(best)}`,
    );
    // Resumed: the share done by earlier processes would make this one look fast.
    if (this.resumed && this.updates++ === 0) bar.rebase();
  }

  onExperimentEnd(s: RunSummary): void {
    this.bar?.finish();
    this.stream.write(
      `${s.stopReason === 'aborted' ? 'stopped' : 'finished'}: ${s.trials} trials` +
        (s.duplicates ? ` (+${s.duplicates} duplicate proposals reused)` : '') +
        `, ${formatDuration(s.wallSeconds)} wall` +
        (s.simulatedSeconds ? `, ${formatDuration(s.simulatedSeconds)} simulated` : '') +
        ` (${s.stopReason})\n`,
    );
  }
}

/** The reporters of `run` and `resume`: JSON lines on stdout with --json, progress on stderr unless --quiet. */
export function searchReporters(flags: OutputFlags): Reporter[] {
  return [
    ...(flags.json ? [new JsonLinesReporter()] : []),
    ...(showProgress(flags) ? [new ProgressReporter()] : []),
  ];
}

/** One JSON object per line on stdout, for scripts (`--json`). */
export class JsonLinesReporter implements Reporter {
  private write(event: Record<string, unknown>): void {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  }
  onExperimentStart(e: ExperimentRecord, run: RunInfo): void {
    this.write({ event: 'experiment_start', experimentId: e.id, name: e.name, ...run });
  }
  onTrialReport(t: TrialRecord, step: number, metrics: Metrics): void {
    this.write({ event: 'trial_report', trialId: t.id, step, metrics });
  }
  onTrialEnd(t: TrialRecord, p: Progress): void {
    this.write({
      event: 'trial_end',
      trialId: t.id,
      number: t.number,
      key: t.key,
      state: t.state,
      metrics: t.metrics,
      score: t.score,
      cost: t.cost,
      ...(t.error ? { error: t.error } : {}),
      progress: p.fraction,
      bestTrialId: p.best?.id,
    });
  }
  onDuplicate(original: TrialRecord): void {
    this.write({ event: 'duplicate', trialId: original.id, key: original.key });
  }
  onExperimentEnd(s: RunSummary): void {
    const { best, ...rest } = s;
    this.write({
      event: 'experiment_end',
      ...rest,
      best: best && { id: best.id, key: best.key, metrics: best.metrics },
    });
  }
}
