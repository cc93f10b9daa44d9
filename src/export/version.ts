import { readFileSync } from 'node:fs';

/** The package.json two levels up: from src/export/ when run from source, from dist/export/ when built. */
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

let cached: string | undefined;

/** naslab's version, as recorded in exported models ('unknown' if package.json cannot be read). */
export function naslabVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { name?: unknown; version?: unknown };
      cached = pkg.name === 'naslab' && typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
