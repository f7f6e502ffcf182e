/**
 * Running mean and variance over a stream of vectors (Chan et al.'s parallel update),
 * as used by Gymnasium's and SB3's normalisation wrappers.
 */
export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  /** Starts just above zero so the first update dominates without dividing by zero. */
  count = 1e-4;
  private readonly batchMean: Float64Array;
  private readonly batchVar: Float64Array;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`RunningMeanStd size must be a positive integer, got ${size}`);
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.batchMean = new Float64Array(size);
    this.batchVar = new Float64Array(size);
  }

  /** Adds `n` rows of a row-major [n, size] batch. */
  update(batch: ArrayLike<number>, n = batch.length / this.size): void {
    const d = this.size;
    if (!Number.isInteger(n) || n <= 0 || batch.length < n * d) {
      throw new RangeError(`RunningMeanStd.update: batch of length ${batch.length} does not hold ${n} rows of ${d}`);
    }
    const bm = this.batchMean.fill(0);
    const bv = this.batchVar.fill(0);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) bm[j] += batch[r * d + j];
    for (let j = 0; j < d; j++) bm[j] /= n;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < d; j++) {
        const e = batch[r * d + j] - bm[j];
        bv[j] += e * e;
      }
    }
    for (let j = 0; j < d; j++) bv[j] /= n;
    const total = this.count + n;
    for (let j = 0; j < d; j++) {
      const delta = bm[j] - this.mean[j];
      const m2 = this.var[j] * this.count + bv[j] * n + ((delta * delta * this.count) * n) / total;
      this.mean[j] += (delta * n) / total;
      this.var[j] = m2 / total;
    }
    this.count = total;
  }

  /** Writes (x - mean) / sqrt(var + eps), clipped to +-clip, for `n` rows; `out` may alias `x`. */
  normalize(x: ArrayLike<number>, out: Float32Array, clip = Infinity, eps = 1e-8, n = x.length / this.size): Float32Array {
    const d = this.size;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < d; j++) {
        const v = (x[r * d + j] - this.mean[j]) / Math.sqrt(this.var[j] + eps);
        out[r * d + j] = v < -clip ? -clip : v > clip ? clip : v;
      }
    }
    return out;
  }

  state(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  /** Restores a saved state; a size mismatch is an error naming both sizes. */
  load(state: RunningMeanStdState, what = 'running mean/std'): void {
    if (!state || !Array.isArray(state.mean) || !Array.isArray(state.var) || typeof state.count !== 'number') {
      throw new Error(`${what}: saved state is malformed (needs mean[], var[] and count)`);
    }
    if (state.mean.length !== this.size || state.var.length !== this.size) {
      throw new Error(`${what}: saved state has size ${state.mean.length}, expected ${this.size}`);
    }
    this.mean.set(state.mean);
    this.var.set(state.var);
    this.count = state.count;
  }
}
