import { afterEach, describe, expect, it, vi } from 'vitest';
import { Rng } from '../core/rng.js';
import { Session } from '../runtime/session.js';
import { nchwcBlockSize } from '../runtime/nchwc.js';
import { randomSample } from '../space/walk.js';
import { Supernet } from './supernet.js';
import { batchOf, tinyData, tinyMacro } from './supernet.testkit.js';
import { SharedWeights } from './weights.js';

afterEach(() => vi.restoreAllMocks());

/**
 * Every child session the supernet creates is disposed: on eviction from the cache, and by close().
 * (That a disposed Session releases its native memory is runtime/session-leak.test.ts's job.)
 */
describe('supernet sessions', () => {
  it('disposes evicted sessions at once and the rest on close', async () => {
    await nchwcBlockSize(); // its one-off probe session is not the code under test
    const create = vi.spyOn(Session, 'create');
    const dispose = vi.spyOn(Session.prototype, 'dispose');
    const space = tinyMacro();
    const data = tinyData(16, 2);
    const net = new Supernet(space, new SharedWeights(1), data, { optimizer: { kind: 'sgd' }, cacheSize: 3 });
    const rng = new Rng(8);
    const { x, labels } = batchOf(data, 8);
    for (let i = 0; i < 12; i++) await net.train(randomSample(space, rng), x, labels, 0.01);
    const built = net.stats.builds;
    expect(create).toHaveBeenCalledTimes(built);
    expect(dispose).toHaveBeenCalledTimes(built - 3);
    await net.close();
    expect(dispose).toHaveBeenCalledTimes(built);
    // The store outlives the sessions: a later call builds again.
    await net.train(randomSample(space, rng), x, labels, 0.01);
    await net.close();
    expect(dispose).toHaveBeenCalledTimes(built + 1);
  });
});
