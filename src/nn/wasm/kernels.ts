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
