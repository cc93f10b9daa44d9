import { Redis } from 'ioredis';
import { ConfigError } from '../core/errors.js';

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
  return client;
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
