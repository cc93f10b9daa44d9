import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // 2-core machines: keep the pool small so child-process tests are not starved.
    maxWorkers: 2,
    testTimeout: 30_000,
    // Names the tests skipped for a missing system package (redis-server, chromium, Fashion-MNIST).
    globalSetup: ['test/system-setup.ts'],
  },
});
