/**
 * Bundles the dashboard's browser app (src/ui/web) into static assets the server ships:
 *   npx tsx scripts/build-ui.ts [outDir]      (default dist/web)
 * writes index.html, app.js (one ES module: the app, Observable Plot, d3 and dagre) and app.css.
 * Everything is bundled, so the dashboard works offline.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = join(ROOT, 'src/ui/web');
export const DEFAULT_UI_DIR = join(ROOT, 'dist/web');

export interface UiBuild {
  readonly outDir: string;
  /** Asset name -> size in bytes. */
  readonly files: Readonly<Record<string, number>>;
}

export async function buildUi(outDir: string = DEFAULT_UI_DIR): Promise<UiBuild> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(WEB, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last few years; the dashboard is a local tool, not a public site.
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  await copyFile(join(WEB, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(WEB, 'app.css'), join(outDir, 'app.css'));
  const files: Record<string, number> = {};
  for (const name of ['index.html', 'app.js', 'app.css']) files[name] = (await stat(join(outDir, name))).size;
  return { outDir, files };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await buildUi(process.argv[2] === undefined ? DEFAULT_UI_DIR : resolve(process.argv[2]));
  const sizes = Object.entries(result.files).map(
    ([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)} KiB`,
  );
  console.log(`dashboard assets in ${result.outDir}: ${sizes.join(', ')}`);
}
