import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';

/**
 * The built dashboard: src/ui/server/ (tsx) and dist/ui/server/ (built) are both three levels below the
 * package root, so this is the package's dist/web/ either way (as evaluate/tabular/builtin.ts finds
 * benchmarks/).
 */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

const INDEX = 'index.html';

/** A path whose last segment has an extension names a file: when missing it is a 404, not the app. */
const looksLikeFile = (path: string): boolean => /\.[A-Za-z0-9]+$/.test(path.split('/').pop() ?? '');

/**
 * Serves the dashboard's files from `dir` (content types from the file extension), and index.html
 * for any other page path, so the single-page app's own routes survive a reload. A folder without
 * index.html is a package that was not built: a 500 that says so.
 */
export function assetRoutes(dir: string): MiddlewareHandler {
  let files: MiddlewareHandler | undefined;
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const index = join(dir, INDEX);
    if (!existsSync(index)) {
      return c.text(
        `naslab ui: the dashboard's files are missing (no ${index}): build them with \`npm run build\`, ` +
          'or reinstall naslab',
        500,
      );
    }
    // Made once the folder exists (serveStatic complains on the console about a missing root).
    files ??= serveStatic({ root: dir });
    const served = await files(c, async () => undefined);
    if (served instanceof Response) return served;
    if (c.finalized) return;
    if (looksLikeFile(c.req.path)) return c.text(`not found: ${c.req.path}`, 404);
    c.header('Cache-Control', 'no-cache');
    return c.html(await readFile(index, 'utf8'));
  };
}
