import { ModelBuilder, OnnxGraphError } from '../onnx/index.js';

/**
 * A copy of the model without the nodes and initializers no output depends on. ONNX Runtime runs every
 * node of a graph whatever is fetched, so a backward pass built for some parameters only must not keep
 * the others' gradient nodes. Inputs all stay (callers feed them by name).
 */
export function withoutDeadNodes(mb: ModelBuilder): ModelBuilder {
  const spec = mb.spec();
  const live = new Set(spec.outputs.map((o) => o.name));
  const keep = new Array<boolean>(spec.nodes.length).fill(false);
  for (let i = spec.nodes.length - 1; i >= 0; i--) {
    const node = spec.nodes[i] as (typeof spec.nodes)[number];
    if (!node.outputs.some((o) => live.has(o))) continue;
    keep[i] = true;
    for (const input of node.inputs) live.add(input);
  }
  const out = new ModelBuilder({ name: spec.name });
  for (const v of spec.inputs) {
    if (v.shape === undefined) throw new OnnxGraphError(`withoutDeadNodes: input '${v.name}' has no shape`);
    out.input(v.name, v.type, v.shape);
  }
  for (const init of spec.initializers) if (live.has(init.name)) out.initializer(init.name, init.tensor);
  spec.nodes.forEach((n, i) => {
    if (keep[i]) out.node(n.opType, n.inputs, n.outputs, n.attributes, { name: n.name, domain: n.domain });
  });
  for (const o of spec.outputs) out.output(o.name, o.type, o.shape);
  return out;
}
