import { ConfigError } from '../../core/errors.js';

/**
 * SGD as PyTorch's torch.optim.SGD (dampening 0): g = grad + weightDecay * p; with momentum,
 * buf = momentum * buf + g (buf starts at zero, so the first step's buf is g, as PyTorch's clone);
 * nesterov uses g + momentum * buf; p -= lr * (that).
 */
export type SgdSpec = {
  readonly kind: 'sgd';
  /** Default 0 (plain SGD: no momentum state is kept). */
  readonly momentum?: number;
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  readonly weightDecay?: number;
};

/**
 * Adam as torch.optim.Adam (amsgrad off), or AdamW (decoupled decay: p *= 1 - lr * weightDecay before
 * the Adam step) with kind 'adamw'. Bias correction uses the step counter fed back through the graph.
 */
export type AdamSpec = {
  readonly kind: 'adam' | 'adamw';
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.999. */
  readonly beta2?: number;
  /** Default 1e-8. */
  readonly eps?: number;
  /** Default 0 for adam (L2 added to the gradient), 0.01 for adamw (decoupled), as PyTorch. */
  readonly weightDecay?: number;
};

export type OptimizerSpec = SgdSpec | AdamSpec;

/**
 * Which parameters weight decay applies to. 'all' is PyTorch's default (every parameter given to the
 * optimiser); 'weights' leaves biases and batch-norm gamma/beta undecayed, the common recipe.
 */
export type DecayScope = 'all' | 'weights';

export type ResolvedSgd = Required<SgdSpec>;
export type ResolvedAdam = Required<AdamSpec>;
export type ResolvedOptimizer = ResolvedSgd | ResolvedAdam;

function check(value: number, field: string, ok: (v: number) => boolean, range: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new ConfigError(`optimizer.${field} must be a finite number ${range}, found ${String(value)}`);
  }
  return value;
}

/** Fills the defaults and checks every field, naming the bad one. */
export function resolveOptimizer(spec: OptimizerSpec): ResolvedOptimizer {
  const nonNegative = (v: number): boolean => v >= 0;
  const unit = (v: number): boolean => v >= 0 && v < 1;
  switch (spec.kind) {
    case 'sgd': {
      const momentum = check(spec.momentum ?? 0, 'momentum', nonNegative, '>= 0');
      const nesterov = spec.nesterov ?? false;
      if (nesterov && momentum === 0) {
        throw new ConfigError('optimizer.nesterov needs optimizer.momentum > 0 (as in PyTorch)');
      }
      return {
        kind: 'sgd',
        momentum,
        nesterov,
        weightDecay: check(spec.weightDecay ?? 0, 'weightDecay', nonNegative, '>= 0'),
      };
    }
    case 'adam':
    case 'adamw':
      return {
        kind: spec.kind,
        beta1: check(spec.beta1 ?? 0.9, 'beta1', unit, 'in [0, 1)'),
        beta2: check(spec.beta2 ?? 0.999, 'beta2', unit, 'in [0, 1)'),
        eps: check(spec.eps ?? 1e-8, 'eps', (v) => v > 0, '> 0'),
        weightDecay: check(
          spec.weightDecay ?? (spec.kind === 'adamw' ? 0.01 : 0),
          'weightDecay',
          nonNegative,
          '>= 0',
        ),
      };
    default:
      throw new ConfigError(
        `optimizer.kind must be 'sgd', 'adam' or 'adamw', found ${JSON.stringify((spec as { kind: unknown }).kind)}`,
      );
  }
}
