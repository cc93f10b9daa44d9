import onnxProto from 'onnx-proto';
import { ONNX_ATTRIBUTE_TYPE, type AttributeValue } from './attributes.js';
import {
  IR_VERSION,
  OPSET_VERSION,
  type GraphSpec,
  type ModelMeta,
  type NodeSpec,
  type ValueInfo,
} from './graph.js';
import { ONNX_DATA_TYPE, rawBytes, type TensorData } from './tensor.js';

// onnx-proto is CommonJS: under ESM only its default export (module.exports) is visible.
const { onnx } = onnxProto;

const utf8 = new TextEncoder();

function tensorProto(t: TensorData, name: string): onnxProto.onnx.ITensorProto {
  // raw_data for every type: one byte copy, no per-element boxing of large weight arrays.
  return { name, dims: [...t.dims], dataType: ONNX_DATA_TYPE[t.type], rawData: rawBytes(t) };
}

function attributeProto(name: string, a: AttributeValue): onnxProto.onnx.IAttributeProto {
  const base = { name, type: ONNX_ATTRIBUTE_TYPE[a.kind] };
  switch (a.kind) {
    case 'int':
      return { ...base, i: a.value };
    case 'float':
      return { ...base, f: a.value };
    case 'ints':
      return { ...base, ints: [...a.value] };
    case 'floats':
      return { ...base, floats: [...a.value] };
    case 'string':
      return { ...base, s: utf8.encode(a.value) };
    case 'tensor':
      return { ...base, t: tensorProto(a.value, name) };
  }
}

function nodeProto(n: NodeSpec): onnxProto.onnx.INodeProto {
  return {
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    input: [...n.inputs],
    output: [...n.outputs],
    attribute: Object.entries(n.attributes).map(([k, v]) => attributeProto(k, v)),
  };
}

function valueInfoProto(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  const tensorType: onnxProto.onnx.TypeProto.ITensor = { elemType: ONNX_DATA_TYPE[v.type] };
  if (v.shape !== undefined) {
    tensorType.shape = {
      dim: v.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
    };
  }
  return { name: v.name, type: { tensorType } };
}

/**
 * Serialises a validated graph as an ONNX ModelProto (IR version 8, default-domain opset 17). Every other
 * domain its nodes use (ONNX Runtime's contrib domains) is imported at version 1, their only version.
 */
export function encodeModel(graph: GraphSpec, meta: ModelMeta): Uint8Array {
  const domains = [...new Set(graph.nodes.map((n) => n.domain).filter((d) => d !== ''))].sort();
  const model: onnxProto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [
      { domain: '', version: OPSET_VERSION },
      ...domains.map((domain) => ({ domain, version: 1 })),
    ],
    producerName: meta.producerName,
    producerVersion: meta.producerVersion,
    docString: meta.docString,
    graph: {
      name: graph.name,
      node: graph.nodes.map(nodeProto),
      initializer: graph.initializers.map((i) => tensorProto(i.tensor, i.name)),
      input: graph.inputs.map(valueInfoProto),
      output: graph.outputs.map(valueInfoProto),
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/** Decodes bytes back to a plain object (tests and debugging: what exactly was emitted). */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
