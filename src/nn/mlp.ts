import type { Rng } from '../utils/rng.js';
import { activate, activationBackward, assertActivation, type Activation } from './activations.js';
import { initLayer, type LayerInit } from './init.js';
import { gemmABt, transpose } from './kernels.js';
import { allocFloat, type DType, type FloatArray, type ParamGroup } from './params.js';

export interface MlpSpec {
  /** Layer widths from input to output, e.g. [11, 64, 64, 1]. */
  sizes: number[];
  /** Activation after every hidden layer. */
  activation: Activation;
  /** Activation after the last layer (default identity). */
  outputActivation?: Activation;
  dtype?: DType;
}

/**
 * A dense multi-layer perceptron with explicit forward and backward passes.
 *
 * Parameters live in one flat array (per layer: W as [out, in] row-major, then b), so
 * optimisers, gradient clipping and checkpoints treat the network as a single vector.
 * `forward` caches activations for `backward`; `predict` is the allocation-free batch-1 path.
 */
export class Mlp implements ParamGroup {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly outputActivation: Activation;
  readonly dtype: DType;
  readonly params: FloatArray;
  readonly grads: FloatArray;
  /** Offset of each layer's W in `params`; b follows W. */
  readonly offsets: readonly number[];
  private capacity = 0;
  private batch = 0;
  /** acts[0] is the input, acts[l + 1] the output of layer l, each [capacity, width]. */
  private acts: FloatArray[] = [];
  /** Gradient buffers for backward, one per width. */
  private deltas: FloatArray[] = [];
  /** Transposed copies used by backward, sized for the widest layer. */
  private scratch: { gT: FloatArray; xT: FloatArray; wT: FloatArray };
  private readonly single: FloatArray[];

  constructor(spec: MlpSpec) {
    const { sizes } = spec;
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`MLP sizes must be at least two positive integers, got ${JSON.stringify(sizes)}`);
    }
    this.sizes = [...sizes];
    this.activation = assertActivation(spec.activation, 'MLP activation');
    this.outputActivation = assertActivation(spec.outputActivation ?? 'identity', 'MLP output activation');
    this.dtype = spec.dtype ?? 'float32';
    const offsets: number[] = [];
    let n = 0;
    for (let l = 0; l < sizes.length - 1; l++) {
      offsets.push(n);
      n += sizes[l] * sizes[l + 1] + sizes[l + 1];
    }
    this.offsets = offsets;
    this.params = allocFloat(this.dtype, n);
    this.grads = allocFloat(this.dtype, n);
    this.single = sizes.map((s) => allocFloat(this.dtype, s));
    this.scratch = { gT: allocFloat(this.dtype, 0), xT: allocFloat(this.dtype, 0), wT: allocFloat(this.dtype, n) };
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

  /** Initialises every layer; `last` overrides the scheme for the output layer (e.g. gain 0.01 for a policy head). */
  init(rng: Rng, hidden: LayerInit, last: LayerInit = hidden): this {
    for (let l = 0; l < this.numLayers; l++) {
      const fanIn = this.sizes[l];
      const fanOut = this.sizes[l + 1];
      const w = this.params.subarray(this.offsets[l], this.offsets[l] + fanIn * fanOut);
      const b = this.params.subarray(this.offsets[l] + fanIn * fanOut, this.offsets[l] + fanIn * fanOut + fanOut);
      initLayer(l === this.numLayers - 1 ? last : hidden, w, b, fanOut, fanIn, rng);
    }
    return this;
  }

  private activationOf(l: number): Activation {
    return l === this.numLayers - 1 ? this.outputActivation : this.activation;
  }

  private ensureCapacity(batch: number): void {
    if (batch <= this.capacity) return;
    this.capacity = batch;
    this.acts = this.sizes.map((s) => allocFloat(this.dtype, batch * s));
    this.deltas = this.sizes.map((s) => allocFloat(this.dtype, batch * s));
    const widest = Math.max(...this.sizes);
    this.scratch.gT = allocFloat(this.dtype, batch * widest);
    this.scratch.xT = allocFloat(this.dtype, batch * widest);
  }

  /**
   * Forward pass over `batch` rows of `x` ([batch, in] row-major). Returns a view of an
   * internal [batch, out] buffer, valid until the next `forward`; caches what `backward` needs.
   */
  forward(x: ArrayLike<number>, batch: number): FloatArray {
    const inSize = this.sizes[0];
    if (!Number.isInteger(batch) || batch <= 0 || x.length < batch * inSize) {
      throw new RangeError(`MLP forward: input of length ${x.length} does not hold ${batch} rows of ${inSize}`);
    }
    this.ensureCapacity(batch);
    this.batch = batch;
    const a0 = this.acts[0];
    for (let i = 0; i < batch * inSize; i++) a0[i] = x[i];
    for (let l = 0; l < this.numLayers; l++) {
      denseForward(this.params, this.offsets[l], this.sizes[l], this.sizes[l + 1], this.acts[l], this.acts[l + 1], batch);
      activate(this.activationOf(l), this.acts[l + 1], 0, batch * this.sizes[l + 1]);
    }
    return this.acts[this.numLayers].subarray(0, batch * this.outputSize);
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
    let g = this.deltas[L];
    const nOut = batch * this.outputSize;
    for (let i = 0; i < nOut; i++) g[i] = dOut[i];
    for (let l = L - 1; l >= 0; l--) {
      const out = this.sizes[l + 1];
      activationBackward(this.activationOf(l), this.acts[l + 1], g, batch * out);
      const wantDx = l > 0 || inputGrad;
      const dx = this.deltas[l];
      denseBackward(this.params, this.grads, this.offsets[l], this.sizes[l], out, this.acts[l], g, wantDx ? dx : null, batch, this.scratch);
      g = dx;
    }
    return inputGrad ? this.deltas[0].subarray(0, batch * this.inputSize) : null;
  }

  /** Batch-1 inference without allocation; writes into `out` if given, else returns an internal buffer. */
  predict(x: ArrayLike<number>, out?: FloatArray): FloatArray {
    const s = this.single;
    const a0 = s[0];
    const n0 = this.sizes[0];
    for (let i = 0; i < n0; i++) a0[i] = x[i];
    for (let l = 0; l < this.numLayers; l++) {
      denseForward(this.params, this.offsets[l], this.sizes[l], this.sizes[l + 1], s[l], s[l + 1], 1);
      activate(this.activationOf(l), s[l + 1], 0, this.sizes[l + 1]);
    }
    const y = s[this.numLayers];
    if (!out) return y;
    out.set(y);
    return out;
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  /** The architecture, for checkpoints and shape checks. */
  spec(): Required<MlpSpec> {
    return { sizes: [...this.sizes], activation: this.activation, outputActivation: this.outputActivation, dtype: this.dtype };
  }

  /** An identical network with copied parameters (gradients zeroed). */
  clone(): Mlp {
    const m = new Mlp(this.spec());
    m.params.set(this.params);
    return m;
  }
}

/** y[b, :] = W x[b, :] + bias for one dense layer whose W starts at `off`. */
function denseForward(p: FloatArray, off: number, nIn: number, nOut: number, x: FloatArray, y: FloatArray, batch: number): void {
  gemmABt(x, 0, p, off, y, 0, batch, nOut, nIn, false);
  const bOff = off + nIn * nOut;
  for (let b = 0; b < batch; b++) {
    const yo = b * nOut;
    for (let o = 0; o < nOut; o++) y[yo + o] += p[bOff + o];
  }
}

/** Adds dW = dZ^T X and db = sum_b dZ to `grad`; when `dx` is given, writes dX = dZ W. */
function denseBackward(
  p: FloatArray,
  grad: FloatArray,
  off: number,
  nIn: number,
  nOut: number,
  x: FloatArray,
  g: FloatArray,
  dx: FloatArray | null,
  batch: number,
  scratch: { gT: FloatArray; xT: FloatArray; wT: FloatArray },
): void {
  const { gT, xT, wT } = scratch;
  const bOff = off + nIn * nOut;
  for (let b = 0; b < batch; b++) {
    const go = b * nOut;
    for (let o = 0; o < nOut; o++) grad[bOff + o] += g[go + o];
  }
  // Lay the operands out with the summed index contiguous, then one blocked product each.
  transpose(g, 0, batch, nOut, gT);
  transpose(x, 0, batch, nIn, xT);
  gemmABt(gT, 0, xT, 0, grad, off, nOut, nIn, batch, true);
  if (dx === null) return;
  transpose(p, off, nOut, nIn, wT);
  gemmABt(g, 0, wT, 0, dx, 0, batch, nIn, nOut, false);
}
