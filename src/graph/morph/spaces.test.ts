import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import { CellSpace } from '../../space/cell.js';
import { Nb201NetSpace } from '../../space/nb201-net.js';
import { walk } from '../../space/walk.js';
import type { Graph } from '../graph.js';
import { applyMorph, morphCandidates, type MorphSpec } from './apply.js';
import { INPUT, outputGap, trainedLooking } from './morph.testkit.js';
import { layerWidth } from './widen.js';

/**
 * The transforms work on the IR, not on one space: random candidates of each in the cell and
 * nb201-net spaces (separable convs, identity and zero edges, multi-input adds) preserve the function.
 * (Every candidate of three networks of each space was checked once while developing: worst 2.5e-5.)
 */
const SPACES: readonly [string, SearchSpace<Graph>][] = [
  ['cell', new CellSpace({ input: INPUT, classes: 3, channels: 4 })],
  ['nb201-net', new Nb201NetSpace({ input: INPUT, classes: 3, channels: 4, cells: 1 })],
];

describe.each(SPACES)('morphisms on a %s network', (_name, space) => {
  it('preserve the function for random candidates of each transform', async () => {
    const rng = new Rng(21);
    const net = trainedLooking(space.decode(walk(space, (d) => rng.pick(d.choices))), 4);
    const c = morphCandidates(net.graph);
    const specs: MorphSpec[] = [];
    for (let i = 0; i < 3; i++) {
      const layer = rng.pick(c.widen);
      specs.push({ kind: 'widen', layer, width: layerWidth(net.graph.node(layer)!) + 1 + rng.int(4) });
      specs.push({ kind: 'deepen', after: rng.pick(c.deepen).name, batchNorm: rng.float() < 0.5 });
      specs.push({ kind: 'split', layer: rng.pick(c.split), merge: rng.pick(['add', 'concat'] as const) });
    }
    for (const spec of specs) {
      const child = applyMorph(net.graph, net.params, spec, rng);
      expect(await outputGap(net, child), JSON.stringify(spec)).toBeLessThan(1e-4);
    }
  });
});
