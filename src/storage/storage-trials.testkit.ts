import { beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../core/errors.js';
import type { Storage, TrialResult } from '../core/storage.js';
import type { TrialRecord } from '../core/types.js';
import { storageFixture } from './storage-fixture.testkit.js';

/** The trial and report part of the conformance suite; `current` returns the store of the running test. */
export function describeTrialConformance(current: () => Storage): void {
  const { newExperiment, newTrial } = storageFixture(current);
  let storage: Storage;
  beforeEach(() => {
    storage = current();
  });

  describe('trials', () => {
    it('numbers trials from 0 in creation order and starts them running', async () => {
      const exp = await newExperiment();
      const before = Date.now();
      const created = [await newTrial(exp, 'a'), await newTrial(exp, 'b'), await newTrial(exp, 'c')];
      expect(created.map((t) => t.number)).toEqual([0, 1, 2]);
      expect(new Set(created.map((t) => t.id)).size).toBe(3);
      const first = created[0];
      expect(first).toMatchObject({
        experimentId: exp,
        sample: { op: 'a', width: 16 },
        key: 'a|16',
        state: 'running',
        metrics: {},
        cost: 0,
      });
      expect(first?.score).toBeUndefined();
      expect(first?.finishedAt).toBeUndefined();
      expect(first?.error).toBeUndefined();
      expect(first?.createdAt).toBeGreaterThanOrEqual(before);
      expect(await storage.trials(exp)).toEqual(created);
    });

    it('hands out distinct numbers to trials created concurrently', async () => {
      const exp = await newExperiment();
      const created = await Promise.all(Array.from({ length: 20 }, (_, i) => newTrial(exp, `op${i}`)));
      expect(created.map((t) => t.number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      );
    });

    const results: Record<TrialResult['state'], TrialResult> = {
      complete: { state: 'complete', metrics: { acc: 0.9375, latency: 3.5 }, score: 0.9375, cost: 12.5 },
      invalid: { state: 'invalid', metrics: {}, score: -1, cost: 0 },
      failed: {
        state: 'failed',
        metrics: {},
        cost: 1,
        error: { code: 'E_TRIAL_FAILED', message: 'out of memory' },
      },
      pruned: { state: 'pruned', metrics: { acc: 0.5 }, score: 0.5, cost: 3 },
    };
    for (const result of Object.values(results)) {
      it(`finishes a trial as ${result.state} with its metrics, score, cost and error`, async () => {
        const exp = await newExperiment();
        const trial = await newTrial(exp);
        const before = Date.now();
        const finished = await storage.finish(trial.id, result);
        const expected = { ...trial, ...result, finishedAt: finished.finishedAt };
        expect(finished).toEqual(expected);
        expect(finished.finishedAt).toBeGreaterThanOrEqual(before);
        expect(await storage.trials(exp)).toEqual([expected]);
      });
    }

    it('never changes a finished trial again', async () => {
      const exp = await newExperiment();
      const trial = await newTrial(exp);
      await storage.finish(trial.id, results.complete);
      await expect(storage.finish(trial.id, results.failed)).rejects.toThrow(StorageError);
      await expect(storage.finish(trial.id, results.failed)).rejects.toThrow(/already complete/);
      await expect(storage.requeue(trial.id)).rejects.toThrow(StorageError);
      expect((await storage.trials(exp))[0]).toMatchObject({ state: 'complete', cost: 12.5 });
    });

    it('filters trials by state', async () => {
      const exp = await newExperiment();
      const [a, b, c, d] = [
        await newTrial(exp),
        await newTrial(exp),
        await newTrial(exp),
        await newTrial(exp),
      ];
      await storage.finish(a!.id, results.complete);
      await storage.finish(c!.id, results.failed);
      await storage.requeue(d!.id);
      const numbers = async (states: TrialRecord['state'][]) =>
        (await storage.trials(exp, { states })).map((t) => t.number);
      expect(await numbers(['running'])).toEqual([b!.number]);
      expect(await numbers(['queued', 'running'])).toEqual([1, 3]);
      expect(await numbers(['complete', 'failed', 'invalid', 'pruned'])).toEqual([0, 2]);
      expect(await numbers([])).toEqual([]);
      expect(await storage.trials(exp, {})).toHaveLength(4);
    });

    it('requeues a running trial, which can then be finished', async () => {
      const exp = await newExperiment();
      const trial = await newTrial(exp);
      await storage.requeue(trial.id);
      expect((await storage.trials(exp))[0]?.state).toBe('queued');
      await storage.requeue(trial.id); // already queued: nothing to do
      expect((await storage.trials(exp))[0]?.state).toBe('queued');
      const finished = await storage.finish(trial.id, results.complete);
      expect(finished).toMatchObject({ state: 'complete', number: 0, sample: trial.sample });
    });

    it('keeps the trials of two experiments apart', async () => {
      const one = await newExperiment('one');
      const two = await newExperiment('two');
      await newTrial(one, 'a');
      await newTrial(two, 'x');
      await newTrial(one, 'b');
      await newTrial(two, 'y');
      const inOne = await storage.trials(one);
      const inTwo = await storage.trials(two);
      expect(inOne.map((t) => [t.number, t.key, t.experimentId])).toEqual([
        [0, 'a|16', one],
        [1, 'b|16', one],
      ]);
      expect(inTwo.map((t) => [t.number, t.key, t.experimentId])).toEqual([
        [0, 'x|16', two],
        [1, 'y|16', two],
      ]);
    });

    it('keeps NaN and infinite metrics; a NaN score counts as no score', async () => {
      const exp = await newExperiment();
      const trial = await newTrial(exp);
      const metrics = {
        acc: Number.NaN,
        up: Number.POSITIVE_INFINITY,
        down: Number.NEGATIVE_INFINITY,
        ok: 1,
      };
      await storage.report(trial.id, 1, metrics);
      const finished = await storage.finish(trial.id, {
        state: 'complete',
        metrics,
        score: Number.NaN,
        cost: 2,
      });
      const [read] = await storage.trials(exp);
      for (const record of [finished, read]) {
        expect(record?.metrics).toEqual(metrics);
        expect(record?.score).toBeUndefined();
      }
      expect((await storage.reports(trial.id))[0]?.metrics).toEqual(metrics);
    });
  });

  describe('intermediate reports', () => {
    it('returns reports ordered by step and replaces a step reported twice', async () => {
      const trial = await newTrial(await newExperiment());
      expect(await storage.reports(trial.id)).toEqual([]);
      await storage.report(trial.id, 3, { acc: 0.3 });
      await storage.report(trial.id, 1, { acc: 0.1 });
      await storage.report(trial.id, 2, { acc: 0.2, loss: 1.5 });
      await storage.report(trial.id, 1, { acc: 0.15 });
      expect(await storage.reports(trial.id)).toEqual([
        { step: 1, metrics: { acc: 0.15 } },
        { step: 2, metrics: { acc: 0.2, loss: 1.5 } },
        { step: 3, metrics: { acc: 0.3 } },
      ]);
    });

    it('keeps the reports of each trial apart', async () => {
      const exp = await newExperiment();
      const [a, b] = [await newTrial(exp), await newTrial(exp)];
      await storage.report(a.id, 0, { acc: 1 });
      expect(await storage.reports(b.id)).toEqual([]);
      expect(await storage.reports(a.id)).toHaveLength(1);
    });
  });
}
