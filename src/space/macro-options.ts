import { z } from 'zod';
import type { SpaceSpec } from '../core/space.js';
import { parseConfig } from '../core/validate.js';
import { choiceList, classesField, inputField, posInt } from './net-parts.js';

/** ENAS's six macro operations (Pham et al. 2018, section 2.3). */
export const MACRO_OPS = [
  'conv3x3',
  'conv5x5',
  'sepconv3x3',
  'sepconv5x5',
  'maxpool3x3',
  'avgpool3x3',
] as const;
export type MacroOp = (typeof MACRO_OPS)[number];

/** How a layer merges its op's output with the skip connections it takes. */
export type MacroMerge = 'concat' | 'add';

export const MACRO_DEFAULTS = { layers: 6, channels: 16, merge: 'concat' } as const;

/** The macro space's parameters, every field filled (defaults applied). */
export interface MacroOptions {
  readonly name: string;
  readonly input: readonly [number, number, number];
  readonly classes: number;
  readonly layers: number;
  /** Channels of the first layers; doubled at every reduction. */
  readonly channels: number;
  readonly ops: readonly MacroOp[];
  readonly merge: MacroMerge;
  /** Layer indices (ascending) after which a 2x2 max pool halves the feature maps. */
  readonly reductions: readonly number[];
}

/** The options as a caller writes them: input and classes required, the rest defaulted. */
export interface MacroOptionsInput {
  readonly name?: string;
  readonly input: readonly [number, number, number];
  readonly classes: number;
  readonly layers?: number;
  readonly channels?: number;
  readonly ops?: readonly MacroOp[];
  readonly merge?: MacroMerge;
  readonly reductions?: readonly number[];
}

/**
 * ENAS's pool layers: with L layers they follow layers L/3 - 1 and 2L/3 - 1 (12 layers: after 3 and 7),
 * so the network has three stages of about equal depth. Fewer than 3 layers: no reduction.
 */
export function defaultReductions(layers: number): number[] {
  const distance = Math.floor(layers / 3);
  return distance === 0 ? [] : [distance - 1, 2 * distance - 1];
}

const schema = z
  .strictObject({
    type: z.literal('macro').optional(),
    name: z.string().min(1).optional(),
    input: inputField,
    classes: classesField,
    layers: posInt.max(64, 'at most 64 layers').default(MACRO_DEFAULTS.layers),
    channels: posInt.default(MACRO_DEFAULTS.channels),
    ops: choiceList(MACRO_OPS).default([...MACRO_OPS]),
    merge: z.enum(['concat', 'add']).default(MACRO_DEFAULTS.merge),
    reductions: z.array(z.number().int().min(0)).optional(),
  })
  .superRefine((o, ctx) => {
    const reductions = o.reductions;
    if (reductions === undefined) return;
    const fail = (message: string): void => {
      ctx.addIssue({ code: 'custom', path: ['reductions'], message, input: reductions });
    };
    if (new Set(reductions).size !== reductions.length) fail('each layer index once');
    const last = reductions.find((r) => r > o.layers - 2);
    if (last !== undefined) {
      fail(
        `layer ${last} cannot be followed by a reduction: use indices 0..${o.layers - 2} (layers: ${o.layers})`,
      );
    }
    // Each 2x2 pool floors the size: it needs at least 2 pixels to halve.
    const smallest = Math.min(o.input[1], o.input[2]);
    if (smallest >> (reductions.length - 1) < 2 && reductions.length > 0) {
      fail(
        `${reductions.length} reductions halve the ${o.input[1]}x${o.input[2]} input below 1x1; use fewer`,
      );
    }
  });

/** Validates options (a config section or a stored spec); ConfigError names the bad field. */
export function parseMacroOptions(value: unknown, where = 'space "macro"'): MacroOptions {
  const o = parseConfig(schema, value, where);
  const reductions = [...(o.reductions ?? defaultReductions(o.layers))].sort((a, b) => a - b);
  const smallest = Math.min(o.input[1], o.input[2]);
  // The default positions on a tiny input: keep only the reductions the input can take.
  const fits = reductions.filter((_, i) => smallest >> i >= 2);
  return {
    name: o.name ?? 'macro',
    input: o.input,
    classes: o.classes,
    layers: o.layers,
    channels: o.channels,
    ops: o.ops,
    merge: o.merge,
    reductions: fits,
  };
}

/** Every option written out, so a stored space keeps its meaning if the defaults change later. */
export function macroOptionsToSpec(o: MacroOptions): SpaceSpec {
  return {
    type: 'macro',
    name: o.name,
    input: [...o.input],
    classes: o.classes,
    layers: o.layers,
    channels: o.channels,
    ops: [...o.ops],
    merge: o.merge,
    reductions: [...o.reductions],
  };
}
