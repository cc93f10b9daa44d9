import type { Normalization } from '../data/normalize.js';
import type { Graph } from '../graph/graph.js';
import { buildInferenceModel } from '../graph/lower/index.js';
import { ModelBuilder, attr, float32, type Dim, type GraphSpec } from '../graph/onnx/index.js';

/** One input or output of the exported model, as model.json describes it. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: 'float32';
  /** 'N' is the batch: any size. */
  readonly shape: readonly Dim[];
}

export interface ExportedModel {
  readonly bytes: Uint8Array;
  readonly input: TensorInfo;
  /** Logits first, then their softmax. */
  readonly outputs: readonly [TensorInfo, TensorInfo];
}

export interface ExportModelOptions {
  /** The IR's float32 data input and logits (runtime/train's trainingIo finds them). */
  readonly input: string;
  readonly logits: string;
  readonly normalization: Normalization;
  readonly producerVersion: string;
  readonly docString?: string;
}

/** A name no tensor or node of `spec` uses: `base`, else `base_1`, `base_2`... */
function freshNames(spec: GraphSpec): (base: string) => string {
  const taken = new Set<string>();
  for (const v of [...spec.inputs, ...spec.outputs, ...spec.initializers]) taken.add(v.name);
  for (const n of spec.nodes) for (const name of [n.name, ...n.outputs]) taken.add(name);
  return (base) => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
}

/**
 * The network as a self-contained ONNX inference model: the IR's inference lowering (weights as
 * initializers, batch norm on running statistics) behind a standardisation step, so the model takes
 * the data file's own values (pixel bytes 0-255, CSV numbers) and a user needs no statistics:
 * x[c] = (raw[c] * inputScale - mean[c]) / std[c], computed in float32 by the graph (Mul, Sub, Div on
 * [1, C, 1, 1] constants; identity steps are left out). Outputs the logits and their softmax.
 */
export function buildExportModel(
  graph: Graph,
  params: ReadonlyMap<string, Float32Array>,
  options: ExportModelOptions,
): ExportedModel {
  const spec = buildInferenceModel(graph, params, { outputs: [options.logits] }).spec();
  const fresh = freshNames(spec);
  const mb = new ModelBuilder({
    name: 'naslab-export',
    producerVersion: options.producerVersion,
    docString: options.docString ?? '',
  });
  const irInput = spec.inputs.find((v) => v.name === options.input);
  if (irInput === undefined || spec.inputs.length !== 1) {
    throw new RangeError(
      `export: the inference graph must read exactly the input '${options.input}', it reads ` +
        spec.inputs.map((v) => v.name).join(', '),
    );
  }
  const shape = irInput.shape ?? [];
  const input: TensorInfo = { name: fresh('input'), dtype: 'float32', shape };
  mb.input(input.name, 'float32', shape);

  const { inputScale, mean, std } = options.normalization;
  const channelDims = [1, mean.length, ...shape.slice(2).map(() => 1)];
  const steps: { op: string; name: string; value: number[] | number }[] = [];
  if (inputScale !== 1) steps.push({ op: 'Mul', name: 'input_scale', value: inputScale });
  if (mean.some((m) => m !== 0)) steps.push({ op: 'Sub', name: 'input_mean', value: [...mean] });
  if (std.some((s) => s !== 1)) steps.push({ op: 'Div', name: 'input_std', value: [...std] });
  let h = input.name;
  steps.forEach((s, i) => {
    const constant = Array.isArray(s.value) ? float32(channelDims, s.value) : float32([], [s.value]);
    const c = mb.initializer(fresh(s.name), constant);
    const out = i === steps.length - 1 ? options.input : fresh(`${s.name}_out`);
    mb.node(s.op, [h, c], [out], {}, { name: fresh(`preprocess_${s.op.toLowerCase()}`) });
    h = out;
  });
  if (steps.length === 0) mb.node('Identity', [h], [options.input], {}, { name: fresh('preprocess') });

  for (const init of spec.initializers) mb.initializer(init.name, init.tensor);
  for (const n of spec.nodes) {
    mb.node(n.opType, n.inputs, n.outputs, n.attributes, { name: n.name, domain: n.domain });
  }
  const logitsInfo = spec.outputs.find((v) => v.name === options.logits);
  const logits: TensorInfo = { name: options.logits, dtype: 'float32', shape: logitsInfo?.shape ?? [] };
  mb.output(logits.name, 'float32', logits.shape);
  const probabilities: TensorInfo = { name: fresh('probabilities'), dtype: 'float32', shape: logits.shape };
  mb.node('Softmax', [logits.name], [probabilities.name], { axis: attr.int(1) }, { name: fresh('softmax') });
  mb.output(probabilities.name, 'float32', probabilities.shape);
  return { bytes: mb.toBytes(), input, outputs: [logits, probabilities] };
}
