export { encodeAll, OneHotEncoder, type Encoder, type OneHotOptions } from './encode.js';
export {
  dagPaths,
  nb201Paths,
  PATH_ENUMERATORS,
  PathEncoder,
  pathEncoderFor,
  type CellEdge,
  type PathEnumerator,
} from './paths.js';
export { MlpEnsemble, type MlpEnsembleOptions } from './ensemble.js';
export { GaussianProcess, type GaussianProcessOptions, type GpHyperparameters } from './gp.js';
export { kendallTau, meanSquaredError } from './metrics.js';
export type { Prediction, Predictor } from './predictor.js';
export { logErrorTransform, TransformedTarget, type TargetTransform } from './transform.js';
