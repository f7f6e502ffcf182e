/**
 * The judge's first layer: a dense layer on the two planes [mask, values] of a revealed set,
 * computed by gathering only the revealed pixels' weights.
 *
 * Dense: h = act(b + W_mask · mask + W_value · values), W_* of shape [width, pixels]. The mask is
 * 1 and the values are v_i only at revealed pixels (0 elsewhere), so this is
 *   h = act(b + Σ_{revealed i} (W_mask[:, i] + v_i · W_value[:, i])),
 * which costs O(k · width) per row instead of O(2 · 784 · width). The weights are stored pixel
 * by pixel ([pixels, width], the transpose of src/nn's [out, in]) so that a pixel's column is
 * contiguous for the gather and for the scattered gradient.
 */
import { activate, activationBackward, assertActivation, type Activation } from '../../nn/activations.js';
import { allocFloat, type DType, type FloatArray, type ParamGroup } from '../../nn/params.js';
import type { Rng } from '../../utils/rng.js';

/**
 * Revealed sets packed for a batch: row r revealed pixels[offsets[r] .. offsets[r + 1]) with the
 * matching values. Rows may reveal different numbers of pixels (a debate in progress).
 */
export interface SparseBatch {
  rows: number;
  /** [rows + 1], offsets[0] = 0, non-decreasing. */
  offsets: Int32Array;
  /** Pixel indices 0..pixels-1; at least offsets[rows] entries. */
  pixels: Int32Array;
  /** The image's value (0–1) at each pixel; same length as pixels. */
  values: Float32Array;
}

/** An empty batch with room for `rows` rows of `perRow` pixels (it is refilled batch after batch). */
export function allocSparseBatch(rows: number, perRow: number): SparseBatch {
  return { rows: 0, offsets: new Int32Array(rows + 1), pixels: new Int32Array(rows * perRow), values: new Float32Array(rows * perRow) };
}

export interface SparseGatherSpec {
  /** Pixels per plane (784 for MNIST); the dense equivalent has 2 × this many inputs. */
  pixels: number;
  /** Output width (hidden units). */
  width: number;
  activation: Activation;
  dtype?: DType;
}

export class SparseGatherLayer implements ParamGroup {
  readonly pixels: number;
  readonly width: number;
  readonly activation: Activation;
  readonly dtype: DType;
  /** Flat: W_mask [pixels, width], then W_value [pixels, width], then b [width]. */
  readonly params: FloatArray;
  readonly grads: FloatArray;
  readonly valueOffset: number;
  readonly biasOffset: number;
  /** h at [0, capacity) and dL/dz at [capacity, 2 · capacity): one array, as activationBackward reads both from one. */
  private buf: FloatArray;
  private capacity = 0;
  /** Per pixel, the last row (by generation number) that revealed it: the duplicate check in O(k). */
  private readonly seen: Int32Array;
  private generation = 0;
  /** The last forward's batch, which backward scatters into (kept by reference, not copied). */
  private last: SparseBatch | null = null;

  constructor(spec: SparseGatherSpec) {
    const { pixels, width } = spec;
    if (!Number.isInteger(pixels) || pixels <= 0) throw new RangeError(`sparse gather layer: pixels must be a positive integer, got ${pixels}`);
    if (!Number.isInteger(width) || width <= 0) throw new RangeError(`sparse gather layer: width must be a positive integer, got ${width}`);
    this.pixels = pixels;
    this.width = width;
    this.activation = assertActivation(spec.activation, 'sparse gather layer activation');
    this.dtype = spec.dtype ?? 'float32';
    this.valueOffset = pixels * width;
    this.biasOffset = 2 * pixels * width;
    this.params = allocFloat(this.dtype, this.biasOffset + width);
    this.grads = allocFloat(this.dtype, this.biasOffset + width);
    this.buf = allocFloat(this.dtype, 0);
    this.seen = new Int32Array(pixels);
  }

  get numParams(): number {
    return this.params.length;
  }

  /**
   * PyTorch's nn.Linear init, U(±1/√fanIn), with fanIn the number of nonzero inputs a row
   * actually has (k ones in the mask, k values) rather than the dense 1568: with 1/√1568 the
   * k-term sums start ~√(1568 / 2k) times smaller than the next layer expects.
   */
  init(rng: Rng, revealedPerRow: number): this {
    if (!Number.isInteger(revealedPerRow) || revealedPerRow <= 0) throw new RangeError(`sparse gather init: revealedPerRow must be a positive integer, got ${revealedPerRow}`);
    const bound = 1 / Math.sqrt(2 * revealedPerRow);
    const p = this.params;
    for (let i = 0; i < p.length; i++) p[i] = rng.uniform(-bound, bound);
    return this;
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  private checkBatch(batch: SparseBatch): void {
    const { rows, offsets, pixels, values } = batch;
    if (!Number.isInteger(rows) || rows <= 0) throw new RangeError(`sparse gather forward: batch of ${rows} rows`);
    if (offsets.length < rows + 1 || offsets[0] !== 0) throw new RangeError(`sparse gather forward: offsets must hold ${rows + 1} entries starting at 0`);
    const n = offsets[rows];
    if (pixels.length < n || values.length < n) throw new RangeError(`sparse gather forward: offsets announce ${n} pixels, but pixels holds ${pixels.length} and values ${values.length}`);
    for (let r = 0; r < rows; r++) if (offsets[r + 1] < offsets[r]) throw new RangeError(`sparse gather forward: offsets decrease at row ${r}`);
    // A pixel twice in a row would count its mask weight twice, which no dense input can do.
    for (let r = 0; r < rows; r++) {
      const stamp = ++this.generation;
      for (let j = offsets[r]; j < offsets[r + 1]; j++) {
        const p = pixels[j];
        if (!(Number.isInteger(p) && p >= 0 && p < this.pixels)) throw new RangeError(`sparse gather forward: row ${r} reveals pixel ${p}, outside 0..${this.pixels - 1}`);
        if (this.seen[p] === stamp) throw new RangeError(`sparse gather forward: row ${r} reveals pixel ${p} twice`);
        this.seen[p] = stamp;
        if (!Number.isFinite(values[j])) throw new RangeError(`sparse gather forward: row ${r} pixel ${p} has value ${values[j]}`);
      }
    }
  }

  /** h [rows, width] (an internal buffer, valid until the next forward); remembers the batch for backward. */
  forward(batch: SparseBatch): FloatArray {
    this.checkBatch(batch);
    const { rows, offsets, pixels, values } = batch;
    const H = this.width;
    if (this.capacity < rows * H) {
      this.capacity = rows * H;
      this.buf = allocFloat(this.dtype, 2 * this.capacity);
    }
    const w = this.params;
    const out = this.buf;
    const vOff = this.valueOffset;
    const bOff = this.biasOffset;
    for (let r = 0; r < rows; r++) {
      const o = r * H;
      for (let u = 0; u < H; u++) out[o + u] = w[bOff + u];
      for (let j = offsets[r]; j < offsets[r + 1]; j++) {
        const m = pixels[j] * H;
        const v = values[j];
        for (let u = 0; u < H; u++) out[o + u] += w[m + u] + v * w[vOff + m + u];
      }
    }
    activate(this.activation, out, 0, rows * H);
    this.last = batch;
    return out.subarray(0, rows * H);
  }

  /**
   * Adds dL/dparams for the last forward, given dL/dh [rows, width]. Only the revealed pixels'
   * columns get gradient; the inputs are data, so no input gradient is formed.
   */
  backward(dH: ArrayLike<number>): void {
    const batch = this.last;
    if (!batch) throw new Error('sparse gather backward called before forward');
    const { rows, offsets, pixels, values } = batch;
    const H = this.width;
    if (dH.length < rows * H) throw new RangeError(`sparse gather backward: gradient of length ${dH.length} does not hold ${rows} rows of ${H}`);
    const d = this.buf;
    const dOff = this.capacity;
    for (let i = 0; i < rows * H; i++) d[dOff + i] = dH[i];
    activationBackward(this.activation, d, 0, dOff, rows * H);
    const g = this.grads;
    const vOff = this.valueOffset;
    const bOff = this.biasOffset;
    for (let r = 0; r < rows; r++) {
      const o = r * H;
      for (let u = 0; u < H; u++) g[bOff + u] += d[dOff + o + u];
      for (let j = offsets[r]; j < offsets[r + 1]; j++) {
        const m = pixels[j] * H;
        const v = values[j];
        for (let u = 0; u < H; u++) {
          const du = d[dOff + o + u];
          g[m + u] += du;
          g[vOff + m + u] += v * du;
        }
      }
    }
  }

  /** The equivalent dense layer's weights [width, 2 · pixels] ([out, in], inputs = [mask | values]) and bias, for checks. */
  denseWeights(): { w: FloatArray; b: FloatArray } {
    const P = this.pixels;
    const H = this.width;
    const w = allocFloat(this.dtype, H * 2 * P);
    for (let i = 0; i < P; i++) {
      for (let u = 0; u < H; u++) {
        w[u * 2 * P + i] = this.params[i * H + u];
        w[u * 2 * P + P + i] = this.params[this.valueOffset + i * H + u];
      }
    }
    return { w, b: this.params.slice(this.biasOffset, this.biasOffset + H) };
  }
}
