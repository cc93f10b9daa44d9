import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REDIS = process.env.NASLAB_REDIS_SERVER ?? 'redis-server';

/** Skips nothing silently: a missing redis-server fails the suite with what to install. */
export function assertRedisInstalled(): void {
  const probe = spawnSync(REDIS, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `redis-server not found (${REDIS}): install it (Debian: apt-get install redis-server) or set NASLAB_REDIS_SERVER`,
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  readonly port: number;
  /** redis://:password@127.0.0.1:port (with the password given). */
  readonly url: string;
  /** kill -9, then start again on the same port: without persistence, everything in it is gone. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A throwaway redis-server on a free loopback port (or the one given), persistence off, in its own
 * temp folder.
 */
export async function startRedis(options: { password?: string; port?: number } = {}): Promise<TestRedis> {
  assertRedisInstalled();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'naslab-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const proc = spawn(REDIS, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          proc.stdout?.off('data', onData);
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
    });
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };
  await start();
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
