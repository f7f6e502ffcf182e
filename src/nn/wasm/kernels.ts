import { KERNELS_WASM_BASE64 } from './kernels.generated.js';

/** The WebAssembly SIMD kernels bound to one memory; pointers are byte offsets. */
export interface WasmKernels {
  /** C[M, N] (+)= A[M, K] B[N, K]^T: dot products along K; best when N is small. */
  gemmABt(a: number, b: number, c: number, M: number, N: number, K: number, accumulate: number): void;
  /** C[M, N] (+)= A[M, K] B[K, N]: 4x8 register blocks; best when N >= 8. */
  gemmAB(a: number, b: number, c: number, M: number, N: number, K: number, accumulate: number): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  /** In place over ceil(n / 4) * 4 floats: buffers must be padded to a multiple of 4. */
  tanh(p: number, n: number): void;
  /** g *= 1 - h^2 over ceil(n / 4) * 4 floats. */
  tanhBackward(h: number, g: number, n: number): void;
  /** y[r, :] += bias for each of `rows` rows of `cols`. */
  addBias(y: number, bias: number, rows: number, cols: number): void;
  /** dst[:] += column sums of a [rows, cols] matrix. */
  addColumnSums(g: number, dst: number, rows: number, cols: number): void;
  /** dst[0, n) += src[0, n) (float32; equal to JS's `dst[i] += src[i]` on Float32Arrays). */
  addInto(src: number, dst: number, n: number): void;
  /** One Adam update over n elements: float32 p and g, float64 m and v (adam.ts has the formula). */
  adamStep(p: number, g: number, m: number, v: number, n: number, beta1: number, c1: number, beta2: number, c2: number, stepSize: number, sqrtBc2: number, eps: number): void;
  /** s + sum of g[i]^2 over n float32 values, added one by one in float64 as a JS loop does. */
  sumSquares(g: number, n: number, s: number): number;
  /** g[i] = f32(f64(g[i]) * scale) over n float32 values. */
  scaleF64(g: number, n: number, scale: number): void;
  /**
   * cols[n * outH * outW, kh * kw * C] = the patches of n HWC images [H, W, C] (rows in
   * (oy, ox) order, each patch in (ky, kx, c) order; cells in the zero padding are 0).
   */
  im2col(x: number, cols: number, n: number, H: number, W: number, C: number, kh: number, kw: number, stride: number, pad: number, outH: number, outW: number): void;
  /** x = im2col's adjoint of cols: each image cell gets the sum of its entries in the patches (x is overwritten). */
  col2im(cols: number, x: number, n: number, H: number, W: number, C: number, kh: number, kw: number, stride: number, pad: number, outH: number, outW: number): void;
}

const bytes = Buffer.from(KERNELS_WASM_BASE64, 'base64');

/** Compiled once per thread; null where WebAssembly SIMD is unavailable (then networks use the JS kernels). */
export const kernelsModule: WebAssembly.Module | null = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;

export function instantiateKernels(memory: WebAssembly.Memory): WasmKernels {
  if (!kernelsModule) throw new Error('WebAssembly SIMD is not available in this runtime');
  const instance = new WebAssembly.Instance(kernelsModule, { env: { memory } });
  return instance.exports as unknown as WasmKernels;
}

export const WASM_PAGE_BYTES = 65536;

let scratch: { memory: WebAssembly.Memory; kernels: WasmKernels; f32: Float32Array } | null = null;

/**
 * Kernels bound to this thread's scratch memory, for arrays that live elsewhere (another
 * network's memory, a SharedArrayBuffer): copy them in at byte offset 0 on, run, copy back.
 * `f32` covers the whole memory, at least `floats` long; it is valid until the next call.
 * Null where WebAssembly SIMD is unavailable.
 */
export function scratchKernels(floats: number): { kernels: WasmKernels; f32: Float32Array } | null {
  if (!kernelsModule) return null;
  const pages = Math.ceil((4 * floats) / WASM_PAGE_BYTES);
  if (!scratch) {
    const memory = new WebAssembly.Memory({ initial: Math.max(1, pages) });
    scratch = { memory, kernels: instantiateKernels(memory), f32: new Float32Array(memory.buffer) };
  } else if (scratch.f32.length < floats) {
    scratch.memory.grow(pages - scratch.memory.buffer.byteLength / WASM_PAGE_BYTES);
    scratch.f32 = new Float32Array(scratch.memory.buffer);
  }
  return scratch;
}
