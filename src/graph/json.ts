import { z } from 'zod';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import { parseConfig } from '../core/validate.js';
import { GraphBuilder } from './builder.js';
import type { Graph } from './graph.js';
import { formatShape, sameShape } from './shape.js';
import { BATCH, OP_NAMES, type OpAttrs, type OpName, type Value } from './types.js';

const posInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();
const pair = z.tuple([posInt, posInt]);
const pads = z.tuple([nonNegInt, nonNegInt, nonNegInt, nonNegInt]);
const dim = z.union([z.literal(BATCH), posInt]);
const none = z.strictObject({});
const pool = { kernel: pair, stride: pair, pads };

const ATTRS: { readonly [K in OpName]: z.ZodType<OpAttrs[K]> } = {
  conv2d: z.strictObject({
    outChannels: posInt,
    kernel: pair,
    stride: pair,
    pads,
    dilation: pair,
    groups: posInt,
    bias: z.boolean(),
  }),
  maxPool: z.strictObject(pool),
  avgPool: z.strictObject({ ...pool, countIncludePad: z.boolean() }),
  globalAvgPool: none,
  batchNorm: z.strictObject({ epsilon: z.number(), momentum: z.number() }),
  relu: none,
  add: none,
  concat: z.strictObject({ axis: z.literal(1) }),
  dense: z.strictObject({ outFeatures: posInt, bias: z.boolean() }),
  flatten: none,
  reshape: z.strictObject({ shape: z.array(posInt) }),
  dropout: z.strictObject({ rate: z.number() }),
  softmaxCrossEntropy: none,
  identity: none,
  zero: none,
  mixture: none,
};

const graphSchema = z.object({
  format: z.literal('naslab-graph'),
  version: z.literal(1),
  inputs: z
    .array(z.object({ name: z.string(), shape: z.array(dim), dtype: z.enum(['float32', 'int64']) }))
    .min(1),
  nodes: z.array(
    z.object({
      name: z.string(),
      op: z.enum(OP_NAMES as [OpName, ...OpName[]]),
      inputs: z.array(z.string()),
      attrs: z.record(z.string(), z.unknown()),
      shape: z.array(dim).optional(),
    }),
  ),
  outputs: z.array(z.string()).min(1),
});

/**
 * Rebuilds a graph from Graph.toJSON() output (possibly parsed back from text). Every node goes through
 * the builder again, so shapes and parameters are re-inferred and checked; a malformed document is a
 * ConfigError naming the node and field.
 */
export function graphFromJSON(json: unknown, where = 'graph JSON'): Graph {
  const doc = parseConfig(graphSchema, json, where);
  const b = new GraphBuilder();
  const lookup = (name: string, reader: string): Value => {
    const v = b.get(name);
    if (v === undefined) {
      throw new ConfigError(`${where}: ${reader} reads '${name}', which is not an input or an earlier node`);
    }
    return v;
  };
  try {
    for (const v of doc.inputs) b.input(v.name, v.shape, v.dtype);
    doc.nodes.forEach((n, i) => {
      const attrs = parseConfig(ATTRS[n.op], n.attrs, `${where}: nodes[${i}] ('${n.name}') attrs`);
      const inputs = n.inputs.map((name) => lookup(name, `node '${n.name}'`));
      const out = b.addNode(n.op, inputs, attrs, n.name);
      if (n.shape !== undefined && !sameShape(n.shape, out.shape)) {
        throw new ConfigError(
          `${where}: node '${n.name}' was stored with shape ${formatShape(n.shape)} but infers ` +
            `${formatShape(out.shape)} (written by another version of naslab?)`,
        );
      }
    });
    return b.build(doc.outputs.map((name) => lookup(name, 'outputs')));
  } catch (e) {
    if (e instanceof InvalidArchitectureError) throw new ConfigError(`${where}: ${e.message}`, { cause: e });
    throw e;
  }
}
