/**
 * Performance gap recovered (Burns et al. 2023):
 *   PGR = (weak-to-strong - weak) / (strong ceiling - weak)
 * 0: the student only matched its supervisor; 1: it matched the same student trained on ground truth.
 */

/** PGR of one seed; null when the ceiling does not beat the weak supervisor (no gap to recover). */
export function pgr(weak: number, weakToStrong: number, ceiling: number): number | null {
  const gap = ceiling - weak;
  if (!(gap > 0)) return null;
  return (weakToStrong - weak) / gap;
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (a 95% interval). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export interface MeanCi {
  mean: number;
  /** Half-width of the 95% t interval over seeds (null with one value). */
  halfWidth: number | null;
  n: number;
}

/** Mean over seeds with a 95% Student-t interval; nulls (undefined PGRs) are dropped and counted out. */
export function meanCi(values: readonly (number | null)[]): MeanCi | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, halfWidth: null, n };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  const t = T975[Math.min(n - 1, T975.length) - 1] ?? 1.96;
  return { mean, halfWidth: (t * Math.sqrt(variance)) / Math.sqrt(n), n };
}
