export { ModelBuilder, type ModelBuilderOptions, type NodeOptions } from './builder.js';
export { attr, type AttributeValue, type Attributes } from './attributes.js';
export { OnnxGraphError } from './errors.js';
export { decodeModel } from './encode.js';
export {
  IR_VERSION,
  OPSET_VERSION,
  type GraphSpec,
  type Initializer,
  type NodeSpec,
  type ValueInfo,
} from './graph.js';
export { count, float32, int64, type Dim, type ElemType, type TensorData } from './tensor.js';
