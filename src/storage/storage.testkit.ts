import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, StorageError } from '../core/errors.js';
import type { Storage } from '../core/storage.js';
import type { StrategyState, TrialRecord } from '../core/types.js';
import { conformanceConfig, nestedStrategyState, storageFixture } from './storage-fixture.testkit.js';
import { describeTrialConformance } from './storage-trials.testkit.js';

/**
 * The behaviour every Storage backend must have. A backend's test file calls this once with a factory
 * that returns a fresh, empty store; each test closes the store it was given.
 */
export function describeStorageConformance(name: string, make: () => Promise<Storage> | Storage): void {
  describe(`Storage conformance: ${name}`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await make();
    });
    afterEach(async () => {
      await storage.close();
    });

    const config = conformanceConfig;
    const strategyState = nestedStrategyState;
    const { newExperiment, newTrial } = storageFixture(() => storage);

    describeTrialConformance(() => storage);

    describe('experiments', () => {
      it('creates, reads and lists experiments in creation order', async () => {
        const before = Date.now();
        const first = await storage.createExperiment('first', config);
        const second = await storage.createExperiment('second', { other: null });
        expect(first).toMatchObject({ name: 'first', config, state: 'running' });
        expect(first.createdAt).toBeGreaterThanOrEqual(before);
        expect(first.createdAt).toBeLessThanOrEqual(Date.now());
        expect(first.updatedAt).toBe(first.createdAt);
        expect(second.id).not.toBe(first.id);
        expect(await storage.experiment(first.id)).toEqual(first);
        expect((await storage.experiments()).map((e) => e.name)).toEqual(['first', 'second']);
        expect((await storage.experiment(second.id)).config).toEqual({ other: null });
      });

      it('changes the state of an experiment and its update time', async () => {
        const created = await storage.createExperiment('x', config);
        for (const state of ['interrupted', 'complete', 'failed', 'running'] as const) {
          await storage.setExperimentState(created.id, state);
          const read = await storage.experiment(created.id);
          expect(read.state).toBe(state);
          expect(read.updatedAt).toBeGreaterThanOrEqual(created.createdAt);
        }
      });
    });

    describe('strategy state', () => {
      it('is undefined until saved, then round-trips nested JSON and is replaced by the next save', async () => {
        const exp = await newExperiment();
        expect(await storage.loadStrategyState(exp)).toBeUndefined();
        await storage.saveStrategyState(exp, strategyState);
        expect(await storage.loadStrategyState(exp)).toEqual(strategyState);
        const next: StrategyState = { strategy: 'random', version: 1, data: null };
        await storage.saveStrategyState(exp, next);
        expect(await storage.loadStrategyState(exp)).toEqual(next);
      });

      it('is stored together with createTrial and finish', async () => {
        const exp = await newExperiment();
        const atCreate: StrategyState = { strategy: 'evolution', version: 1, data: { asked: 1 } };
        const trial = await storage.createTrial(exp, { sample: { a: 1 }, key: 'a1' }, atCreate);
        expect(await storage.loadStrategyState(exp)).toEqual(atCreate);
        const atFinish: StrategyState = {
          strategy: 'evolution',
          version: 1,
          data: { asked: 1, told: [0.5] },
        };
        await storage.finish(
          trial.id,
          { state: 'complete', metrics: { acc: 0.5 }, score: 0.5, cost: 1 },
          atFinish,
        );
        expect(await storage.loadStrategyState(exp)).toEqual(atFinish);
        // Without a state, the saved one stays.
        await storage.finish((await newTrial(exp)).id, { state: 'invalid', metrics: {}, score: 0, cost: 0 });
        expect(await storage.loadStrategyState(exp)).toEqual(atFinish);
      });

      it('refuses a state JSON cannot hold and then has changed nothing', async () => {
        const exp = await newExperiment();
        await storage.saveStrategyState(exp, strategyState);
        const bad: StrategyState = {
          strategy: 'x',
          version: 1,
          data: { n: 10n } as unknown as StrategyState['data'],
        };
        await expect(storage.createTrial(exp, { sample: { a: 1 }, key: 'a1' }, bad)).rejects.toThrow(
          StorageError,
        );
        expect(await storage.trials(exp)).toEqual([]);
        const trial = await newTrial(exp);
        expect(trial.number).toBe(0);
        await expect(
          storage.finish(trial.id, { state: 'complete', metrics: {}, cost: 0 }, bad),
        ).rejects.toThrow(/strategy state/);
        expect((await storage.trials(exp))[0]?.state).toBe('running');
        await expect(storage.saveStrategyState(exp, bad)).rejects.toThrow(StorageError);
        expect(await storage.loadStrategyState(exp)).toEqual(strategyState);
      });
    });

    describe('unknown ids', () => {
      it('rejects every call on an unknown experiment with a NotFoundError naming the id', async () => {
        await newExperiment();
        for (const id of ['987654', 'abc', '']) {
          const calls: (() => Promise<unknown>)[] = [
            () => storage.experiment(id),
            () => storage.setExperimentState(id, 'complete'),
            () => storage.createTrial(id, { sample: { a: 1 }, key: 'a' }),
            () => storage.createTrial(id, { sample: { a: 1 }, key: 'a' }, strategyState),
            () => storage.trials(id),
            () => storage.trials(id, { states: ['complete'] }),
            () => storage.saveStrategyState(id, strategyState),
            () => storage.loadStrategyState(id),
          ];
          for (const call of calls) {
            const error: unknown = await call().catch((e: unknown) => e);
            expect(error).toBeInstanceOf(NotFoundError);
            expect((error as Error).message).toContain(`"${id}"`);
            expect((error as Error).message).toMatch(/experiment/);
          }
        }
      });

      it('rejects every call on an unknown trial with a NotFoundError naming the id', async () => {
        await newTrial(await newExperiment());
        for (const id of ['987654', 'nope']) {
          const calls: (() => Promise<unknown>)[] = [
            () => storage.report(id, 0, { acc: 1 }),
            () => storage.reports(id),
            () => storage.finish(id, { state: 'complete', metrics: {}, cost: 0 }),
            () => storage.finish(id, { state: 'complete', metrics: {}, cost: 0 }, strategyState),
            () => storage.requeue(id),
          ];
          for (const call of calls) {
            const error: unknown = await call().catch((e: unknown) => e);
            expect(error).toBeInstanceOf(NotFoundError);
            expect((error as Error).message).toContain(`"${id}"`);
            expect((error as Error).message).toMatch(/trial/);
          }
        }
      });
    });

    describe('no aliasing', () => {
      it('is not changed by mutating what was passed in', async () => {
        const myConfig = { space: 'toy', list: [1, 2] };
        const exp = (await storage.createExperiment('x', myConfig)).id;
        myConfig.list.push(3);
        const sample: Record<string, string | number> = { op: 'conv', width: 8 };
        const trial = await storage.createTrial(exp, { sample, key: 'k' });
        sample.op = 'pool';
        const metrics: Record<string, number> = { acc: 0.5 };
        await storage.report(trial.id, 0, metrics);
        await storage.finish(trial.id, { state: 'complete', metrics, score: 0.5, cost: 1 });
        metrics.acc = 0;
        const state = { strategy: 's', version: 1, data: { list: [1] } };
        await storage.saveStrategyState(exp, state);
        state.data.list.push(2);

        expect((await storage.experiment(exp)).config).toEqual({ space: 'toy', list: [1, 2] });
        const [read] = await storage.trials(exp);
        expect(read?.sample).toEqual({ op: 'conv', width: 8 });
        expect(read?.metrics).toEqual({ acc: 0.5 });
        expect((await storage.reports(trial.id))[0]?.metrics).toEqual({ acc: 0.5 });
        expect(await storage.loadStrategyState(exp)).toEqual({
          strategy: 's',
          version: 1,
          data: { list: [1] },
        });
      });

      it('is not changed by mutating what it returned', async () => {
        const exp = await storage.createExperiment('x', { list: [1] });
        const trial = await storage.createTrial(exp.id, { sample: { op: 'conv' }, key: 'k' });
        await storage.report(trial.id, 0, { acc: 0.5 });
        await storage.saveStrategyState(exp.id, { strategy: 's', version: 1, data: { list: [1] } });

        const attempt = (mutate: () => void): void => {
          try {
            mutate();
          } catch {
            // A frozen record refuses the change: that is one way to pass.
          }
        };
        const experiment = await storage.experiment(exp.id);
        attempt(() => Reflect.set(experiment, 'state', 'failed'));
        attempt(() => (experiment.config as { list: number[] }).list.push(2));
        const trials = await storage.trials(exp.id);
        attempt(() => Reflect.set(trials[0]!, 'state', 'complete'));
        attempt(() => Reflect.set(trials[0]!.sample, 'op', 'pool'));
        attempt(() => Reflect.set(trials[0]!.metrics, 'acc', 1));
        attempt(() => (trials as TrialRecord[]).pop());
        const reports = await storage.reports(trial.id);
        attempt(() => Reflect.set(reports[0]!.metrics, 'acc', 1));
        const state = await storage.loadStrategyState(exp.id);
        attempt(() => (state!.data as { list: number[] }).list.push(2));
        attempt(() => Reflect.set(trial, 'key', 'changed'));

        expect(await storage.experiment(exp.id)).toMatchObject({ state: 'running', config: { list: [1] } });
        const [read] = await storage.trials(exp.id);
        expect(read).toMatchObject({ state: 'running', sample: { op: 'conv' }, metrics: {}, key: 'k' });
        expect(await storage.reports(trial.id)).toEqual([{ step: 0, metrics: { acc: 0.5 } }]);
        expect((await storage.loadStrategyState(exp.id))?.data).toEqual({ list: [1] });
      });
    });

    it('rejects calls after close with a StorageError', async () => {
      const exp = await newExperiment();
      await storage.close();
      await expect(storage.experiment(exp)).rejects.toThrow(StorageError);
      await expect(storage.createTrial(exp, { sample: {}, key: '' })).rejects.toThrow(/closed/);
    });
  });
}
