import cliProgress from 'cli-progress';
import type { Progress, Reporter, RunInfo, RunSummary } from '../runner/reporter.js';
import type { ExperimentRecord } from '../core/storage.js';
import type { Metrics, TrialRecord } from '../core/types.js';
import { formatDuration, formatNumber } from './output.js';

/** A console progress bar with best-so-far and ETA; silent when stdout is not a terminal. */
export class ProgressReporter implements Reporter {
  private bar: cliProgress.SingleBar | undefined;
  private signal = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  onExperimentStart(experiment: ExperimentRecord, run: RunInfo): void {
    this.signal = run.signal;
    this.stream.write(
      `${run.resumed ? 'resuming' : 'started'} experiment ${experiment.id} (${experiment.name})\n`,
    );
    if (!this.stream.isTTY) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: ' {bar} {percentage}% | {trials} trials | best {signal} {best} | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 50,
        stream: this.stream,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(1000, 0, { trials: 0, best: '-', signal: this.signal });
  }

  onTrialEnd(_trial: TrialRecord, p: Progress): void {
    const best = p.best?.metrics[this.signal];
    this.bar?.update(Math.round(p.fraction * 1000), { trials: p.trials, best: formatNumber(best) });
  }

  onExperimentEnd(s: RunSummary): void {
    this.bar?.stop();
    this.stream.write(
      `${s.stopReason === 'aborted' ? 'stopped' : 'finished'}: ${s.trials} trials` +
        (s.duplicates ? ` (+${s.duplicates} duplicate proposals reused)` : '') +
        `, ${formatDuration(s.wallSeconds)} wall` +
        (s.simulatedSeconds ? `, ${formatDuration(s.simulatedSeconds)} simulated` : '') +
        ` (${s.stopReason})\n`,
    );
  }
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
