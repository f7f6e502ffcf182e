import type { Rng } from '../utils/rng.js';
import { activate, activationBackward, type Activation } from './activations.js';
import { initLayer, type LayerInit } from './init.js';
import { gemmABt, transpose } from './kernels.js';
import type { DType, FloatArray, ParamGroup } from './params.js';
import { WASM_PAGE_BYTES, instantiateKernels, kernelsModule, type WasmKernels } from './wasm/kernels.js';

/** 'wasm': WebAssembly SIMD kernels (float32 only); 'js': plain TypeScript loops. */
export type NetBackend = 'wasm' | 'js';

/** Every heap buffer is padded to a multiple of 4 floats, as the SIMD kernels (tanh among them) require. */
export const align4 = (n: number) => (n + 3) & ~3;

/** What a network asks of its heap; the network lays out its layers, the heap its buffers. */
export interface HeapLayout {
  /** The network's name in messages, e.g. 'MLP'. */
  name: string;
  dtype: DType;
  /** Default: 'wasm' for float32 where WebAssembly SIMD exists, else 'js'. */
  backend: NetBackend | undefined;
  /** Each layer's W as a [rows, cols] row-major matrix (rows = outputs, cols = fan-in); its bias [rows] follows it. */
  weights: readonly { rows: number; cols: number }[];
  /** Floats per sample at each layer boundary, input first: an activation and a delta buffer each. */
  widths: readonly number[];
  /** Fixed scratch buffers after the gradients, in floats. */
  scratch: readonly number[];
  /** Scratch buffers after the activations and deltas, in floats per row (they grow with the batch). */
  rowScratch: readonly number[];
  /** Rows reserved up front; larger batches grow the heap. */
  capacity: number;
  /** Keep each layer's pre-activation z per row too (`preOff`), for activations that `needsInput`. */
  keepInputs?: boolean;
}

/**
 * The machinery under `Mlp` and `ConvStack`: every buffer of the network (parameters,
 * gradients, scratch, activations) in one flat heap at fixed element offsets, a WebAssembly
 * memory for the SIMD kernels or a typed array for the JS kernels, and the products and
 * elementwise passes on it through one or the other.
 *
 * Layout: params | grads | scratch | batch-1 activations, then the tail of per-row buffers:
 * activations | deltas | row scratch. `params`/`grads` are views of the heap, valid until a
 * forward pass with a batch larger than any before (the heap may grow then); re-read them
 * rather than keeping them.
 */
export abstract class HeapNet implements ParamGroup {
  readonly dtype: DType;
  readonly backend: NetBackend;
  /** Offset of each layer's W within the parameter vector; b follows W. */
  readonly offsets: readonly number[];
  readonly numParams: number;
  private readonly weightShapes: readonly { rows: number; cols: number }[];
  protected heap: FloatArray;
  protected readonly kernels: WasmKernels | null;
  private readonly memory: WebAssembly.Memory | null;
  private readonly rowWidths: readonly number[];
  private readonly rowScratch: readonly number[];
  private readonly keepInputs: boolean;
  // Element offsets into the heap.
  protected readonly gradOff: number;
  /** One offset per `HeapLayout.scratch` buffer. */
  protected readonly scratchOff: readonly number[];
  /** Batch-1 activations at each layer boundary, for `predict`. */
  protected readonly singleOff: readonly number[];
  private readonly tailOff: number;
  protected actOff: number[] = [];
  protected deltaOff: number[] = [];
  /** Pre-activations at each layer boundary after the input (as `actOff`; -1 at the input), when the layout keeps them; else empty. */
  protected preOff: number[] = [];
  /** One offset per `HeapLayout.rowScratch` buffer; they move when the heap grows. */
  protected rowScratchOff: number[] = [];
  private capacity = 0;
  /** Cached view of the batch-1 output, so `predict` allocates nothing. */
  protected singleOut: FloatArray;

  protected constructor(layout: HeapLayout) {
    const { name, dtype, weights, widths } = layout;
    const want = layout.backend ?? (kernelsModule && dtype === 'float32' ? 'wasm' : 'js');
    if (want === 'wasm' && dtype !== 'float32') throw new Error(`the 'wasm' ${name} backend supports float32 only`);
    if (want === 'wasm' && !kernelsModule) throw new Error('WebAssembly SIMD is not available; use backend: "js"');
    if (want !== 'wasm' && want !== 'js') throw new Error(`${name} backend must be 'wasm' or 'js', got ${JSON.stringify(want)}`);
    this.dtype = dtype;
    this.backend = want;
    const offsets: number[] = [];
    let numParams = 0;
    for (const { rows, cols } of weights) {
      offsets.push(numParams);
      numParams += rows * cols + rows;
    }
    this.offsets = offsets;
    this.numParams = numParams;
    this.weightShapes = weights.map(({ rows, cols }) => ({ rows, cols }));
    this.rowWidths = [...widths];
    this.rowScratch = [...layout.rowScratch];
    this.keepInputs = layout.keepInputs ?? false;

    // Fixed part of the heap: params | grads | scratch | batch-1 buffers. The tail (per-row buffers) follows.
    let off = align4(numParams);
    const take = (n: number) => {
      const o = off;
      off += align4(n);
      return o;
    };
    this.gradOff = take(numParams);
    this.scratchOff = layout.scratch.map((n) => take(n));
    this.singleOff = widths.map((s) => take(s));
    this.tailOff = off;

    const total = this.tailOff + this.tailSize(layout.capacity);
    if (this.backend === 'wasm') {
      this.memory = new WebAssembly.Memory({ initial: Math.ceil((4 * total) / WASM_PAGE_BYTES) });
      this.kernels = instantiateKernels(this.memory);
      this.heap = new Float32Array(this.memory.buffer);
    } else {
      this.memory = null;
      this.kernels = null;
      this.heap = this.dtype === 'float64' ? new Float64Array(total) : new Float32Array(total);
    }
    this.layoutTail(layout.capacity);
    this.singleOut = this.outputView();
  }

  get numLayers(): number {
    return this.offsets.length;
  }
  /** Floats per input sample (for an image, height x width x channels). */
  get inputSize(): number {
    return this.rowWidths[0];
  }
  get outputSize(): number {
    return this.rowWidths[this.rowWidths.length - 1];
  }
  /** The flat parameter vector (a view of the heap). */
  get params(): FloatArray {
    return this.heap.subarray(0, this.numParams);
  }
  /** Gradients accumulated by `backward`, same layout as `params`. */
  get grads(): FloatArray {
    return this.heap.subarray(this.gradOff, this.gradOff + this.numParams);
  }

  zeroGrad(): void {
    this.heap.fill(0, this.gradOff, this.gradOff + this.numParams);
  }

  /**
   * Initialises every layer, W as its [rows, cols] matrix (fan-in = cols: the patch size for a
   * convolution); `last` overrides the scheme for the output layer (e.g. gain 0.01 for a policy head).
   */
  init(rng: Rng, hidden: LayerInit, last: LayerInit = hidden): this {
    const p = this.params;
    this.weightShapes.forEach(({ rows, cols }, l) => {
      const w = p.subarray(this.offsets[l], this.offsets[l] + rows * cols);
      const b = p.subarray(this.offsets[l] + rows * cols, this.offsets[l] + rows * cols + rows);
      initLayer(l === this.numLayers - 1 ? last : hidden, w, b, rows, cols, rng);
    });
    return this;
  }

  private outputView(): FloatArray {
    const o = this.singleOff[this.singleOff.length - 1];
    return this.heap.subarray(o, o + this.outputSize);
  }

  private tailSize(capacity: number): number {
    let n = 0;
    for (const s of this.rowWidths) n += 2 * align4(capacity * s);
    // Pre-activations exist after layers only, not at the input.
    if (this.keepInputs) for (const s of this.rowWidths.slice(1)) n += align4(capacity * s);
    for (const s of this.rowScratch) n += align4(capacity * s);
    return n;
  }

  private layoutTail(capacity: number): void {
    let off = this.tailOff;
    const take = (n: number) => {
      const o = off;
      off += align4(n);
      return o;
    };
    this.actOff = this.rowWidths.map((s) => take(capacity * s));
    this.deltaOff = this.rowWidths.map((s) => take(capacity * s));
    this.preOff = this.keepInputs ? this.rowWidths.map((s, i) => (i === 0 ? -1 : take(capacity * s))) : [];
    this.rowScratchOff = this.rowScratch.map((s) => take(capacity * s));
    this.capacity = capacity;
  }

  /** Grows the per-row buffers; parameters and gradients are kept. */
  protected ensureCapacity(batch: number): void {
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
    this.singleOut = this.outputView();
    this.layoutTail(capacity);
  }

  /** C (+)= A B^T on heap offsets, through the SIMD kernel or the JS one. */
  protected gemm(aOff: number, bOff: number, cOff: number, M: number, N: number, K: number, accumulate: boolean): void {
    if (this.kernels) this.kernels.gemmABt(4 * aOff, 4 * bOff, 4 * cOff, M, N, K, accumulate ? 1 : 0);
    else gemmABt(this.heap, aOff, this.heap, bOff, this.heap, cOff, M, N, K, accumulate);
  }

  protected transpose(srcOff: number, rows: number, cols: number, dstOff: number): void {
    if (this.kernels) this.kernels.transpose(4 * srcOff, 4 * dstOff, rows, cols);
    else transpose(this.heap, srcOff, rows, cols, this.heap, dstOff);
  }

  /** Adds the bias at bOff to each of `rows` rows of `cols` at yOff. */
  protected addBias(yOff: number, bOff: number, rows: number, cols: number): void {
    const k = this.kernels;
    if (k) {
      k.addBias(4 * yOff, 4 * bOff, rows, cols);
      return;
    }
    const h = this.heap;
    for (let r = 0; r < rows; r++) {
      const yo = yOff + r * cols;
      for (let o = 0; o < cols; o++) h[yo + o] += h[bOff + o];
    }
  }

  /** Adds the sum over `rows` rows of `cols` at gOff to the `cols` floats at sumOff (db from dZ). */
  protected addColumnSums(gOff: number, sumOff: number, rows: number, cols: number): void {
    const k = this.kernels;
    if (k) {
      k.addColumnSums(4 * gOff, 4 * sumOff, rows, cols);
      return;
    }
    const h = this.heap;
    for (let r = 0; r < rows; r++) {
      const go = gOff + r * cols;
      for (let o = 0; o < cols; o++) h[sumOff + o] += h[go + o];
    }
  }

  /** Applies `act` in place to the `n` floats at off; `keep` (-1: none) receives its inputs, for an activation that `needsInput`. */
  protected activate(act: Activation, off: number, n: number, keep = -1): void {
    // Every heap buffer is padded to a multiple of 4 floats, as the SIMD tanh requires.
    if (act === 'tanh' && this.kernels) this.kernels.tanh(4 * off, n);
    else activate(act, this.heap, off, off + n, keep);
  }

  /**
   * Turns the `n` gradients at gOff w.r.t. `act`'s outputs (at yOff) into gradients w.r.t. its
   * inputs, in place; zOff: the inputs `activate` kept (activations that `needsInput`).
   */
  protected activationBackward(act: Activation, yOff: number, gOff: number, n: number, zOff = -1): void {
    if (act === 'tanh' && this.kernels) this.kernels.tanhBackward(4 * yOff, 4 * gOff, n);
    else activationBackward(act, this.heap, yOff, gOff, n, zOff);
  }

  /** Where the forward pass keeps layer l's pre-activations (boundary l + 1), or -1 when they are not kept. */
  protected keepOf(l: number): number {
    return this.keepInputs ? this.preOff[l + 1] : -1;
  }
}
