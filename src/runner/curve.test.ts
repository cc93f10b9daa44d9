import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../core/types.js';
import { CurveRecorder } from './curve.js';
import type { Progress } from './reporter.js';

function progress(best: Record<string, number> | undefined): Progress {
  const trial = best && ({ metrics: best } as unknown as TrialRecord);
  return { fraction: 0, trials: 0, simulatedSeconds: 0, wallSeconds: 0, best: trial };
}

describe('CurveRecorder', () => {
  it('averages best-so-far values across runs, carrying a finished run forward and skipping NaN', () => {
    const rec = new CurveRecorder(['acc']);
    const t = {} as TrialRecord;
    const a = rec.reporter();
    a.onTrialEnd?.(t, progress({ acc: 1 }));
    a.onTrialEnd?.(t, progress({ acc: 3 }));
    a.onTrialEnd?.(t, progress({ acc: 5 }));
    const b = rec.reporter();
    b.onTrialEnd?.(t, progress({ acc: NaN }));
    b.onTrialEnd?.(t, progress({ acc: 7 }));
    expect(rec.curve()).toEqual({ evaluations: [1, 2, 3], mean: { acc: [1, 5, 6] } });
  });
});
