import { describe, expect, it } from 'vitest';
import { separableBlock, smallCnn } from '../../graph/networks.testkit.js';
import { macroSampleFromKey, NasbenchMacroSpace } from '../../space/nasbench-macro.js';
import { declaredSpaceFromConfig } from '../../space/declared.js';
import { archView } from './arch-view.js';

describe('archView', () => {
  it('labels IR ops shortly and leaves out the labels input and the loss', () => {
    const view = archView(smallCnn());
    expect(view.kind).toBe('network');
    expect(view.nodes.map((n) => n.label)).toEqual([
      'input 1x28x28',
      'conv 3x3 16',
      'relu',
      'maxpool 2x2 /2',
      'conv 3x3 32',
      'relu',
      'maxpool 2x2 /2',
      'flatten',
      'dense 10',
    ]);
    expect(view.edges).toHaveLength(8);
    expect(view.nodes[8]).toMatchObject({ id: 'fc', op: 'dense', shape: ['N', 10] });
    expect(archView(separableBlock()).nodes.map((n) => n.label)).toEqual([
      'input 32x16x16',
      'dwconv 3x3 32',
      'bn',
      'conv 1x1 64',
      'bn',
      'relu',
    ]);
  });

  it('draws a layer chain and a list of declared decisions as a path', () => {
    const macro = new NasbenchMacroSpace();
    const chain = archView(macro.decode(macroSampleFromKey('01201210')));
    expect(chain.kind).toBe('network');
    expect(chain.nodes).toHaveLength(9);
    expect(chain.nodes.slice(0, 3).map((n) => n.label)).toEqual(['input', 'identity', 'mb_e3_k3']);
    expect(chain.edges).toHaveLength(8);

    const declared = declaredSpaceFromConfig(
      'toy',
      [
        { name: 'width', choices: [8, 16] },
        { name: 'act', choices: ['relu', 'gelu'] },
      ],
      'test',
    );
    const list = archView(declared.decode({ width: 16, act: 'gelu' }));
    expect(list.nodes.map((n) => n.label)).toEqual(['width = 16', 'act = gelu']);
    expect(list.edges).toEqual([{ from: 'width', to: 'act' }]);
  });
});
