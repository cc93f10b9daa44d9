/**
 * The dashboard end to end: built assets, a seeded SQLite store, the server, and Debian's chromium
 * driven by playwright-core. Screenshots land in test-output/ui/ (the README's come from there).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUi } from '../scripts/build-ui.js';
import type { ExperimentSummary } from '../src/ui/web/api-types.js';
import { formatNumber } from '../src/ui/web/format.js';
import { startUiServer, type UiServer } from '../src/ui/server/index.js';
import { appendTrial, launchChromium, seedExperiments, SEEDED_TRIALS, type Seeded } from './ui.testkit.js';

const SHOTS = join(import.meta.dirname, '..', 'test-output', 'ui');
const TOKEN = 'test-token-3f9a';

let dir: string;
let dbFile: string;
let assetsDir: string;
let seeded: Seeded;
let server: { url: string; close(): Promise<void> | void };
let origin: string;
let browser: Browser;
let page: Page;

async function listed(): Promise<ExperimentSummary[]> {
  const response = await fetch(`${origin}/api/experiments?token=${TOKEN}`);
  return (await response.json()) as ExperimentSummary[];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'naslab-ui-'));
  dbFile = join(dir, 'runs.db');
  mkdirSync(SHOTS, { recursive: true });
  const [assets, experiments] = await Promise.all([buildUi(join(dir, 'assets')), seedExperiments(dbFile)]);
  seeded = experiments;
  assetsDir = assets.outDir;
  server = await startUiServer({
    db: dbFile,
    port: 0,
    host: '127.0.0.1',
    token: TOKEN,
    assetsDir: assets.outDir,
    pollMs: 200, // live updates within a fraction of a second
  });
  origin = new URL(server.url).origin;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Fail within the test's time with the locator that did not appear.
  page.setDefaultTimeout(8_000);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard in a browser', () => {
  it('refuses a request without the token, and serves it with the token', async () => {
    expect((await fetch(`${origin}/api/experiments`)).status).toBe(401);
    expect((await fetch(`${origin}/api/experiments?token=wrong`)).status).toBe(401);
    expect((await fetch(`${origin}/api/experiments?token=${TOKEN}`)).status).toBe(200);
  });

  it('lists the experiments', async () => {
    await page.goto(`${origin}/?token=${TOKEN}#/`);
    const rows = page.locator('#experiments-table tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const single = page.locator(`#experiments-table tr[data-experiment-id="${seeded.single}"]`);
    await expect.poll(() => single.textContent()).toContain('evolution-nb201');
    expect(await single.textContent()).toContain('evolution');
    await page.screenshot({ path: join(SHOTS, 'list.png'), fullPage: true });
  });

  it('shows an experiment: every trial, the best value, best-so-far and the architecture', async () => {
    await page.locator(`#experiments-table tr[data-experiment-id="${seeded.single}"] a`).click();
    const rows = page.locator('#trials-table tbody tr');
    await expect.poll(() => rows.count()).toBe(SEEDED_TRIALS);
    const summary = (await listed()).find((e) => e.id === seeded.single)!;
    expect(summary.best).not.toBeNull();
    // The best trial's row shows the best value, and it is the row marked best.
    const bestRow = page.locator(`#trials-table tr[data-trial-id="${summary.bestTrialId}"]`);
    expect(await bestRow.textContent()).toContain(formatNumber(summary.best));
    expect(await bestRow.getAttribute('class')).toContain('best');

    await page.locator('#best-plot svg g[aria-label="line"] path').first().waitFor({ state: 'attached' });
    expect(await page.locator('#best-plot svg').count()).toBe(2); // by trial and by time
    expect(await page.locator('#best-plot svg text').count()).toBeGreaterThan(0);
    // The best trial is selected first: its NB-201 cell has 4 states and 6 labelled edges.
    await page.locator('#arch-viewer svg rect').first().waitFor({ state: 'attached' });
    expect(await page.locator('#arch-viewer svg g.arch-node').count()).toBe(4);
    expect(await page.locator('#arch-viewer svg g.arch-edge path').count()).toBe(6);
    expect(await page.locator('#arch-viewer svg g.arch-edge text').count()).toBe(6);
    await page.screenshot({ path: join(SHOTS, 'experiment.png'), fullPage: true });
    await page.locator('section:has(#arch-viewer)').screenshot({ path: join(SHOTS, 'architecture.png') });
  });

  it('sorts, filters and selects without losing the choice', async () => {
    const numbers = () =>
      page
        .locator('#trials-table tbody tr td:first-child')
        .allTextContents()
        .then((t) => t.map(Number));
    await page.locator('#trials-table th[data-column="number"]').click(); // already ascending: now descending
    expect(await numbers()).toEqual([...Array(SEEDED_TRIALS).keys()].reverse());
    await page.locator('#trials-table tbody tr').nth(3).click();
    const selected = await page.locator('#trials-table tbody tr').nth(3).getAttribute('data-trial-id');
    await expect
      .poll(() => page.locator('#trials-table tr.selected').getAttribute('data-trial-id'))
      .toBe(selected);
    await page.locator('#state-filter').selectOption('complete');
    expect(await page.locator('#trials-table tbody tr.state-complete').count()).toBe(
      await page.locator('#trials-table tbody tr').count(),
    );
    await page.locator('#state-filter').selectOption('');
  });

  it('shows a trial written by another process without reloading', async () => {
    await page.evaluate(() => ((globalThis as Record<string, unknown>)['naslabMarker'] = 'same page'));
    const selected = await page.locator('#trials-table tr.selected').getAttribute('data-trial-id');
    const summary = (await listed()).find((e) => e.id === seeded.single)!;
    const value = await appendTrial(dbFile, seeded.single, summary.signal!, 1);
    const rows = page.locator('#trials-table tbody tr');
    await expect.poll(() => rows.count(), { timeout: 40_000 }).toBe(SEEDED_TRIALS + 1);
    await expect.poll(() => page.locator('#trials-table tbody').textContent()).toContain(formatNumber(value));
    // Same document (no reload), same sort (newest first), same selection.
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>)['naslabMarker'])).toBe(
      'same page',
    );
    expect(Number(await rows.first().locator('td').first().textContent())).toBe(SEEDED_TRIALS);
    expect(await page.locator('#trials-table tr.selected').getAttribute('data-trial-id')).toBe(selected);

    // Its learning curve and the controller statistics it reported.
    await rows.first().click();
    await page.locator('#curve-plot svg g[aria-label="line"] path').first().waitFor({ state: 'attached' });
    expect(await page.locator('#curve-plot svg').count()).toBe(3); // valid_acc, reward, entropy
    await page
      .locator('#controller-plot svg g[aria-label="line"] path')
      .first()
      .waitFor({ state: 'attached' });
    await page.locator('section:has(#arch-viewer)').screenshot({ path: join(SHOTS, 'trial.png') });
  });

  it('draws the Pareto front of a two-objective search', async () => {
    await page.goto(`${origin}/?token=${TOKEN}#/experiments/${seeded.pareto}`);
    await expect.poll(() => page.locator('#trials-table tbody tr').count()).toBe(SEEDED_TRIALS);
    await page.locator('#pareto-plot svg circle').first().waitFor({ state: 'attached' });
    expect(await page.locator('#pareto-plot svg circle').count()).toBeGreaterThanOrEqual(SEEDED_TRIALS - 5);
    expect(await page.locator('#pareto-plot').textContent()).toContain('params_M');
    await page.locator('section:has(#pareto-plot)').screenshot({ path: join(SHOTS, 'pareto.png') });
  });
});

/**
 * DNS rebinding: a name of the attacker's (evil.test here; Chromium resolves it to 127.0.0.1 by a
 * flag) makes pages at http://evil.test:PORT/ same-origin with whatever listens on 127.0.0.1:PORT, so
 * the browser lets them read its answers. The server must refuse a Host that is not one of its names.
 */
describe('the dashboard under a foreign name (DNS rebinding)', () => {
  const EVIL = 'evil.test';
  let open: UiServer;
  let rebound: Browser;
  let port: string;

  beforeAll(async () => {
    // No token: on loopback the dashboard needs none, so only the Host check protects it.
    open = await startUiServer({ db: dbFile, port: 0, host: '127.0.0.1', assetsDir, pollMs: 200 });
    port = new URL(open.url).port;
    rebound = await launchChromium([`--host-resolver-rules=MAP ${EVIL} 127.0.0.1`]);
  }, 240_000);

  afterAll(async () => {
    await rebound?.close();
    await open?.close();
  });

  /** In a page of `origin`: the status and body of each same-origin path, and what the stream sent. */
  async function readFrom(origin: string, paths: readonly string[]) {
    const tab = await rebound.newPage();
    try {
      const document = await tab.goto(`${origin}/`);
      const reads = await tab.evaluate(async (list) => {
        const out: { path: string; status: number; body: string }[] = [];
        for (const path of list) {
          const response = await fetch(path);
          out.push({ path, status: response.status, body: await response.text() });
        }
        const stream = await new Promise<string>((resolve) => {
          const source = new EventSource('/api/events?experiment=1');
          const done = (what: string): void => {
            source.close();
            resolve(what);
          };
          source.addEventListener('experiments', () => done('events'));
          source.onerror = () => done('error');
          setTimeout(() => done('nothing'), 3_000);
        });
        return { out, stream };
      }, paths);
      return { document: document?.status(), ...reads };
    } finally {
      await tab.close();
    }
  }

  it('a page at evil.test resolving to 127.0.0.1 reads nothing: pages, API and stream answer 421', async () => {
    const paths = [
      '/api/experiments',
      `/api/experiments/${seeded.single}`,
      `/api/experiments/${seeded.single}/controller`,
      `/api/experiments/${seeded.single}/trials/1/graph`,
      `/api/experiments/${seeded.single}/trials/1/reports`,
      '/app.js',
    ];
    const evil = await readFrom(`http://${EVIL}:${port}`, paths);
    expect(evil.document).toBe(421);
    for (const read of evil.out) {
      expect(read.status, read.path).toBe(421);
      expect(read.body, read.path).not.toMatch(/"config"|evolution|runs\.db/);
    }
    expect(evil.stream).toBe('error');

    // The same browser, at the address naslab ui printed, reads all of it.
    const own = await readFrom(`http://127.0.0.1:${port}`, paths.slice(0, 2));
    expect(own.document).toBe(200);
    expect(own.out.map((r) => r.status)).toEqual([200, 200]);
    expect(own.out[1]?.body).toContain('"config"');
    expect(own.stream).toBe('events');
  }, 240_000);
});
