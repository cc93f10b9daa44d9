import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LINE_INTERVAL_MS,
  ProgressBar,
  estimateEta,
  lineIntervalFromEnv,
  renderProgress,
} from './bar.js';
import { fakeClock, fakeTerminal } from './bar.testkit.js';

const CLEAR_LINE = '\x1b[K';
/** A terminal frame less the clear-to-end-of-line code and the final newline. */
const visible = (frame: string): string => frame.replaceAll(CLEAR_LINE, '').replace(/\n$/, '');

describe('estimateEta', () => {
  it('extrapolates the average rate to the work left', () => {
    expect(estimateEta(10_000, 25, 75)).toBe(30);
    expect(estimateEta(4_000, 2, 0)).toBe(0);
  });
  it('is unknown before any progress', () => {
    expect(estimateEta(5_000, 0, 10)).toBeUndefined();
    expect(estimateEta(5_000, 3, Infinity)).toBeUndefined();
  });
});

describe('renderProgress', () => {
  const state = { value: 21, total: 50, unit: 'runs', detail: 'mean acc 91.2', elapsedSeconds: 6 };
  it('writes plain words for a log', () => {
    expect(renderProgress({ ...state, etaSeconds: 90 })).toBe(
      'progress:  42% 21/50 runs | mean acc 91.2 | 6.0s elapsed, ETA 1m30s',
    );
  });
  it('draws a bar of the given width for a terminal', () => {
    expect(renderProgress({ ...state, total: 40, value: 10 }, 8)).toBe(
      ' ██░░░░░░  25% 10/40 runs | mean acc 91.2 | 6.0s, ETA -',
    );
    expect(renderProgress({ ...state, unit: undefined, detail: '' }, 0)).toBe('  42% | 6.0s, ETA -');
  });
});

describe('lineIntervalFromEnv', () => {
  it('reads NASLAB_PROGRESS_SECONDS, falling back on the default', () => {
    expect(lineIntervalFromEnv({ NASLAB_PROGRESS_SECONDS: '2.5' })).toBe(2500);
    expect(lineIntervalFromEnv({ NASLAB_PROGRESS_SECONDS: '0' })).toBe(0);
    expect(lineIntervalFromEnv({ NASLAB_PROGRESS_SECONDS: 'often' })).toBe(DEFAULT_LINE_INTERVAL_MS);
    expect(lineIntervalFromEnv({})).toBe(DEFAULT_LINE_INTERVAL_MS);
  });
});

describe('ProgressBar', () => {
  it('writes a plain line per interval to a non-terminal, never a carriage return', () => {
    const stream = fakeTerminal(false);
    const clock = fakeClock();
    const bar = new ProgressBar({ total: 100, unit: 'runs', stream, now: clock.now, lineIntervalMs: 10_000 });
    for (let i = 1; i <= 100; i++) {
      clock.advance(500);
      bar.update(i, `run ${i}`);
    }
    bar.finish();
    const lines = stream.text().split('\n').filter(Boolean);
    // 50 s of work, a line every 10 s.
    expect(lines).toEqual([
      'progress:  20% 20/100 runs | run 20 | 10.0s elapsed, ETA 40.0s',
      'progress:  40% 40/100 runs | run 40 | 20.0s elapsed, ETA 30.0s',
      'progress:  60% 60/100 runs | run 60 | 30.0s elapsed, ETA 20.0s',
      'progress:  80% 80/100 runs | run 80 | 40.0s elapsed, ETA 10.0s',
      'progress: 100% 100/100 runs | run 100 | 50.0s elapsed, ETA 0.0s',
    ]);
    expect(stream.text()).not.toContain('\r');
  });

  it('prints nothing to a log when the work is shorter than the interval', () => {
    const stream = fakeTerminal(false);
    const bar = new ProgressBar({ total: 3, stream, now: fakeClock().now });
    bar.update(1);
    bar.update(3);
    bar.finish();
    expect(stream.text()).toBe('');
  });

  it('redraws one terminal line in place, throttled, and ends it when finished', () => {
    const stream = fakeTerminal(true);
    const clock = fakeClock();
    const bar = new ProgressBar({ total: 4, unit: 'repeats', stream, now: clock.now, redrawIntervalMs: 100 });
    clock.advance(50);
    bar.update(1); // within the interval: not drawn now
    clock.advance(150);
    bar.update(2);
    clock.advance(100);
    bar.update(4); // the last always draws
    bar.finish();
    const frames = stream.text().split('\r').filter(Boolean);
    expect(frames.map((f) => / (\d\/4) repeats/.exec(f)?.[1])).toEqual(['0/4', '2/4', '4/4', '4/4']);
    expect(frames[1]).toContain('ETA 0.2s'); // 200 ms for 2 of 4
    expect(stream.text().endsWith('\x1b[K\n')).toBe(true);
    for (const f of frames) expect(visible(f).length).toBeLessThan(120);
  });

  it('fits a narrow terminal: the bar narrows, then the words are cut', () => {
    const stream = fakeTerminal(true, 40);
    const bar = new ProgressBar({ total: 10, unit: 'runs', stream, now: fakeClock().now });
    bar.update(10, 'a long detail that does not fit in forty columns');
    bar.finish();
    for (const f of stream.text().split('\r').filter(Boolean))
      expect(visible(f).length).toBeLessThanOrEqual(39);
  });

  it('writes a log line above the terminal bar and redraws the bar', () => {
    const stream = fakeTerminal(true);
    const bar = new ProgressBar({ total: 2, stream, now: fakeClock().now });
    bar.log('a warning');
    expect(stream.text()).toContain(`\r${CLEAR_LINE}a warning\n\r `);
    expect(visible(stream.text().split('\r').at(-1) as string)).toMatch(/ 0% \| /);
    bar.finish();
  });

  it('measures the ETA from the rebase point (a resumed search)', () => {
    const stream = fakeTerminal(true);
    const clock = fakeClock();
    const bar = new ProgressBar({ total: 100, stream, now: clock.now, redrawIntervalMs: 0 });
    clock.advance(1_000);
    bar.update(50); // done by an earlier process
    bar.rebase();
    clock.advance(1_000);
    bar.update(60);
    expect(bar.state().etaSeconds).toBe(4); // 10 units a second, 40 left
    bar.finish();
  });
});
