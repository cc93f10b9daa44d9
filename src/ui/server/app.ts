import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isNaslabError } from '../../core/errors.js';
import { guardAccess, type HostPolicy } from './access.js';
import { assetRoutes } from './assets.js';
import { requireToken } from './auth.js';
import type { ChangeFeed } from './change-feed.js';
import { eventsHandler, type StreamRegistry } from './events.js';
import type { DashboardData } from './views.js';

export interface AppDeps {
  readonly data: DashboardData;
  readonly feed: ChangeFeed;
  readonly streams: StreamRegistry;
  readonly assetsDir: string;
  /** Which Host and Origin headers are answered (every route, before the token). */
  readonly hosts: HostPolicy;
  readonly token?: string;
}

/** naslab's error codes as HTTP statuses; anything else is a bug (500). */
function statusOf(e: unknown): ContentfulStatusCode {
  if (!isNaslabError(e)) return 500;
  switch (e.code) {
    case 'E_NOT_FOUND':
      return 404;
    case 'E_CONFIG':
    case 'E_INVALID_ARCH':
      return 422;
    case 'E_STORAGE':
      return 503;
    default:
      return 500;
  }
}

function errorResponse(e: unknown, c: Context): Response {
  const message = e instanceof Error ? e.message : String(e);
  return c.json({ error: message }, statusOf(e));
}

/**
 * The dashboard's HTTP API (JSON, read-only), its live-update stream and its files. Routes are listed
 * in docs order; anything under /api/ that matches none is a JSON 404, never the page.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const { data } = deps;
  app.use('*', guardAccess(deps.hosts));
  if (deps.token !== undefined) app.use('*', requireToken(deps.token));
  app.onError(errorResponse);

  app.get('/api/experiments', async (c) => c.json(await data.experiments()));
  app.get('/api/experiments/:id', async (c) => c.json(await data.experiment(c.req.param('id'))));
  app.get('/api/experiments/:id/trials/:trialId/reports', async (c) =>
    c.json(await data.reports(c.req.param('id'), c.req.param('trialId'))),
  );
  app.get('/api/experiments/:id/trials/:trialId/graph', async (c) =>
    c.json(await data.graph(c.req.param('id'), c.req.param('trialId'))),
  );
  app.get('/api/experiments/:id/controller', async (c) => c.json(await data.controller(c.req.param('id'))));
  app.get('/api/events', (c) => eventsHandler(c, deps));
  app.all('/api/*', (c) => c.json({ error: `no such API route: ${c.req.method} ${c.req.path}` }, 404));

  app.use('*', assetRoutes(deps.assetsDir));
  app.notFound((c) => c.json({ error: `not found: ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
