import type { Rng } from '../utils/rng.js';
import { allocFloat, type DType, type FloatArray, type ParamGroup } from './params.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * A distribution over actions parameterised by a network's output. Rows are flat and
 * row-major: `x` is [batch, inputSize], `actions` [batch, actionSize].
 */
export interface ActionHead {
  readonly kind: 'categorical' | 'diag_gaussian';
  /** Network outputs one row consumes. */
  readonly inputSize: number;
  /** Floats one action occupies. */
  readonly actionSize: number;
  /** Trainable parameters owned by the head itself (the Gaussian's log-std). */
  readonly paramGroups: ParamGroup[];
  /** Samples an action for row `row`, writes it into `actions` at that row, returns its log-prob. */
  sample(x: ArrayLike<number>, row: number, rng: Rng, actions: Float32Array): number;
  /** Writes the most likely action for row `row` (argmax, or the mean). */
  mode(x: ArrayLike<number>, row: number, actions: Float32Array): void;
  /** Log-probability of each row's action and each row's entropy. */
  logProbEntropy(x: ArrayLike<number>, batch: number, actions: ArrayLike<number>, logProb: Float64Array, entropy: Float64Array): void;
  /**
   * Backward: given dL/dlogProb and dL/dentropy per row, writes dL/dx into `dx`
   * ([batch, inputSize]) and adds the head's own parameter gradients.
   */
  backward(x: ArrayLike<number>, batch: number, actions: ArrayLike<number>, dLogProb: ArrayLike<number>, dEntropy: ArrayLike<number>, dx: FloatArray): void;
}

/** Categorical distribution over n actions from unnormalised logits. */
export class CategoricalHead implements ActionHead {
  readonly kind = 'categorical' as const;
  readonly actionSize = 1;
  readonly paramGroups: ParamGroup[] = [];
  private readonly logp: Float64Array;

  constructor(readonly inputSize: number) {
    if (!Number.isInteger(inputSize) || inputSize < 1) throw new RangeError(`a categorical head needs n >= 1 actions, got ${inputSize}`);
    this.logp = new Float64Array(inputSize);
  }

  /** Log-softmax of row `row` into this.logp; returns nothing, the values stay in the scratch buffer. */
  private logSoftmax(x: ArrayLike<number>, row: number): Float64Array {
    const n = this.inputSize;
    const o = row * n;
    let max = -Infinity;
    for (let k = 0; k < n; k++) if (x[o + k] > max) max = x[o + k];
    let sum = 0;
    for (let k = 0; k < n; k++) sum += Math.exp(x[o + k] - max);
    const lse = max + Math.log(sum);
    for (let k = 0; k < n; k++) this.logp[k] = x[o + k] - lse;
    return this.logp;
  }

  sample(x: ArrayLike<number>, row: number, rng: Rng, actions: Float32Array): number {
    const logp = this.logSoftmax(x, row);
    const u = rng.random();
    let acc = 0;
    let a = this.inputSize - 1;
    for (let k = 0; k < this.inputSize; k++) {
      acc += Math.exp(logp[k]);
      if (u < acc) {
        a = k;
        break;
      }
    }
    actions[row] = a;
    return logp[a];
  }

  mode(x: ArrayLike<number>, row: number, actions: Float32Array): void {
    const o = row * this.inputSize;
    let best = 0;
    for (let k = 1; k < this.inputSize; k++) if (x[o + k] > x[o + best]) best = k;
    actions[row] = best;
  }

  logProbEntropy(x: ArrayLike<number>, batch: number, actions: ArrayLike<number>, logProb: Float64Array, entropy: Float64Array): void {
    for (let b = 0; b < batch; b++) {
      const logp = this.logSoftmax(x, b);
      let h = 0;
      for (let k = 0; k < this.inputSize; k++) h -= Math.exp(logp[k]) * logp[k];
      logProb[b] = logp[this.actionIndex(actions, b)];
      entropy[b] = h;
    }
  }

  backward(x: ArrayLike<number>, batch: number, actions: ArrayLike<number>, dLogProb: ArrayLike<number>, dEntropy: ArrayLike<number>, dx: FloatArray): void {
    const n = this.inputSize;
    for (let b = 0; b < batch; b++) {
      const logp = this.logSoftmax(x, b);
      let h = 0;
      for (let k = 0; k < n; k++) h -= Math.exp(logp[k]) * logp[k];
      const a = this.actionIndex(actions, b);
      const gl = dLogProb[b];
      const ge = dEntropy[b];
      for (let k = 0; k < n; k++) {
        const p = Math.exp(logp[k]);
        // d log p_a / dz_k = [k = a] - p_k;  dH / dz_k = -p_k (log p_k + H).
        dx[b * n + k] = gl * ((k === a ? 1 : 0) - p) - ge * p * (logp[k] + h);
      }
    }
  }

  private actionIndex(actions: ArrayLike<number>, b: number): number {
    const a = actions[b];
    if (!Number.isInteger(a) || a < 0 || a >= this.inputSize) throw new RangeError(`categorical action ${a} at row ${b} is not in [0, ${this.inputSize})`);
    return a;
  }
}

/** Diagonal Gaussian with a state-independent, learned log standard deviation. */
export class DiagGaussianHead implements ActionHead {
  readonly kind = 'diag_gaussian' as const;
  readonly actionSize: number;
  readonly logStd: ParamGroup;
  readonly paramGroups: ParamGroup[];

  constructor(
    readonly inputSize: number,
    initLogStd = 0,
    dtype: DType = 'float32',
  ) {
    if (!Number.isInteger(inputSize) || inputSize < 1) throw new RangeError(`a Gaussian head needs >= 1 action dims, got ${inputSize}`);
    this.actionSize = inputSize;
    const params = allocFloat(dtype, inputSize).fill(initLogStd);
    this.logStd = { params, grads: allocFloat(dtype, inputSize) };
    this.paramGroups = [this.logStd];
  }

  sample(x: ArrayLike<number>, row: number, rng: Rng, actions: Float32Array): number {
    const k = this.inputSize;
    const ls = this.logStd.params;
    let logp = 0;
    for (let j = 0; j < k; j++) {
      const z = rng.normal();
      actions[row * k + j] = x[row * k + j] + Math.exp(ls[j]) * z;
      // Use the stored float32 action so the log-prob matches a later evaluation exactly.
      const zz = (actions[row * k + j] - x[row * k + j]) / Math.exp(ls[j]);
      logp += -0.5 * zz * zz - ls[j] - HALF_LOG_2PI;
    }
    return logp;
  }

  mode(x: ArrayLike<number>, row: number, actions: Float32Array): void {
    for (let j = 0; j < this.inputSize; j++) actions[row * this.inputSize + j] = x[row * this.inputSize + j];
  }

  logProbEntropy(x: ArrayLike<number>, batch: number, actions: ArrayLike<number>, logProb: Float64Array, entropy: Float64Array): void {
    const k = this.inputSize;
    const ls = this.logStd.params;
    let h = 0;
    for (let j = 0; j < k; j++) h += ls[j] + 0.5 + HALF_LOG_2PI;
    for (let b = 0; b < batch; b++) {
      let lp = 0;
      for (let j = 0; j < k; j++) {
        const z = (actions[b * k + j] - x[b * k + j]) / Math.exp(ls[j]);
        lp += -0.5 * z * z - ls[j] - HALF_LOG_2PI;
      }
      logProb[b] = lp;
      entropy[b] = h;
    }
  }

  backward(x: ArrayLike<number>, batch: number, actions: ArrayLike<number>, dLogProb: ArrayLike<number>, dEntropy: ArrayLike<number>, dx: FloatArray): void {
    const k = this.inputSize;
    const ls = this.logStd.params;
    const gls = this.logStd.grads;
    for (let b = 0; b < batch; b++) {
      const gl = dLogProb[b];
      for (let j = 0; j < k; j++) {
        const sigma = Math.exp(ls[j]);
        const z = (actions[b * k + j] - x[b * k + j]) / sigma;
        // d logp / d mu = z / sigma;  d logp / d log sigma = z^2 - 1;  dH / d log sigma = 1.
        dx[b * k + j] = (gl * z) / sigma;
        gls[j] += gl * (z * z - 1) + dEntropy[b];
      }
    }
  }
}
