/** Float storage used by networks: float32 by default, float64 for exact gradient checks. */
export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

export function allocFloat(dtype: DType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** A flat block of trainable parameters and the gradient accumulated for them. */
export interface ParamGroup {
  readonly params: FloatArray;
  readonly grads: FloatArray;
}

export function zeroGrad(groups: readonly ParamGroup[]): void {
  for (const g of groups) g.grads.fill(0);
}

/** Global L2 norm of all gradients. */
export function gradNorm(groups: readonly ParamGroup[]): number {
  let s = 0;
  for (const { grads } of groups) for (let i = 0; i < grads.length; i++) s += grads[i] * grads[i];
  return Math.sqrt(s);
}

/** Scales all gradients so their global norm is at most `maxNorm` (PyTorch's clip_grad_norm_); returns the norm before clipping. */
export function clipGradNorm(groups: readonly ParamGroup[], maxNorm: number): number {
  const norm = gradNorm(groups);
  if (Number.isFinite(maxNorm) && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const { grads } of groups) for (let i = 0; i < grads.length; i++) grads[i] *= scale;
  }
  return norm;
}
