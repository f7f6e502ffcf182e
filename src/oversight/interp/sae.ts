/**
 * A sparse autoencoder following Bricken et al. 2023, *Towards Monosemanticity*
 * (transformer-circuits.pub/2023/monosemantic-features; summarised in ../shared/OVERSIGHT.md §5):
 *
 *   x̄ = x − b_d;  f = ReLU(W_e x̄ + b_e);  x̂ = W_d f + b_d;  loss = ‖x − x̂‖² + λ‖f‖₁  (mean over the batch)
 *
 * Untied W_e and W_d; every decoder column is kept at unit norm (the gradient's component along the
 * column is removed before the Adam step and the column renormalised after it), so the L1 term
 * cannot be dodged by shrinking f and growing W_d. Dead features (no activation for `deadWindow`
 * steps) are resampled at `resampleAt` steps: inputs are drawn with probability ∝ the square of
 * their reconstruction loss, the decoder column becomes the normalised input, the encoder row the
 * same direction scaled to 0.2 × the mean encoder-row norm of live features, the encoder bias 0, and
 * Adam's moments for those parameters are reset.
 *
 * The paper's numbers, which are the defaults here: dead after 12,500 steps without activation,
 * resampling at 25k/50k/75k/100k steps, 819,200 inputs scored for resampling, encoder scale 0.2,
 * b_d initialised at the geometric median of the data. The learning rate and λ depend on the scale
 * of the activations and are not taken from the paper; the defaults are this lab's.
 *
 * Layout: W_e is [n, d] row-major (encoder row j contiguous) and W_d is stored transposed, [n, d]
 * with decoder column j contiguous, so both the forward and backward passes touch only the rows of
 * active features after the encoder's dense product.
 */
import { z } from 'zod';
import { Rng } from '../../utils/rng.js';

export const SaeOptionsSchema = z.strictObject({
  /** Number of dictionary features n (the paper sweeps 1× to 256× the layer width). */
  dictSize: z.number().int().positive(),
  /** λ, the L1 coefficient on the feature activations. */
  l1Coefficient: z.number().nonnegative().default(1e-3),
  /** Adam learning rate. */
  lr: z.number().positive().default(1e-3),
  /** Adam β1. */
  beta1: z.number().min(0).lt(1).default(0.9),
  /** Adam β2. */
  beta2: z.number().min(0).lt(1).default(0.999),
  /** Adam ε. */
  eps: z.number().positive().default(1e-8),
  /** Inputs per step. */
  batchSize: z.number().int().positive().default(256),
  /** Optimiser steps. */
  steps: z.number().int().positive().default(100_000),
  /** Resample dead features at `resampleAt` (off: the ablation "without resampling"). */
  resample: z.boolean().default(true),
  /** A feature is dead when it has not fired for this many steps (paper: 12,500). */
  deadWindow: z.number().int().positive().default(12_500),
  /** Steps after which dead features are resampled (paper: 25k, 50k, 75k, 100k). */
  resampleAt: z.array(z.number().int().positive()).default([25_000, 50_000, 75_000, 100_000]),
  /** Inputs whose loss is computed to draw resampling inputs (paper: 819,200; capped at the data). */
  resamplePool: z.number().int().positive().default(819_200),
  /** New encoder rows get this × the mean encoder-row norm of live features (paper: 0.2). */
  resampleEncoderScale: z.number().positive().default(0.2),
  /** b_d's starting point: the geometric median of the data (paper), its mean, or zero. */
  decoderBiasInit: z.enum(['geometric-median', 'mean', 'zero']).default('geometric-median'),
  /** Seed for initialisation, batches and resampling. */
  seed: z.number().int().nonnegative().default(0),
});
export type SaeOptions = z.infer<typeof SaeOptionsSchema>;
export type SaeOptionsInput = z.input<typeof SaeOptionsSchema>;

/** Parses options, throwing one readable error that lists every bad field. */
export function parseSaeOptions(input: unknown): SaeOptions {
  const parsed = SaeOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(options)'}: ${i.message}`);
    throw new RangeError(`invalid SAE options:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Data as one row-major matrix: `rows` inputs of width `dim`. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  dim: number;
}

export function assertMatrix(m: Matrix, what = 'data'): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.dim) || m.rows <= 0 || m.dim <= 0 || m.data.length !== m.rows * m.dim) {
    throw new RangeError(`${what}: expected ${m.rows} x ${m.dim} = ${m.rows * m.dim} values, got ${m.data.length}`);
  }
}

/** Per-batch loss terms, each a mean over the batch. */
export interface SaeLoss {
  total: number;
  /** Mean ‖x − x̂‖². */
  mse: number;
  /** Mean ‖f‖₁ (before multiplying by λ). */
  l1: number;
}

/** The model: parameters and gradients in one flat vector each, W_e | b_e | W_dᵀ | b_d. */
export class Sae {
  readonly dim: number;
  readonly n: number;
  readonly params: Float64Array;
  readonly grads: Float64Array;
  /** Views into `params`. */
  readonly We: Float64Array;
  readonly be: Float64Array;
  /** Decoder column j is WdT[j*d .. (j+1)*d). */
  readonly WdT: Float64Array;
  readonly bd: Float64Array;
  readonly gWe: Float64Array;
  readonly gbe: Float64Array;
  readonly gWdT: Float64Array;
  readonly gbd: Float64Array;
  // Forward caches for backward, sized for the last batch.
  private xbar = new Float64Array(0);
  private pre = new Float64Array(0);
  private f = new Float64Array(0);
  private xhat = new Float64Array(0);
  private cachedBatch = 0;

  constructor(dim: number, n: number) {
    if (!Number.isInteger(dim) || dim <= 0 || !Number.isInteger(n) || n <= 0) throw new RangeError(`Sae needs positive integer dim and n, got ${dim}, ${n}`);
    this.dim = dim;
    this.n = n;
    const nd = n * dim;
    this.params = new Float64Array(2 * nd + n + dim);
    this.grads = new Float64Array(this.params.length);
    const views = (a: Float64Array) => [a.subarray(0, nd), a.subarray(nd, nd + n), a.subarray(nd + n, 2 * nd + n), a.subarray(2 * nd + n)] as const;
    [this.We, this.be, this.WdT, this.bd] = views(this.params);
    [this.gWe, this.gbe, this.gWdT, this.gbd] = views(this.grads);
  }

  /** Offsets of each block in `params`, for optimiser-state resets. */
  get offsets(): { We: number; be: number; WdT: number; bd: number } {
    const nd = this.n * this.dim;
    return { We: 0, be: nd, WdT: nd + this.n, bd: 2 * nd + this.n };
  }

  /** Random unit decoder columns, encoder rows equal to them (a common choice; the paper does not fix it), b_e = 0. */
  init(rng: Rng, decoderBias?: Float64Array): this {
    const d = this.dim;
    for (let j = 0; j < this.n; j++) {
      const col = this.WdT.subarray(j * d, (j + 1) * d);
      for (let i = 0; i < d; i++) col[i] = rng.normal();
      normalise(col);
      this.We.set(col, j * d);
    }
    this.be.fill(0);
    if (decoderBias) this.bd.set(decoderBias);
    else this.bd.fill(0);
    return this;
  }

  /** Feature activations f for `batch` rows of x, into `out` (batch × n). */
  encode(x: Float64Array, batch: number, out = new Float64Array(batch * this.n)): Float64Array {
    this.forward(x, batch);
    out.set(this.features(batch));
    return out;
  }

  /** The last `forward`'s feature activations, batch × n (a view, overwritten by the next forward). */
  features(batch: number): Float64Array {
    return this.f.subarray(0, batch * this.n);
  }

  /** Runs the model on `batch` rows of x; returns the loss terms and caches what `backward` needs. */
  forward(x: Float64Array, batch: number, l1Coefficient = 0): SaeLoss {
    const { dim: d, n } = this;
    if (x.length < batch * d) throw new RangeError(`Sae.forward: ${batch} rows of ${d} need ${batch * d} values, got ${x.length}`);
    if (this.cachedBatch < batch) {
      this.xbar = new Float64Array(batch * d);
      this.pre = new Float64Array(batch * n);
      this.f = new Float64Array(batch * n);
      this.xhat = new Float64Array(batch * d);
      this.cachedBatch = batch;
    }
    const { We, be, WdT, bd, xbar, pre, f, xhat } = this;
    let mse = 0;
    let l1 = 0;
    for (let r = 0; r < batch; r++) {
      const xo = r * d;
      const fo = r * n;
      for (let i = 0; i < d; i++) {
        xbar[xo + i] = x[xo + i] - bd[i];
        xhat[xo + i] = bd[i];
      }
      for (let j = 0; j < n; j++) {
        let s = be[j];
        const wo = j * d;
        for (let i = 0; i < d; i++) s += We[wo + i] * xbar[xo + i];
        pre[fo + j] = s;
        const a = s > 0 ? s : 0;
        f[fo + j] = a;
        if (a > 0) {
          l1 += a;
          for (let i = 0; i < d; i++) xhat[xo + i] += a * WdT[wo + i];
        }
      }
      for (let i = 0; i < d; i++) {
        const e = xhat[xo + i] - x[xo + i];
        mse += e * e;
      }
    }
    mse /= batch;
    l1 /= batch;
    return { total: mse + l1Coefficient * l1, mse, l1 };
  }

  /** Gradients of the last `forward`'s total loss into `grads` (overwritten, not accumulated). */
  backward(x: Float64Array, batch: number, l1Coefficient: number): void {
    const { dim: d, n, We, WdT, xbar, pre, f, xhat, gWe, gbe, gWdT, gbd } = this;
    if (batch > this.cachedBatch) throw new Error('Sae.backward: call forward on this batch first');
    this.grads.fill(0);
    const dxhat = new Float64Array(d);
    const dxbar = new Float64Array(d);
    const scale = 2 / batch;
    const l1Grad = l1Coefficient / batch;
    for (let r = 0; r < batch; r++) {
      const xo = r * d;
      const fo = r * n;
      for (let i = 0; i < d; i++) {
        dxhat[i] = scale * (xhat[xo + i] - x[xo + i]);
        gbd[i] += dxhat[i];
        dxbar[i] = 0;
      }
      for (let j = 0; j < n; j++) {
        // ReLU: only active features pass gradient to pre-activations (and only they reach x̂).
        if (pre[fo + j] <= 0) continue;
        const a = f[fo + j];
        const wo = j * d;
        let df = l1Grad;
        for (let i = 0; i < d; i++) {
          df += WdT[wo + i] * dxhat[i];
          gWdT[wo + i] += a * dxhat[i];
        }
        gbe[j] += df;
        for (let i = 0; i < d; i++) {
          gWe[wo + i] += df * xbar[xo + i];
          dxbar[i] += df * We[wo + i];
        }
      }
      // x̄ = x − b_d, so b_d also receives −∂L/∂x̄.
      for (let i = 0; i < d; i++) gbd[i] -= dxbar[i];
    }
  }

  /** Removes from each decoder column's gradient its component along the column (keeps ‖column‖ = 1 to first order). */
  projectDecoderGrads(): void {
    const { dim: d, n, WdT, gWdT } = this;
    for (let j = 0; j < n; j++) {
      const o = j * d;
      let dot = 0;
      for (let i = 0; i < d; i++) dot += WdT[o + i] * gWdT[o + i];
      for (let i = 0; i < d; i++) gWdT[o + i] -= dot * WdT[o + i];
    }
  }

  /** Rescales every decoder column to unit norm. */
  normaliseDecoder(): void {
    const d = this.dim;
    for (let j = 0; j < this.n; j++) normalise(this.WdT.subarray(j * d, (j + 1) * d));
  }

  /** Decoder column j (a view). */
  decoderColumn(j: number): Float64Array {
    return this.WdT.subarray(j * this.dim, (j + 1) * this.dim);
  }
}

/** Adam over one flat vector, with `reset` for the slices that resampling replaces. */
export class FlatAdam {
  private t = 0;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  /** Step count per parameter, so a reset parameter restarts Adam's bias correction too. */
  private readonly t0: Float64Array;

  constructor(
    private readonly params: Float64Array,
    private readonly grads: Float64Array,
    private readonly opts: { lr: number; beta1: number; beta2: number; eps: number },
  ) {
    this.m = new Float64Array(params.length);
    this.v = new Float64Array(params.length);
    this.t0 = new Float64Array(params.length);
  }

  step(): void {
    this.t += 1;
    const { lr, beta1, beta2, eps } = this.opts;
    const { params: p, grads: g, m, v, t0 } = this;
    // Resets are rare, so neighbours share a step count; recompute the corrections only when it changes.
    let lastK = -1;
    let bc1 = 1;
    let bc2 = 1;
    for (let i = 0; i < p.length; i++) {
      const k = this.t - t0[i];
      if (k !== lastK) {
        bc1 = 1 - beta1 ** k;
        bc2 = 1 - beta2 ** k;
        lastK = k;
      }
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      p[i] -= (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
    }
  }

  /** Zeroes the moments of params[start, start + length). */
  reset(start: number, length: number): void {
    this.m.fill(0, start, start + length);
    this.v.fill(0, start, start + length);
    this.t0.fill(this.t, start, start + length);
  }

  /** First and second moments of one parameter (for tests). */
  moments(i: number): { m: number; v: number } {
    return { m: this.m[i], v: this.v[i] };
  }
}

/** Fraction of variance unexplained, L0 and dead features of a model on some data. */
export interface SaeMetrics {
  /** Σ‖x − x̂‖² / Σ‖x − mean x‖². */
  fvu: number;
  /** Mean number of active features per input. */
  l0: number;
  /** Features that fire on none of the inputs. */
  dead: number;
  mse: number;
  l1: number;
}

export function evaluateSae(sae: Sae, x: Matrix, chunk = 1024): SaeMetrics {
  assertMatrix(x);
  if (x.dim !== sae.dim) throw new RangeError(`evaluateSae: data width ${x.dim} is not the SAE's ${sae.dim}`);
  const { dim: d, n } = sae;
  const mean = columnMean(x);
  let sse = 0;
  let sst = 0;
  let active = 0;
  let l1 = 0;
  const fired = new Uint8Array(n);
  for (let r0 = 0; r0 < x.rows; r0 += chunk) {
    const rows = Math.min(chunk, x.rows - r0);
    const xs = x.data.subarray(r0 * d, (r0 + rows) * d);
    const loss = sae.forward(xs, rows);
    sse += loss.mse * rows;
    l1 += loss.l1 * rows;
    const f = sae.features(rows);
    for (let k = 0; k < rows * n; k++) {
      if (f[k] > 0) {
        active++;
        fired[k % n] = 1;
      }
    }
    for (let k = 0; k < rows * d; k++) {
      const e = xs[k] - mean[k % d];
      sst += e * e;
    }
  }
  let dead = 0;
  for (let j = 0; j < n; j++) if (!fired[j]) dead++;
  return { fvu: sse / sst, l0: active / x.rows, dead, mse: sse / x.rows, l1: l1 / x.rows };
}

/** One resampling event. */
export interface ResampleEvent {
  step: number;
  /** Features that were dead and got new parameters. */
  resampled: number[];
}

export interface SaeHistoryPoint {
  step: number;
  loss: SaeLoss;
  /** Features that have not fired within the last `deadWindow` steps (or since the start). */
  dead: number;
}

export interface TrainSaeResult {
  sae: Sae;
  options: SaeOptions;
  history: SaeHistoryPoint[];
  resamples: ResampleEvent[];
}

export interface TrainSaeHooks {
  /** Called after initialisation, before the first step (tests use it to plant a bad init). */
  afterInit?: (sae: Sae) => void;
  /** Record a history point every this many steps (default: steps / 50). */
  logEvery?: number;
}

/** Trains an SAE on `x` (rows of activations) with Adam, unit-norm decoder columns and resampling. */
export function trainSae(x: Matrix, input: SaeOptionsInput, hooks: TrainSaeHooks = {}): TrainSaeResult {
  const options = parseSaeOptions(input);
  assertMatrix(x);
  const { dictSize, l1Coefficient, batchSize, steps, deadWindow } = options;
  const d = x.dim;
  // Separate streams for the initial dictionary and for batches/resampling, both derived from the
  // seed rather than its raw stream, so that data drawn with `new Rng(seed)` never equals the init.
  const root = new Rng(options.seed);
  const initRng = root.spawn();
  const rng = root.spawn();

  const bias = options.decoderBiasInit === 'zero' ? undefined : options.decoderBiasInit === 'mean' ? columnMean(x) : geometricMedian(x);
  const sae = new Sae(d, dictSize).init(initRng, bias);
  hooks.afterInit?.(sae);
  const adam = new FlatAdam(sae.params, sae.grads, options);
  const offsets = sae.offsets;

  const lastFired = new Float64Array(dictSize); // step at which each feature last fired (0: never, counted from the start)
  const resampleSteps = new Set(options.resampleAt);
  const history: SaeHistoryPoint[] = [];
  const resamples: ResampleEvent[] = [];
  const logEvery = hooks.logEvery ?? Math.max(1, Math.floor(steps / 50));
  const batch = new Float64Array(batchSize * d);
  const order = new Uint32Array(x.rows).map((_, i) => i);
  let cursor = x.rows;

  for (let step = 1; step <= steps; step++) {
    // Shuffled epochs: every input once per pass.
    for (let r = 0; r < batchSize; r++) {
      if (cursor >= x.rows) {
        rng.shuffle(order);
        cursor = 0;
      }
      batch.set(x.data.subarray(order[cursor] * d, (order[cursor] + 1) * d), r * d);
      cursor++;
    }
    const loss = sae.forward(batch, batchSize, l1Coefficient);
    const f = sae.features(batchSize);
    for (let r = 0; r < batchSize; r++) for (let j = 0; j < dictSize; j++) if (f[r * dictSize + j] > 0) lastFired[j] = step;
    sae.backward(batch, batchSize, l1Coefficient);
    sae.projectDecoderGrads();
    adam.step();
    sae.normaliseDecoder();

    if (options.resample && resampleSteps.has(step)) {
      const dead: number[] = [];
      for (let j = 0; j < dictSize; j++) if (step - lastFired[j] >= deadWindow) dead.push(j);
      if (dead.length > 0) {
        resampleDead(sae, x, dead, options, rng);
        for (const j of dead) {
          adam.reset(offsets.We + j * d, d);
          adam.reset(offsets.be + j, 1);
          adam.reset(offsets.WdT + j * d, d);
          lastFired[j] = step;
        }
      }
      resamples.push({ step, resampled: dead });
    }
    if (step % logEvery === 0 || step === steps) {
      let deadNow = 0;
      for (let j = 0; j < dictSize; j++) if (step - lastFired[j] >= Math.min(deadWindow, step)) deadNow++;
      history.push({ step, loss, dead: deadNow });
    }
  }
  return { sae, options, history, resamples };
}

/**
 * Bricken et al.'s resampling of the `dead` features: inputs drawn ∝ (‖x − x̂‖²)², decoder column =
 * the normalised input, encoder row = that direction × scale × mean live encoder norm, b_e = 0.
 * (Adam state is reset by the caller, which owns the optimiser.)
 */
export function resampleDead(sae: Sae, x: Matrix, dead: readonly number[], opts: Pick<SaeOptions, 'resamplePool' | 'resampleEncoderScale'>, rng: Rng): void {
  const { dim: d, n } = sae;
  const poolSize = Math.min(opts.resamplePool, x.rows);
  const pool = new Uint32Array(poolSize);
  if (poolSize === x.rows) pool.forEach((_, i) => (pool[i] = i));
  else for (let i = 0; i < poolSize; i++) pool[i] = rng.integer(x.rows);
  const weights = new Float64Array(poolSize);
  const rows = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < poolSize; i++) {
    rows.set(x.data.subarray(pool[i] * d, (pool[i] + 1) * d));
    const { mse } = sae.forward(rows, 1);
    weights[i] = mse * mse;
    total += weights[i];
  }
  const isDead = new Uint8Array(n);
  for (const j of dead) isDead[j] = 1;
  let liveNorm = 0;
  let live = 0;
  for (let j = 0; j < n; j++) {
    if (isDead[j]) continue;
    liveNorm += norm(sae.We.subarray(j * d, (j + 1) * d));
    live++;
  }
  // With no live feature there is no norm to match; fall back to unit encoder rows.
  const encoderNorm = opts.resampleEncoderScale * (live > 0 ? liveNorm / live : 1);
  for (const j of dead) {
    const pick = total > 0 ? sampleIndex(weights, total, rng) : rng.integer(poolSize);
    const col = sae.WdT.subarray(j * d, (j + 1) * d);
    col.set(x.data.subarray(pool[pick] * d, (pool[pick] + 1) * d));
    if (normalise(col) === 0) {
      for (let i = 0; i < d; i++) col[i] = rng.normal();
      normalise(col);
    }
    for (let i = 0; i < d; i++) sae.We[j * d + i] = encoderNorm * col[i];
    sae.be[j] = 0;
  }
}

function sampleIndex(weights: Float64Array, total: number, rng: Rng): number {
  let u = rng.random() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** Weiszfeld's iterations for the point minimising the summed Euclidean distance to the rows. */
export function geometricMedian(x: Matrix, iterations = 50, tol = 1e-9): Float64Array {
  const { dim: d, rows } = x;
  let med = columnMean(x);
  const next = new Float64Array(d);
  for (let it = 0; it < iterations; it++) {
    next.fill(0);
    let wsum = 0;
    for (let r = 0; r < rows; r++) {
      let dist = 0;
      for (let i = 0; i < d; i++) {
        const e = x.data[r * d + i] - med[i];
        dist += e * e;
      }
      const w = 1 / Math.max(Math.sqrt(dist), 1e-12);
      wsum += w;
      for (let i = 0; i < d; i++) next[i] += w * x.data[r * d + i];
    }
    let moved = 0;
    for (let i = 0; i < d; i++) {
      next[i] /= wsum;
      moved += (next[i] - med[i]) ** 2;
    }
    med = Float64Array.from(next);
    if (Math.sqrt(moved) < tol) break;
  }
  return med;
}

export function columnMean(x: Matrix): Float64Array {
  const mean = new Float64Array(x.dim);
  for (let k = 0; k < x.data.length; k++) mean[k % x.dim] += x.data[k];
  for (let i = 0; i < x.dim; i++) mean[i] /= x.rows;
  return mean;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** Scales v to unit norm in place; returns its old norm (0 leaves v as it was). */
function normalise(v: Float64Array): number {
  const s = norm(v);
  if (s > 0) for (let i = 0; i < v.length; i++) v[i] /= s;
  return s;
}
