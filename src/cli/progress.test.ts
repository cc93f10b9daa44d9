import { describe, expect, it } from 'vitest';
import type { ExperimentRecord } from '../core/storage.js';
import type { TrialRecord } from '../core/types.js';
import type { Progress, RunInfo } from '../runner/reporter.js';
import { fakeClock, fakeTerminal } from './bar.testkit.js';
import { JsonLinesReporter, ProgressReporter, describeBudget, searchReporters } from './progress.js';

const experiment = { id: '7', name: 'nb201-evolution' } as ExperimentRecord;
const run: RunInfo = {
  budget: { trials: 40 },
  resumed: false,
  signal: 'acc',
  direction: 'maximize',
};
const trial = (number: number, acc: number) =>
  ({ id: String(number), number, metrics: { acc } }) as unknown as TrialRecord;

/** Drives a reporter through `n` trials of a 40-trial budget, one per second. */
function drive(reporter: ProgressReporter, clock: { advance: (ms: number) => void }, n: number): void {
  reporter.onExperimentStart(experiment, run);
  let best: TrialRecord | undefined;
  for (let i = 1; i <= n; i++) {
    clock.advance(1000);
    const t = trial(i, i === 3 ? 91.5 : 80 + i / 10);
    if (best === undefined || (t.metrics.acc as number) > (best.metrics.acc as number)) best = t;
    const p: Progress = { fraction: i / 40, trials: i, simulatedSeconds: 0, wallSeconds: i, best };
    reporter.onTrialEnd(t, p);
  }
}

describe('ProgressReporter', () => {
  it('shows the budget used, trials, the best signal so far and an ETA from the budget', () => {
    const stream = fakeTerminal(true);
    const clock = fakeClock();
    const reporter = new ProgressReporter(stream, { now: clock.now, redrawIntervalMs: 0 });
    drive(reporter, clock, 10);
    const frames = stream.text().split('\r');
    expect(frames[0]).toBe('started experiment 7 (nb201-evolution): budget 40 trials, best by acc (max)\n');
    // 10 of 40 trials in 10 s: 30 s left; trial 3 is the best so far.
    expect(frames.at(-1)?.endsWith('\x1b[K')).toBe(true);
    expect(frames.at(-1)?.replace('\x1b[K', '')).toMatch(
      / 25% \| 10 trials \| best acc 91\.5 \| 10\.0s, ETA 30\.0s$/,
    );
  });

  it('writes plain lines without carriage returns when stderr is not a terminal', () => {
    const stream = fakeTerminal(false);
    const clock = fakeClock();
    const reporter = new ProgressReporter(stream, { now: clock.now, lineIntervalMs: 5000 });
    drive(reporter, clock, 12);
    reporter.onExperimentEnd({
      experimentId: '7',
      stopReason: 'aborted',
      trials: 12,
      duplicates: 0,
      simulatedSeconds: 0,
      wallSeconds: 12,
    });
    expect(stream.text()).not.toContain('\r');
    expect(stream.text().split('\n').filter(Boolean)).toEqual([
      'started experiment 7 (nb201-evolution): budget 40 trials, best by acc (max)',
      'progress:  12% | 5 trials | best acc 91.5 | 5.0s elapsed, ETA 35.0s',
      'progress:  25% | 10 trials | best acc 91.5 | 10.0s elapsed, ETA 30.0s',
      'stopped: 12 trials, 12.0s wall (aborted)',
    ]);
  });

  it("times a resumed search's ETA from its own trials", () => {
    const stream = fakeTerminal(false);
    const clock = fakeClock();
    const reporter = new ProgressReporter(stream, { now: clock.now, lineIntervalMs: 0 });
    reporter.onExperimentStart(experiment, { ...run, resumed: true });
    const best = trial(1, 90);
    // 30 of 40 trials were done before; this process runs one trial every 2 s.
    for (const [i, at] of [
      [31, 2000],
      [32, 4000],
    ] as const) {
      clock.advance(2000);
      reporter.onTrialEnd(best, {
        fraction: i / 40,
        trials: i,
        simulatedSeconds: 0,
        wallSeconds: at / 1000,
        best,
      });
    }
    expect(stream.text()).toMatch(/^resuming experiment 7/);
    expect(stream.text().trim().split('\n').at(-1)).toMatch(/ 80% \| 32 trials .* ETA 16\.0s$/);
  });
});

describe('describeBudget', () => {
  it('names every limit of the budget', () => {
    expect(describeBudget({ trials: 50 })).toBe('50 trials');
    expect(describeBudget({ simulatedSeconds: 12000, wallSeconds: 60 })).toBe(
      '12000 simulated s or 60 s wall',
    );
    expect(describeBudget({})).toBe('no budget (until the strategy is done)');
  });
});

describe('searchReporters', () => {
  it('keeps progress on stderr with --json and drops it with --quiet', () => {
    const kinds = (flags: { json?: boolean; quiet?: boolean }) =>
      searchReporters(flags).map((r) => r.constructor);
    expect(kinds({})).toEqual([ProgressReporter]);
    expect(kinds({ json: true })).toEqual([JsonLinesReporter, ProgressReporter]);
    expect(kinds({ json: true, quiet: true })).toEqual([JsonLinesReporter]);
    expect(kinds({ quiet: true })).toEqual([]);
  });
});
