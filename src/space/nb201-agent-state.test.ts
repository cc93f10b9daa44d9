import { describe, expect, it } from 'vitest';
import type { Sample } from '../core/types.js';
import { Nb201Space } from './nb201.js';
import { enumerate } from './walk.js';

const space = new Nb201Space();

describe('Nb201Space.agentState: the cell built so far', () => {
  it('names the node being built, the input feeding the next edge, and the ops into the node', () => {
    expect(space.agentState({})).toBe('n1<-n0 live []');
    expect(space.agentState({ edge_1_0: 'nor_conv_3x3' })).toBe('n2<-n0 live []');
    expect(space.agentState({ edge_1_0: 'nor_conv_3x3', edge_2_0: 'none' })).toBe('n2<-n1 live [none]');
    const five: Sample = {
      edge_1_0: 'skip_connect',
      edge_2_0: 'none',
      edge_2_1: 'avg_pool_3x3',
      edge_3_0: 'nor_conv_1x1',
      edge_3_1: 'nor_conv_3x3',
    };
    expect(space.agentState(five)).toBe('n3<-n2 live [nor_conv_1x1,nor_conv_3x3]');
    expect(space.agentState({ ...five, edge_3_2: 'none' })).toBe('done');
  });

  it('marks an input node dead when no non-none path reaches it from the input', () => {
    // edge_1_0 = none: node 1 is cut off, so an op on edge_2_1 adds nothing.
    expect(space.agentState({ edge_1_0: 'none', edge_2_0: 'nor_conv_3x3' })).toBe(
      'n2<-n1 dead [nor_conv_3x3]',
    );
    // Node 2 is live through edge_2_0 even with node 1 dead.
    const prefix = { edge_1_0: 'none', edge_2_0: 'skip_connect', edge_2_1: 'nor_conv_3x3', edge_3_0: 'none' };
    expect(space.agentState(prefix)).toBe('n3<-n1 dead [none]');
    expect(space.agentState({ ...prefix, edge_3_1: 'avg_pool_3x3' })).toBe('n3<-n2 live [none,avg_pool_3x3]');
    // Node 2 dead: its only live-looking input comes from dead node 1.
    const dead2 = {
      edge_1_0: 'none',
      edge_2_0: 'none',
      edge_2_1: 'nor_conv_3x3',
      edge_3_0: 'none',
      edge_3_1: 'none',
    };
    expect(space.agentState(dead2)).toBe('n3<-n2 dead [none,none]');
  });

  it('has few states: 73 over all prefixes (ops into a node, times the input liveness)', () => {
    const states = new Set<string>();
    for (const sample of enumerate(space, 20_000)) {
      const prefix: Record<string, string | number> = {};
      for (const [name, op] of Object.entries(sample)) {
        states.add(space.agentState(prefix));
        prefix[name] = op;
      }
    }
    // n1<-n0: 1; n2<-n0: 1; n2<-n1: 2 x 5; n3<-n0: 1; n3<-n1: 2 x 5; n3<-n2: 2 x 25.
    expect(states.size).toBe(73);
  });
});
