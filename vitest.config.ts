import { configDefaults, defineConfig } from 'vitest/config';
import { filesToSkip } from './test/system.testkit.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Files that need a system package this machine lacks (redis-server, chromium): the global setup
    // names them in its summary line.
    exclude: [...configDefaults.exclude, ...filesToSkip()],
    // 2-core machines: keep the pool small so child-process tests are not starved.
    maxWorkers: 2,
    // Timeouts detect hangs, not slowness: a test must pass on a loaded 2-core machine (CI re-runs the
    // slowest files with both cores busy), so every limit is about four times a quiet run.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Names the tests skipped for a missing system package (redis-server, chromium, Fashion-MNIST).
    globalSetup: ['test/system-setup.ts'],
  },
});
