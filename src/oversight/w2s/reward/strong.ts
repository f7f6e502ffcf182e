/**
 * The strong reward model: a wide trunk φ(o, a) pretrained self-supervised on the pool's
 * unlabelled clips (forward dynamics: predict the standardised change o_{t+1} − o_t from
 * (o_t, a_t)), then a linear reward head r̂ = w·φ̂(o, a) + b trained on pairs with the trunk
 * frozen (a linear probe, as the paper's vision students on DINO features).
 *
 * With the trunk frozen, a segment's return is linear in its summed features,
 * Σ_t r̂ = w·Σ_t φ̂_t + b·length, so the probe is logistic regression on pair differences of
 * those sums: each training run costs milliseconds, and the strength of the student lies
 * wholly in what pretraining put in φ (the "latent" capability of the paper's setup).
 */
import { Adam } from '../../../nn/adam.js';
import { Mlp } from '../../../nn/mlp.js';
import { saveMlp } from '../../../nn/serialize.js';
import type { Comparison, FitStats, PreferenceModel } from '../../../prefs/rewardModel.js';
import type { Segment } from '../../../prefs/segments.js';
import type { Rng } from '../../../utils/rng.js';

export interface TrunkOptions {
  /** Hidden widths of the trunk; φ is the last one's (leaky-ReLU) activations. */
  hidden: number[];
  /** Passes over the pretraining transitions. */
  epochs: number;
  batchSize: number;
  learningRate: number;
}

export const DEFAULT_TRUNK = { hidden: [256, 256], epochs: 4, batchSize: 256, learningRate: 1e-3 } satisfies TrunkOptions;

const INPUT_CLIP = 5;

/** The pretrained trunk with its input standardisation. */
export class StrongTrunk {
  readonly inputSize: number;
  constructor(
    readonly obsSize: number,
    readonly actionSize: number,
    readonly mlp: Mlp,
    readonly inputMean: Float64Array,
    readonly inputStd: Float64Array,
  ) {
    this.inputSize = obsSize + actionSize;
  }

  get width(): number {
    return this.mlp.outputSize;
  }

  /** Standardised, clipped [o, a] rows of `n` steps. */
  rows(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number, out = new Float32Array(n * this.inputSize)): Float32Array {
    const { obsSize, actionSize, inputSize, inputMean, inputStd } = this;
    const clip = (v: number) => (v > INPUT_CLIP ? INPUT_CLIP : v < -INPUT_CLIP ? -INPUT_CLIP : v);
    for (let t = 0; t < n; t++) {
      for (let j = 0; j < obsSize; j++) out[t * inputSize + j] = clip((obs[t * obsSize + j] - inputMean[j]) / inputStd[j]);
      for (let j = 0; j < actionSize; j++) out[t * inputSize + obsSize + j] = clip((actions[t * actionSize + j] - inputMean[obsSize + j]) / inputStd[obsSize + j]);
    }
    return out;
  }

  /** φ of `n` steps, [n, width] (a copy). */
  features(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number): Float32Array {
    return Float32Array.from(this.mlp.forward(this.rows(obs, actions, n), n));
  }
}

/** Mean and std (floored at 1e-2) of each column of the [o, a] rows of `segments`. */
function inputStats(segments: readonly Segment[], obsSize: number, actionSize: number): { mean: Float64Array; std: Float64Array } {
  const D = obsSize + actionSize;
  const sum = new Float64Array(D);
  const sq = new Float64Array(D);
  let n = 0;
  for (const s of segments) {
    for (let t = 0; t < s.length; t++) {
      for (let j = 0; j < D; j++) {
        const v = j < obsSize ? s.obs[t * obsSize + j] : s.actions[t * actionSize + j - obsSize];
        sum[j] += v;
        sq[j] += v * v;
      }
      n += 1;
    }
  }
  const mean = sum.map((v) => v / n);
  const std = sq.map((v, j) => Math.max(1e-2, Math.sqrt(Math.max(0, v / n - mean[j] ** 2))));
  return { mean, std };
}

export interface PretrainResult {
  trunk: StrongTrunk;
  /** Per epoch, mean squared error of the standardised Δo (predicting 0 scores 1). */
  losses: number[];
  transitions: number;
  seconds: number;
}

/**
 * Pretrains a trunk on forward dynamics over the transitions inside `segments` (consecutive
 * steps of one segment): no rewards, no labels.
 */
export function pretrainForwardDynamics(segments: readonly Segment[], opts: TrunkOptions, rng: Rng): PretrainResult {
  const t0 = performance.now();
  if (segments.length === 0) throw new Error('pretraining needs segments');
  const { obsSize, actionSize } = segments[0];
  const D = obsSize + actionSize;
  const { mean, std } = inputStats(segments, obsSize, actionSize);
  const mlp = new Mlp({ sizes: [D, ...opts.hidden], activation: 'leaky_relu', outputActivation: 'leaky_relu' }).init(rng, { scheme: 'fan_in_uniform' });
  const trunk = new StrongTrunk(obsSize, actionSize, mlp, mean, std);
  const H = trunk.width;
  const head = new Mlp({ sizes: [H, obsSize], activation: 'leaky_relu' }).init(rng, { scheme: 'fan_in_uniform' });

  // Transitions: standardised inputs and standardised Δo.
  let n = 0;
  for (const s of segments) n += Math.max(0, s.length - 1);
  if (n === 0) throw new Error('pretraining needs segments of at least 2 steps');
  const X = new Float32Array(n * D);
  const Y = new Float32Array(n * obsSize);
  let at = 0;
  for (const s of segments) {
    if (s.length < 2) continue;
    trunk.rows(s.obs, s.actions, s.length - 1, X.subarray(at * D));
    for (let t = 0; t < s.length - 1; t++) for (let j = 0; j < obsSize; j++) Y[(at + t) * obsSize + j] = s.obs[(t + 1) * obsSize + j] - s.obs[t * obsSize + j];
    at += s.length - 1;
  }
  for (let j = 0; j < obsSize; j++) {
    let m = 0;
    let q = 0;
    for (let i = 0; i < n; i++) m += Y[i * obsSize + j];
    m /= n;
    for (let i = 0; i < n; i++) q += (Y[i * obsSize + j] - m) ** 2;
    const sd = Math.max(1e-6, Math.sqrt(q / n));
    for (let i = 0; i < n; i++) Y[i * obsSize + j] = (Y[i * obsSize + j] - m) / sd;
  }

  const adam = new Adam([mlp, head], { lr: opts.learningRate });
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const B = opts.batchSize;
  const xb = new Float32Array(B * D);
  const yb = new Float32Array(B * obsSize);
  const dY = new Float32Array(B * obsSize);
  const losses: number[] = [];
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    rng.shuffle(order);
    let total = 0;
    for (let i = 0; i < n; i += B) {
      const b = Math.min(B, n - i);
      for (let k = 0; k < b; k++) {
        const r = order[i + k];
        xb.set(X.subarray(r * D, (r + 1) * D), k * D);
        yb.set(Y.subarray(r * obsSize, (r + 1) * obsSize), k * obsSize);
      }
      mlp.zeroGrad();
      head.zeroGrad();
      const h = mlp.forward(xb, b);
      const y = head.forward(h, b);
      let loss = 0;
      for (let k = 0; k < b * obsSize; k++) {
        const e = y[k] - yb[k];
        loss += e * e;
        dY[k] = (2 * e) / (b * obsSize);
      }
      total += loss / obsSize;
      const dH = head.backward(dY, true)!;
      mlp.backward(dH);
      adam.step();
    }
    losses.push(total / n);
  }
  return { trunk, losses, transitions: n, seconds: (performance.now() - t0) / 1000 };
}

/**
 * The probe's design: for each pool segment, Σ_t φ̂_t with φ̂ = (φ − shift) / scale, and a last
 * column length / segmentLength (the head's bias summed over the segment). The shift and scale
 * come from the given segments' steps (std of summed features), so the probe is well conditioned.
 */
export interface ProbeFeatures {
  /** Columns: width + 1. */
  dims: number;
  /** [segments, dims]. */
  sums: Float64Array;
  shift: Float64Array;
  scale: Float64Array;
  segmentLength: number;
}

/** Summed, standardised trunk features of every segment; statistics from the segments at `statsFrom`. */
export function probeFeatures(trunk: StrongTrunk, segments: readonly Segment[], statsFrom: readonly number[], segmentLength: number): ProbeFeatures {
  const H = trunk.width;
  const dims = H + 1;
  const raw = new Float64Array(segments.length * dims);
  const stepSum = new Float64Array(H);
  let steps = 0;
  const inStats = new Set(statsFrom);
  segments.forEach((s, i) => {
    const f = trunk.features(s.obs, s.actions, s.length);
    for (let t = 0; t < s.length; t++) for (let j = 0; j < H; j++) raw[i * dims + j] += f[t * H + j];
    raw[i * dims + H] = s.length / segmentLength;
    if (inStats.has(i)) {
      for (let j = 0; j < H; j++) stepSum[j] += raw[i * dims + j];
      steps += s.length;
    }
  });
  const shift = stepSum.map((v) => v / Math.max(1, steps));
  // Centre per step, then scale each summed column to unit std over the statistics' segments.
  const sums = new Float64Array(raw.length);
  for (let i = 0; i < segments.length; i++) {
    for (let j = 0; j < H; j++) sums[i * dims + j] = raw[i * dims + j] - shift[j] * segments[i].length;
    sums[i * dims + H] = raw[i * dims + H];
  }
  const scale = new Float64Array(H).fill(1);
  for (let j = 0; j < H; j++) {
    let q = 0;
    for (const i of statsFrom) q += sums[i * dims + j] ** 2;
    scale[j] = Math.max(1e-6, Math.sqrt(q / Math.max(1, statsFrom.length)));
  }
  for (let i = 0; i < segments.length; i++) for (let j = 0; j < H; j++) sums[i * dims + j] /= scale[j];
  return { dims, sums, shift, scale, segmentLength };
}

/** x = sums[left] − sums[right] for each pair: [pairs, dims]. */
export function pairDesign(f: ProbeFeatures, pairs: readonly { left: number; right: number }[]): Float64Array {
  const { dims, sums } = f;
  const X = new Float64Array(pairs.length * dims);
  pairs.forEach((p, i) => {
    for (let j = 0; j < dims; j++) X[i * dims + j] = sums[p.left * dims + j] - sums[p.right * dims + j];
  });
  return X;
}

/**
 * A probed strong reward model as the preference loop's `PreferenceModel`, so the learned-reward
 * env (`VecLearnedReward`) serves it to PPO. It is trained by the experiment, not by `fit`.
 */
export class ProbeRewardModel implements PreferenceModel {
  readonly ensembleSize = 1;
  private outShift = 0;
  private outScale = 1;

  constructor(
    readonly trunk: StrongTrunk,
    readonly features: Pick<ProbeFeatures, 'shift' | 'scale' | 'segmentLength'>,
    /** Probe weights over the features, then the length column. */
    readonly theta: Float64Array,
  ) {
    if (theta.length !== trunk.width + 1) throw new RangeError(`probe has ${theta.length} weights, trunk width + 1 is ${trunk.width + 1}`);
  }

  /** r̂ per step before normalisation. */
  rawRewards(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number): Float64Array {
    const H = this.trunk.width;
    const f = this.trunk.features(obs, actions, n);
    const { shift, scale, segmentLength } = this.features;
    const out = new Float64Array(n);
    const bias = this.theta[H] / segmentLength;
    for (let t = 0; t < n; t++) {
      let r = bias;
      for (let j = 0; j < H; j++) r += (this.theta[j] * (f[t * H + j] - shift[j])) / scale[j];
      out[t] = r;
    }
    return out;
  }

  reward(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number, out = new Float64Array(n)): Float64Array {
    const raw = this.rawRewards(obs, actions, n);
    for (let t = 0; t < n; t++) out[t] = (raw[t] - this.outShift) / this.outScale;
    return out;
  }

  memberReturns(s: Segment): Float64Array {
    return Float64Array.of(this.rawRewards(s.obs, s.actions, s.length).reduce((a, b) => a + b, 0));
  }

  memberPreferences(left: Float64Array, right: Float64Array): Float64Array {
    return Float64Array.from(left, (l, k) => 1 / (1 + Math.exp(right[k] - l)));
  }

  fitInputNormalization(): void {}

  fit(_c: readonly Comparison[], _e: number, _r: Rng): FitStats {
    throw new Error('a probed w2s reward model is trained by the w2s-reward experiment, not refitted by the loop');
  }

  /**
   * Std 1 over these segments' steps; centred only when none terminated (as `RewardModel`'s
   * 'auto': with terminations, the reward's level is what the comparisons identified).
   */
  fitOutputNormalization(segments: readonly Segment[]): void {
    let sum = 0;
    let sq = 0;
    let n = 0;
    for (const s of segments) {
      for (const r of this.rawRewards(s.obs, s.actions, s.length)) {
        sum += r;
        sq += r * r;
        n += 1;
      }
    }
    if (n < 2) return;
    const m = sum / n;
    this.outScale = Math.max(1e-6, Math.sqrt(Math.max(0, sq / n - m * m)));
    this.outShift = segments.some((s) => s.terminated) ? 0 : m;
  }

  save(): unknown {
    return {
      format: 'overseer.w2s-probe-reward',
      version: 1,
      trunk: saveMlp(this.trunk.mlp),
      inputMean: Array.from(this.trunk.inputMean),
      inputStd: Array.from(this.trunk.inputStd),
      shift: Array.from(this.features.shift),
      scale: Array.from(this.features.scale),
      segmentLength: this.features.segmentLength,
      theta: Array.from(this.theta),
      outShift: this.outShift,
      outScale: this.outScale,
    };
  }
}
