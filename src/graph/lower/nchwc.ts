import { attr, int64, type ModelBuilder } from '../onnx/index.js';
import type { NodeOf } from '../types.js';
import type { ParamSource } from './emit.js';

/**
 * ONNX Runtime's blocked-channel convolutions (the `com.microsoft.nchwc` contrib domain of its CPU
 * provider): channels are stored in blocks of `block` (16 with AVX-512, 8 with AVX2) innermost, and
 * MLAS runs a direct convolution on them instead of im2col + GEMM. ORT's own NCHWc rewrite (graph
 * optimisation level `all`) only converts convs whose weights are constant initializers, so a training
 * graph, whose weights are inputs, never gets them; here the training graph asks for them itself and
 * reorders the weights into the blocked filter layout with a Reshape + Transpose, each step (a few
 * thousand values). Faster than the plain Conv and ConvTranspose even with the reorders counted:
 * `npx tsx scripts/bench/nchwc-conv.ts` times one conv, scripts/bench/profile-train.ts a whole training
 * step; figures in docs/benchmarks.md, "Kernel choices and their measurements".
 *
 * The block size is a property of the machine: the runtime finds it (runtime/nchwc.ts) and passes it in.
 * Never used in exported or inference models: those stay standard ONNX for every runtime.
 */
export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

/** A dense (ungrouped) conv's window, in the ONNX attributes' order. */
export type ConvWindow = {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  /** [top, left, bottom, right]. */
  readonly pads: readonly number[];
  readonly dilation: readonly [number, number];
};

/**
 * Whether a conv can run blocked: ungrouped, output channels a whole number of blocks, and input
 * channels either whole blocks (the input is reordered) or fewer than one block (MLAS reads the plain
 * NCHW input directly: a first layer over 1 or 3 channels); or depthwise (one channel per group) over
 * whole blocks.
 */
export function nchwcFits(inChannels: number, outChannels: number, groups: number, block: number): boolean {
  if (groups !== 1) return groups === inChannels && groups === outChannels && inChannels % block === 0;
  return outChannels % block === 0 && (inChannels % block === 0 || inChannels < block);
}

export type NchwcConvSpec = {
  /** The input, plain NCHW. */
  readonly x: string;
  /** The filter as emitBlockedFilter made it. */
  readonly filter: string;
  readonly bias?: string;
  readonly inChannels: number;
  readonly outChannels: number;
  /** 1 (dense, the default) or the channel count (depthwise). */
  readonly groups?: number;
  readonly window: ConvWindow;
  readonly block: number;
  /** The output's name (plain NCHW). */
  readonly output: string;
  /** What the nodes are named after (`<name>.nchwc`...); default the output. */
  readonly name?: string;
  /** A ReLU applied by the conv kernel itself (MLAS fuses it into the output loop). */
  readonly relu?: boolean;
};

/**
 * `x` (plain NCHW, whole channel blocks) in the blocked layout: one ReorderInput per value, named after
 * it, shared by every blocked op that reads it (a conv's forward pass and its weight gradient).
 */
export function blockedValue(mb: ModelBuilder, x: string): string {
  const name = `${x}.nchwcIn`;
  if (!mb.produces(name)) mb.node('ReorderInput', [x], [name], {}, { domain: NCHWC_DOMAIN, name });
  return name;
}

/** ReorderInput (unless the input is under one block) -> blocked Conv -> ReorderOutput named `output`. */
export function emitNchwcConv(mb: ModelBuilder, spec: NchwcConvSpec): string {
  const { window: w, output } = spec;
  const name = spec.name ?? output;
  const domain = { domain: NCHWC_DOMAIN };
  const x = spec.inChannels < spec.block ? spec.x : blockedValue(mb, spec.x);
  const inputs = spec.bias === undefined ? [x, spec.filter] : [x, spec.filter, spec.bias];
  const blocked = mb.op(
    'Conv',
    inputs,
    {
      kernel_shape: attr.ints(w.kernel),
      strides: attr.ints(w.stride),
      pads: attr.ints(w.pads),
      dilations: attr.ints(w.dilation),
      ...(spec.groups === undefined || spec.groups === 1 ? {} : { group: attr.int(spec.groups) }),
      ...(spec.relu === true ? { activation: attr.string('Relu') } : {}),
    },
    { ...domain, name: `${name}.nchwc` },
  );
  mb.node(
    'ReorderOutput',
    [blocked],
    [output],
    { channels: attr.int(spec.outChannels) },
    { ...domain, name: output },
  );
  return output;
}

/**
 * The blocked filter of a conv with `outChannels` x `inChannels` x kh x kw weights (`inChannels` per
 * group: 1 for a depthwise conv, whose filter takes the under-one-block layout), from `weight` laid out
 * [O, I, kh, kw] (`swapped`: laid out [I, O, kh, kw], as a conv's input gradient reads its forward
 * weight). Whole input blocks: [O/B, I/B, kh, kw, Bi, Bo]; under one block (plain NCHW input): [O/B, I,
 * kh, kw, Bo]. One Transpose between two Reshapes; returned with the dims [O, I, kh, kw] the kernel reads.
 */
export function emitBlockedFilter(
  mb: ModelBuilder,
  weight: string,
  dims: {
    readonly outChannels: number;
    readonly inChannels: number;
    readonly kh: number;
    readonly kw: number;
  },
  block: number,
  name: string,
  swapped = false,
): string {
  const { outChannels: o, inChannels: i, kh, kw } = dims;
  const shape = (what: string, values: readonly number[]): string =>
    mb.initializer(mb.uniqueName(`${name}.${what}`), int64([values.length], values));
  const b = block;
  let split: number[];
  let perm: number[];
  if (i < b) {
    if (swapped) throw new RangeError('emitBlockedFilter: a swapped filter needs whole input blocks');
    split = [o / b, b, i, kh, kw];
    perm = [0, 2, 3, 4, 1];
  } else if (!swapped) {
    split = [o / b, b, i / b, b, kh, kw];
    perm = [0, 2, 4, 5, 3, 1];
  } else {
    // [I, O, kh, kw] as [I/B, Bi, O/B, Bo, kh, kw] -> [O/B, I/B, kh, kw, Bi, Bo].
    split = [i / b, b, o / b, b, kh, kw];
    perm = [2, 0, 4, 5, 1, 3];
  }
  const viewed = mb.op('Reshape', [weight, shape('split', split)], {}, { name: `${name}.split` });
  const moved = mb.op('Transpose', [viewed], { perm: attr.ints(perm) }, { name: `${name}.blocks` });
  return mb.op('Reshape', [moved, shape('dims', [o, i, kh, kw])], {}, { name });
}

/**
 * The forward pass of an IR conv2d, blocked, output named as the IR value; false (nothing emitted) when
 * the conv does not fit (nchwcFits), and the caller emits the plain Conv. With `fusedRelu` (the name of a
 * ReLU that is the conv's only reader), the kernel applies the ReLU and the output takes the ReLU's name:
 * the conv's own output is then never materialised (its gradient rule reads x, the weight and dy only).
 */
export function emitConvNchwc(
  mb: ModelBuilder,
  node: NodeOf<'conv2d'>,
  inChannels: number,
  param: ParamSource,
  block: number,
  fusedRelu?: string,
): boolean {
  const a = node.attrs;
  if (!nchwcFits(inChannels, a.outChannels, a.groups, block)) return false;
  const [kh, kw] = a.kernel;
  const dims = { outChannels: a.outChannels, inChannels: inChannels / a.groups, kh, kw };
  const filter = emitBlockedFilter(mb, param(node, 'weight'), dims, block, `${node.name}.nchwcFilter`);
  emitNchwcConv(mb, {
    x: node.inputs[0] as string,
    filter,
    ...(a.bias ? { bias: param(node, 'bias') } : {}),
    inChannels,
    outChannels: a.outChannels,
    groups: a.groups,
    window: { kernel: a.kernel, stride: a.stride, pads: a.pads, dilation: a.dilation },
    block,
    output: fusedRelu ?? node.name,
    name: node.name,
    relu: fusedRelu !== undefined,
  });
  return true;
}
