import type { FloatArray } from './params.js';

/**
 * Central-difference gradient of a scalar function with respect to `x`, which `f` reads.
 * `x` is perturbed in place and restored.
 */
export function numericGradient(f: () => number, x: FloatArray | number[], eps = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const orig = x[i];
    x[i] = orig + eps;
    const up = f();
    x[i] = orig - eps;
    const down = f();
    x[i] = orig;
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}

/** max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|), the usual gradient-check figure. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const denom = Math.max(1e-8, Math.abs(a[i]) + Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / denom);
  }
  return worst;
}
