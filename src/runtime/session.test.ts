import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ModelBuilder, float32 } from '../graph/onnx/index.js';
import { SessionError } from './errors.js';
import { Session, createSession } from './session.js';
import { CLASSES, buildSmallCnn, input, labelsOf, reference } from './small-cnn.testkit.js';

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)), `element ${i}`).toBeLessThan(tol);
  }
}

async function expectSessionError(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SessionError);
  expect((e as SessionError).code).toBe(code);
  expect((e as SessionError).message).toMatch(message);
}

describe('Session on the small CNN', () => {
  it.each([1, 3])('matches the JS reference within 1e-5 at batch %i (symbolic N)', async (batch) => {
    const session = await createSession(buildSmallCnn());
    try {
      const x = input(batch);
      const labels = labelsOf(batch);
      const out = await session.run({ x, labels });
      const ref = reference(x.data as Float32Array, batch, Array.from(labels.data as BigInt64Array, Number));

      expect(out.probs?.type).toBe('float32');
      expect(out.probs?.dims).toEqual([batch, CLASSES]);
      expectClose(out.probs?.data as Float32Array, ref.probs.flat());
      // Not a degenerate uniform softmax: the check can fail.
      expect(Math.max(...ref.probs.flat()) - Math.min(...ref.probs.flat())).toBeGreaterThan(1e-3);

      expect(out.pred?.type).toBe('int64');
      expect(Array.from(out.pred?.data as BigInt64Array, Number)).toEqual(ref.pred);
      expect(out.loss?.dims).toEqual([]);
      expectClose(out.loss?.data as Float32Array, [ref.loss]);
      // Gather with the int64 labels as indices into class_weight [0.5, 1, 2].
      expectClose(out.label_weight?.data as Float32Array, [0.5, 1, 2].slice(0, batch));
    } finally {
      await session.dispose();
    }
  });

  it('gives the same numbers at every optimisation level and thread count', async () => {
    const bytes = buildSmallCnn();
    const feeds = { x: input(3), labels: labelsOf(3) };
    const base = await createSession(bytes, { graphOptimizationLevel: 'disabled' });
    const fast = await createSession(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 2 });
    try {
      const a = await base.run(feeds, ['probs']);
      const b = await fast.run(feeds, ['probs']);
      expect(Object.keys(b)).toEqual(['probs']);
      expectClose(b.probs?.data as Float32Array, Array.from(a.probs?.data as Float32Array));
    } finally {
      await Promise.all([base.dispose(), fast.dispose()]);
    }
  });

  it('refuses to run once disposed, with a clear error; dispose is idempotent', async () => {
    const session = await Session.create(buildSmallCnn());
    await session.dispose();
    await session.dispose();
    expect(session.disposed).toBe(true);
    await expectSessionError(
      session.run({ x: input(1), labels: labelsOf(1) }),
      'E_SESSION_DISPOSED',
      /disposed session/,
    );
  });

  it('dispose waits for a run in flight, which still completes', async () => {
    const session = await Session.create(buildSmallCnn());
    const running = session.run({ x: input(3), labels: labelsOf(3) });
    const disposing = session.dispose();
    const out = await running;
    await disposing;
    expect(out.probs?.dims).toEqual([3, CLASSES]);
    await expectSessionError(
      session.run({ x: input(1), labels: labelsOf(1) }),
      'E_SESSION_DISPOSED',
      /disposed/,
    );
  });

  it('names the feed when feeds do not match the model', async () => {
    const session = await Session.create(buildSmallCnn());
    try {
      const x = input(1);
      await expectSessionError(session.run({ x }), 'E_SESSION_FEED', /missing feed\(s\) 'labels'/);
      await expectSessionError(
        session.run({ x, labels: labelsOf(1), extra: x }),
        'E_SESSION_FEED',
        /feed 'extra' is not a model input/,
      );
      await expectSessionError(
        session.run({ x: { ...x, dims: [2, 2, 9, 9] }, labels: labelsOf(1) }),
        'E_SESSION_FEED',
        /feed 'x': dims \[2, 2, 9, 9\] hold 324 elements but the data has 162/,
      );
      await expectSessionError(
        session.run({ x, labels: labelsOf(1) }, ['nope']),
        'E_SESSION_FEED',
        /fetch 'nope'/,
      );
      // Wrong element type: caught by ORT, wrapped with its message.
      await expectSessionError(
        session.run({ x, labels: float32([1], [0]) }),
        'E_SESSION_RUN',
        /ONNX Runtime failed.*labels|ONNX Runtime failed.*int64/i,
      );
    } finally {
      await session.dispose();
    }
  });

  it('wraps a rejected model and bad options as E_SESSION_CREATE', async () => {
    await expectSessionError(Session.create(Uint8Array.from([1, 2, 3, 4])), 'E_SESSION_CREATE', /rejected/);
    await expectSessionError(
      Session.create(buildSmallCnn(), { intraOpNumThreads: 0 }),
      'E_SESSION_CREATE',
      /intraOpNumThreads must be an integer >= 1, found 0/,
    );
    // A graph that validates in the builder but is wrong for ORT (Relu on int64).
    const b = new ModelBuilder();
    b.node('Relu', [b.input('i', 'int64', [2])], ['o']);
    b.output('o', 'int64', [2]);
    await expectSessionError(Session.create(b.toBytes()), 'E_SESSION_CREATE', /rejected the model: .+/);
  });

  it('runs a model that declares an output straight from an initializer', async () => {
    const b = new ModelBuilder();
    b.initializer('c', float32([2], [4, 5]));
    b.node('Identity', [b.input('x', 'float32', [2])], ['y']);
    b.output('y', 'float32', [2]);
    b.output('c', 'float32', [2]);
    const session = await Session.create(b.toBytes());
    try {
      const out = await session.run({ x: float32([2], [1, 2]) });
      expect(Array.from(out.y?.data as Float32Array)).toEqual([1, 2]);
      expect(Array.from(out.c?.data as Float32Array)).toEqual([4, 5]);
    } finally {
      await session.dispose();
    }
  });
});

describe('Session execution providers', () => {
  // onnxruntime-node installs the CUDA provider's libraries only when asked (docs/gpu.md); .npmrc skips it.
  const cudaLib = fileURLToPath(
    new URL(
      '../../node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so',
      import.meta.url,
    ),
  );
  it.skipIf(existsSync(cudaLib))(
    'names the GPU docs when a requested provider is not installed',
    async () => {
      const run = Session.create(buildSmallCnn(), {
        executionProviders: ['cuda', 'cpu'],
        logSeverityLevel: 4,
      });
      await expect(run).rejects.toThrow(SessionError);
      await expect(
        Session.create(buildSmallCnn(), { executionProviders: ['cuda', 'cpu'], logSeverityLevel: 4 }),
      ).rejects.toThrow(/execution providers cuda, cpu: a GPU provider must be installed; see docs\/gpu\.md/);
    },
  );
});
