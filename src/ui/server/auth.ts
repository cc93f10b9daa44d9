import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { ConfigError } from '../../core/errors.js';

/**
 * Set once a page was opened with `?token=`: the browser then loads the page's scripts and styles,
 * which carry no token, with the cookie (HttpOnly, same-site only).
 */
export const TOKEN_COOKIE = 'naslab_token';

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Binding where other machines can connect needs a token: the dashboard shows configs and results. */
export function checkHost(host: string, token: string | undefined): void {
  if (token !== undefined && token.trim() === '') {
    throw new ConfigError('--token is empty: give a secret string (e.g. --token "$(openssl rand -hex 16)")');
  }
  if (!isLoopback(host) && token === undefined) {
    throw new ConfigError(
      `--host ${host} lets other machines reach the dashboard: add --token <secret> (every request must ` +
        'then carry it), or leave --host out to serve on 127.0.0.1 only',
    );
  }
}

/** Compares through hashes: equal lengths for timingSafeEqual, and no timing hint about the token. */
function sameSecret(given: string, token: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

function bearer(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

/**
 * Every request (API, events, pages) must carry the token: `Authorization: Bearer <token>`, or
 * `?token=<token>` (EventSource cannot set headers, and the URL is what a user opens), or the cookie a
 * `?token=` request sets. Otherwise 401 with a JSON `{ error }`.
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const fromQuery = c.req.query('token');
    const given = bearer(c.req.header('Authorization')) ?? fromQuery ?? getCookie(c, TOKEN_COOKIE);
    if (given === undefined || !sameSecret(given, token)) {
      return c.json(
        {
          error:
            given === undefined
              ? 'this dashboard needs its token: open the URL naslab ui printed (it ends in ?token=...) or send Authorization: Bearer <token>'
              : 'wrong token: use the one given to naslab ui --token',
        },
        401,
      );
    }
    if (fromQuery !== undefined) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
    }
    await next();
  };
}
