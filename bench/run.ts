/**
 * Speed benchmarks. `npm run bench [name...]` runs them (all by default) and writes one JSON file per
 * benchmark under bench/results/. Figures are wall-clock on whatever machine runs them: compare runs made
 * on the same machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { predictorsBench } from './predictors.js';
import { searchSpeed } from './search-speed.js';
import { strategyOverhead } from './strategy-overhead.js';
import { supernetBench } from './supernet.js';
import { trainParallel } from './train-parallel.js';
import { trainSpeed } from './train-speed.js';

const benchmarks: Record<string, () => Promise<unknown>> = {
  'search-speed': searchSpeed,
  'strategy-overhead': strategyOverhead,
  'train-speed': trainSpeed,
  'train-parallel': trainParallel,
  supernet: supernetBench,
  predictors: predictorsBench,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in benchmarks));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`,
  );
  process.exit(2);
}
const outDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(outDir, { recursive: true });
for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
  const result = await benchmarks[name]!();
  const file = `${outDir}${name}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${name}: ${JSON.stringify(result)}\n-> ${file}\n`);
}
