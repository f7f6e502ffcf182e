import type { Rng } from '../utils/rng.js';
import { activate, activationBackward, assertActivation, type Activation } from './activations.js';
import { initLayer, type LayerInit } from './init.js';
import { gemmABt, transpose } from './kernels.js';
import type { DType, FloatArray, ParamGroup } from './params.js';
import { WASM_PAGE_BYTES, instantiateKernels, kernelsModule, type WasmKernels } from './wasm/kernels.js';

/** 'wasm': WebAssembly SIMD kernels (float32 only); 'js': plain TypeScript loops. */
export type MlpBackend = 'wasm' | 'js';

export interface MlpSpec {
  /** Layer widths from input to output, e.g. [11, 64, 64, 1]. */
  sizes: number[];
  /** Activation after every hidden layer. */
  activation: Activation;
  /** Activation after the last layer (default identity). */
  outputActivation?: Activation;
  dtype?: DType;
  /** Default: 'wasm' for float32 where WebAssembly SIMD exists, else 'js'. */
  backend?: MlpBackend;
}

/** Rows of activations reserved up front; larger batches grow the heap. */
const INITIAL_CAPACITY = 256;

const align4 = (n: number) => (n + 3) & ~3;

/**
 * A dense multi-layer perceptron with explicit forward and backward passes.
 *
 * Every buffer of the network (parameters, gradients, activations, scratch) lives in one
 * flat heap at fixed offsets: a WebAssembly memory for the SIMD kernels, or a typed array
 * for the JS kernels. Parameters are one flat vector (per layer: W as [out, in] row-major,
 * then b), so optimisers, clipping and checkpoints treat the network as a single array.
 * `params`/`grads` are views of the heap, valid until a forward pass with a batch larger than
 * any before (the heap may grow then); re-read them rather than keeping them.
 */
export class Mlp implements ParamGroup {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly outputActivation: Activation;
  readonly dtype: DType;
  readonly backend: MlpBackend;
  /** Offset of each layer's W within the parameter vector; b follows W. */
  readonly offsets: readonly number[];
  readonly numParams: number;
  private heap: FloatArray;
  private readonly memory: WebAssembly.Memory | null;
  private readonly kernels: WasmKernels | null;
  // Element offsets into the heap.
  private readonly gradOff: number;
  private readonly wTOff: number;
  private readonly singleOff: number[];
  private readonly tailOff: number;
  private actOff: number[] = [];
  private deltaOff: number[] = [];
  private gTOff = 0;
  private xTOff = 0;
  private capacity = 0;
  private batch = 0;
  /** Cached view of the batch-1 output, so `predict` allocates nothing. */
  private singleOut!: FloatArray;

  constructor(spec: MlpSpec) {
    const { sizes } = spec;
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`MLP sizes must be at least two positive integers, got ${JSON.stringify(sizes)}`);
    }
    this.sizes = [...sizes];
    this.activation = assertActivation(spec.activation, 'MLP activation');
    this.outputActivation = assertActivation(spec.outputActivation ?? 'identity', 'MLP output activation');
    this.dtype = spec.dtype ?? 'float32';
    const wantWasm = spec.backend ?? (kernelsModule && this.dtype === 'float32' ? 'wasm' : 'js');
    if (wantWasm === 'wasm' && this.dtype !== 'float32') throw new Error("the 'wasm' MLP backend supports float32 only");
    if (wantWasm === 'wasm' && !kernelsModule) throw new Error('WebAssembly SIMD is not available; use backend: "js"');
    if (wantWasm !== 'wasm' && wantWasm !== 'js') throw new Error(`MLP backend must be 'wasm' or 'js', got ${JSON.stringify(wantWasm)}`);
    this.backend = wantWasm;

    const offsets: number[] = [];
    let n = 0;
    let maxW = 0;
    for (let l = 0; l < sizes.length - 1; l++) {
      offsets.push(n);
      n += sizes[l] * sizes[l + 1] + sizes[l + 1];
      maxW = Math.max(maxW, sizes[l] * sizes[l + 1]);
    }
    this.offsets = offsets;
    this.numParams = n;
    // Fixed part of the heap: params | grads | W^T scratch | batch-1 buffers. The tail (per-row buffers) follows.
    this.gradOff = align4(n);
    this.wTOff = this.gradOff + align4(n);
    let off = this.wTOff + align4(maxW);
    this.singleOff = sizes.map((s) => {
      const o = off;
      off += align4(s);
      return o;
    });
    this.tailOff = off;

    const total = this.tailOff + this.tailSize(INITIAL_CAPACITY);
    if (this.backend === 'wasm') {
      this.memory = new WebAssembly.Memory({ initial: Math.ceil((4 * total) / WASM_PAGE_BYTES) });
      this.kernels = instantiateKernels(this.memory);
      this.heap = new Float32Array(this.memory.buffer);
    } else {
      this.memory = null;
      this.kernels = null;
      this.heap = this.dtype === 'float64' ? new Float64Array(total) : new Float32Array(total);
    }
    this.layoutTail(INITIAL_CAPACITY);
    this.singleOut = this.heap.subarray(this.singleOff[sizes.length - 1], this.singleOff[sizes.length - 1] + this.outputSize);
  }

  get numLayers(): number {
    return this.sizes.length - 1;
  }
  get inputSize(): number {
    return this.sizes[0];
  }
  get outputSize(): number {
    return this.sizes[this.sizes.length - 1];
  }
  /** The flat parameter vector (a view of the heap). */
  get params(): FloatArray {
    return this.heap.subarray(0, this.numParams);
  }
  /** Gradients accumulated by `backward`, same layout as `params`. */
  get grads(): FloatArray {
    return this.heap.subarray(this.gradOff, this.gradOff + this.numParams);
  }

  /** Initialises every layer; `last` overrides the scheme for the output layer (e.g. gain 0.01 for a policy head). */
  init(rng: Rng, hidden: LayerInit, last: LayerInit = hidden): this {
    const p = this.params;
    for (let l = 0; l < this.numLayers; l++) {
      const fanIn = this.sizes[l];
      const fanOut = this.sizes[l + 1];
      const w = p.subarray(this.offsets[l], this.offsets[l] + fanIn * fanOut);
      const b = p.subarray(this.offsets[l] + fanIn * fanOut, this.offsets[l] + fanIn * fanOut + fanOut);
      initLayer(l === this.numLayers - 1 ? last : hidden, w, b, fanOut, fanIn, rng);
    }
    return this;
  }

  private activationOf(l: number): Activation {
    return l === this.numLayers - 1 ? this.outputActivation : this.activation;
  }

  private tailSize(capacity: number): number {
    const widest = Math.max(...this.sizes);
    let n = 0;
    for (const s of this.sizes) n += 2 * align4(capacity * s);
    return n + 2 * align4(capacity * widest);
  }

  private layoutTail(capacity: number): void {
    let off = this.tailOff;
    const take = (n: number) => {
      const o = off;
      off += align4(n);
      return o;
    };
    this.actOff = this.sizes.map((s) => take(capacity * s));
    this.deltaOff = this.sizes.map((s) => take(capacity * s));
    const widest = Math.max(...this.sizes);
    this.gTOff = take(capacity * widest);
    this.xTOff = take(capacity * widest);
    this.capacity = capacity;
  }

  /** Grows the per-row buffers; parameters and gradients are kept. */
  private ensureCapacity(batch: number): void {
    if (batch <= this.capacity) return;
    const capacity = Math.max(batch, 2 * this.capacity);
    const total = this.tailOff + this.tailSize(capacity);
    if (this.memory) {
      const needPages = Math.ceil((4 * total) / WASM_PAGE_BYTES) - this.memory.buffer.byteLength / WASM_PAGE_BYTES;
      if (needPages > 0) this.memory.grow(needPages);
      this.heap = new Float32Array(this.memory.buffer);
    } else {
      const grown = this.dtype === 'float64' ? new Float64Array(total) : new Float32Array(total);
      grown.set(this.heap.subarray(0, this.tailOff));
      this.heap = grown;
    }
    this.singleOut = this.heap.subarray(this.singleOff[this.numLayers], this.singleOff[this.numLayers] + this.outputSize);
    this.layoutTail(capacity);
  }

  /** C (+)= A B^T on heap offsets, through the SIMD kernel or the JS one. */
  private gemm(aOff: number, bOff: number, cOff: number, M: number, N: number, K: number, accumulate: boolean): void {
    if (this.kernels) this.kernels.gemmABt(4 * aOff, 4 * bOff, 4 * cOff, M, N, K, accumulate ? 1 : 0);
    else gemmABt(this.heap, aOff, this.heap, bOff, this.heap, cOff, M, N, K, accumulate);
  }

  private transpose(srcOff: number, rows: number, cols: number, dstOff: number): void {
    if (this.kernels) this.kernels.transpose(4 * srcOff, 4 * dstOff, rows, cols);
    else transpose(this.heap, srcOff, rows, cols, this.heap, dstOff);
  }

  /** One dense layer over `batch` rows: y = x W^T + b, then the layer's activation. */
  private layerForward(l: number, xOff: number, yOff: number, batch: number): void {
    const nIn = this.sizes[l];
    const nOut = this.sizes[l + 1];
    const wOff = this.offsets[l];
    const k = this.kernels;
    if (k && batch >= 8 && nOut >= 8) {
      // The blocked A B kernel needs W^T; one transpose pays off from a handful of rows on.
      k.transpose(4 * wOff, 4 * this.wTOff, nOut, nIn);
      k.gemmAB(4 * xOff, 4 * this.wTOff, 4 * yOff, batch, nOut, nIn, 0);
    } else {
      this.gemm(xOff, wOff, yOff, batch, nOut, nIn, false);
    }
    const h = this.heap;
    const bOff = wOff + nIn * nOut;
    if (k) {
      k.addBias(4 * yOff, 4 * bOff, batch, nOut);
    } else {
      for (let b = 0; b < batch; b++) {
        const yo = yOff + b * nOut;
        for (let o = 0; o < nOut; o++) h[yo + o] += h[bOff + o];
      }
    }
    const act = this.activationOf(l);
    // Every heap buffer is padded to a multiple of 4 floats, as the SIMD tanh requires.
    if (act === 'tanh' && k) k.tanh(4 * yOff, batch * nOut);
    else activate(act, h, yOff, yOff + batch * nOut);
  }

  /**
   * Forward pass over `batch` rows of `x` ([batch, in] row-major). Returns a view of an
   * internal [batch, out] buffer, valid until the next call; caches what `backward` needs.
   */
  forward(x: ArrayLike<number>, batch: number): FloatArray {
    const inSize = this.sizes[0];
    if (!Number.isInteger(batch) || batch <= 0 || x.length < batch * inSize) {
      throw new RangeError(`MLP forward: input of length ${x.length} does not hold ${batch} rows of ${inSize}`);
    }
    this.ensureCapacity(batch);
    this.batch = batch;
    const h = this.heap;
    const a0 = this.actOff[0];
    for (let i = 0; i < batch * inSize; i++) h[a0 + i] = x[i];
    for (let l = 0; l < this.numLayers; l++) this.layerForward(l, this.actOff[l], this.actOff[l + 1], batch);
    const out = this.actOff[this.numLayers];
    return h.subarray(out, out + batch * this.outputSize);
  }

  /**
   * Backward pass for the last `forward`: adds dL/dparams to `grads` given dL/doutput
   * ([batch, out]). Returns dL/dinput ([batch, in], an internal view) when `inputGrad` is set.
   */
  backward(dOut: ArrayLike<number>, inputGrad = false): FloatArray | null {
    const batch = this.batch;
    if (batch === 0) throw new Error('MLP backward called before forward');
    const L = this.numLayers;
    if (dOut.length < batch * this.outputSize) {
      throw new RangeError(`MLP backward: gradient of length ${dOut.length} does not hold ${batch} rows of ${this.outputSize}`);
    }
    const h = this.heap;
    const gL = this.deltaOff[L];
    for (let i = 0; i < batch * this.outputSize; i++) h[gL + i] = dOut[i];
    for (let l = L - 1; l >= 0; l--) {
      const nIn = this.sizes[l];
      const nOut = this.sizes[l + 1];
      const gOff = this.deltaOff[l + 1];
      const k = this.kernels;
      const act = this.activationOf(l);
      if (act === 'tanh' && k) k.tanhBackward(4 * this.actOff[l + 1], 4 * gOff, batch * nOut);
      else activationBackward(act, h, this.actOff[l + 1], gOff, batch * nOut);
      // db += sum over rows of dZ.
      const gbOff = this.gradOff + this.offsets[l] + nIn * nOut;
      if (k) {
        k.addColumnSums(4 * gOff, 4 * gbOff, batch, nOut);
      } else {
        for (let b = 0; b < batch; b++) {
          const go = gOff + b * nOut;
          for (let o = 0; o < nOut; o++) h[gbOff + o] += h[go + o];
        }
      }
      const wide = k !== null && nIn >= 8;
      // dW += dZ^T X. The blocked kernel takes X as it is; the dot kernel wants both transposed.
      this.transpose(gOff, batch, nOut, this.gTOff);
      if (wide) {
        k.gemmAB(4 * this.gTOff, 4 * this.actOff[l], 4 * (this.gradOff + this.offsets[l]), nOut, nIn, batch, 1);
      } else {
        this.transpose(this.actOff[l], batch, nIn, this.xTOff);
        this.gemm(this.gTOff, this.xTOff, this.gradOff + this.offsets[l], nOut, nIn, batch, true);
      }
      // dX = dZ W, skipped for the input layer unless asked for.
      if (l > 0 || inputGrad) {
        if (wide) {
          k.gemmAB(4 * gOff, 4 * this.offsets[l], 4 * this.deltaOff[l], batch, nIn, nOut, 0);
        } else {
          this.transpose(this.offsets[l], nOut, nIn, this.wTOff);
          this.gemm(gOff, this.wTOff, this.deltaOff[l], batch, nIn, nOut, false);
        }
      }
    }
    return inputGrad ? h.subarray(this.deltaOff[0], this.deltaOff[0] + batch * this.inputSize) : null;
  }

  /** Batch-1 inference without allocation; writes into `out` if given, else returns an internal buffer. */
  predict(x: ArrayLike<number>, out?: FloatArray): FloatArray {
    const h = this.heap;
    const s = this.singleOff;
    const n0 = this.sizes[0];
    for (let i = 0; i < n0; i++) h[s[0] + i] = x[i];
    for (let l = 0; l < this.numLayers; l++) this.layerForward(l, s[l], s[l + 1], 1);
    if (!out) return this.singleOut;
    out.set(this.singleOut);
    return out;
  }

  zeroGrad(): void {
    this.heap.fill(0, this.gradOff, this.gradOff + this.numParams);
  }

  /** The architecture, for checkpoints and shape checks. */
  spec(): Required<Omit<MlpSpec, 'backend'>> {
    return { sizes: [...this.sizes], activation: this.activation, outputActivation: this.outputActivation, dtype: this.dtype };
  }

  /** An identical network with copied parameters (gradients zeroed). */
  clone(): Mlp {
    const m = new Mlp({ ...this.spec(), backend: this.backend });
    m.params.set(this.params);
    return m;
  }
}
