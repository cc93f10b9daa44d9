import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { BATCH } from '../graph/types.js';
import { Session } from '../runtime/session.js';
import { measureLatency, measureModelLatency } from './measure.js';
import { buildInferenceModel } from '../graph/lower/index.js';
import { initParameters } from '../graph/init.js';
import { Rng } from '../core/rng.js';

function dense() {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 64]);
  return b.build([b.relu(b.dense(x, { name: 'fc', outFeatures: 16 }))]);
}

/** Every Session the measurement makes, through the real Session.create. */
function spySessions(): Session[] {
  const made: Session[] = [];
  const create = Session.create.bind(Session);
  vi.spyOn(Session, 'create').mockImplementation(async (bytes, options) => {
    const s = await create(bytes, options);
    made.push(s);
    return s;
  });
  return made;
}

/**
 * Sessions hold native memory. An RSS test (runtime/session-leak.test.ts) cannot see a missing dispose
 * here: onnxruntime-node 1.30 frees an unreachable session when it is collected, measured at +5 MB for
 * 300 undisposed 256 KB sessions. So this checks the sessions themselves: one per repeat, each disposed,
 * also when a run fails.
 */
describe('measureLatency sessions', () => {
  afterEach(() => vi.restoreAllMocks());

  it('makes one session per repeat and disposes each', async () => {
    const made = spySessions();
    await measureLatency(dense(), { batches: [1, 2], warmup: 0, runs: 1, repeats: 3 });
    expect(made).toHaveLength(3);
    expect(made.every((s) => s.disposed)).toBe(true);
  });

  it('disposes every session when a run fails', async () => {
    const made = spySessions();
    const graph = dense();
    const model = buildInferenceModel(graph, initParameters(graph, new Rng(0)));
    // An input declared with 63 features where the model takes 64: ORT refuses the run.
    const wrong = [{ name: 'x', type: 'float32' as const, shape: ['N', 63] }];
    await expect(
      measureModelLatency(model.toBytes(), wrong, { batches: [1], warmup: 0, runs: 1, repeats: 2 }),
    ).rejects.toThrow(/ONNX Runtime failed to run/);
    // The repeats' sessions are all made before the interleaved runs start.
    expect(made).toHaveLength(2);
    expect(made.every((m) => m.disposed)).toBe(true);
  });
});
