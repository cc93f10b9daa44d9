export * from './types.js';
export { formatShape, type PadOption } from './shape.js';
export {
  GraphBuilder,
  type AvgPoolOptions,
  type BatchNormOptions,
  type Conv2dOptions,
  type DenseOptions,
  type DropoutOptions,
  type PoolOptions,
  type ReshapeOptions,
} from './builder.js';
export { Graph, type GraphJSON, type NodeJSON } from './graph.js';
export { graphFromJSON } from './json.js';
export { countFlops, countParams, macsByNode } from './count.js';
export { initParameters } from './init.js';
