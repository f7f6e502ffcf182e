import type { FloatArray } from './params.js';

/**
 * C[m, n] (+)= sum_k A[m, k] * B[n, k] for row-major A [M, K], B [N, K], C [M, N] at the
 * given offsets. All three dense-layer products (forward, dW, dX) take this form once the
 * operands are laid out so that k is contiguous.
 *
 * Blocked 2 rows of A by 4 rows of B: each loaded value feeds several multiply-adds held in
 * registers, which measured ~2x faster than plain dot products here (2.0 vs 0.9 GMAC/s).
 */
export function gemmABt(
  A: FloatArray,
  aOff: number,
  B: FloatArray,
  bOff: number,
  C: FloatArray,
  cOff: number,
  M: number,
  N: number,
  K: number,
  accumulate: boolean,
): void {
  let m = 0;
  for (; m + 1 < M; m += 2) {
    const a0 = aOff + m * K;
    const a1 = a0 + K;
    const c0 = cOff + m * N;
    const c1 = c0 + N;
    let n = 0;
    for (; n + 3 < N; n += 4) {
      const b0 = bOff + n * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k];
        const x1 = A[a1 + k];
        const v0 = B[b0 + k];
        const v1 = B[b1 + k];
        const v2 = B[b2 + k];
        const v3 = B[b3 + k];
        s00 += x0 * v0;
        s01 += x0 * v1;
        s02 += x0 * v2;
        s03 += x0 * v3;
        s10 += x1 * v0;
        s11 += x1 * v1;
        s12 += x1 * v2;
        s13 += x1 * v3;
      }
      if (accumulate) {
        C[c0 + n] += s00; C[c0 + n + 1] += s01; C[c0 + n + 2] += s02; C[c0 + n + 3] += s03;
        C[c1 + n] += s10; C[c1 + n + 1] += s11; C[c1 + n + 2] += s12; C[c1 + n + 3] += s13;
      } else {
        C[c0 + n] = s00; C[c0 + n + 1] = s01; C[c0 + n + 2] = s02; C[c0 + n + 3] = s03;
        C[c1 + n] = s10; C[c1 + n + 1] = s11; C[c1 + n + 2] = s12; C[c1 + n + 3] = s13;
      }
    }
    for (; n < N; n++) {
      const b0 = bOff + n * K;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < K; k++) {
        const v = B[b0 + k];
        s0 += A[a0 + k] * v;
        s1 += A[a1 + k] * v;
      }
      if (accumulate) {
        C[c0 + n] += s0;
        C[c1 + n] += s1;
      } else {
        C[c0 + n] = s0;
        C[c1 + n] = s1;
      }
    }
  }
  if (m < M) {
    // Last odd row of A: 1 x 4 blocks.
    const a0 = aOff + m * K;
    const c0 = cOff + m * N;
    let n = 0;
    for (; n + 3 < N; n += 4) {
      const b0 = bOff + n * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < K; k++) {
        const x = A[a0 + k];
        s0 += x * B[b0 + k];
        s1 += x * B[b1 + k];
        s2 += x * B[b2 + k];
        s3 += x * B[b3 + k];
      }
      if (accumulate) {
        C[c0 + n] += s0; C[c0 + n + 1] += s1; C[c0 + n + 2] += s2; C[c0 + n + 3] += s3;
      } else {
        C[c0 + n] = s0; C[c0 + n + 1] = s1; C[c0 + n + 2] = s2; C[c0 + n + 3] = s3;
      }
    }
    for (; n < N; n++) {
      const b0 = bOff + n * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[a0 + k] * B[b0 + k];
      if (accumulate) C[c0 + n] += s;
      else C[c0 + n] = s;
    }
  }
}

/** dst[dOff + c * rows + r] = src[sOff + r * cols + c] for a row-major [rows, cols] block. */
export function transpose(src: FloatArray, sOff: number, rows: number, cols: number, dst: FloatArray, dOff: number): void {
  for (let r = 0; r < rows; r++) {
    const so = sOff + r * cols;
    for (let c = 0; c < cols; c++) dst[dOff + c * rows + r] = src[so + c];
  }
}

/** Shape of a convolution over HWC images: input [H, W, C], a kh x kw kernel, stride, zero padding and the output grid. */
export interface ConvGeometry {
  H: number;
  W: number;
  C: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
  outH: number;
  outW: number;
}

/**
 * Walks the patches of `n` HWC images as the WebAssembly im2col/col2im do: for each sample,
 * output cell (oy, ox) and kernel row ky, the kw * C floats of that patch row are one run of
 * image row iy, clipped at the borders (padding cells are zero). `visit(xOff, colOff, len)`
 * gets each in-image run; `pad(colOff, len)` each clipped stretch.
 */
function eachPatchRun(
  xOff: number,
  cOff: number,
  n: number,
  g: ConvGeometry,
  visit: (x: number, col: number, len: number) => void,
  pad: (col: number, len: number) => void,
): void {
  const { H, W, C, kh, kw, stride, outH, outW } = g;
  const run = kw * C;
  let pd = cOff;
  for (let s = 0; s < n; s++) {
    const px = xOff + s * H * W * C;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * stride - g.pad;
        const lo = Math.min(kw, Math.max(0, -ix0));
        const hi = Math.max(lo, Math.min(kw, W - ix0));
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * stride - g.pad + ky;
          if (iy < 0 || iy >= H) {
            pad(pd, run);
          } else {
            pad(pd, lo * C);
            visit(px + (iy * W + ix0 + lo) * C, pd + lo * C, (hi - lo) * C);
            pad(pd + hi * C, (kw - hi) * C);
          }
          pd += run;
        }
      }
    }
  }
}

/** cols[n * outH * outW, kh * kw * C] = the patches of n HWC images at x[xOff...]. */
export function im2col(x: FloatArray, xOff: number, cols: FloatArray, cOff: number, n: number, g: ConvGeometry): void {
  eachPatchRun(
    xOff,
    cOff,
    n,
    g,
    (xo, co, len) => {
      for (let i = 0; i < len; i++) cols[co + i] = x[xo + i];
    },
    (co, len) => cols.fill(0, co, co + len),
  );
}

/** x[n, H, W, C] = im2col's adjoint of cols (overwritten): each cell sums its entries, in im2col's order. */
export function col2im(cols: FloatArray, cOff: number, x: FloatArray, xOff: number, n: number, g: ConvGeometry): void {
  x.fill(0, xOff, xOff + n * g.H * g.W * g.C);
  eachPatchRun(
    xOff,
    cOff,
    n,
    g,
    (xo, co, len) => {
      for (let i = 0; i < len; i++) x[xo + i] += cols[co + i];
    },
    () => {},
  );
}
