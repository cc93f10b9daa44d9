import type { OpDef } from './op-def.js';
import { avgPool, conv2d, globalAvgPool, maxPool } from './ops-spatial.js';
import {
  add,
  batchNorm,
  concat,
  dense,
  dropout,
  flatten,
  identity,
  mixture,
  relu,
  reshape,
  softmaxCrossEntropy,
  zero,
} from './ops-tensor.js';
import type { OpName } from './types.js';

/** Every op's shape, parameter and MAC rules, by stable op name. */
export const OPS: { readonly [K in OpName]: OpDef<K> } = {
  conv2d,
  maxPool,
  avgPool,
  globalAvgPool,
  batchNorm,
  relu,
  add,
  concat,
  dense,
  flatten,
  reshape,
  dropout,
  softmaxCrossEntropy,
  identity,
  zero,
  mixture,
};
