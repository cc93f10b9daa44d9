/**
 * The network IR's data types: tensors are NCHW (ONNX's layout), float32 unless they hold class labels
 * (int64). Everything here is plain JSON-compatible data (type aliases, not interfaces, so they are
 * assignable to `Json`), which is what lets a graph go to the dashboard and into resume state as it is.
 */

/** The symbolic batch dimension: one graph serves any batch size (ONNX `dim_param`). */
export const BATCH = 'N';

/** One dimension: a size, or the symbolic batch (only ever on axis 0). */
export type Dim = number | typeof BATCH;
export type Shape = readonly Dim[];
export type DType = 'float32' | 'int64';

/** A tensor in the graph: a graph input or the single output of a node (named after the node). */
export type Value = { readonly name: string; readonly shape: Shape; readonly dtype: DType };

/** [height, width]. */
export type Pair = readonly [number, number];
/** Explicit padding in ONNX's order: [top, left, bottom, right]. */
export type Pads = readonly [number, number, number, number];

/** How a parameter is initialised (see init.ts); he-normal: N(0, 2 / fanIn). */
export type InitSpec =
  | { readonly kind: 'he-normal'; readonly fanIn: number }
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' };

/**
 * What a parameter is to its node: emitters map roles to op inputs; optimisers skip decay on biases.
 * `alpha`: a mixture's architecture weights (DARTS), which a search trains apart from the weights.
 */
export type ParamRole = 'weight' | 'bias' | 'gamma' | 'beta' | 'runningMean' | 'runningVar' | 'alpha';

/**
 * A parameter tensor of a node, named `<node>.<role>`. Buffers (batch norm's running statistics) are
 * `trainable: false`: they are allocated and saved like parameters but get no gradient.
 */
export type ParamSpec = {
  readonly name: string;
  readonly role: ParamRole;
  readonly shape: readonly number[];
  readonly init: InitSpec;
  readonly trainable: boolean;
};

/**
 * conv2d: weight [outChannels, inChannels / groups, kh, kw] (ONNX Conv), bias [outChannels].
 * groups = inChannels = outChannels is a depthwise conv; a 1x1 conv after it makes a separable conv.
 */
export type Conv2dAttrs = {
  readonly outChannels: number;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly pads: Pads;
  readonly dilation: Pair;
  readonly groups: number;
  readonly bias: boolean;
};
export type PoolAttrs = { readonly kernel: Pair; readonly stride: Pair; readonly pads: Pads };
/** countIncludePad: whether padded zeros count in the average's divisor (ONNX count_include_pad). */
export type AvgPoolAttrs = PoolAttrs & { readonly countIncludePad: boolean };
/**
 * momentum in PyTorch's convention: running = (1 - momentum) * running + momentum * batch statistic
 * (ONNX's BatchNormalization momentum is 1 minus this).
 */
export type BatchNormAttrs = { readonly epsilon: number; readonly momentum: number };
/** dense: y = x W + b with weight [inFeatures, outFeatures] (a plain MatMul, no transpose). */
export type DenseAttrs = { readonly outFeatures: number; readonly bias: boolean };
/** The per-sample target shape (the batch dimension is kept), fully resolved: no -1. */
export type ReshapeAttrs = { readonly shape: readonly number[] };
export type DropoutAttrs = { readonly rate: number };
/** Concatenation is along the channel axis only. */
export type ConcatAttrs = { readonly axis: 1 };
export type NoAttrs = { readonly [k: string]: never };

/** Each op's attributes, by its stable op name (never a class name: minifiers rename classes). */
export type OpAttrs = {
  conv2d: Conv2dAttrs;
  maxPool: PoolAttrs;
  avgPool: AvgPoolAttrs;
  globalAvgPool: NoAttrs;
  batchNorm: BatchNormAttrs;
  relu: NoAttrs;
  add: NoAttrs;
  concat: ConcatAttrs;
  dense: DenseAttrs;
  flatten: NoAttrs;
  reshape: ReshapeAttrs;
  dropout: DropoutAttrs;
  /** Mean over the batch of -log softmax(logits)[label]. */
  softmaxCrossEntropy: NoAttrs;
  identity: NoAttrs;
  /** Zeros of the input's shape: the `none` edge of cell spaces. */
  zero: NoAttrs;
  /**
   * DARTS's mixed op (Liu et al. 2019): inputs x_1..x_k of one shape and a trainable `alpha` [k];
   * output sum_i softmax(alpha)_i x_i. The architecture weights of a continuous relaxation.
   */
  mixture: NoAttrs;
};
export type OpName = keyof OpAttrs;

export const OP_NAMES: readonly OpName[] = [
  'conv2d',
  'maxPool',
  'avgPool',
  'globalAvgPool',
  'batchNorm',
  'relu',
  'add',
  'concat',
  'dense',
  'flatten',
  'reshape',
  'dropout',
  'softmaxCrossEntropy',
  'identity',
  'zero',
  'mixture',
];

/** A node of one op: its inputs by value name, its output value (named as the node) and its parameters. */
export type NodeOf<K extends OpName> = {
  readonly name: string;
  readonly op: K;
  readonly inputs: readonly string[];
  readonly attrs: OpAttrs[K];
  readonly output: Value;
  readonly params: readonly ParamSpec[];
};

/** Any node; `switch (node.op)` narrows `attrs`. */
export type GraphNode = { [K in OpName]: NodeOf<K> }[OpName];
