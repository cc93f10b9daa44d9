import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite.js';
import type { ExperimentSummary, TrialsEvent } from '../web/api-types.js';
import { HostPolicy } from './access.js';
import { createApp } from './app.js';
import { ChangeFeed } from './change-feed.js';
import { StreamRegistry } from './events.js';
import { ReadStore } from './read-store.js';
import { startUiServer, type UiServer } from './server.js';
import { seedDatabase, type Seeded } from './seed.testkit.js';
import { EventStream } from './sse.testkit.js';
import { DashboardData } from './views.js';

let seeded: Seeded;
let server: UiServer;

beforeAll(async () => {
  seeded = await seedDatabase();
  server = await startUiServer({ db: seeded.file, port: 0, host: '127.0.0.1', pollMs: 100 });
});

afterAll(async () => {
  await server?.close();
  rmSync(seeded.dir, { recursive: true, force: true });
});

describe('live updates (GET /api/events)', () => {
  it('sends the state on connect, then a trials event when another process adds a trial', async () => {
    const stream = new EventStream(new URL(`/api/events?experiment=${seeded.chain.id}`, server.url));
    try {
      const first = await stream.next<TrialsEvent>('trials', () => true);
      expect(first).toMatchObject({
        experimentId: seeded.chain.id,
        trials: 3,
        complete: 2,
        state: 'running',
      });
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      const list = await stream.next<{ experiments: ExperimentSummary[] }>('experiments', () => true);
      expect(list.experiments.map((e) => e.trials)).toEqual([3, 4]);

      const writer = SqliteStorage.open(seeded.file);
      try {
        const trial = await writer.createTrial(seeded.chain.id, {
          sample: { layer_0: 'terminate' },
          key: 'T',
        });
        const created = await stream.next<TrialsEvent>('trials', (e) => e.trials === 4);
        expect(created.complete).toBe(2);
        await writer.finish(trial.id, {
          state: 'complete',
          metrics: { valid_acc: 0.9 },
          score: 0.9,
          cost: 0,
        });
        expect((await stream.next<TrialsEvent>('trials', (e) => e.complete === 3)).trials).toBe(4);
        const updated = await stream.next<{ experiments: ExperimentSummary[] }>(
          'experiments',
          (e) => e.experiments[0]?.best === 0.9,
        );
        expect(updated.experiments[0]?.bestTrialId).toBe(trial.id);
      } finally {
        await writer.close();
      }
    } finally {
      stream.close();
      await stream.ended;
    }
  });

  it('sends no trials event for an unchanged experiment, and only the list without ?experiment=', async () => {
    const stream = new EventStream(new URL('/api/events', server.url));
    try {
      await stream.next('experiments', () => true);
      // Several polls (100 ms each) with nothing written.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(stream.received.map((e) => e.event)).toEqual(['experiments']);
    } finally {
      stream.close();
      await stream.ended;
    }
  });

  it('unsubscribes a stream from the poll when its client goes away', async () => {
    const store = ReadStore.open(seeded.file);
    const feed = new ChangeFeed(store, 100);
    const app = createApp({
      data: new DashboardData(store),
      feed,
      streams: new StreamRegistry(),
      assetsDir: seeded.dir,
      hosts: new HostPolicy('127.0.0.1', 80),
    });
    try {
      const response = await app.request(`/api/events?experiment=${seeded.chain.id}`, {
        headers: { Host: 'localhost' },
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toMatch(/^event: trials\n/);
      expect(feed.subscribers).toBe(1);
      await reader.cancel();
      await vi.waitFor(() => expect(feed.subscribers).toBe(0));
    } finally {
      feed.stop();
      store.close();
    }
  });

  it('ends open streams when the server closes', async () => {
    const other = await startUiServer({ db: seeded.file, port: 0, host: '127.0.0.1', pollMs: 100 });
    const stream = new EventStream(new URL(`/api/events?experiment=${seeded.nb201.id}`, other.url));
    await stream.next('trials', () => true);
    await other.close();
    await stream.ended;
    await expect(fetch(new URL('/api/experiments', other.url))).rejects.toThrow();
  });
});
