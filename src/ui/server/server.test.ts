import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControllerPoint, ExperimentDetail, ExperimentSummary, GraphView } from '../web/api-types.js';
import { startUiServer, type UiServer } from './server.js';
import { CHAIN_LABELS, seedDatabase, writeAssets, type Seeded } from './seed.testkit.js';

let seeded: Seeded;
let server: UiServer;

beforeAll(async () => {
  seeded = await seedDatabase();
  server = await startUiServer({
    db: seeded.file,
    port: 0,
    host: '127.0.0.1',
    assetsDir: writeAssets(seeded.dir),
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(seeded.dir, { recursive: true, force: true });
});

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(new URL(path, server.url));
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as T;
}

describe('the dashboard API', () => {
  it('lists the experiments with their counts, signal and best value', async () => {
    const list = await getJson<ExperimentSummary[]>('/api/experiments');
    expect(list.map((e) => e.name)).toEqual(['chain-seeded', 'nb201-moo']);
    const [chain, nb201] = list as [ExperimentSummary, ExperimentSummary];
    expect(chain).toMatchObject({
      id: seeded.chain.id,
      state: 'running',
      strategy: 'random',
      space: 'chain',
      evaluator: 'train:fashion-mnist',
      signal: 'valid_acc',
      direction: 'maximize',
      trials: 3,
      complete: 2,
      best: 0.7,
      bestTrialId: seeded.chain.trialIds[1],
    });
    expect(nb201).toMatchObject({
      state: 'complete',
      strategy: 'nsga2',
      space: 'nb201',
      signal: 'c10valid_xvalid_acc_12ep',
      trials: 4,
      complete: 4,
      best: 82,
      bestTrialId: seeded.nb201.trialIds[3],
    });
    expect(typeof chain.createdAt).toBe('number');
  });

  it('gives an experiment with its trials, best-so-far curve, config and Pareto front', async () => {
    const chain = await getJson<ExperimentDetail>(`/api/experiments/${seeded.chain.id}`);
    expect(chain.trials.map((t) => [t.number, t.state, t.score])).toEqual([
      [0, 'complete', 0.5],
      [1, 'complete', 0.7],
      [2, 'running', null],
    ]);
    expect(chain.trials[0]?.seconds).toBeGreaterThanOrEqual(0);
    expect(chain.trials[2]?.seconds).toBeNull();
    expect(chain.bestSoFar.map((p) => [p.number, p.best])).toEqual([
      [0, 0.5],
      [1, 0.7],
    ]);
    expect(chain.objectives).toBeUndefined();
    expect(chain.front).toBeUndefined();
    expect(chain.experiment.config).toMatchObject({ space: { type: 'chain' }, strategy: { name: 'random' } });

    const nb201 = await getJson<ExperimentDetail>(`/api/experiments/${seeded.nb201.id}`);
    expect(nb201.bestSoFar.map((p) => p.best)).toEqual([80, 80, 80, 82]);
    expect(nb201.objectives?.map((o) => o.metric)).toEqual(['valid_acc_200ep', 'params_M']);
    const [a, b, , d] = seeded.nb201.trialIds;
    expect(nb201.front).toEqual([a, b, d]);
  });

  it("gives a trial's learning curve and the controller's statistics", async () => {
    const [first] = seeded.chain.trialIds;
    const curve = await getJson<{ step: number; metrics: Record<string, number> }[]>(
      `/api/experiments/${seeded.chain.id}/trials/${first}/reports`,
    );
    expect(curve.map((r) => [r.step, r.metrics['valid_acc']])).toEqual([
      [1, 0.3],
      [2, 0.5],
    ]);
    const controller = await getJson<ControllerPoint[]>(`/api/experiments/${seeded.chain.id}/controller`);
    expect(controller).toEqual([
      { number: 0, reward: 0.4, entropy: 1.2 },
      { number: 1, reward: 1.4, entropy: 1.2 },
    ]);
    expect(await getJson(`/api/experiments/${seeded.nb201.id}/controller`)).toEqual([]);
  });

  it('draws a chain network as labelled IR ops and an nb201 cell with ops on its 6 edges', async () => {
    const [first] = seeded.chain.trialIds;
    const chain = await getJson<GraphView>(`/api/experiments/${seeded.chain.id}/trials/${first}/graph`);
    expect(chain.kind).toBe('network');
    expect(chain.nodes.map((n) => n.label)).toEqual(CHAIN_LABELS);
    expect(chain.edges).toHaveLength(6);

    const cell = await getJson<GraphView>(
      `/api/experiments/${seeded.nb201.id}/trials/${seeded.nb201.trialIds[0]}/graph`,
    );
    expect(cell.kind).toBe('cell');
    expect(cell.nodes.map((n) => n.id)).toEqual(['n0', 'n1', 'n2', 'n3']);
    expect(cell.edges).toHaveLength(6);
    expect(cell.edges).toContainEqual({ from: 'n0', to: 'n1', label: 'conv 3x3' });
    expect(cell.edges).toContainEqual({ from: 'n1', to: 'n2', label: 'skip' });
  });

  it('answers unknown experiments, trials and routes with a JSON 404', async () => {
    const cases = [
      '/api/experiments/99',
      '/api/experiments/abc',
      `/api/experiments/${seeded.nb201.id}/trials/${seeded.chain.trialIds[0]}/reports`,
      `/api/experiments/${seeded.chain.id}/trials/999/graph`,
      '/api/nothing',
    ];
    for (const path of cases) {
      const response = await fetch(new URL(path, server.url));
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: string }).error).toMatch(/no |not found/);
    }
  });
});

describe('the dashboard files', () => {
  it('serves files with their content type and index.html for app routes', async () => {
    const script = await fetch(new URL('/assets/app.js', server.url));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    for (const path of ['/', '/experiments/1']) {
      const page = await fetch(new URL(path, server.url));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<div id="app">');
    }
    expect((await fetch(new URL('/assets/missing.js', server.url))).status).toBe(404);
  });

  it('says to build the package when the files are missing', async () => {
    const bare = await startUiServer({
      db: seeded.file,
      port: 0,
      host: '127.0.0.1',
      assetsDir: join(seeded.dir, 'no-such-folder'),
    });
    try {
      const page = await fetch(new URL('/', bare.url));
      expect(page.status).toBe(500);
      expect(await page.text()).toMatch(/npm run build/);
      // The API does not need the files.
      expect((await fetch(new URL('/api/experiments', bare.url))).status).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

describe('access', () => {
  it('refuses a host other machines can reach unless a token is set', async () => {
    await expect(startUiServer({ db: seeded.file, port: 0, host: '0.0.0.0' })).rejects.toThrow(
      /--host 0\.0\.0\.0 .*--token/,
    );
    await expect(startUiServer({ db: seeded.file, port: 0, host: '::', token: ' ' })).rejects.toThrow(
      /--token is empty/,
    );
  });

  it('with a token, refuses requests without it and accepts it as a header, a query or the cookie', async () => {
    const guarded = await startUiServer({
      db: seeded.file,
      port: 0,
      host: '127.0.0.1',
      token: 's3cret',
      assetsDir: writeAssets(seeded.dir),
    });
    try {
      const at = (path: string): URL => new URL(path, guarded.url);
      for (const path of ['/api/experiments', '/api/events', '/', '/assets/app.js']) {
        const refused = await fetch(at(path));
        expect(refused.status, path).toBe(401);
        expect(((await refused.json()) as { error: string }).error).toMatch(/token/);
      }
      const wrong = await fetch(at('/api/experiments'), { headers: { Authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);

      const header = await fetch(at('/api/experiments'), { headers: { Authorization: 'Bearer s3cret' } });
      expect(header.status).toBe(200);
      expect(((await header.json()) as unknown[]).length).toBe(2);

      const query = await fetch(at('/?token=s3cret'));
      expect(query.status).toBe(200);
      const cookie = query.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/naslab_token=s3cret.*HttpOnly/);
      const script = await fetch(at('/assets/app.js'), {
        headers: { Cookie: cookie.split(';')[0] as string },
      });
      expect(script.status).toBe(200);
      expect(guarded.openUrl).toBe(`${guarded.url}?token=s3cret`);
    } finally {
      await guarded.close();
    }
  });

  it('names the file when the database does not exist', async () => {
    await expect(
      startUiServer({ db: join(seeded.dir, 'missing.db'), port: 0, host: '127.0.0.1' }),
    ).rejects.toThrow(/missing\.db: no naslab database there/);
  });
});
