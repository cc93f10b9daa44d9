import { attr, float32, int64, type ModelBuilder } from '../onnx/index.js';
import type { GraphNode, ParamRole } from '../types.js';

/** Hands out a node's parameter as an initializer name (declared once, checked against its spec). */
export type ParamSource = (node: GraphNode, role: ParamRole) => string;

/**
 * Appends the ONNX nodes computing one IR node at inference. The final ONNX node's output is named as the
 * IR value, so graph outputs and intermediate values keep their IR names; helper tensors are named
 * `<node>.<what>`, which no IR value can be ('.' is reserved for parameters, whose roles differ).
 */
export function emitInference(mb: ModelBuilder, node: GraphNode, param: ParamSource): void {
  const out = node.name;
  const emit = (opType: string, inputs: readonly string[], attributes = {}, output = out): string => {
    mb.node(opType, inputs, [output], attributes, { name: output });
    return output;
  };
  switch (node.op) {
    case 'conv2d': {
      const a = node.attrs;
      const inputs = [node.inputs[0] as string, param(node, 'weight')];
      if (a.bias) inputs.push(param(node, 'bias'));
      emit('Conv', inputs, {
        kernel_shape: attr.ints(a.kernel),
        strides: attr.ints(a.stride),
        // The IR stores pads in ONNX's order already: [top, left, bottom, right].
        pads: attr.ints(a.pads),
        dilations: attr.ints(a.dilation),
        group: attr.int(a.groups),
      });
      return;
    }
    case 'maxPool': {
      const a = node.attrs;
      const window = {
        kernel_shape: attr.ints(a.kernel),
        strides: attr.ints(a.stride),
        pads: attr.ints(a.pads),
      };
      emit('MaxPool', node.inputs, window);
      return;
    }
    case 'avgPool': {
      const a = node.attrs;
      emit('AveragePool', node.inputs, {
        kernel_shape: attr.ints(a.kernel),
        strides: attr.ints(a.stride),
        pads: attr.ints(a.pads),
        count_include_pad: attr.int(a.countIncludePad ? 1 : 0),
      });
      return;
    }
    case 'globalAvgPool':
      emit('GlobalAveragePool', node.inputs);
      return;
    case 'batchNorm': {
      // Inference mode (training_mode 0): normalise with the running statistics; momentum plays no part.
      const roles: ParamRole[] = ['gamma', 'beta', 'runningMean', 'runningVar'];
      emit('BatchNormalization', [node.inputs[0] as string, ...roles.map((r) => param(node, r))], {
        epsilon: attr.float(node.attrs.epsilon),
      });
      return;
    }
    case 'relu':
      emit('Relu', node.inputs);
      return;
    case 'add':
      // Sum takes any number of inputs; Add is the common two-input case (and what fusers look for).
      if (node.inputs.length === 1) emit('Identity', node.inputs);
      else emit(node.inputs.length === 2 ? 'Add' : 'Sum', node.inputs);
      return;
    case 'concat':
      emit('Concat', node.inputs, { axis: attr.int(1) });
      return;
    case 'dense': {
      // The IR's weight is [in, out], so y = x W is a plain MatMul (no Gemm transB).
      const w = param(node, 'weight');
      if (!node.attrs.bias) {
        emit('MatMul', [node.inputs[0] as string, w]);
        return;
      }
      const xw = emit('MatMul', [node.inputs[0] as string, w], {}, `${out}.matmul`);
      emit('Add', [xw, param(node, 'bias')]);
      return;
    }
    case 'flatten':
      emit('Flatten', node.inputs, { axis: attr.int(1) });
      return;
    case 'reshape': {
      // 0 copies the input's dimension (the batch, symbolic or not); the rest is the resolved per-sample shape.
      const shape = mb.initializer(
        `${out}.shape`,
        int64([node.attrs.shape.length + 1], [0, ...node.attrs.shape]),
      );
      emit('Reshape', [node.inputs[0] as string, shape]);
      return;
    }
    case 'dropout':
    case 'identity':
      emit('Identity', node.inputs);
      return;
    case 'zero': {
      // ConstantOfShape(Shape(x)) is exactly zero; x * 0 would turn an inf or NaN in x into NaN.
      const shape = emit('Shape', node.inputs, {}, `${out}.shape`);
      emit('ConstantOfShape', [shape], { value: attr.tensor(float32([1], [0])) });
      return;
    }
    case 'mixture': {
      // softmax(alpha) split into k one-element weights, which broadcast over their input in Mul.
      const k = node.inputs.length;
      const s = emit('Softmax', [param(node, 'alpha')], { axis: attr.int(0) }, `${out}.softmax`);
      if (k === 1) {
        emit('Mul', [node.inputs[0] as string, s]);
        return;
      }
      const weights = node.inputs.map((_, i) => `${out}.w${i}`);
      const sizes = mb.initializer(`${out}.sizes`, int64([k], new Array<number>(k).fill(1)));
      mb.node('Split', [s, sizes], weights, { axis: attr.int(0) }, { name: `${out}.split` });
      const terms = node.inputs.map((x, i) => emit('Mul', [x, weights[i] as string], {}, `${out}.term${i}`));
      emit('Sum', terms);
      return;
    }
    case 'softmaxCrossEntropy':
      emit('SoftmaxCrossEntropyLoss', node.inputs, { reduction: attr.string('mean') });
      return;
  }
}
