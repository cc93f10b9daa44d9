import type { SearchSpace } from '../core/space.js';
import type { Sample } from '../core/types.js';
import { CellSpace, type CellBlock, type CellKind } from '../space/cell.js';
import { MacroSpace } from '../space/macro.js';

/**
 * Maps one child's parameter (its IR name and shape) to the shared weight it uses. Every key ends with
 * the shape (`@8x8x1x1`), so a parameter whose shape depends on other decisions (macro's concat
 * projection, whose input width is 1 + the skip count; a cell's `pre` convs, whose input width is the
 * previous cell's number of loose blocks) gets one shared weight per distinct shape instead of a slice
 * of one big tensor: simpler, and each shape still trains on every child that has it.
 */
export type SharedKeys = (sample: Sample) => (name: string, shape: readonly number[]) => string;

const withShape = (name: string, shape: readonly number[]): string => `${name}@${shape.join('x')}`;

/** Any space: the IR name is the key (plus the shape). Right when the names already say the op. */
export const nameKeys: SharedKeys = () => withShape;

/**
 * Macro: names are `l<i>/<op>/...`, so they already own one weight set per (layer, op). The exception is
 * the 1x1 conv fitting a pool's channels (`l<i>/in/...`), shared by both pools: it becomes
 * `l<i>/<op>/in/...`, so every candidate op owns its weights.
 */
export const macroKeys: SharedKeys = (sample) => (name, shape) => {
  const m = /^l(\d+)\/in\/(.*)$/.exec(name);
  if (m === null) return withShape(name, shape);
  return withShape(`l${m[1]}/${String(sample[`op_${m[1]}`])}/in/${m[2]}`, shape);
};

/**
 * Cell: a term's nodes are named by its position in the block (`c<k>/n<node>/t<1|2>/...`), which says
 * neither the op nor the input. The key is `c<k>/n<node>/in<input>/<op>/...`: one weight set per
 * (cell, block, input, op), as ENAS micro (its weights are indexed by the input too). When both terms
 * of a block are the same op on the same input, the second takes `.../<op>.2/...`, so the two terms
 * never share one tensor inside one child.
 */
export function cellKeys(space: CellSpace): SharedKeys {
  const cells = space.options.cells;
  const kindOf = (k: number): CellKind => (k === cells || k === 2 * cells + 1 ? 'reduce' : 'normal');
  return (sample) => {
    const structure = space.structure(sample);
    return (name, shape) => {
      const m = /^c(\d+)\/n(\d+)\/t([12])\/?(.*)$/.exec(name);
      if (m === null) return withShape(name, shape);
      const [k, node, t] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const block = structure[kindOf(k)].find((b) => b.node === node) as CellBlock;
      const [first, second] = block.terms;
      const term = t === 1 ? first : second;
      const twin = t === 2 && first.input === second.input && first.op === second.op ? '.2' : '';
      const rest = m[4] === '' ? '' : `/${m[4]}`;
      return withShape(`c${k}/n${node}/in${term.input}/${term.op}${twin}${rest}`, shape);
    };
  };
}

/** The key scheme of a space: macro and cell have their own; any other graph space uses the names. */
export function sharedKeysFor(space: SearchSpace<unknown>): SharedKeys {
  if (space instanceof MacroSpace) return macroKeys;
  if (space instanceof CellSpace) return cellKeys(space);
  return nameKeys;
}
