import type { Attributes } from './attributes.js';
import type { Dim, ElemType, TensorData } from './tensor.js';

/** The plain-data graph the builder accumulates and the encoder turns into an ONNX ModelProto. */
export interface ValueInfo {
  readonly name: string;
  readonly type: ElemType;
  /** Omitted: rank unknown (ORT infers it). A string dim is symbolic, e.g. 'N' for the batch. */
  readonly shape?: readonly Dim[];
}

export interface NodeSpec {
  readonly name: string;
  readonly opType: string;
  /** '' is the default ONNX domain (ai.onnx). */
  readonly domain: string;
  /** '' marks an omitted optional input, as in ONNX. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Attributes;
}

export interface Initializer {
  readonly name: string;
  readonly tensor: TensorData;
}

export interface GraphSpec {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers: readonly Initializer[];
  readonly nodes: readonly NodeSpec[];
}

export interface ModelMeta {
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
}

/** ONNX Runtime 1.30 supports both; opset 17 has every op the training graphs use (LayerNorm included). */
export const OPSET_VERSION = 17;
export const IR_VERSION = 8;
