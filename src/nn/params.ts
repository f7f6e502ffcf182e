import { scratchKernels } from './wasm/kernels.js';

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

/**
 * Scales all gradients so their global norm is at most `maxNorm` (PyTorch's clip_grad_norm_); returns the norm before clipping.
 * Float32 gradients go through the WebAssembly kernels (copied into scratch memory and back),
 * which repeat these JS loops operation for operation, so the results are the same to the bit.
 */
export function clipGradNorm(groups: readonly ParamGroup[], maxNorm: number): number {
  const clip = (norm: number) => (Number.isFinite(maxNorm) && norm > maxNorm ? maxNorm / (norm + 1e-6) : null);
  const all = groups.map((g) => g.grads);
  const s = all.every((a) => a instanceof Float32Array) ? scratchKernels(all.reduce((n, a) => n + a.length, 0)) : null;
  if (!s) {
    const norm = gradNorm(groups);
    const scale = clip(norm);
    if (scale !== null) for (const grads of all) for (let i = 0; i < grads.length; i++) grads[i] *= scale;
    return norm;
  }
  // The sum of squares runs in order over the groups laid end to end, as gradNorm's does.
  let n = 0;
  for (const a of all) {
    s.f32.set(a, n);
    n += a.length;
  }
  const norm = Math.sqrt(s.kernels.sumSquares(0, n, 0));
  const scale = clip(norm);
  if (scale !== null) {
    s.kernels.scaleF64(0, n, scale);
    let o = 0;
    for (const a of all) {
      a.set(s.f32.subarray(o, o + a.length));
      o += a.length;
    }
  }
  return norm;
}
