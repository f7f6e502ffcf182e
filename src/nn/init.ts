import type { Rng } from '../utils/rng.js';
import type { FloatArray } from './params.js';

/** How to initialise one dense layer. Biases start at zero except for `fan_in_uniform`. */
export type LayerInit =
  | { scheme: 'orthogonal'; gain: number }
  | { scheme: 'xavier_uniform'; gain: number }
  /** PyTorch's nn.Linear default: W and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  | { scheme: 'fan_in_uniform' };

export function initLayer(init: LayerInit, w: FloatArray, b: FloatArray, rows: number, cols: number, rng: Rng): void {
  switch (init.scheme) {
    case 'orthogonal':
      orthogonal(w, rows, cols, init.gain, rng);
      b.fill(0);
      return;
    case 'xavier_uniform':
      xavierUniform(w, rows, cols, init.gain, rng);
      b.fill(0);
      return;
    case 'fan_in_uniform': {
      const bound = 1 / Math.sqrt(cols);
      for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
      for (let i = 0; i < b.length; i++) b[i] = rng.uniform(-bound, bound);
      return;
    }
  }
}

/**
 * Fills a [rows, cols] matrix with a (semi-)orthogonal one times `gain`: orthonormal
 * columns when rows >= cols, orthonormal rows otherwise (Saxe et al.; PyTorch's orthogonal_).
 */
export function orthogonal(w: FloatArray, rows: number, cols: number, gain: number, rng: Rng): void {
  if (w.length !== rows * cols) throw new RangeError(`orthogonal: buffer of ${w.length} is not ${rows}x${cols}`);
  // Work on a tall matrix A [m, k] with m >= k, stored column by column.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const k = tall ? cols : rows;
  const q: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m);
    for (;;) {
      for (let i = 0; i < m; i++) v[i] = rng.normal();
      // Modified Gram-Schmidt against the columns so far; redraw in the (measure-zero) degenerate case.
      for (const u of q) {
        let d = 0;
        for (let i = 0; i < m; i++) d += u[i] * v[i];
        for (let i = 0; i < m; i++) v[i] -= d * u[i];
      }
      let norm = 0;
      for (let i = 0; i < m; i++) norm += v[i] * v[i];
      norm = Math.sqrt(norm);
      if (norm > 1e-10) {
        for (let i = 0; i < m; i++) v[i] /= norm;
        break;
      }
    }
    q.push(v);
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) w[r * cols + c] = gain * (tall ? q[c][r] : q[r][c]);
  }
}

/** Glorot & Bengio's uniform init: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform(w: FloatArray, rows: number, cols: number, gain: number, rng: Rng): void {
  const a = gain * Math.sqrt(6 / (rows + cols));
  for (let i = 0; i < rows * cols; i++) w[i] = rng.uniform(-a, a);
}
