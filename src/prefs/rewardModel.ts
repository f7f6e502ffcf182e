/**
 * The reward predictor r̂(o, a) of Christiano et al. 2017: an ensemble of MLPs fitted to
 * segment comparisons with a Bradley-Terry model over summed per-step rewards,
 *
 *   P̂[σ¹ ≻ σ²] = 0.9 · exp Σ r̂(σ¹) / (exp Σ r̂(σ¹) + exp Σ r̂(σ²)) + 0.05,
 *
 * (a 10% chance that the teacher answered at random), trained by cross-entropy against the
 * label μ ∈ {1, 0, 0.5}. Each member trains on its own bootstrap sample of the labels; 1/e
 * of the labels are held out, and the L2 strength is adapted so the held-out loss stays
 * between 1.1x and 1.5x the training loss. For RL, each member is normalised to std 1 over
 * the states of the labelled segments (`normalizeOver`) and the members are averaged.
 *
 * The model sees observations and actions only: its inputs are `Segment`s, which carry no
 * true rewards (those live in `SegmentTruth`).
 *
 * Members are MLPs over [o, a] (network 'mlp', the paper's MuJoCo predictor) or, for MinAtar's
 * 10 x 10 x C grids, ConvNets (network 'minatar', the paper's Atari setting at MinAtar scale):
 * the action enters as extra constant planes, the one-hot action broadcast over the grid, so a
 * member sees 10 x 10 x (C + actions) and runs conv 16 3x3 -> dense 128 -> 1 with leaky ReLU;
 * or, for MinAtar's rendered frames (obsType 'rgb', what the labeling page shows a person),
 * `pixelNet` over the 40 x 40 x 3 frame with the action as planes the same way (network 'pixels').
 *
 * Options of the fit beyond the paper (`FitOptions`, off unless given): QPA's sub-clip
 * augmentation and SURF's temporal crops and confident pseudo-labels on unlabelled pairs.
 */
import { z } from 'zod';
import { Adam, type AdamState } from '../nn/adam.js';
import { mean } from '../utils/stats.js';
import { ConvNet, loadConvNetInto, minAtarNet, pixelNet, saveConvNet, type ConvNetJson } from '../nn/conv.js';
import { Mlp } from '../nn/mlp.js';
import type { DType } from '../nn/params.js';
import { loadMlpInto, saveMlp, type MlpJson } from '../nn/serialize.js';
import { decodeFloats, encodeFloats } from '../utils/floats.js';
import type { Rng } from '../utils/rng.js';
import type { Segment } from './segments.js';

export const REWARD_NETWORKS = ['mlp', 'minatar', 'pixels'] as const;
/** The paper's std of r̂ for RL on Atari (its MuJoCo tasks: 1): the default of networks 'minatar' and 'pixels'. */
export const MINATAR_REWARD_STD = 0.05;
export type RewardNetwork = (typeof REWARD_NETWORKS)[number];

export const RewardModelConfigSchema = z.strictObject({
  /**
   * Each member's architecture; absent means 'mlp' (so MLP configs and saved models are as
   * before). 'mlp': an MLP over [o, a] of widths `hidden`. 'minatar': for 10 x 10 x C
   * observations (MinAtar), MinAtar's network with leaky ReLU (conv 16 3x3 valid -> dense 128
   * -> 1) over the grid with the action as extra planes (its one-hot broadcast over the 10 x 10
   * cells: 10 x 10 x (C + actions)); `hidden` does not apply. Its inputs are the raw 0/1 planes,
   * never standardised (`normalizeInputs` does not apply): they are bounded already, per-cell
   * statistics would break the convolution's translation symmetry (and blow a rarely lit cell up
   * to the clip), and per-channel ones are an affine map the first valid convolution absorbs.
   * 'pixels': for H x W x C images (MinAtar's obsType 'rgb' frames, 40 x 40 x 3), `pixelNet` with
   * leaky ReLU (conv 8 4x4/2 -> conv 16 3x3/2 -> dense 128 -> 1) over the image with the action
   * as extra planes the same way (H x W x (C + actions)), its raw [0, 1] values as inputs for the
   * same reasons.
   */
  network: z.enum(REWARD_NETWORKS).optional(),
  /**
   * Std of the reward given to RL (each member normalised to this std, then averaged). Absent:
   * 1 for network 'mlp' (the paper's MuJoCo setting), 0.05 for networks 'minatar' and 'pixels'
   * (the paper's Atari setting). Where PPO normalises rewards itself (the MuJoCo preset) the
   * scale washes out; the MinAtar preset does not.
   */
  rewardStd: z.number().positive().optional(),
  /** Members of the ensemble. */
  ensembleSize: z.number().int().min(1).default(3),
  /** Hidden widths of network 'mlp' (paper: two layers of 64). */
  hidden: z.array(z.number().int().positive()).min(1).default([64, 64]),
  /** Adam learning rate. */
  learningRate: z.number().positive().default(1e-3),
  /** Comparisons per minibatch. */
  batchSize: z.number().int().positive().default(64),
  /** Probability that the teacher answers uniformly at random (paper: 0.1). */
  randomAnswerProb: z.number().min(0).lt(1).default(0.1),
  /** Fraction of labels held out for validation (paper: 1/e). */
  validationFraction: z.number().min(0).lt(1).default(1 / Math.E),
  /** Initial L2 coefficient on the weights (adapted after every fit). */
  l2: z.number().min(0).default(1e-4),
  /** Keep validation loss / training loss within [low, high] (paper: 1.1, 1.5). */
  l2Band: z.tuple([z.number().positive(), z.number().positive()]).default([1.1, 1.5]),
  /** Multiplicative step of the L2 adaptation. */
  l2Step: z.number().gt(1).default(1.5),
  /**
   * 'meanstd': scale each member to std 1 and centre it at mean 0 over the normalisation states, as the
   * paper did (its episodes had fixed length). 'std': scale only, keeping the reward's level;
   * segments cut short by termination identify that level (after termination the reward is 0),
   * and centring it would make ending an episode worth as much as an average step. 'auto'
   * (default): 'std' once the model has been fitted on a segment that ended in termination,
   * else 'meanstd' (without terminations the level means nothing and only drifts).
   */
  normalization: z.enum(['auto', 'std', 'meanstd']).default('auto'),
  /**
   * States each member is normalised over after a fit: 'labelled' (default), the steps of every
   * labelled segment; 'recent', the latest ~4096 steps. Once a policy masters a task its recent
   * states differ little, the std over them shrinks, and each refit rescaled the reward given
   * to PPO (up to 6x on InvertedDoublePendulum): evaluation 274 and 2169 (seeds 1, 2) against
   * 4887 and 6728 with 'labelled', whose scale moves slowly as labels accumulate.
   */
  normalizeOver: z.enum(['recent', 'labelled']).default('labelled'),
  /**
   * Standardise the reward model's inputs (o, a) with the mean and std of labelled segments' steps.
   * 'first-fit' (default): statistics of the segments of the first fit (the initial random
   * policy's), then frozen, so the function the policy optimises does not move under it.
   * 'every-fit': refreshed at every fit. 'off': raw inputs (the default until 2026-12).
   * true/false mean 'every-fit'/'off' (older runs). Raw inputs put small-scale features
   * (Reacher's fingertip-target offset, ~0.1) beside velocities of ~10; with 700 labels
   * (seed 1) standardised inputs gave Reacher -14.0 against -49.0 raw, Swimmer 113.7 against
   * 75.2, Walker2d (seed 2) 3959 against 1715 (bench/results/prefs.md has all seeds).
   * Refreshing the statistics at every fit hurt Hopper (906 against 2164 true return at 290k
   * steps): the reward moved as the policy's states drifted.
   */
  normalizeInputs: z
    .union([z.boolean(), z.enum(['off', 'first-fit', 'every-fit'])])
    .default('first-fit')
    .transform((v) => (v === true ? 'every-fit' : v === false ? 'off' : v)),
  /** Standardised inputs are clipped to +-inputClip (states the first segments never visited stay bounded). */
  inputClip: z.number().positive().default(5),
});
export type RewardModelConfig = z.infer<typeof RewardModelConfigSchema>;
export type RewardModelConfigInput = z.input<typeof RewardModelConfigSchema>;

/** μ, the probability that the left segment is preferred: 1, 0, or 0.5 for "equal". */
export type PreferenceTarget = 0 | 0.5 | 1;

/** One comparison as the model trains on it. */
export interface Comparison {
  left: Segment;
  right: Segment;
  mu: PreferenceTarget;
  /** Held out for validation (never trained on). */
  validation: boolean;
  /** Bootstrap multiplicity per member (Poisson(1) draws; 0 = not in that member's sample). */
  counts: Uint8Array;
}

/** Two segments to compare, labelled or not (SURF's unlabelled pairs). */
export interface SegmentPair {
  left: Segment;
  right: Segment;
}

/** A window [start, start + length) of a clip's steps. */
export interface Crop {
  start: number;
  length: number;
}

/**
 * SURF's temporal cropping, as fractions of the clip: SURF crops a 50-step labelled clip, kept
 * with 5 more steps each side, to 45-55 steps; our teacher saw the whole clip and no more, so
 * the range keeps SURF's width (2Δ = 20%) and ends at the whole clip.
 */
export const TEMPORAL_CROP: readonly [number, number] = [0.8, 1];
/** QPA's sub-snippets: 35-45 of a 50-step clip (its cropping mask, S − 15 to S − 5). */
export const SUB_CLIP: readonly [number, number] = [0.7, 0.9];

/**
 * A random crop of a pair, as SURF and QPA draw them: one length for both clips (a `range`
 * fraction of the longer, at least 1 step), each clip at its own random start, in the
 * nominal time of the longer clip; a clip cut short by termination keeps only the part of its
 * window before its end (after it the reward is 0), so every crop lies inside its clip.
 */
export function cropPair(leftLength: number, rightLength: number, range: readonly [number, number], rng: Rng): [Crop, Crop] {
  const nominal = Math.max(leftLength, rightLength);
  const lo = Math.max(1, Math.ceil(range[0] * nominal - 1e-9));
  const hi = Math.max(lo, Math.floor(range[1] * nominal + 1e-9));
  const length = lo + rng.integer(hi - lo + 1);
  const window = (clipLength: number): Crop => {
    const from = rng.integer(nominal - length + 1);
    const start = Math.min(from, clipLength);
    return { start, length: Math.min(from + length, clipLength) - start };
  };
  return [window(leftLength), window(rightLength)];
}

/**
 * SURF's pseudo-label of an unlabelled pair from one member's summed rewards: 1 (left) or 0
 * (right) when that member's P̂ of it reaches `threshold`, else null (not trained on). P̂ here
 * is the Bradley-Terry probability without the random-answer term, whose 0.95 ceiling no
 * threshold above it could ever pass.
 */
export function pseudoLabel(leftReturn: number, rightReturn: number, threshold: number): 0 | 1 | null {
  const d = leftReturn - rightReturn;
  const p = d >= 0 ? 1 / (1 + Math.exp(-d)) : Math.exp(d) / (1 + Math.exp(d));
  if (p >= threshold) return 1;
  if (1 - p >= threshold) return 0;
  return null;
}

/** How `fit` augments its minibatches (SURF, QPA); absent: the paper's fit, whole clips and labels only. */
export interface FitOptions {
  /** Each labelled pair is fitted as `count` random crops (QPA: 20 sub-clips; SURF: 1), their lengths a `range` fraction of the clip. */
  crops?: { count: number; range: readonly [number, number] };
  /**
   * SURF: `perLabel` unlabelled pairs beside each labelled one in a minibatch, each member
   * training on those it predicts with confidence `threshold` (cropped as one labelled crop),
   * weighted as SURF's (mean over the unlabelled drawn, λ = 1). They are never labels: only
   * this fit sees them.
   */
  unlabelled?: { pairs: readonly SegmentPair[]; perLabel: number; threshold: number };
}

/**
 * Bradley-Terry loss with random-answer noise for one comparison, as a function of
 * d = Σ r̂(left) − Σ r̂(right). Returns the loss and dLoss/dd.
 */
export function preferenceLoss(d: number, mu: number, randomAnswerProb: number): { loss: number; dd: number; p: number } {
  const s = d >= 0 ? 1 / (1 + Math.exp(-d)) : Math.exp(d) / (1 + Math.exp(d));
  const P = (1 - randomAnswerProb) * s + randomAnswerProb / 2;
  const loss = -(mu * Math.log(P) + (1 - mu) * Math.log(1 - P));
  const dd = (1 - randomAnswerProb) * s * (1 - s) * (-mu / P + (1 - mu) / (1 - P));
  return { loss, dd, p: P };
}

/** Draws from Poisson(1), capped at 255: the online bootstrap's multiplicity of a new label. */
export function poisson1(rng: Rng): number {
  const L = Math.exp(-1);
  let k = 0;
  let p = rng.random();
  while (p > L && k < 255) {
    k += 1;
    p *= rng.random();
  }
  return k;
}

export interface FitStats {
  /** Per member: mean training loss (without the L2 term) after the fit. */
  trainLoss: number[];
  /** Per member: mean held-out loss (NaN without held-out labels). */
  validationLoss: number[];
  /** Per member L2 coefficient after adaptation. */
  l2: number[];
  /** Held-out accuracy of the ensemble on non-equal labels (NaN if none). */
  validationAccuracy: number;
  /** Training accuracy of the ensemble on non-equal labels. */
  trainAccuracy: number;
  minibatches: number;
}

/** A saved reward model. */
export interface RewardModelJson {
  format: 'overseer.reward-model';
  version: 1;
  obsSize: number;
  /** The observation's shape for the convolutional networks, 'minatar' and 'pixels' (absent for MLP models). */
  obsShape?: number[];
  actionSize: number;
  config: RewardModelConfig;
  /** MLPs (network 'mlp') or ConvNets ('minatar', 'pixels'). */
  members: (MlpJson | ConvNetJson)[];
  l2: number[];
  inputMean: string;
  inputStd: string;
  outMean: number[];
  outStd: number[];
  terminationSeen: boolean;
  /** Absent in models saved before normalizeInputs 'first-fit' existed. */
  inputStatsFitted?: boolean;
  /**
   * Each member's Adam state; null when left out on purpose (`save({ optimizer: false })`: a
   * checkpoint for evaluation, which a run cannot resume from), absent in models saved before
   * resume was exact.
   */
  optimizers?: AdamState[] | null;
}

/**
 * What the preference loop asks of a reward model. The loop, query selection, the learned-reward
 * env and the diagnostics use only this, so another model (a weak-to-strong student, a probed
 * or constrained one) plugs in through `RunParts.rewardModel` without touching them.
 */
export interface PreferenceModel {
  readonly ensembleSize: number;
  /** r̂ given to RL for `n` steps: normalised, one value per step. */
  reward(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number, out?: Float64Array): Float64Array;
  /** As `reward`, and the std over members of their normalised rewards into `std` (RUNE's bonus); optional. */
  rewardWithStd?(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number, std: Float64Array): Float64Array;
  /** Per member, the segment's summed raw reward (what preferences are modelled on). */
  memberReturns(s: Segment): Float64Array;
  /** Per member, P̂[left ≻ right] from `memberReturns` of both segments. */
  memberPreferences(left: Float64Array, right: Float64Array): Float64Array;
  /** Standardises inputs from the labelled segments (or not, per the model's options). */
  fitInputNormalization(segments: readonly Segment[]): void;
  /** Fits the comparisons for `epochs` passes, drawing only from `rng`; `options` augment the minibatches (SURF, QPA) where the model supports it. */
  fit(comparisons: readonly Comparison[], epochs: number, rng: Rng, options?: FitOptions): FitStats;
  /** Rescales the output given to RL over these segments' states. */
  fitOutputNormalization(segments: readonly Segment[]): void;
  /**
   * Everything needed to rebuild it exactly, optimiser state included (JSON-able). With
   * `{ optimizer: false }` it may leave out what only further fitting needs (step checkpoints,
   * which are evaluated and inspected, never fitted on: Adam's moments are most of their size).
   */
  save(options?: { optimizer?: boolean }): unknown;
}

/** A member of the ensemble: an MLP or a ConvNet (the same forward/backward/params/grads surface). */
export type RewardNet = Mlp | ConvNet;

/** Why reward-model `network` cannot take observations of this shape, or null if it can. */
export function rewardNetworkProblem(network: RewardNetwork, shape: readonly number[]): string | null {
  if (network === 'minatar' && (shape.length !== 3 || shape[0] !== 10 || shape[1] !== 10 || !(shape[2] > 0))) {
    // An image (MinAtar's obsType 'rgb'): say which network takes it.
    const fix = shape.length === 3 ? "; for image observations (MinAtar's obsType 'rgb') use network 'pixels'" : '';
    return `reward model network 'minatar' needs a 10 x 10 x channels observation space, got shape [${shape.join(', ')}]${fix}`;
  }
  if (network === 'pixels' && (shape.length !== 3 || !shape.every((n) => Number.isInteger(n) && n > 0))) {
    return `reward model network 'pixels' needs a height x width x channels observation space, got shape [${shape.join(', ')}]`;
  }
  return null;
}

/** Whether members are ConvNets over the observation's planes with the action as extra planes (inputs raw, shape saved). */
const isConv = (network: RewardNetwork) => network !== 'mlp';

export class RewardModel implements PreferenceModel {
  readonly config: RewardModelConfig;
  readonly inputSize: number;
  /** 'mlp', 'minatar' or 'pixels' (the config's `network`, 'mlp' when absent). */
  readonly network: RewardNetwork;
  /** The observation's shape ([obsSize] when the model was given a flat size). */
  readonly obsShape: readonly number[];
  readonly obsSize: number;
  readonly members: RewardNet[];
  readonly l2: number[];
  private readonly optimizers: Adam[];
  /** Input standardisation (see `normalizeInputs`). */
  readonly inputMean: Float32Array;
  readonly inputStd: Float32Array;
  /** Per-member output statistics over the `normalizeOver` states (for the reward given to RL). */
  readonly outMean: number[];
  readonly outStd: number[];
  /** Whether any segment fitted so far ended in termination (which pins the reward's level). */
  terminationSeen = false;
  /** Whether the input statistics have been set (for normalizeInputs 'first-fit'). */
  inputStatsFitted = false;
  private rows: Float32Array = new Float32Array(0);
  private dOut: Float32Array = new Float32Array(0);

  /**
   * `obs`: the observation's size, or its shape (the convolutional networks need the shape:
   * 10 x 10 x C for 'minatar', H x W x C for 'pixels').
   * `actionSize`: floats per action as the model sees it (one-hot for Discrete spaces).
   */
  constructor(
    obs: number | readonly number[],
    readonly actionSize: number,
    config: RewardModelConfigInput = {},
    rng?: Rng,
    dtype: DType = 'float32',
  ) {
    this.config = RewardModelConfigSchema.parse(config);
    const c = this.config;
    if (c.l2Band[0] >= c.l2Band[1]) throw new RangeError(`l2Band must be [low, high] with low < high, got [${c.l2Band.join(', ')}]`);
    this.obsShape = typeof obs === 'number' ? [obs] : [...obs];
    this.obsSize = this.obsShape.reduce((a, b) => a * b, 1);
    this.network = c.network ?? 'mlp';
    const problem = rewardNetworkProblem(this.network, this.obsShape);
    if (problem) throw new Error(problem);
    if (isConv(this.network)) {
      const [height, width, C] = this.obsShape;
      const channels = C + actionSize;
      this.inputSize = height * width * channels;
      this.members = Array.from({ length: c.ensembleSize }, () => {
        const m = this.network === 'minatar' ? minAtarNet(channels, 1, { activation: 'leaky_relu', dtype }) : pixelNet(1, { input: { height, width, channels }, activation: 'leaky_relu', dtype });
        if (rng) m.init(rng, { scheme: 'fan_in_uniform' });
        return m;
      });
    } else {
      this.inputSize = this.obsSize + actionSize;
      this.members = Array.from({ length: c.ensembleSize }, () => {
        const m = new Mlp({ sizes: [this.inputSize, ...c.hidden, 1], activation: 'leaky_relu', dtype });
        if (rng) m.init(rng, { scheme: 'fan_in_uniform' });
        return m;
      });
    }
    this.optimizers = this.members.map((m) => new Adam([m], { lr: c.learningRate }));
    this.l2 = this.members.map(() => c.l2);
    // Standardisation of [o, a] (network 'mlp'; the convolutional networks keep these at 0 and 1, unused).
    this.inputMean = new Float32Array(this.obsSize + actionSize);
    this.inputStd = new Float32Array(this.obsSize + actionSize).fill(1);
    this.outMean = this.members.map(() => 0);
    this.outStd = this.members.map(() => 1);
  }

  get ensembleSize(): number {
    return this.members.length;
  }

  /** The std of the reward given to RL (`rewardStd`, or its default for the network). */
  get rewardStd(): number {
    return this.config.rewardStd ?? (isConv(this.network) ? MINATAR_REWARD_STD : 1);
  }

  /** Member k as an MLP, for tools that read MLP layers (interpretability); an error for the convolutional networks. */
  mlpMember(k: number, what: string): Mlp {
    const m = this.members[k];
    if (!(m instanceof Mlp)) throw new Error(`${what} needs an MLP reward model (network 'mlp'), not network '${this.network}'`);
    return m;
  }

  // -------------------------------------------------------------------------------------
  // Inputs
  // -------------------------------------------------------------------------------------

  /** Writes the standardised [o, a] rows of `n` steps into `out` at row `at`. */
  private writeRows(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number, out: Float32Array, at: number): void {
    const { obsSize, actionSize, inputSize, inputMean, inputStd } = this;
    if (isConv(this.network)) {
      // HWC planes: at each cell (pixel) the C observation channels, then the action's one-hot (raw, see `network`).
      const [height, w, C] = this.obsShape;
      const cells = height * w;
      const width = C + actionSize;
      for (let t = 0; t < n; t++) {
        const o = (at + t) * inputSize;
        const ob = t * obsSize;
        const ab = t * actionSize;
        for (let i = 0; i < cells; i++) {
          const cell = o + i * width;
          for (let j = 0; j < C; j++) out[cell + j] = obs[ob + i * C + j];
          for (let j = 0; j < actionSize; j++) out[cell + C + j] = actions[ab + j];
        }
      }
      return;
    }
    if (this.config.normalizeInputs === 'off') {
      for (let t = 0; t < n; t++) {
        const o = (at + t) * inputSize;
        for (let j = 0; j < obsSize; j++) out[o + j] = obs[t * obsSize + j];
        for (let j = 0; j < actionSize; j++) out[o + obsSize + j] = actions[t * actionSize + j];
      }
      return;
    }
    const c = this.config.inputClip;
    const clip = (v: number) => (v > c ? c : v < -c ? -c : v);
    for (let t = 0; t < n; t++) {
      const o = (at + t) * inputSize;
      for (let j = 0; j < obsSize; j++) out[o + j] = clip((obs[t * obsSize + j] - inputMean[j]) / inputStd[j]);
      for (let j = 0; j < actionSize; j++) out[o + obsSize + j] = clip((actions[t * actionSize + j] - inputMean[obsSize + j]) / inputStd[obsSize + j]);
    }
  }

  private ensureRows(n: number): void {
    if (this.rows.length < n * this.inputSize) {
      this.rows = new Float32Array(n * this.inputSize * 2);
      this.dOut = new Float32Array(n * 2);
    }
  }

  /**
   * Sets the input standardisation from the steps of `segments` (std floored at 1e-2), per
   * `normalizeInputs`: never, once, or at every call. The convolutional networks take their planes raw (see `network`).
   */
  fitInputNormalization(segments: readonly Segment[]): void {
    const mode = this.config.normalizeInputs;
    if (isConv(this.network) || mode === 'off' || (mode === 'first-fit' && this.inputStatsFitted)) return;
    const { obsSize, actionSize, inputSize } = this;
    const sum = new Float64Array(inputSize);
    const sq = new Float64Array(inputSize);
    let n = 0;
    for (const s of segments) {
      for (let t = 0; t < s.length; t++) {
        for (let j = 0; j < obsSize; j++) {
          const v = s.obs[t * obsSize + j];
          sum[j] += v;
          sq[j] += v * v;
        }
        for (let j = 0; j < actionSize; j++) {
          const v = s.actions[t * actionSize + j];
          sum[obsSize + j] += v;
          sq[obsSize + j] += v * v;
        }
        n += 1;
      }
    }
    if (n === 0) return;
    for (let j = 0; j < inputSize; j++) {
      const m = sum[j] / n;
      this.inputMean[j] = m;
      this.inputStd[j] = Math.max(1e-2, Math.sqrt(Math.max(0, sq[j] / n - m * m)));
    }
    this.inputStatsFitted = true;
  }

  // -------------------------------------------------------------------------------------
  // Prediction
  // -------------------------------------------------------------------------------------

  /** Raw member outputs for `n` steps: out[m * n + t]. */
  memberRewards(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number, out = new Float64Array(this.ensembleSize * n)): Float64Array {
    this.ensureRows(n);
    this.writeRows(obs, actions, n, this.rows, 0);
    this.members.forEach((m, k) => {
      const y = m.forward(this.rows, n);
      for (let t = 0; t < n; t++) out[k * n + t] = y[t];
    });
    return out;
  }

  /** Whether rewards given to RL are centred at mean 0 (see `normalization`). */
  get centred(): boolean {
    const n = this.config.normalization;
    return n === 'meanstd' || (n === 'auto' && !this.terminationSeen);
  }

  /** The reward given to RL: the mean over members of each member normalised by `fitOutputNormalization`. */
  reward(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number, out = new Float64Array(n)): Float64Array {
    const raw = this.memberRewards(obs, actions, n);
    const M = this.ensembleSize;
    const std = this.rewardStd;
    out.fill(0, 0, n);
    for (let k = 0; k < M; k++) {
      const shift = this.centred ? this.outMean[k] : 0;
      const scale = std / (M * this.outStd[k]);
      for (let t = 0; t < n; t++) out[t] += (raw[k * n + t] - shift) * scale;
    }
    return out;
  }

  /**
   * RUNE's two terms: the reward given to RL (as `reward`, the members' normalised rewards
   * averaged) and, into `std`, the population std over members of those normalised rewards
   * (both at the scale `rewardStd`).
   */
  rewardWithStd(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number, std: Float64Array): Float64Array {
    const raw = this.memberRewards(obs, actions, n);
    const M = this.ensembleSize;
    const scale = this.rewardStd;
    const out = new Float64Array(n);
    const sq = new Float64Array(n);
    for (let k = 0; k < M; k++) {
      const shift = this.centred ? this.outMean[k] : 0;
      for (let t = 0; t < n; t++) {
        const v = ((raw[k * n + t] - shift) / this.outStd[k]) * scale;
        out[t] += v / M;
        sq[t] += (v * v) / M;
      }
    }
    for (let t = 0; t < n; t++) std[t] = Math.sqrt(Math.max(0, sq[t] - out[t] * out[t]));
    return out;
  }

  /** Per member, Σ r̂ over the segment (raw outputs, as in training). */
  memberReturns(s: Segment): Float64Array {
    const raw = this.memberRewards(s.obs, s.actions, s.length);
    const out = new Float64Array(this.ensembleSize);
    for (let k = 0; k < out.length; k++) {
      let sum = 0;
      for (let t = 0; t < s.length; t++) sum += raw[k * s.length + t];
      out[k] = sum;
    }
    return out;
  }

  /** Σ over the segment of the normalised ensemble reward (what RL would collect on it). */
  predictedReturn(s: Segment): number {
    const r = this.reward(s.obs, s.actions, s.length);
    let sum = 0;
    for (let t = 0; t < s.length; t++) sum += r[t];
    return sum;
  }

  /** Refreshes each member's output mean and std over the given segments (see `normalizeOver`) (std floored at 1e-6). */
  fitOutputNormalization(segments: readonly Segment[]): void {
    const M = this.ensembleSize;
    const sum = new Float64Array(M);
    const sq = new Float64Array(M);
    let n = 0;
    for (const s of segments) {
      const raw = this.memberRewards(s.obs, s.actions, s.length);
      for (let k = 0; k < M; k++) {
        for (let t = 0; t < s.length; t++) {
          const v = raw[k * s.length + t];
          sum[k] += v;
          sq[k] += v * v;
        }
      }
      n += s.length;
    }
    if (n < 2) return;
    for (let k = 0; k < M; k++) {
      this.outMean[k] = sum[k] / n;
      this.outStd[k] = Math.max(1e-6, Math.sqrt(Math.max(0, sq[k] / n - this.outMean[k] ** 2)));
    }
  }

  // -------------------------------------------------------------------------------------
  // Training
  // -------------------------------------------------------------------------------------

  /** Writes the pairs' steps as input rows, left then right clip of each in turn; returns the row count and where each pair starts. */
  private writePairRows(pairs: readonly SegmentPair[]): { rowsTotal: number; starts: number[] } {
    let rowsTotal = 0;
    for (const c of pairs) rowsTotal += c.left.length + c.right.length;
    this.ensureRows(rowsTotal);
    const starts: number[] = [];
    let at = 0;
    for (const c of pairs) {
      starts.push(at);
      this.writeRows(c.left.obs, c.left.actions, c.left.length, this.rows, at);
      at += c.left.length;
      this.writeRows(c.right.obs, c.right.actions, c.right.length, this.rows, at);
      at += c.right.length;
    }
    return { rowsTotal, starts };
  }

  /**
   * Loss of member k on the comparisons in `batch` (mean over them, without the L2 term), and
   * how many it ranked right; with `train`, also accumulates the gradient of mean loss + λ‖W‖²
   * into its grads.
   */
  memberLoss(k: number, batch: readonly Comparison[], train: boolean): { loss: number; correct: number; decided: number } {
    const { rowsTotal } = this.writePairRows(batch);
    const member = this.members[k];
    const y = member.forward(this.rows, rowsTotal);
    let loss = 0;
    let correct = 0;
    let decided = 0;
    let at = 0;
    const B = batch.length;
    for (const c of batch) {
      let s1 = 0;
      for (let t = 0; t < c.left.length; t++) s1 += y[at + t];
      let s2 = 0;
      for (let t = 0; t < c.right.length; t++) s2 += y[at + c.left.length + t];
      const l = preferenceLoss(s1 - s2, c.mu, this.config.randomAnswerProb);
      loss += l.loss;
      if (c.mu !== 0.5) {
        decided += 1;
        if ((s1 > s2 && c.mu === 1) || (s1 < s2 && c.mu === 0)) correct += 1;
      }
      if (train) {
        const g = l.dd / B;
        for (let t = 0; t < c.left.length; t++) this.dOut[at + t] = g;
        for (let t = 0; t < c.right.length; t++) this.dOut[at + c.left.length + t] = -g;
      }
      at += c.left.length + c.right.length;
    }
    if (train) {
      member.backward(this.dOut);
      this.addL2Gradient(k);
    }
    return { loss: loss / Math.max(1, B), correct, decided };
  }

  /**
   * One augmented minibatch of member k (SURF, QPA), its gradient accumulated: each labelled
   * pair as `crops.count` random crops (weight 1/(B·count) each, so the labelled term is a mean
   * as in the paper's fit), and the unlabelled pairs this member predicts confidently on their
   * whole clips, each as one crop with its pseudo-label (weight 1/U: SURF's mean over the U drawn,
   * the unconfident counting 0). One forward pass serves every crop: r̂ is per step, so a crop's
   * sum is a window of the clip's outputs. Returns the labelled term's mean loss.
   */
  private augmentedLoss(k: number, batch: readonly Comparison[], unlabelled: readonly SegmentPair[], options: FitOptions, rng: Rng): { loss: number } {
    const pairs: readonly SegmentPair[] = [...batch, ...unlabelled];
    const { rowsTotal, starts } = this.writePairRows(pairs);
    const member = this.members[k];
    const y = member.forward(this.rows, rowsTotal);
    const dOut = this.dOut;
    dOut.fill(0, 0, rowsTotal);
    const sum = (from: number, crop: Crop) => {
      let s = 0;
      for (let t = crop.start; t < crop.start + crop.length; t++) s += y[from + t];
      return s;
    };
    const whole = (c: SegmentPair): [Crop, Crop] => [
      { start: 0, length: c.left.length },
      { start: 0, length: c.right.length },
    ];
    const term = (i: number, crops: [Crop, Crop], mu: number, weight: number): number => {
      const c = pairs[i];
      const left = starts[i];
      const right = starts[i] + c.left.length;
      const l = preferenceLoss(sum(left, crops[0]) - sum(right, crops[1]), mu, this.config.randomAnswerProb);
      const g = weight * l.dd;
      for (let t = crops[0].start; t < crops[0].start + crops[0].length; t++) dOut[left + t] += g;
      for (let t = crops[1].start; t < crops[1].start + crops[1].length; t++) dOut[right + t] -= g;
      return l.loss;
    };
    const count = options.crops?.count ?? 1;
    const range = options.crops?.range;
    let loss = 0;
    batch.forEach((c, i) => {
      for (let j = 0; j < count; j++) {
        const crops = range ? cropPair(c.left.length, c.right.length, range, rng) : whole(c);
        loss += term(i, crops, c.mu, 1 / (batch.length * count)) / (batch.length * count);
      }
    });
    const threshold = options.unlabelled?.threshold ?? 1;
    unlabelled.forEach((u, j) => {
      const i = batch.length + j;
      const mu = pseudoLabel(sum(starts[i], whole(u)[0]), sum(starts[i] + u.left.length, whole(u)[1]), threshold);
      if (mu === null) return;
      term(i, range ? cropPair(u.left.length, u.right.length, range, rng) : whole(u), mu, 1 / unlabelled.length);
    });
    member.backward(dOut);
    this.addL2Gradient(k);
    return { loss };
  }

  /** grads += 2 λ W for the weight matrices (biases are not regularised). */
  private addL2Gradient(k: number): void {
    const lambda = this.l2[k];
    if (lambda === 0) return;
    const m = this.members[k];
    const p = m.params;
    const g = m.grads;
    for (let l = 0; l < m.numLayers; l++) {
      const off = m.offsets[l];
      const nW = weightCount(m, l);
      for (let i = off; i < off + nW; i++) g[i] += 2 * lambda * p[i];
    }
  }

  /** λ‖W‖² of member k. */
  l2Penalty(k: number): number {
    const m = this.members[k];
    const p = m.params;
    let s = 0;
    for (let l = 0; l < m.numLayers; l++) {
      const off = m.offsets[l];
      const nW = weightCount(m, l);
      for (let i = off; i < off + nW; i++) s += p[i] * p[i];
    }
    return this.l2[k] * s;
  }

  /**
   * Trains every member for `epochs` passes over its bootstrap sample of the training
   * comparisons, then adapts each member's L2 from its training and held-out losses, and
   * reports both.
   */
  fit(comparisons: readonly Comparison[], epochs: number, rng: Rng, options: FitOptions = {}): FitStats {
    const train = comparisons.filter((c) => !c.validation);
    const held = comparisons.filter((c) => c.validation);
    if (train.some((c) => c.left.terminated || c.right.terminated)) this.terminationSeen = true;
    const { batchSize, l2Band, l2Step } = this.config;
    let minibatches = 0;
    const trainLoss: number[] = [];
    const validationLoss: number[] = [];
    for (let k = 0; k < this.ensembleSize; k++) {
      const sample: Comparison[] = [];
      for (const c of train) for (let j = 0; j < c.counts[k]; j++) sample.push(c);
      const optimizer = this.optimizers[k];
      const member = this.members[k];
      const augmented = options.crops !== undefined || options.unlabelled !== undefined;
      const unlabelled = augmented ? new UnlabelledCycle(options.unlabelled?.pairs ?? [], rng) : null;
      for (let epoch = 0; epoch < epochs && sample.length > 0; epoch++) {
        rng.shuffle(sample);
        for (let i = 0; i < sample.length; i += batchSize) {
          member.zeroGrad();
          const batch = sample.slice(i, i + batchSize);
          const { loss } = unlabelled
            ? this.augmentedLoss(k, batch, unlabelled.take(Math.ceil((options.unlabelled?.perLabel ?? 0) * batch.length)), options, rng)
            : this.memberLoss(k, batch, true);
          // A NaN here would silently poison every reward RL sees from now on: stop loudly.
          if (!Number.isFinite(loss)) throw new Error(`reward model member ${k}: the preference loss is ${loss} (non-finite segment data, or a diverged fit)`);
          optimizer.step();
          minibatches += 1;
        }
      }
      trainLoss.push(sample.length > 0 ? this.meanLoss(k, sample) : Number.NaN);
      validationLoss.push(held.length > 0 ? this.meanLoss(k, held) : Number.NaN);
      // Keep held-out loss within [low, high] x training loss: more L2 when overfitting.
      const ratio = validationLoss[k] / trainLoss[k];
      if (Number.isFinite(ratio)) {
        if (ratio > l2Band[1]) this.l2[k] *= l2Step;
        else if (ratio < l2Band[0]) this.l2[k] /= l2Step;
      }
    }
    return {
      trainLoss,
      validationLoss,
      l2: [...this.l2],
      validationAccuracy: this.accuracy(held),
      trainAccuracy: this.accuracy(train),
      minibatches,
    };
  }

  private meanLoss(k: number, comparisons: readonly Comparison[]): number {
    let sum = 0;
    const B = this.config.batchSize;
    for (let i = 0; i < comparisons.length; i += B) {
      const chunk = comparisons.slice(i, i + B);
      sum += this.memberLoss(k, chunk, false).loss * chunk.length;
    }
    return sum / comparisons.length;
  }

  /** Probability each member gives to "left is preferred" (raw sums, with the noise model). */
  memberPreferences(left: Float64Array, right: Float64Array): Float64Array {
    return Float64Array.from(left, (l, k) => preferenceLoss(l - right[k], 1, this.config.randomAnswerProb).p);
  }

  /** Fraction of non-equal comparisons where the ensemble's mean preference picks the labelled segment. */
  accuracy(comparisons: readonly Comparison[]): number {
    let correct = 0;
    let decided = 0;
    for (const c of comparisons) {
      if (c.mu === 0.5) continue;
      const p = mean(this.memberPreferences(this.memberReturns(c.left), this.memberReturns(c.right)));
      decided += 1;
      if ((p > 0.5 && c.mu === 1) || (p < 0.5 && c.mu === 0)) correct += 1;
    }
    return decided === 0 ? Number.NaN : correct / decided;
  }

  // -------------------------------------------------------------------------------------
  // Persistence
  // -------------------------------------------------------------------------------------

  save({ optimizer = true }: { optimizer?: boolean } = {}): RewardModelJson {
    return {
      format: 'overseer.reward-model',
      version: 1,
      obsSize: this.obsSize,
      ...(isConv(this.network) ? { obsShape: [...this.obsShape] } : {}),
      actionSize: this.actionSize,
      config: this.config,
      members: this.members.map((m) => (m instanceof ConvNet ? saveConvNet(m) : saveMlp(m))),
      l2: [...this.l2],
      inputMean: encodeFloats(this.inputMean),
      inputStd: encodeFloats(this.inputStd),
      outMean: [...this.outMean],
      outStd: [...this.outStd],
      terminationSeen: this.terminationSeen,
      inputStatsFitted: this.inputStatsFitted,
      optimizers: optimizer ? this.optimizers.map((o) => o.state()) : null,
    };
  }

  static load(json: RewardModelJson): RewardModel {
    if (json?.format !== 'overseer.reward-model' || json.version !== 1) throw new Error('not an overseer reward model (format overseer.reward-model, version 1)');
    const network = json.config?.network ?? 'mlp';
    if (isConv(network) && !Array.isArray(json.obsShape)) throw new Error(`reward model: network '${network}' saved without its observation shape (obsShape)`);
    const model = new RewardModel(isConv(network) ? (json.obsShape as number[]) : json.obsSize, json.actionSize, json.config);
    if (json.members.length !== model.ensembleSize) throw new Error(`reward model: ${json.members.length} members saved, config says ${model.ensembleSize}`);
    json.members.forEach((m, k) => {
      const name = `reward model member ${k}`;
      const member = model.members[k];
      const format = (m as { format?: unknown } | null)?.format;
      const want = member instanceof ConvNet ? 'overseer.convnet' : 'overseer.mlp';
      if (format !== want) {
        const saved = format === 'overseer.mlp' ? 'an MLP' : format === 'overseer.convnet' ? 'a ConvNet' : `not a network (format ${JSON.stringify(format)})`;
        throw new Error(`${name}: the saved config names network '${network}' but the member is saved as ${saved}`);
      }
      if (member instanceof ConvNet) loadConvNetInto(member, m, name);
      else loadMlpInto(member, m, name);
    });
    json.l2.forEach((v, k) => (model.l2[k] = v));
    model.inputMean.set(decodeFloats(json.inputMean, 'float32'));
    model.inputStd.set(decodeFloats(json.inputStd, 'float32'));
    json.outMean.forEach((v, k) => (model.outMean[k] = v));
    json.outStd.forEach((v, k) => (model.outStd[k] = v));
    model.terminationSeen = json.terminationSeen === true;
    model.inputStatsFitted = json.inputStatsFitted === true;
    // Adam's moments, so a resumed run's next fit continues exactly (absent in older saves: fresh moments).
    json.optimizers?.forEach((o, k) => model.optimizers[k].loadState(o));
    return model;
  }
}



/** Weights (not biases) of layer l of a member: L2 applies to these. */
function weightCount(m: RewardNet, l: number): number {
  return m instanceof ConvNet ? m.weightSizes[l] : m.sizes[l] * m.sizes[l + 1];
}

/** SURF's pass over the unlabelled pairs: a member takes them in a shuffled order, reshuffled at each wrap. */
class UnlabelledCycle {
  private readonly order: SegmentPair[];
  private next = 0;

  constructor(
    pairs: readonly SegmentPair[],
    private readonly rng: Rng,
  ) {
    this.order = rng.shuffle([...pairs]);
  }

  take(count: number): SegmentPair[] {
    const out: SegmentPair[] = [];
    if (this.order.length === 0) return out;
    while (out.length < count) {
      if (this.next === this.order.length) {
        this.rng.shuffle(this.order);
        this.next = 0;
      }
      out.push(this.order[this.next++]);
    }
    return out;
  }
}
