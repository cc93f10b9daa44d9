/** Learning-curve extrapolation (Domhan et al. 2015): curve families, fitting, the ensemble, the stopping rule. */
export {
  CURVE_FAMILIES,
  CURVE_FAMILY_NAMES,
  curveFamily,
  type CurveFamily,
  type CurveFamilyName,
  type CurveParam,
} from './families.js';
export { fitFamily, predictFit, type CurveFit, type FitOptions } from './fit.js';
export { CurvePrediction, type CurveMember, type CurveWeighting, type RejectedFit } from './ensemble.js';
export {
  extrapolate,
  extrapolateOptionsSchema,
  shouldStop,
  curvePrunerOptionsSchema,
  type ExtrapolateOptions,
  type CurvePrunerOptions,
  type CurvePrunerDecision,
} from './extrapolate.js';
export { normalCdf } from './normal.js';
