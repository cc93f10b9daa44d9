import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Metrics, TrialRecord } from '../../core/types.js';
import { configToJson, parseExperimentConfig } from '../../runner/config.js';
import { Nb201Space } from '../../space/nb201.js';
import { enumerate } from '../../space/walk.js';
import { openStorage } from '../../storage/open.js';
import { parseObjectivesFlag, showCommand, topTrials } from './show.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-show-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Front over (acc max, lat min): #1 (80, 2), #3 (85, 5), #0 (90, 12); #2 (82, 6) is dominated. */
const TRIALS: Metrics[] = [
  { acc: 90, lat: 12, size: 3 },
  { acc: 80, lat: 2, size: 1 },
  { acc: 82, lat: 6, size: 2 },
  { acc: 85, lat: 5, size: 9 },
];

async function experiment(config: object, cost = 1): Promise<{ db: string; id: string }> {
  const db = join(dir, `${Math.random().toString(36).slice(2)}.db`);
  const storage = openStorage(db);
  try {
    const parsed = parseExperimentConfig(config, 'test');
    const { id } = await storage.createExperiment('front', configToJson(parsed));
    const space = new Nb201Space();
    const samples = enumerate(space, 20_000);
    for (const [i, metrics] of TRIALS.entries()) {
      const sample = samples[i * 7] as TrialRecord['sample'];
      const t = await storage.createTrial(id, { sample, key: space.key(sample) });
      await storage.finish(t.id, { state: 'complete', metrics, score: metrics.acc as number, cost });
    }
    return { db, id };
  } finally {
    await storage.close();
  }
}

async function capture(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await run(), out };
  } finally {
    spy.mockRestore();
  }
}

const NSGA2 = {
  strategy: {
    name: 'nsga2',
    options: {
      objectives: [
        { metric: 'acc', direction: 'maximize' },
        { metric: 'lat', direction: 'minimize' },
      ],
    },
  },
  budget: { trials: 4 },
};

describe('naslab show: the Pareto front', () => {
  it("prints the front over the strategy's objectives, best first in the first", async () => {
    const { db, id } = await experiment(NSGA2);
    const json = await capture(() => showCommand(id, { db, json: true }));
    const shown = JSON.parse(json.out) as { front: TrialRecord[]; objectives: unknown };
    expect(json.code).toBe(0);
    expect(shown.front.map((t) => t.number)).toEqual([0, 3, 1]);
    expect(shown.objectives).toEqual(NSGA2.strategy.options.objectives);
    const text = await capture(() => showCommand(id, { db }));
    expect(text.out).toContain('Pareto front: 3 trials over acc (max), lat (min)');
    const rows = text.out.slice(text.out.indexOf('Pareto front')).split('\n');
    const numbers = rows.flatMap((r) => {
      const m = /^│ \S+\s+│ (\d+)\s+│ (\d+)\s+│ (\d+)/.exec(r);
      return m === null ? [] : [[Number(m[1]), Number(m[2]), Number(m[3])]];
    });
    expect(numbers).toEqual([
      [0, 90, 12],
      [3, 85, 5],
      [1, 80, 2],
    ]);
  });

  it('--objectives overrides the config; without objectives there is no front', async () => {
    const { db, id } = await experiment({ strategy: 'random', budget: { trials: 4 } });
    const plain = JSON.parse((await capture(() => showCommand(id, { db, json: true }))).out) as object;
    expect(plain).not.toHaveProperty('front');
    const flag = await capture(() => showCommand(id, { db, json: true, objectives: 'acc:max,size:min' }));
    const front = (JSON.parse(flag.out) as { front: TrialRecord[] }).front.map((t) => t.number);
    expect(front).toEqual([0, 2, 1]); // (acc, size): (90, 3), (82, 2), (80, 1); (85, 9) is dominated by #0
  });

  it('ranks best and top by the reward when the config has one, and shows its front', async () => {
    const { db, id } = await experiment({
      reward: { type: 'mnas', accuracy: 'acc', latency: 'lat', target: 5, variant: 'hard' },
      budget: { trials: 4 },
    });
    const shown = JSON.parse((await capture(() => showCommand(id, { db, json: true }))).out) as {
      best: TrialRecord;
      top: TrialRecord[];
      front: TrialRecord[];
    };
    // hard MnasNet, T = 5: 90 x 5/12 = 37.5, 80, 82 x 5/6 = 68.3, 85
    expect(shown.best.number).toBe(3);
    expect(shown.top.map((t) => t.number)).toEqual([3, 1, 2, 0]);
    expect(shown.front.map((t) => t.number)).toEqual([0, 3, 1]);
  });

  it('says what the trials cost: simulated seconds on a table, never "simulated 0 s" for trained ones', async () => {
    const table = await experiment(NSGA2);
    expect((await capture(() => showCommand(table.id, { db: table.db }))).out).toContain(
      'trials: 4 (4 complete), simulated 4 s',
    );
    const trained = await experiment(NSGA2, 0);
    const out = (await capture(() => showCommand(trained.id, { db: trained.db }))).out;
    expect(out).toMatch(/trials: 4 \(4 complete\)(, [\d.]+s of trial time)?\n/);
    expect(out).not.toContain('simulated');
  });

  it('reads --objectives strictly', () => {
    expect(parseObjectivesFlag(' acc:max , lat:MIN')).toEqual([
      { metric: 'acc', direction: 'maximize' },
      { metric: 'lat', direction: 'minimize' },
    ]);
    expect(() => parseObjectivesFlag('acc:up')).toThrow(/expected metric:max or metric:min/);
    expect(() => parseObjectivesFlag('acc:max,acc:min')).toThrow(/already an objective/);
    expect(topTrials([], 3)).toEqual([]);
  });
});
