import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as browser from './browser.js';

describe('naslab/browser', () => {
  it('bundles for the browser with no Node built-in', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./browser.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(
      inputs.some(
        (p) =>
          p.startsWith('node:') || /(^|\/)node_modules\/(better-sqlite3|onnxruntime-node|bullmq)\//.test(p),
      ),
    ).toBe(false);
    expect(result.outputFiles[0]?.text.length).toBeGreaterThan(10_000);
  });

  it('exports the contracts, registries and the IR', () => {
    expect(browser.strategyNames()).toContain('evolution');
    expect(browser.spaceTypes()).toContain('nb201');
    expect(typeof browser.GraphBuilder).toBe('function');
    const space = browser.createSpace({ type: 'nb201' });
    const strategy = browser.createStrategy('random', {}, space, 0);
    expect(strategy.name).toBe('random');
  });
});
