import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { SqliteStorage } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-sqlite-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const storageModule = pathToFileURL(fileURLToPath(new URL('./sqlite.ts', import.meta.url))).href;

/** Creates and finishes trials as fast as it can, each with a strategy state counting them. */
const writerScript = `
import { SqliteStorage } from ${JSON.stringify(storageModule)};
const storage = SqliteStorage.open(process.argv[2]);
const exp = await storage.createExperiment('crash', {});
const counts = (created, finished) => ({ strategy: 'count', version: 1, data: { created, finished } });
const giveUpAt = Date.now() + 20000;
let created = 0;
let finished = 0;
while (Date.now() < giveUpAt) {
  const trial = await storage.createTrial(exp.id, { sample: { n: created }, key: String(created) }, counts(created + 1, finished));
  created++;
  if (created === 200) process.stdout.write('ready\\n');
  await storage.finish(trial.id, { state: 'complete', metrics: { n: created }, score: 1, cost: 1 }, counts(created, finished + 1));
  finished++;
}
`;

it('stays consistent when the writing process is killed with SIGKILL mid-write', async () => {
  const script = join(dir, 'writer.mts');
  writeFileSync(script, writerScript);
  const file = join(dir, 'crash.db');
  const child = spawn(process.execPath, ['--import', 'tsx', script, file], { cwd: repoRoot, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.on('exit', () => reject(new Error(`the writer exited early: ${stderr}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, 150));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  const storage = SqliteStorage.open(file);
  const [experiment] = await storage.experiments();
  const trials = await storage.trials(experiment!.id);
  const state = await storage.loadStrategyState(experiment!.id);
  const finished = trials.filter((t) => t.state === 'complete');
  expect(trials.length).toBeGreaterThanOrEqual(200);
  expect(state?.data).toEqual({ created: trials.length, finished: finished.length });
  expect(trials.map((t) => t.number)).toEqual(trials.map((_, i) => i));
  expect(trials.filter((t) => t.state === 'running').length).toBeLessThanOrEqual(1);
  await storage.close();
});
