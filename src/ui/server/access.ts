import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { Context, MiddlewareHandler } from 'hono';
import { ConfigError } from '../../core/errors.js';
import { isLoopback } from './auth.js';

/** Addresses that bind every interface: a browser may then reach the server by any of the machine's. */
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** A Host header or --allow-host entry: host[:port] and nothing else (no user, path or spaces). */
function parseHost(value: string): URL | undefined {
  if (value === '' || /[\s@/?#\\]/.test(value)) return undefined;
  try {
    const url = new URL(`http://${value}`);
    return url.hostname === '' ? undefined : url;
  } catch {
    return undefined;
  }
}

/** A bare IPv6 address (two colons or more) in the brackets a Host header puts it in. */
const withBrackets = (host: string): string =>
  (host.match(/:/g) ?? []).length > 1 && !host.startsWith('[') ? `[${host}]` : host;

/**
 * Which names the dashboard answers to. A page on another site can make a browser send requests here,
 * and with a DNS name of its own that resolves to 127.0.0.1 ("DNS rebinding") the browser even lets it
 * read the answers, as they are same-origin to it. The Host header carries the name the browser used,
 * so it must be one of ours: a loopback name or address, the host the server was bound to (when bound
 * to all interfaces: the machine's name or any bare address, which no one can rebind), or a name given
 * with --allow-host (a reverse proxy in front). The port must be the one the server listens on, except
 * for an --allow-host name given without one (a proxy serves it on its own port).
 */
export class HostPolicy {
  private port: number;
  private readonly wildcard: boolean;
  /** The bound host's name (or the machine's, bound to all interfaces): on our port only. */
  private readonly ownNames = new Set<string>();
  /** --allow-host names without a port: on any port. */
  private readonly proxyNames = new Set<string>();
  /** --allow-host entries with a port: that host:port exactly. */
  private readonly proxyHosts = new Set<string>();

  constructor(boundHost: string, port: number, allowedHosts: readonly string[] = []) {
    this.port = port;
    this.wildcard = WILDCARDS.has(boundHost.trim());
    const own = this.wildcard ? hostname() : withBrackets(boundHost.trim());
    const ownUrl = parseHost(own);
    if (ownUrl !== undefined) this.ownNames.add(ownUrl.hostname);
    for (const entry of allowedHosts) {
      const url = parseHost(withBrackets(entry.trim()));
      if (url === undefined) {
        throw new ConfigError(
          `--allow-host ${JSON.stringify(entry)}: expected a host name or address, optionally with :port ` +
            '(e.g. dash.example.org or dash.example.org:8443)',
        );
      }
      if (url.port === '') this.proxyNames.add(url.hostname);
      else this.proxyHosts.add(url.host);
    }
  }

  /** Called once the server listens (port 0 picks one). */
  listening(port: number): void {
    this.port = port;
  }

  /** Whether a request that came with this Host header may be answered. */
  allowsHost(header: string | undefined): boolean {
    const url = header === undefined ? undefined : parseHost(header.trim());
    if (url === undefined) return false;
    const name = url.hostname;
    if (this.proxyNames.has(name) || this.proxyHosts.has(url.host)) return true;
    const ourPort = url.port === String(this.port) || (url.port === '' && this.port === 80);
    if (!ourPort) return false;
    if (isLoopback(name) || this.ownNames.has(name)) return true;
    return this.wildcard && isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0;
  }

  /**
   * A browser names the page behind a request in Origin (on every cross-origin request, and on
   * same-origin ones but GET and HEAD): it must be this very server as the browser reached it, the
   * request's own host and port. "null" (a sandboxed frame, a local file) is foreign too.
   */
  static allowsOrigin(origin: string | undefined, host: string): boolean {
    if (origin === undefined) return true;
    let from: URL;
    try {
      from = new URL(origin);
    } catch {
      return false;
    }
    if (from.protocol !== 'http:' && from.protocol !== 'https:') return false;
    return from.host === parseHost(host.trim())?.host;
  }
}

/**
 * Fetch metadata (sent by current browsers): a request another site's page made (an <img>, a <script>,
 * a fetch) is refused whatever its Origin; following a link here from another site (a top-level
 * navigation to a page, not to the API) is fine, as the user then sees the dashboard itself.
 */
function crossSiteSubresource(c: Context): boolean {
  const site = c.req.header('Sec-Fetch-Site');
  if (site === undefined || site === 'same-origin' || site === 'none') return false;
  const navigation =
    c.req.header('Sec-Fetch-Mode') === 'navigate' &&
    (c.req.method === 'GET' || c.req.method === 'HEAD') &&
    !c.req.path.startsWith('/api/');
  return !navigation;
}

/**
 * Runs before everything else, token or not, on every route (API, live updates, files): a foreign
 * Host is 421 Misdirected Request, a foreign Origin or a cross-site subresource request is 403.
 */
export function guardAccess(policy: HostPolicy): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('Host');
    if (host === undefined || !policy.allowsHost(host)) {
      return c.json(
        {
          error:
            `this dashboard does not answer to the host ${JSON.stringify(host ?? '')}: open it by the ` +
            'address naslab ui printed (or name a proxy with naslab ui --allow-host)',
        },
        421,
      );
    }
    if (!HostPolicy.allowsOrigin(c.req.header('Origin'), host) || crossSiteSubresource(c)) {
      return c.json({ error: 'requests from other sites are refused: open the dashboard itself' }, 403);
    }
    await next();
    // Browsers may not hand these responses to another site's page, nor frame or sniff them, and the
    // page's URL (with ?token=) is never sent on as a referrer.
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
  };
}
