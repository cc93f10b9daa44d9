import { z } from 'zod';
import type { SpaceSpec } from '../core/space.js';
import { parseConfig } from '../core/validate.js';
import { choiceList, classesField, inputField, posInt } from './net-parts.js';

/** ENAS micro's five operations (Pham et al. 2018, section 2.4). */
export const CELL_OPS = ['identity', 'sepconv3x3', 'sepconv5x5', 'avgpool3x3', 'maxpool3x3'] as const;
export type CellOp = (typeof CELL_OPS)[number];

/** The two cells whose structure is searched. */
export const CELL_KINDS = ['normal', 'reduce'] as const;
export type CellKind = (typeof CELL_KINDS)[number];

export const CELL_DEFAULTS = { blocks: 3, cells: 1, channels: 8 } as const;

/** The cell space's parameters, every field filled (defaults applied). */
export interface CellOptions {
  readonly name: string;
  readonly input: readonly [number, number, number];
  readonly classes: number;
  /** Blocks per cell (B). */
  readonly blocks: number;
  /** Normal cells per stage (N): stem, N normal, reduce, N normal, reduce, N normal. */
  readonly cells: number;
  /** Channels of each block in the first stage; doubled by each reduction cell. */
  readonly channels: number;
  readonly ops: readonly CellOp[];
}

/** The options as a caller writes them: input and classes required, the rest defaulted. */
export interface CellOptionsInput {
  readonly name?: string;
  readonly input: readonly [number, number, number];
  readonly classes: number;
  readonly blocks?: number;
  readonly cells?: number;
  readonly channels?: number;
  readonly ops?: readonly CellOp[];
}

const schema = z.strictObject({
  type: z.literal('cell').optional(),
  name: z.string().min(1).optional(),
  input: inputField,
  classes: classesField,
  blocks: posInt.max(16, 'at most 16 blocks').default(CELL_DEFAULTS.blocks),
  cells: posInt.max(32, 'at most 32 cells per stage').default(CELL_DEFAULTS.cells),
  channels: posInt.default(CELL_DEFAULTS.channels),
  ops: choiceList(CELL_OPS).default([...CELL_OPS]),
});

/** Validates options (a config section or a stored spec); ConfigError names the bad field. */
export function parseCellOptions(value: unknown, where = 'space "cell"'): CellOptions {
  const o = parseConfig(schema, value, where);
  return {
    name: o.name ?? 'cell',
    input: o.input,
    classes: o.classes,
    blocks: o.blocks,
    cells: o.cells,
    channels: o.channels,
    ops: o.ops,
  };
}

/** Every option written out, so a stored space keeps its meaning if the defaults change later. */
export function cellOptionsToSpec(o: CellOptions): SpaceSpec {
  return {
    type: 'cell',
    name: o.name,
    input: [...o.input],
    classes: o.classes,
    blocks: o.blocks,
    cells: o.cells,
    channels: o.channels,
    ops: [...o.ops],
  };
}
