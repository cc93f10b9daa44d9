import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { SYSTEM_FASHION_MNIST_DIR } from '../src/data/fashion-mnist.js';

/**
 * System packages some tests need beyond Node and npm. On a machine without one, the tests that need it
 * skip, and the suite's global setup prints one line naming what was skipped and how to enable it. CI
 * sets NASLAB_REQUIRE_SYSTEM=1 after installing everything: there a missing package fails the run, so
 * CI still runs every test.
 */
export interface SystemNeed {
  /** The package as a user would install it. */
  readonly name: string;
  /** Which tests need it. */
  readonly usedBy: string;
  /** How to make it available. */
  readonly enable: string;
  /** Whether it is usable on this machine (probed once per process). */
  readonly available: () => boolean;
  /** Test files that need it throughout: left out of the run when it is missing (vitest.config.ts). */
  readonly files?: readonly string[];
}

function once(probe: () => boolean): () => boolean {
  let result: boolean | undefined;
  return () => (result ??= probe());
}

/** The redis-server the distributed tests start (NASLAB_REDIS_SERVER names another binary). */
export const REDIS_SERVER_BINARY = process.env['NASLAB_REDIS_SERVER'] ?? 'redis-server';

/** Debian's chromium (NASLAB_CHROMIUM names another build). */
export const CHROMIUM_BINARY = process.env['NASLAB_CHROMIUM'] ?? '/usr/bin/chromium';

export const REDIS: SystemNeed = {
  name: 'redis-server',
  usedBy: 'the distributed-trial tests (test/dist-*.test.ts)',
  files: [
    'test/dist-evaluator.test.ts',
    'test/dist-extension.test.ts',
    'test/dist-faults.test.ts',
    'test/dist-signals.test.ts',
    'test/dist-stall.test.ts',
    'test/dist-stores.test.ts',
    'test/dist-workers.test.ts',
  ],
  enable: 'apt-get install redis-server, or set NASLAB_REDIS_SERVER to a redis-server binary',
  available: once(() => {
    const probe = spawnSync(REDIS_SERVER_BINARY, ['--version'], { encoding: 'utf8' });
    return probe.error === undefined && probe.status === 0;
  }),
};

export const CHROMIUM: SystemNeed = {
  name: 'chromium',
  usedBy: "the dashboard's browser tests (test/ui-browser.test.ts)",
  files: ['test/ui-browser.test.ts'],
  enable: 'apt-get install chromium, or set NASLAB_CHROMIUM to a Chromium binary',
  available: once(() => {
    try {
      accessSync(CHROMIUM_BINARY, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }),
};

export const FASHION_MNIST: SystemNeed = {
  name: 'dataset-fashion-mnist',
  usedBy: 'the check of the bundled subset against the full Fashion-MNIST',
  enable: 'apt-get install dataset-fashion-mnist',
  available: once(() => existsSync(SYSTEM_FASHION_MNIST_DIR)),
};

/** The python3 the command evaluator's Python trial script runs on. */
export const PYTHON: SystemNeed = {
  name: 'python3',
  usedBy: "the command evaluator's Python trial script (test/command-evaluator.test.ts)",
  enable: 'apt-get install python3',
  available: once(() => {
    const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
    return probe.error === undefined && probe.status === 0;
  }),
};

export const SYSTEM_NEEDS: readonly SystemNeed[] = [REDIS, CHROMIUM, FASHION_MNIST, PYTHON];

/** Whether every missing package must fail the suite instead of skipping its tests (CI). */
export function systemRequired(): boolean {
  const flag = process.env['NASLAB_REQUIRE_SYSTEM'];
  return flag !== undefined && flag !== '' && flag !== '0';
}

/**
 * Whether the tests that need `need` can run here. False skips them (the global setup says so once);
 * under NASLAB_REQUIRE_SYSTEM a missing package throws instead, failing the file that needs it.
 */
export function hasSystem(need: SystemNeed): boolean {
  if (need.available()) return true;
  if (systemRequired()) {
    throw new Error(`${need.name} is required (NASLAB_REQUIRE_SYSTEM is set) but missing: ${need.enable}`);
  }
  return false;
}

/**
 * The test files to leave out of this run: those of every missing package, unless CI requires them all
 * (then they run, and the global setup fails on the missing package first).
 */
export function filesToSkip(needs: readonly SystemNeed[] = SYSTEM_NEEDS): string[] {
  if (systemRequired()) return [];
  return needs.filter((n) => !n.available()).flatMap((n) => n.files ?? []);
}

/** The one summary line for the packages this machine lacks, or undefined when nothing is missing. */
export function skippedSummary(needs: readonly SystemNeed[] = SYSTEM_NEEDS): string | undefined {
  const missing = needs.filter((n) => !n.available());
  if (missing.length === 0) return undefined;
  return (
    `naslab tests: skipped ${missing.map((n) => `${n.usedBy}: no ${n.name} (${n.enable})`).join('; ')}. ` +
    'CI installs them all and runs every test (bash .ci/run).'
  );
}
