import { z } from 'zod';
import type { SpaceSpec } from '../core/space.js';
import { parseConfig } from '../core/validate.js';

export type PoolKind = 'max' | 'avg';

/** A pool's window: [kernel, stride] (square). */
export type PoolWindow = readonly [number, number];

/** The chain space's parameters, every field filled (defaults applied). */
export interface ChainOptions extends ChainOptionsInput {
  readonly name: string;
  /** One sample's input, [channels, height, width]. */
  readonly input: readonly [number, number, number];
  readonly classes: number;
  /** Layers before the classifier; at this depth the chain terminates. */
  readonly maxLayers: number;
  readonly convFilters: readonly number[];
  readonly convKernels: readonly number[];
  readonly convStrides: readonly number[];
  /** Empty: no pooling layers. */
  readonly poolKinds: readonly PoolKind[];
  /** MetaQNN's pools are (2,2) and (3,2); default (2,2) only, which keeps short chains cheap. */
  readonly poolWindows: readonly PoolWindow[];
  /** Empty: no hidden fully connected layers. */
  readonly fcSizes: readonly number[];
  readonly maxFc: number;
  /**
   * MetaQNN's rule: a first fc layer only when the spatial size is at most this (bounds the flatten's
   * weight count). Undefined: no limit.
   */
  readonly fcMaxSize?: number;
  /** Batch norm between each conv and its relu (not a decision: every conv gets it). */
  readonly batchNorm: boolean;
  /** Dropout rate before every fc layer and the classifier (0: none). */
  readonly dropout: number;
}

export const CHAIN_DEFAULTS = {
  maxLayers: 6,
  convFilters: [16, 32, 64],
  convKernels: [1, 3, 5],
  convStrides: [1],
  poolKinds: ['max', 'avg'],
  poolWindows: [[2, 2]],
  fcSizes: [64, 128],
  maxFc: 2,
  batchNorm: false,
  dropout: 0,
} as const;

const posInt = z.number().int().min(1);

function distinct<T>(list: readonly T[]): boolean {
  return new Set(list.map((x) => JSON.stringify(x))).size === list.length;
}

const list = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).refine(distinct, { message: `${what}: each choice once (remove the duplicate)` });

const schema = z.strictObject({
  type: z.literal('chain').optional(),
  name: z.string().min(1).optional(),
  input: z.tuple([posInt, posInt, posInt], { error: 'expected [channels, height, width]' }),
  classes: z.number().int().min(2),
  maxLayers: posInt.default(CHAIN_DEFAULTS.maxLayers),
  convFilters: list(posInt, 'convFilters')
    .min(1, 'at least one filter count')
    .default([...CHAIN_DEFAULTS.convFilters]),
  convKernels: list(posInt, 'convKernels')
    .min(1, 'at least one kernel size')
    .default([...CHAIN_DEFAULTS.convKernels]),
  convStrides: list(posInt, 'convStrides')
    .min(1, 'at least one stride')
    .default([...CHAIN_DEFAULTS.convStrides]),
  poolKinds: list(z.enum(['max', 'avg']), 'poolKinds').default([...CHAIN_DEFAULTS.poolKinds]),
  poolWindows: list(z.tuple([posInt, posInt], { error: 'expected [kernel, stride]' }), 'poolWindows').default(
    CHAIN_DEFAULTS.poolWindows.map(([k, s]) => [k, s] as [number, number]),
  ),
  fcSizes: list(posInt, 'fcSizes').default([...CHAIN_DEFAULTS.fcSizes]),
  maxFc: z.number().int().min(0).default(CHAIN_DEFAULTS.maxFc),
  fcMaxSize: posInt.optional(),
  batchNorm: z.boolean().default(CHAIN_DEFAULTS.batchNorm),
  dropout: z.number().min(0).lt(1, 'dropout is a rate in [0, 1)').default(CHAIN_DEFAULTS.dropout),
});

/** The options as a caller writes them: input and classes required, the rest defaulted (CHAIN_DEFAULTS). */
export interface ChainOptionsInput {
  readonly name?: string;
  readonly input: readonly [number, number, number];
  readonly classes: number;
  readonly maxLayers?: number;
  readonly convFilters?: readonly number[];
  readonly convKernels?: readonly number[];
  readonly convStrides?: readonly number[];
  readonly poolKinds?: readonly PoolKind[];
  readonly poolWindows?: readonly PoolWindow[];
  readonly fcSizes?: readonly number[];
  readonly maxFc?: number;
  readonly fcMaxSize?: number;
  readonly batchNorm?: boolean;
  readonly dropout?: number;
}

/** Validates options (a config section or a stored spec); ConfigError names the bad field. */
export function parseChainOptions(value: unknown, where = 'space "chain"'): ChainOptions {
  const o = parseConfig(schema, value, where);
  const base = {
    name: o.name ?? 'chain',
    input: o.input,
    classes: o.classes,
    maxLayers: o.maxLayers,
    convFilters: o.convFilters,
    convKernels: o.convKernels,
    convStrides: o.convStrides,
    poolKinds: o.poolKinds,
    poolWindows: o.poolWindows,
    fcSizes: o.fcSizes,
    maxFc: o.maxFc,
    batchNorm: o.batchNorm,
    dropout: o.dropout,
  };
  return o.fcMaxSize === undefined ? base : { ...base, fcMaxSize: o.fcMaxSize };
}

/** Every option written out, so a stored space keeps its meaning if the defaults change later. */
export function chainOptionsToSpec(o: ChainOptions): SpaceSpec {
  const spec: Record<string, SpaceSpec[string]> = {
    type: 'chain',
    name: o.name,
    input: [...o.input],
    classes: o.classes,
    maxLayers: o.maxLayers,
    convFilters: [...o.convFilters],
    convKernels: [...o.convKernels],
    convStrides: [...o.convStrides],
    poolKinds: [...o.poolKinds],
    poolWindows: o.poolWindows.map(([k, s]) => [k, s]),
    fcSizes: [...o.fcSizes],
    maxFc: o.maxFc,
    batchNorm: o.batchNorm,
    dropout: o.dropout,
  };
  if (o.fcMaxSize !== undefined) spec['fcMaxSize'] = o.fcMaxSize;
  return spec as SpaceSpec;
}
