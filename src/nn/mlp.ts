import { assertActivation, needsInput, type Activation } from './activations.js';
import { HeapNet, type NetBackend } from './heap.js';
import type { DType, FloatArray } from './params.js';

/** 'wasm': WebAssembly SIMD kernels (float32 only); 'js': plain TypeScript loops. */
export type MlpBackend = NetBackend;

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

/**
 * A dense multi-layer perceptron with explicit forward and backward passes.
 *
 * Every buffer of the network (parameters, gradients, activations, scratch) lives in one
 * flat heap at fixed offsets (see `HeapNet`). Parameters are one flat vector (per layer: W as
 * [out, in] row-major, then b), so optimisers, clipping and checkpoints treat the network as a
 * single array. `params`/`grads` are views of the heap, valid until a forward pass with a batch
 * larger than any before (the heap may grow then); re-read them rather than keeping them.
 */
export class Mlp extends HeapNet {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly outputActivation: Activation;
  /** Heap offset of the W^T scratch. */
  private readonly wTOff: number;
  private batch = 0;

  constructor(spec: MlpSpec) {
    const { sizes } = spec;
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`MLP sizes must be at least two positive integers, got ${JSON.stringify(sizes)}`);
    }
    const activation = assertActivation(spec.activation, 'MLP activation');
    const outputActivation = assertActivation(spec.outputActivation ?? 'identity', 'MLP output activation');

    const weights = sizes.slice(1).map((rows, l) => ({ rows, cols: sizes[l] }));
    const maxW = Math.max(...weights.map(({ rows, cols }) => rows * cols));
    const widest = Math.max(...sizes);
    // Scratch: W^T; per row, dZ^T and X^T for the dot kernel's dW.
    super({
      name: 'MLP',
      dtype: spec.dtype ?? 'float32',
      backend: spec.backend,
      weights,
      widths: sizes,
      scratch: [maxW],
      rowScratch: [widest, widest],
      capacity: INITIAL_CAPACITY,
      keepInputs: needsInput(activation) || needsInput(outputActivation),
    });
    this.sizes = [...sizes];
    this.activation = activation;
    this.outputActivation = outputActivation;
    this.wTOff = this.scratchOff[0];
  }

  private activationOf(l: number): Activation {
    return l === this.numLayers - 1 ? this.outputActivation : this.activation;
  }

  /** One dense layer over `batch` rows: y = x W^T + b, then the layer's activation. */
  private layerForward(l: number, xOff: number, yOff: number, batch: number, keep = -1): void {
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
    this.addBias(yOff, wOff + nIn * nOut, batch, nOut);
    this.activate(this.activationOf(l), yOff, batch * nOut, keep);
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
    for (let l = 0; l < this.numLayers; l++) this.layerForward(l, this.actOff[l], this.actOff[l + 1], batch, this.keepOf(l));
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
    const [gTOff, xTOff] = this.rowScratchOff;
    const gL = this.deltaOff[L];
    for (let i = 0; i < batch * this.outputSize; i++) h[gL + i] = dOut[i];
    for (let l = L - 1; l >= 0; l--) {
      const nIn = this.sizes[l];
      const nOut = this.sizes[l + 1];
      const gOff = this.deltaOff[l + 1];
      const k = this.kernels;
      this.activationBackward(this.activationOf(l), this.actOff[l + 1], gOff, batch * nOut, this.keepOf(l));
      // db += sum over rows of dZ.
      this.addColumnSums(gOff, this.gradOff + this.offsets[l] + nIn * nOut, batch, nOut);
      const wide = k !== null && nIn >= 8;
      // dW += dZ^T X. The blocked kernel takes X as it is; the dot kernel wants both transposed.
      this.transpose(gOff, batch, nOut, gTOff);
      if (wide) {
        k.gemmAB(4 * gTOff, 4 * this.actOff[l], 4 * (this.gradOff + this.offsets[l]), nOut, nIn, batch, 1);
      } else {
        this.transpose(this.actOff[l], batch, nIn, xTOff);
        this.gemm(gTOff, xTOff, this.gradOff + this.offsets[l], nOut, nIn, batch, true);
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
