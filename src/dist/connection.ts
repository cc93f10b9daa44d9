import { Redis } from 'ioredis';
import { ConfigError, NaslabError } from '../core/errors.js';

/** Where the queue lives, checked, with the password masked for messages. */
export interface QueueLocation {
  readonly url: string;
  /** The URL with any password replaced by ***, for logs and errors. */
  readonly display: string;
  readonly tls: boolean;
}

/**
 * `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. The password may also come from
 * the NASLAB_REDIS_PASSWORD environment variable, which keeps it out of `ps` listings.
 */
export function parseQueueUrl(raw: string, field = '--queue'): QueueLocation {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `${field}: "${raw}" is not a URL; expected redis://HOST:PORT (or rediss:// for TLS), e.g. redis://127.0.0.1:6379`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`${field}: expected a redis:// or rediss:// URL, found "${url.protocol}//..."`);
  }
  if (url.hostname === '') throw new ConfigError(`${field}: the URL names no host, e.g. redis://127.0.0.1:6379`);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new ConfigError(`${field}: the path must be a database number (redis://HOST:PORT/0), found "/${db}"`);
  }
  const envPassword = process.env.NASLAB_REDIS_PASSWORD;
  if (url.password === '' && envPassword !== undefined && envPassword !== '') url.password = envPassword;
  const display = new URL(url.href);
  if (display.password !== '') display.password = '***';
  return { url: url.href, display: display.href, tls: url.protocol === 'rediss:' };
}

export interface ConnectOptions {
  /** Told of connection errors, at most once per outage (ioredis retries on its own). */
  readonly onError?: (message: string) => void;
}

/**
 * A client that waits out a Redis restart instead of failing: commands queue while it reconnects
 * (maxRetriesPerRequest: null, which BullMQ requires of workers), with ioredis's growing delay
 * between attempts (at most 2 s).
 */
export function connect(location: QueueLocation, options: ConnectOptions = {}): Redis {
  const client = new Redis(location.url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 50, 2000),
    // How long a disconnect waits for a socket to close before destroying it (ioredis's default, 2 s,
    // is spent in full on a socket already dead, and holds a stopped process that long).
    disconnectTimeout: 200,
  });
  let down = false;
  client.on('error', (e: Error) => {
    if (down) return;
    down = true;
    options.onError?.(`redis ${location.display}: ${e.message}; reconnecting`);
  });
  client.on('ready', () => {
    down = false;
  });
  trackDuplicates(client);
  return client;
}

/**
 * BullMQ gives its blocking reads (QueueEvents, a worker's job fetch) copies of the client it is passed,
 * and closing them waits for a Redis that may never come back; noting the copies lets `hangUp` end them.
 */
const copies = new WeakMap<Redis, Redis[]>();

function trackDuplicates(client: Redis): void {
  const made: Redis[] = [];
  copies.set(client, made);
  const duplicate = client.duplicate.bind(client);
  client.duplicate = (...args: Parameters<Redis['duplicate']>): Redis => {
    const copy = duplicate(...args);
    trackDuplicates(copy);
    made.push(copy);
    return copy;
  };
}

/**
 * Ends the clients and every copy made of them, at once, without waiting for Redis: no reconnection is
 * attempted after it, and commands still waiting for Redis fail.
 */
export function hangUp(clients: readonly Redis[]): void {
  for (const client of clients) {
    client.disconnect();
    hangUp(copies.get(client) ?? []);
  }
}

/** Resolves after `ms`, keeping the process alive until then (so a bounded wait always comes back). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Ends a client without waiting for a server that may be gone. */
export async function disconnect(client: Redis): Promise<void> {
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}

/** A stop (Ctrl-C, SIGTERM) that came while waiting for Redis: nothing was started. */
export class StoppedError extends NaslabError {
  constructor(message: string) {
    super('E_INTERRUPTED', message);
    this.name = 'StoppedError';
  }
}

/**
 * `ready`, unless `stop` is aborted first: then a StoppedError at once. Commands wait for ever for a
 * Redis that is away (see `connect`), so whatever waits for it must also listen for a stop.
 */
export async function untilReady<T>(ready: Promise<T>, stop: AbortSignal | undefined, who: string): Promise<T> {
  if (stop === undefined) return ready;
  const stopped = new StoppedError(`${who}: stopped before Redis was reached`);
  if (stop.aborted) {
    ready.catch(() => undefined);
    throw stopped;
  }
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(stopped);
    stop.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([ready, aborted]);
  } finally {
    stop.removeEventListener('abort', onAbort);
    ready.catch(() => undefined);
  }
}

/** Resolves when any of the clients is (or goes) out of touch with Redis; `cancel` stops watching. */
export function whenDown(clients: readonly Redis[]): { promise: Promise<void>; cancel(): void } {
  let cancel = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    if (clients.some((c) => c.status !== 'ready')) return resolve();
    const onDown = (): void => resolve();
    for (const c of clients) {
      c.once('close', onDown);
      c.once('end', onDown);
    }
    cancel = () => {
      for (const c of clients) {
        c.off('close', onDown);
        c.off('end', onDown);
      }
    };
  });
  return { promise, cancel: () => cancel() };
}
