import { InvalidArchitectureError } from '../core/errors.js';
import type { Choice, Decision, Sample } from '../core/types.js';
import type { ChainOptions, PoolKind } from './chain-options.js';

export type LayerKind = 'conv' | 'pool' | 'fc' | 'terminate';

export type ChainLayer =
  | { readonly kind: 'conv'; readonly filters: number; readonly kernel: number; readonly stride: number }
  | { readonly kind: 'pool'; readonly pool: PoolKind; readonly kernel: number; readonly stride: number }
  | { readonly kind: 'fc'; readonly units: number };

/** The representation between layers: a feature map, or a flat vector once an fc layer ran. */
export type Representation =
  | { readonly flat: false; readonly channels: number; readonly height: number; readonly width: number }
  | { readonly flat: true; readonly features: number };

/** Where the walk stopped: the decision to take next, and what the agent sees there. */
export interface ChainCursor {
  readonly decision: Decision;
  /** The layer being chosen or built (0-based). */
  readonly depth: number;
  /** For a layer_i decision: the previous layer's kind ('input' at depth 0); else the layer's own kind. */
  readonly layerType: string;
  /** 'layer' or the parameter being chosen (filters, kernel, stride, pool, window, units). */
  readonly role: string;
  /** The representation entering the layer. */
  readonly rep: Representation;
}

export interface ChainTrace {
  /** The complete layers so far. */
  readonly layers: readonly ChainLayer[];
  readonly rep: Representation;
  /** null once the chain is complete (terminated). */
  readonly cursor: ChainCursor | null;
}

/** The window choice's value: `k3s2` is a 3x3 pool with stride 2. */
export function windowChoice(kernel: number, stride: number): string {
  return `k${kernel}s${stride}`;
}

/** The spatial extent limiting kernels and pools (the smaller side). */
function side(rep: Representation): number {
  return rep.flat ? 0 : Math.min(rep.height, rep.width);
}

/**
 * The layer kinds allowed next (MetaQNN's rules, which keep every sample buildable): at max depth only
 * terminate; after an fc layer only fc or terminate; no pool right after a pool; a conv only when a kernel
 * (and a stride) fits the spatial size; a pool only when a window fits; fc up to maxFc layers, the first
 * one only when the size is at most fcMaxSize.
 */
function allowedKinds(
  o: ChainOptions,
  depth: number,
  prev: string,
  fcCount: number,
  rep: Representation,
): string[] {
  if (depth >= o.maxLayers) return ['terminate'];
  const out: string[] = [];
  if (!rep.flat) {
    if (convKernels(o, rep).length > 0 && convStrides(o, rep).length > 0) out.push('conv');
    if (prev !== 'pool' && o.poolKinds.length > 0 && poolWindows(o, rep).length > 0) out.push('pool');
  }
  const fcFits = rep.flat || o.fcMaxSize === undefined || Math.max(rep.height, rep.width) <= o.fcMaxSize;
  if (o.fcSizes.length > 0 && fcCount < o.maxFc && fcFits) out.push('fc');
  out.push('terminate');
  return out;
}

/** Kernels no larger than the map ('same' padding would otherwise mostly convolve padding). */
function convKernels(o: ChainOptions, rep: Representation): number[] {
  return o.convKernels.filter((k) => k <= side(rep));
}

/** Stride 1 always; a larger stride only where the map is at least that large. */
function convStrides(o: ChainOptions, rep: Representation): number[] {
  return o.convStrides.filter((s) => s === 1 || s <= side(rep));
}

function poolWindows(o: ChainOptions, rep: Representation): string[] {
  return o.poolWindows.filter(([k]) => k <= side(rep)).map(([k, s]) => windowChoice(k, s));
}

/** The representation after a layer; conv uses 'same' padding (ceil(size / stride)), pools floor mode. */
export function applyLayer(rep: Representation, layer: ChainLayer): Representation {
  if (layer.kind === 'fc') return { flat: true, features: layer.units };
  if (rep.flat) throw new InvalidArchitectureError(`chain: a ${layer.kind} layer cannot follow an fc layer`);
  if (layer.kind === 'conv') {
    const size = (n: number): number => Math.ceil(n / layer.stride);
    return { flat: false, channels: layer.filters, height: size(rep.height), width: size(rep.width) };
  }
  const size = (n: number): number => Math.floor((n - layer.kernel) / layer.stride) + 1;
  return { flat: false, channels: rep.channels, height: size(rep.height), width: size(rep.width) };
}

/**
 * Replays a (partial) sample through the rules: the layers it builds, the representation after them,
 * and the next decision. A decision with a single allowed choice is not asked (its value is implied),
 * so samples hold only real choices. Throws InvalidArchitectureError for a choice the rules do not allow.
 */
export function traceChain(o: ChainOptions, sample: Sample): ChainTrace {
  const layers: ChainLayer[] = [];
  let rep: Representation = { flat: false, channels: o.input[0], height: o.input[1], width: o.input[2] };
  let prev = 'input';
  let fcCount = 0;
  const at: { cursor: ChainCursor | null } = { cursor: null };
  const stopped = (): ChainTrace => ({ layers, rep, cursor: at.cursor });
  for (let depth = 0; ; depth++) {
    // undefined: the decision is not taken yet (at.cursor says which).
    const pick = (role: string, layerType: string, choices: readonly Choice[]): Choice | undefined => {
      if (choices.length === 1) return choices[0];
      const name = `${role}_${depth}`;
      const value = sample[name];
      if (value === undefined) {
        at.cursor = { decision: { name, choices }, depth, layerType, role, rep };
        return undefined;
      }
      if (!choices.includes(value)) {
        throw new InvalidArchitectureError(
          `chain: decision "${name}" has ${JSON.stringify(value)}, allowed here: ${choices.join(', ')}`,
        );
      }
      return value;
    };
    const kind = pick('layer', prev, allowedKinds(o, depth, prev, fcCount, rep));
    if (kind === undefined) return stopped();
    if (kind === 'terminate') return { layers, rep, cursor: null };
    let layer: ChainLayer;
    if (kind === 'conv') {
      const filters = pick('filters', kind, o.convFilters);
      if (filters === undefined) return stopped();
      const kernel = pick('kernel', kind, convKernels(o, rep));
      if (kernel === undefined) return stopped();
      const stride = pick('stride', kind, convStrides(o, rep));
      if (stride === undefined) return stopped();
      layer = { kind, filters: Number(filters), kernel: Number(kernel), stride: Number(stride) };
    } else if (kind === 'pool') {
      const pool = pick('pool', kind, o.poolKinds);
      if (pool === undefined) return stopped();
      const window = pick('window', kind, poolWindows(o, rep));
      if (window === undefined) return stopped();
      const [, k, s] = /^k(\d+)s(\d+)$/.exec(String(window)) as RegExpExecArray;
      layer = { kind, pool: pool as PoolKind, kernel: Number(k), stride: Number(s) };
    } else {
      const units = pick('units', 'fc', o.fcSizes);
      if (units === undefined) return stopped();
      layer = { kind: 'fc', units: Number(units) };
      fcCount++;
    }
    layers.push(layer);
    rep = applyLayer(rep, layer);
    prev = layer.kind;
  }
}
