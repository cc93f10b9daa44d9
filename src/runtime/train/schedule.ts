/**
 * The learning rate of step `k` (0-based) of `total`: constant, or cosine annealing to zero per step
 * (PyTorch's CosineAnnealingLR with T_max = total steps, eta_min = 0, stepped every batch).
 */
export function learningRate(base: number, k: number, total: number, cosine: boolean): number {
  if (!cosine || total <= 0) return base;
  return 0.5 * base * (1 + Math.cos((Math.PI * k) / total));
}
