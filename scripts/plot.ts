import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchResult } from '../src/runner/bench.js';

/** Mean best-so-far of `metric` against evaluations, one line per strategy, as an SVG string. */
export async function bestSoFarSvg(
  results: readonly BenchResult[],
  metric: string,
  title: string,
): Promise<string> {
  const values: { strategy: string; evaluations: number; value: number }[] = [];
  for (const r of results) {
    const series = r.curve?.mean[metric];
    if (!r.curve || !series)
      throw new Error(`${r.strategy}: no curve for "${metric}" (run the bench with curve: true)`);
    r.curve.evaluations.forEach((e, i) => {
      const v = series[i];
      if (v !== undefined && Number.isFinite(v))
        values.push({ strategy: r.strategy, evaluations: e, value: v });
    });
  }
  const finals = values.filter((v) => v.evaluations >= 10).map((v) => v.value);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, fontSize: 13 },
    width: 560,
    height: 320,
    background: 'white',
    data: { values },
    mark: { type: 'line', strokeWidth: 1.8, clip: true },
    encoding: {
      x: { field: 'evaluations', type: 'quantitative', title: 'evaluations' },
      y: {
        field: 'value',
        type: 'quantitative',
        title: `mean ${metric} of the best architecture so far`,
        scale: { zero: false, domain: [Math.min(...finals), Math.max(...finals)] },
      },
      color: { field: 'strategy', type: 'nominal', sort: results.map((r) => r.strategy) },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
