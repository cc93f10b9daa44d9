import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ConfigError } from '../../core/errors.js';
import { HostPolicy } from './access.js';
import { createApp } from './app.js';
import { DEFAULT_ASSETS_DIR } from './assets.js';
import { checkHost } from './auth.js';
import { ChangeFeed } from './change-feed.js';
import { StreamRegistry } from './events.js';
import { ReadStore } from './read-store.js';
import { DashboardData } from './views.js';

export interface UiServerOptions {
  /** The SQLite file a run writes (opened read-only). */
  readonly db: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  /** Required for a host other machines can reach; then every request must carry it. */
  readonly token?: string;
  /**
   * Further names the dashboard answers to (a reverse proxy's, `name` on any port or `name:port`);
   * loopback names and the bound host always work.
   */
  readonly allowedHosts?: readonly string[];
  /** The built dashboard (default: the package's dist/web/). */
  readonly assetsDir?: string;
  /** The live-update poll interval in ms (tests). */
  readonly pollMs?: number;
}

export interface UiServer {
  /** Where the server listens, e.g. http://127.0.0.1:8080/ (no token in it). */
  readonly url: string;
  /** The URL to open in a browser: `url` plus `?token=` when a token is set. */
  readonly openUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

function listening(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE') {
        reject(
          new ConfigError(
            `port ${port} on ${host} is in use: choose another with --port N (0 picks a free one)`,
          ),
        );
      } else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') {
        reject(new ConfigError(`--host ${host} is not an address of this machine (${e.code})`));
      } else if (e.code === 'EACCES') {
        reject(new ConfigError(`port ${port} needs privileges: choose one above 1023 with --port N`));
      } else {
        reject(e);
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
  });
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Serves the dashboard for the experiments in `db`: refuses a non-loopback host without a token, opens
 * the store read-only (errors name the file), and listens. close() ends the live-update streams, stops
 * polling and closes the store.
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  checkHost(options.host, options.token);
  const hosts = new HostPolicy(options.host, options.port, options.allowedHosts);
  const store = ReadStore.open(options.db);
  const feed = new ChangeFeed(store, options.pollMs);
  const streams = new StreamRegistry();
  const app = createApp({
    data: new DashboardData(store),
    feed,
    streams,
    assetsDir: options.assetsDir ?? DEFAULT_ASSETS_DIR,
    hosts,
    token: options.token,
  });
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }) as Server;
  let address: AddressInfo;
  try {
    address = await listening(server, options.host, options.port);
  } catch (e) {
    server.close();
    store.close();
    throw e;
  }
  hosts.listening(address.port);
  const url = `http://${urlHost(options.host)}:${address.port}/`;
  let closing: Promise<void> | undefined;
  return {
    url,
    openUrl: options.token === undefined ? url : `${url}?token=${encodeURIComponent(options.token)}`,
    port: address.port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        streams.endAll();
        feed.stop();
        server.close(() => {
          store.close();
          resolve();
        });
        // Idle keep-alive sockets would hold close() open for seconds.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 100).unref();
      });
      return closing;
    },
  };
}
