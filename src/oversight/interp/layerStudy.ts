/**
 * Issue 22 item 4 on a real layer: a sparse autoencoder (Bricken et al. 2023; sae.ts) trained on
 * one hidden layer of one reward-model member, and explain → simulate → score (Bills et al. 2023;
 * pipeline.ts) over the layer's neurons, the SAE's features and random directions, each explained
 * by the symbolic explainer over the env's feature library and scored on held-out records.
 *
 * Held-out data: the run's labels are split as the run split them (`toComparison`: 1/e of the
 * queries, fixed per query id, were never trained on). The segments of those held-out pairs that
 * no training pair uses are the SAE's held-out states (FVU and L0 are measured there) and the
 * pairs themselves measure preference accuracy with the layer intact, replaced by the SAE's
 * reconstruction, or replaced by its mean over the training states (the floor a reconstruction
 * must beat). Dead features are counted over the training states.
 *
 * The SAE sees the layer scaled by one constant so that the mean squared norm of a row is the
 * layer's width (λ then means the same on every layer); reconstructions are scaled back before
 * they are spliced in.
 *
 * "Top features": SAE features ranked by how much the member's reward moves when the feature is
 * taken out of the reconstruction (mean |r(x̂) − r(x̂ − f_j d_j)| over the states), the same for
 * neurons set to 0 — the reward model's own ranking of what it pays attention to, in words by
 * each unit's best explanation.
 */
import { z } from 'zod';
import type { Comparison, RewardModel } from '../../prefs/rewardModel.js';
import type { Segment } from '../../prefs/segments.js';
import { Rng } from '../../utils/rng.js';
import type { Mlp } from '../../nn/mlp.js';
import { clipRecords, column, continueFrom, hiddenLayers, rewardModelInputs, type ActivationSet, type ClipRows } from './activations.js';
import { clipOfSegment } from './clips.js';
import type { Explanation } from './explain.js';
import { explainAndScore } from './pipeline.js';
import type { FeatureSpec } from './records.js';
import { evaluateSae, trainSae, type Matrix, type Sae, type SaeMetrics } from './sae.js';

export const LayerStudyOptionsSchema = z.strictObject({
  /** Reward-model member whose layer is studied. */
  member: z.number().int().nonnegative().default(0),
  /** Hidden layer (0 = first); default the last, which the reward is a linear read-out of. */
  layer: z.number().int().nonnegative().optional(),
  /** SAE features per neuron of the layer (Bricken et al. sweep 1x to 256x). */
  dictMultiple: z.number().int().positive().default(4),
  /** SAE optimiser steps; resampling at 1/4, 1/2 and 3/4 of them, dead after 1/8 without firing. */
  saeSteps: z.number().int().positive().default(2000),
  saeBatchSize: z.number().int().positive().default(256),
  saeLr: z.number().positive().default(1e-3),
  /** λ on the scaled layer (see the file comment). */
  l1Coefficient: z.number().nonnegative().default(1),
  /** Units explained per kind (neurons, SAE features, random directions), at most. */
  units: z.number().int().positive().default(64),
  /** Records per split for explain → score (Bills et al.'s demo: 5). */
  perSplit: z.number().int().positive().default(5),
  /** Units listed as the reward model's top features. */
  top: z.number().int().positive().default(5),
  /** States sampled to rank features by their effect on the reward. */
  effectRows: z.number().int().positive().default(4000),
  seed: z.number().int().nonnegative().default(0),
});
export type LayerStudyOptions = z.infer<typeof LayerStudyOptionsSchema>;
export type LayerStudyOptionsInput = z.input<typeof LayerStudyOptionsSchema>;

export interface LayerStudyInput {
  rm: RewardModel;
  /** Activations of (at least) the studied member's layers over the clips, with their features. */
  set: ActivationSet;
  features: readonly FeatureSpec[];
  /** Every labelled comparison of the run, marked held out or not as the run marked it. */
  comparisons: readonly Comparison[];
}

/** A distribution of held-out explanation scores. */
export interface ScoreSummary {
  count: number;
  mean: number;
  median: number;
  /** Share of units scoring ≥ 0.8 (Bills et al.: over 1,000 of 307,200 GPT-2 XL neurons). */
  shareAbove08: number;
  above08: number;
  shareAbove05: number;
  /** Counts per score bin of width 0.1 from -1 to 1 (bin i: [-1 + 0.1 i, -0.9 + 0.1 i)). */
  histogram: number[];
}

export interface ExplainedUnit {
  unit: number;
  /** Share of states where it is positive (what the 0–10 scale sees). */
  frequency: number;
  /** Held-out score (pooled Pearson, 0–10 activations) of the explainer's first choice. */
  score: number;
  sentence: string;
  /** The explanation itself (its conditions, what the simulator evaluates). */
  explanation: Explanation;
}

export interface TopUnit extends ExplainedUnit {
  /** Mean change of the member's raw reward when it is taken out (positive: it raises the reward), in the member's reward std. */
  meanEffect: number;
  meanAbsEffect: number;
}

export interface SaeRun {
  resample: boolean;
  /** Held-out states. */
  heldOut: SaeMetrics;
  /** Features firing on none of the training states. */
  deadOnTrain: number;
  alive: number;
  /** Features resampled at each resampling step. */
  resampled: number[];
  seconds: number;
}

export interface LayerStudyResult {
  network: string;
  member: number;
  layer: number;
  width: number;
  states: { train: number; heldOut: number; total: number };
  clips: { segments: number; rollouts: number };
  sae: { dictSize: number; steps: number; l1Coefficient: number; scale: number; withResampling: SaeRun; withoutResampling: SaeRun };
  /**
   * Preference accuracy of the member on held-out labelled pairs (equal answers left out; a tie
   * counts ½). The mean-ablated layer gives every state the same reward, so it ranks pairs by
   * segment length alone: segments cut short by termination.
   */
  accuracy: { pairs: number; intact: number; saeReconstruction: number; saeWithoutResampling: number; meanAblation: number };
  /** saeFeatures: the random sample of alive features; saeFeaturesDense: those of them positive on ≥ 1% of states. */
  scores: { neurons: ScoreSummary; saeFeatures: ScoreSummary; saeFeaturesDense: ScoreSummary; randomDirections: ScoreSummary };
  units: { neurons: ExplainedUnit[]; saeFeatures: ExplainedUnit[]; randomDirections: ExplainedUnit[] };
  topFeatures: TopUnit[];
  topNeurons: TopUnit[];
  seconds: { total: number; explain: number };
}

/** A top unit with its value at every row of the activation set (SAE features: on the SAE's scaled layer). */
export interface StudiedUnitValues {
  kind: 'sae-feature' | 'neuron';
  unit: TopUnit;
  values: Float64Array;
}

export function parseLayerStudyOptions(input: unknown): LayerStudyOptions {
  const parsed = LayerStudyOptionsSchema.safeParse(input);
  if (!parsed.success) throw new RangeError(`invalid layer-study options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function studyRewardModelLayer(input: LayerStudyInput, options: LayerStudyOptionsInput = {}): LayerStudyResult {
  return studyRewardModelLayerWithValues(input, options).result;
}

/** The study, and the top units' values at every state (what the attention page plots). */
export function studyRewardModelLayerWithValues(input: LayerStudyInput, options: LayerStudyOptionsInput = {}): { result: LayerStudyResult; topValues: StudiedUnitValues[] } {
  const t0 = performance.now();
  const o = parseLayerStudyOptions(options);
  const { rm, set, features, comparisons } = input;
  if (o.member >= rm.ensembleSize) throw new RangeError(`member ${o.member}: the reward model has ${rm.ensembleSize} members`);
  const mlp = rm.mlpMember(o.member, 'the layer study');
  const hiddenCount = mlp.numLayers - 1;
  const layer = o.layer ?? hiddenCount - 1;
  if (layer >= hiddenCount) throw new RangeError(`layer ${layer}: member ${o.member} has hidden layers 0..${hiddenCount - 1}`);
  const network = `reward-model/${o.member}`;
  const recorded = set.layers.find((l) => l.network === network && l.layer === layer);
  if (!recorded) throw new Error(`the activation set has no ${network} layer ${layer}`);
  const x = recorded.values;
  const width = x.dim;
  const rng = new Rng(o.seed);

  // Held-out states: segments of held-out pairs that no training pair uses.
  const trainIds = new Set(comparisons.filter((c) => !c.validation).flatMap((c) => [c.left.id, c.right.id]));
  const heldIds = new Set(comparisons.filter((c) => c.validation).flatMap((c) => [c.left.id, c.right.id]).filter((id) => !trainIds.has(id)));
  const heldClips = set.clips.filter((c) => heldIds.has(c.id));
  const trainClips = set.clips.filter((c) => !heldIds.has(c.id));
  if (heldClips.length === 0) throw new Error('no held-out segments: the run has no held-out labelled pairs of its own');
  const train = rowsOf(x, trainClips);
  const held = rowsOf(x, heldClips);
  const fitted = fitLayerSae(train, held, o);
  const { scale, dictSize, steps } = fitted;
  const scaled = (m: Matrix): Matrix => ({ data: m.data.map((v) => v * scale), rows: m.rows, dim: m.dim });
  const withR = fitted.withResampling;
  const withoutR = fitted.withoutResampling;
  const sae = withR.sae;

  // Preference accuracy on held-out pairs with the layer intact or replaced.
  const mean = new Float64Array(width);
  for (let r = 0; r < train.rows; r++) for (let i = 0; i < width; i++) mean[i] += train.data[r * width + i] / train.rows;
  const replaceWith = {
    intact: (h: Matrix) => h,
    saeReconstruction: (h: Matrix) => reconstruct(sae, h, scale),
    saeWithoutResampling: (h: Matrix) => reconstruct(withoutR.sae, h, scale),
    meanAblation: (h: Matrix) => ({ data: Float64Array.from({ length: h.data.length }, (_, k) => mean[k % width]), rows: h.rows, dim: width }),
  };
  const heldPairs = comparisons.filter((c) => c.validation && c.mu !== 0.5);
  const segmentReturn = (s: Segment, replace: (h: Matrix) => Matrix) => {
    const h = hiddenLayers(mlp, rewardModelInputs(rm, clipOfSegment(s)), s.length)[layer];
    const r = continueFrom(mlp, layer, replace(h));
    let sum = 0;
    for (let t = 0; t < r.rows; t++) sum += r.data[t];
    return sum;
  };
  const accuracyOf = (replace: (h: Matrix) => Matrix) => {
    let right = 0;
    for (const c of heldPairs) {
      const d = segmentReturn(c.left, replace) - segmentReturn(c.right, replace);
      // A tie is a coin flip: the mean-ablated layer ties every pair of equal lengths.
      if (d === 0) right += 0.5;
      else if ((d > 0 && c.mu === 1) || (d < 0 && c.mu === 0)) right++;
    }
    return heldPairs.length > 0 ? right / heldPairs.length : Number.NaN;
  };
  const accuracy = {
    pairs: heldPairs.length,
    intact: accuracyOf(replaceWith.intact),
    saeReconstruction: accuracyOf(replaceWith.saeReconstruction),
    saeWithoutResampling: accuracyOf(replaceWith.saeWithoutResampling),
    meanAblation: accuracyOf(replaceWith.meanAblation),
  };

  // Feature activations over every state, and the units to explain.
  const all = scaled(x);
  const fMatrix = encodeAll(sae, all);
  const f = fMatrix.data;
  const frequency = new Float64Array(dictSize);
  for (let k = 0; k < f.length; k++) if (f[k] > 0) frequency[k % dictSize] += 1 / all.rows;
  const effects = featureEffects(mlp, layer, x, sae, scale, rng.spawn(), o.effectRows, rm.outStd[o.member]);
  const neuronEffects = neuronAblationEffects(mlp, layer, x, rng.spawn(), o.effectRows, rm.outStd[o.member]);
  const alive = [...frequency.keys()].filter((j) => frequency[j] > 0);
  const topFeatureIds = [...alive].sort((a, b) => effects.abs[b] - effects.abs[a]).slice(0, o.top);
  const sampled = rng.shuffle([...alive]).slice(0, o.units);
  const featureIds = [...new Set([...topFeatureIds, ...sampled])];
  const neuronIds = Array.from({ length: Math.min(width, o.units) }, (_, i) => i);

  const e0 = performance.now();
  const explain = (value: (row: number) => number, unit: number): ExplainedUnit => {
    return explainUnitOf(set, value, unit, features, o.perSplit, o.seed + unit);
  };
  const neurons = neuronIds.map((j) => explain(column(x, j), j));
  const saeFeatures = featureIds.map((j) => explain(column(fMatrix, j), j));
  const randomDirections = explainRandomDirections(x, o.units, rng, explain);
  const explainSeconds = (performance.now() - e0) / 1000;

  const byUnit = new Map(saeFeatures.map((u) => [u.unit, u]));
  const topFeatures = topFeatureIds.map((j) => ({ ...byUnit.get(j)!, meanEffect: effects.signed[j], meanAbsEffect: effects.abs[j] }));
  const topNeurons = [...neuronIds]
    .sort((a, b) => neuronEffects.abs[b] - neuronEffects.abs[a])
    .slice(0, o.top)
    .map((j) => ({ ...neurons[j], meanEffect: neuronEffects.signed[j], meanAbsEffect: neuronEffects.abs[j] }));
  // The sample of SAE features is what the distribution describes; the top ones are listed apart.
  const sampledSet = new Set(sampled);
  const valuesOf = (m: Matrix, j: number) => Float64Array.from({ length: m.rows }, (_, r) => m.data[r * m.dim + j]);
  const topValues: StudiedUnitValues[] = [
    ...topFeatures.map((u) => ({ kind: 'sae-feature' as const, unit: u, values: valuesOf(fMatrix, u.unit) })),
    ...topNeurons.map((u) => ({ kind: 'neuron' as const, unit: u, values: valuesOf(x, u.unit) })),
  ];
  const result: LayerStudyResult = {
    network,
    member: o.member,
    layer,
    width,
    states: { train: train.rows, heldOut: held.rows, total: x.rows },
    clips: { segments: set.clips.filter((c) => c.source === 'segment').length, rollouts: set.clips.filter((c) => c.source === 'rollout').length },
    sae: { dictSize, steps, l1Coefficient: o.l1Coefficient, scale, withResampling: withR.run, withoutResampling: withoutR.run },
    accuracy,
    scores: {
      neurons: summarise(neurons.map((u) => u.score)),
      saeFeatures: summarise(saeFeatures.filter((u) => sampledSet.has(u.unit)).map((u) => u.score)),
      saeFeaturesDense: summarise(saeFeatures.filter((u) => sampledSet.has(u.unit) && u.frequency >= 0.01).map((u) => u.score)),
      randomDirections: summarise(randomDirections.map((u) => u.score)),
    },
    units: { neurons, saeFeatures, randomDirections },
    topFeatures,
    topNeurons,
    seconds: { total: (performance.now() - t0) / 1000, explain: explainSeconds },
  };
  return { result, topValues };
}

/** `count` random unit directions of a layer, each explained and scored as a unit: the baseline neurons and SAE features are set against. */
export function explainRandomDirections(x: Matrix, count: number, rng: Rng, explain: (value: (row: number) => number, unit: number) => ExplainedUnit): ExplainedUnit[] {
  const width = x.dim;
  const directions = Array.from({ length: count }, () => {
    const u = Float64Array.from({ length: width }, () => rng.normal());
    const n = Math.hypot(...u);
    return u.map((v) => v / n);
  });
  return directions.map((u, j) =>
    explain((row) => {
      let s = 0;
      for (let i = 0; i < width; i++) s += u[i] * x.data[row * width + i];
      return s;
    }, j),
  );
}

/** Explain → simulate → score for one quantity over every clip, with how often it is positive. */
export function explainUnitOf(set: ActivationSet, value: (row: number) => number, unit: number, features: readonly FeatureSpec[], perSplit: number, seed: number): ExplainedUnit {
  const records = clipRecords(set, value);
  let positive = 0;
  let states = 0;
  for (const r of records) {
    states += r.activations.length;
    for (const a of r.activations) if (a > 0) positive++;
  }
  const result = explainAndScore(records, features, { split: { perSplit, seed } });
  return { unit, frequency: positive / Math.max(1, states), score: result.best.score, sentence: result.best.explanation.sentence, explanation: result.best.explanation };
}

/**
 * The Bricken recipe on one layer, twice (with and without resampling dead features): the layer
 * scaled so a row's mean squared norm is its width, FVU and L0 on held-out rows, dead features
 * counted on the training rows.
 */
export function fitLayerSae(train: Matrix, held: Matrix, o: Pick<LayerStudyOptions, 'dictMultiple' | 'saeSteps' | 'saeBatchSize' | 'saeLr' | 'l1Coefficient' | 'seed'>) {
  const width = train.dim;
  let sq = 0;
  for (let i = 0; i < train.data.length; i++) sq += train.data[i] ** 2;
  const scale = Math.sqrt((width * train.rows) / Math.max(sq, 1e-12));
  const scaled = (m: Matrix): Matrix => ({ data: m.data.map((v) => v * scale), rows: m.rows, dim: m.dim });
  const trainScaled = scaled(train);
  const heldScaled = scaled(held);
  const dictSize = o.dictMultiple * width;
  const steps = o.saeSteps;
  const saeOptions = {
    dictSize,
    steps,
    batchSize: o.saeBatchSize,
    lr: o.saeLr,
    l1Coefficient: o.l1Coefficient,
    deadWindow: Math.max(1, Math.floor(steps / 8)),
    resampleAt: [1, 2, 3].map((k) => Math.max(1, Math.floor((k * steps) / 4))),
    seed: o.seed,
  };
  const fit = (resample: boolean): { sae: Sae; run: SaeRun } => {
    const s0 = performance.now();
    const r = trainSae(trainScaled, { ...saeOptions, resample });
    const onTrain = evaluateSae(r.sae, trainScaled);
    return {
      sae: r.sae,
      run: {
        resample,
        heldOut: evaluateSae(r.sae, heldScaled),
        deadOnTrain: onTrain.dead,
        alive: dictSize - onTrain.dead,
        resampled: r.resamples.map((e) => e.resampled.length),
        seconds: (performance.now() - s0) / 1000,
      },
    };
  };
  return { scale, dictSize, steps, withResampling: fit(true), withoutResampling: fit(false) };
}

/** The rows of `m` that belong to `clips`, in order. */
export function rowsOf(m: Matrix, clips: readonly ClipRows[]): Matrix {
  const rows = clips.reduce((n, c) => n + c.length, 0);
  const data = new Float64Array(rows * m.dim);
  let at = 0;
  for (const c of clips) {
    data.set(m.data.subarray(c.start * m.dim, (c.start + c.length) * m.dim), at * m.dim);
    at += c.length;
  }
  return { data, rows, dim: m.dim };
}

/** Feature activations of every row, a chunk at a time (the SAE's caches grow to the batch). */
export function encodeAll(sae: Sae, m: Matrix, chunk = 2048): Matrix {
  const out = new Float64Array(m.rows * sae.n);
  for (let r0 = 0; r0 < m.rows; r0 += chunk) {
    const rows = Math.min(chunk, m.rows - r0);
    out.set(sae.encode(m.data.subarray(r0 * m.dim, (r0 + rows) * m.dim), rows), r0 * sae.n);
  }
  return { data: out, rows: m.rows, dim: sae.n };
}

/** The SAE's reconstruction of unscaled rows, unscaled. */
export function reconstruct(sae: Sae, h: Matrix, scale: number): Matrix {
  const f = encodeAll(sae, { data: h.data.map((v) => v * scale), rows: h.rows, dim: h.dim }).data;
  const out = new Float64Array(h.rows * h.dim);
  for (let r = 0; r < h.rows; r++) {
    for (let i = 0; i < h.dim; i++) out[r * h.dim + i] = sae.bd[i];
    for (let j = 0; j < sae.n; j++) {
      const a = f[r * sae.n + j];
      if (a <= 0) continue;
      const col = sae.decoderColumn(j);
      for (let i = 0; i < h.dim; i++) out[r * h.dim + i] += a * col[i];
    }
  }
  for (let k = 0; k < out.length; k++) out[k] /= scale;
  return { data: out, rows: h.rows, dim: h.dim };
}

/** Sampled rows of a matrix (all of them when there are fewer than `count`). */
function sampleRows(m: Matrix, rng: Rng, count: number): Matrix {
  if (m.rows <= count) return m;
  const data = new Float64Array(count * m.dim);
  for (let k = 0; k < count; k++) {
    const r = rng.integer(m.rows);
    data.set(m.data.subarray(r * m.dim, (r + 1) * m.dim), k * m.dim);
  }
  return { data, rows: count, dim: m.dim };
}

/** Per SAE feature: mean (signed and absolute) of r(x̂) − r(x̂ − f_j d_j) over sampled states, in units of `std`. */
function featureEffects(mlp: Mlp, layer: number, x: Matrix, sae: Sae, scale: number, rng: Rng, count: number, std: number): { signed: Float64Array; abs: Float64Array } {
  const rows = sampleRows(x, rng, count);
  const xhat = reconstruct(sae, rows, scale);
  const base = continueFrom(mlp, layer, xhat).data;
  const f = encodeAll(sae, { data: rows.data.map((v) => v * scale), rows: rows.rows, dim: rows.dim }).data;
  const signed = new Float64Array(sae.n);
  const abs = new Float64Array(sae.n);
  const d = rows.dim;
  for (let j = 0; j < sae.n; j++) {
    const active: number[] = [];
    for (let r = 0; r < rows.rows; r++) if (f[r * sae.n + j] > 0) active.push(r);
    if (active.length === 0) continue;
    const col = sae.decoderColumn(j);
    const without = new Float64Array(active.length * d);
    active.forEach((r, k) => {
      for (let i = 0; i < d; i++) without[k * d + i] = xhat.data[r * d + i] - (f[r * sae.n + j] * col[i]) / scale;
    });
    const out = continueFrom(mlp, layer, { data: without, rows: active.length, dim: d }).data;
    active.forEach((r, k) => {
      const e = (base[r] - out[k]) / std;
      signed[j] += e / rows.rows;
      abs[j] += Math.abs(e) / rows.rows;
    });
  }
  return { signed, abs };
}

/** Per neuron: mean (signed and absolute) of r(h) − r(h with the neuron at 0) over sampled states, in units of `std`. */
function neuronAblationEffects(mlp: Mlp, layer: number, x: Matrix, rng: Rng, count: number, std: number): { signed: Float64Array; abs: Float64Array } {
  const rows = sampleRows(x, rng, count);
  const base = continueFrom(mlp, layer, rows).data;
  const signed = new Float64Array(x.dim);
  const abs = new Float64Array(x.dim);
  for (let j = 0; j < x.dim; j++) {
    const without = Float64Array.from(rows.data);
    for (let r = 0; r < rows.rows; r++) without[r * x.dim + j] = 0;
    const out = continueFrom(mlp, layer, { data: without, rows: rows.rows, dim: x.dim }).data;
    for (let r = 0; r < rows.rows; r++) {
      const e = (base[r] - out[r]) / std;
      signed[j] += e / rows.rows;
      abs[j] += Math.abs(e) / rows.rows;
    }
  }
  return { signed, abs };
}

export function summarise(scores: readonly number[]): ScoreSummary {
  const sorted = [...scores].sort((a, b) => a - b);
  const n = sorted.length;
  const histogram = new Array<number>(20).fill(0);
  for (const s of scores) histogram[Math.min(19, Math.max(0, Math.floor((s + 1) * 10)))]++;
  const above = (t: number) => scores.filter((s) => s >= t).length;
  return {
    count: n,
    mean: n ? scores.reduce((a, b) => a + b, 0) / n : Number.NaN,
    median: n ? (n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2) : Number.NaN,
    shareAbove08: n ? above(0.8) / n : Number.NaN,
    above08: above(0.8),
    shareAbove05: n ? above(0.5) / n : Number.NaN,
    histogram,
  };
}
