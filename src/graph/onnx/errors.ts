import { NaslabError } from '../../core/errors.js';

/**
 * A malformed ONNX graph: a name produced twice, an input nobody produces, an initializer whose data does
 * not fit its shape. These are bugs in whatever lowered the network (not bad user input), so the message
 * names the node, the tensor and what to fix rather than a config field.
 */
export class OnnxGraphError extends NaslabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_ONNX_GRAPH', message, options);
    this.name = 'OnnxGraphError';
  }
}
