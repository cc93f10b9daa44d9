import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite.js';
import type { ExperimentDetail, ExperimentSummary } from '../web/api-types.js';
import { startUiServer } from './server.js';
import { EventStream } from './sse.testkit.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-ui-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const module = (path: string): string => pathToFileURL(fileURLToPath(new URL(path, import.meta.url))).href;

const RAW_CONFIG = {
  name: 'watched',
  seed: 11,
  evaluator: { type: 'benchmark', benchmark: 'nb201' },
  strategy: { name: 'evolution', options: { population: 20, sample: 5 } },
  budget: { trials: 300 },
};

/**
 * The search in another process, as `naslab run` is while `naslab ui` serves its file: first alone into
 * one file, then into the file the dashboard watches (one process loads the nb201 table once).
 */
const searchScript = `
import { parseExperimentConfig } from ${JSON.stringify(module('../../runner/config.ts'))};
import { startExperiment } from ${JSON.stringify(module('../../runner/experiment.ts'))};
import { SqliteStorage } from ${JSON.stringify(module('../../storage/sqlite.ts'))};
for (const file of process.argv.slice(2)) {
  const storage = SqliteStorage.open(file);
  await startExperiment(parseExperimentConfig(${JSON.stringify(RAW_CONFIG)}, 'test'), storage);
  await storage.close();
}
`;

type Trials = [string, number | undefined][];

async function storedTrials(file: string): Promise<Trials> {
  const storage = SqliteStorage.open(file, { readonly: true });
  try {
    return (await storage.trials('1')).map((t) => [t.key, t.score]);
  } finally {
    await storage.close();
  }
}

function search(files: readonly string[]): Promise<void> {
  const script = join(dir, 'search.mts');
  writeFileSync(script, searchScript);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...files], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the search failed (${code}): ${stderr}`)),
    ),
  );
}

describe('a search with the dashboard open', () => {
  it('ends with exactly the trials of the same search without it, and every request succeeds', async () => {
    const aloneFile = join(dir, 'alone.db');
    const file = join(dir, 'watched.db');
    // The database exists before the server opens it; the search then creates its experiment.
    await SqliteStorage.open(file).close();
    const server = await startUiServer({ db: file, port: 0, host: '127.0.0.1', pollMs: 50 });
    const events = new EventStream(new URL('/api/events?experiment=1', server.url));
    const failures: string[] = [];
    const seenCounts = new Set<number>();
    let done = false;
    const get = async <T>(path: string): Promise<T | undefined> => {
      const response = await fetch(new URL(path, server.url));
      if (response.status !== 200) {
        failures.push(`${path}: ${response.status} ${await response.text()}`);
        return undefined;
      }
      return (await response.json()) as T;
    };
    const poll = async (): Promise<void> => {
      while (!done) {
        // A browser polls far less often; a short pause leaves the 2-core CI machine to the search.
        await new Promise((resolve) => setTimeout(resolve, 10));
        const watched = (await get<ExperimentSummary[]>('/api/experiments'))?.[0];
        if (watched === undefined) continue;
        seenCounts.add(watched.trials);
        const detail = await get<ExperimentDetail>(`/api/experiments/${watched.id}`);
        const last = detail?.trials[detail.trials.length - 1];
        if (last !== undefined) {
          await get(`/api/experiments/${watched.id}/trials/${last.id}/graph`);
          await get(`/api/experiments/${watched.id}/trials/${last.id}/reports`);
        }
        await get(`/api/experiments/${watched.id}/controller`);
      }
    };
    try {
      const polling = poll();
      await search([aloneFile, file]).finally(() => (done = true));
      await polling;
      const alone = await storedTrials(aloneFile);
      expect(alone).toHaveLength(300);

      expect(failures).toEqual([]);
      // The server answered while the search was writing, not only before or after it.
      expect([...seenCounts].some((n) => n > 0 && n < 300)).toBe(true);
      await events.next<{ trials: number; complete: number }>('trials', (e) => e.complete === 300);
      const final = await get<ExperimentDetail>('/api/experiments/1');
      expect(final?.trials.map((t) => [t.key, t.score])).toEqual(alone);
      expect(final?.experiment.state).toBe('complete');
    } finally {
      events.close();
      await server.close();
    }
  }, 480_000);
});
