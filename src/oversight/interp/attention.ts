/**
 * The data of the page "What is the reward model paying attention to?" (issue 22 item 8): for
 * each of the reward model's top units (SAE features and neurons, ranked by their effect on the
 * reward in layerStudy.ts), its explanation and held-out score, the clips that activate it most
 * with the unit and the explanation's simulation along them, and an attribution over the env's
 * named features along each clip.
 *
 * The attribution: named features are quantities computed from a state, not the network's inputs,
 * so a gradient cannot reach them. Instead each unit gets a ridge regression of its activation on
 * the standardised features (booleans as 0/1) over every recorded state; a feature's contribution
 * at a step is weight · (value − mean) / std, and the page shows the features with the largest
 * |weight|. r² says how much of the unit the linear fit (all features) accounts for, so a reader
 * knows when the attribution is a poor description.
 */
import type { AttentionClipJson, AttentionReportJson, AttentionUnitJson } from '../../server/api.js';
import type { RewardModel } from '../../prefs/rewardModel.js';
import { encodeFloats } from '../../utils/floats.js';
import type { ActivationSet } from './activations.js';
import type { Clip } from './clips.js';
import type { LayerStudyResult, StudiedUnitValues } from './layerStudy.js';
import type { FeatureSpec, StateFeatures } from './records.js';
import { simulateState } from './simulate.js';

export interface AttentionInput {
  runId: string;
  envId: string;
  madeBy: string;
  checkpoint: string;
  labels: number;
  study: LayerStudyResult;
  /** The top units, with their activations over every row of `set`. */
  units: readonly StudiedUnitValues[];
  set: ActivationSet;
  /** The clips of `set`, by id (for their render states and the member's reward). */
  clips: readonly Clip[];
  features: readonly FeatureSpec[];
  rm: RewardModel;
}

export interface AttentionOptions {
  /** Clips shown per unit, most-activating first. */
  clipsPerUnit: number;
  /** Named features shown in a unit's attribution. */
  attributionFeatures: number;
  /** Ridge penalty per state on the standardised features. */
  ridge: number;
}

export const attentionDefaults: AttentionOptions = { clipsPerUnit: 3, attributionFeatures: 4, ridge: 1e-3 };

export function attentionReport(input: AttentionInput, opts: Partial<AttentionOptions> = {}): AttentionReportJson {
  const o = { ...attentionDefaults, ...opts };
  const { study, set } = input;
  const byId = new Map(input.clips.map((c) => [c.id, c]));
  const standardised = standardiseFeatures(set.states, input.features);
  const shown = new Set<string>();

  const units: AttentionUnitJson[] = input.units.map((u) => {
    const about = u.unit;
    const fit = ridgeFit(standardised, u.values, o.ridge);
    const kept = [...fit.weights.keys()].sort((a, b) => Math.abs(fit.weights[b]) - Math.abs(fit.weights[a])).slice(0, o.attributionFeatures);
    const peaks = set.clips.map((c) => {
      let peak = -Infinity;
      for (let t = 0; t < c.length; t++) peak = Math.max(peak, u.values[c.start + t]);
      return { c, peak };
    });
    const top = peaks.sort((a, b) => b.peak - a.peak).slice(0, o.clipsPerUnit);
    let max = 0;
    for (const v of u.values) max = Math.max(max, v);
    return {
      kind: u.kind,
      index: about.unit,
      explanation: about.sentence,
      score: about.score,
      frequency: about.frequency,
      meanEffect: about.meanEffect,
      maxActivation: max,
      attribution: { r2: fit.r2, intercept: fit.intercept, features: kept.map((j) => ({ name: standardised.names[j], weight: fit.weights[j], mean: standardised.mean[j], std: standardised.std[j] })) },
      topClips: top.map(({ c }) => {
        shown.add(c.id);
        const rows = Array.from({ length: c.length }, (_, t) => c.start + t);
        return {
          clipId: c.id,
          activations: rows.map((r) => u.values[r]),
          simulated: rows.map((r) => simulateState(about.explanation, set.states[r])),
          attribution: kept.map((j) => rows.map((r) => fit.weights[j] * standardised.z[r * standardised.names.length + j])),
        };
      }),
    };
  });

  const member = study.member;
  const clips: AttentionClipJson[] = [...shown].map((id) => {
    const c = byId.get(id);
    if (!c) throw new Error(`clip ${id} is in the activation set but not among the clips given`);
    const raw = input.rm.memberRewards(c.obs, c.actions, c.length);
    // As RL was given it (RewardModel.reward): centred only when the run centres rewards.
    const shift = input.rm.centred ? input.rm.outMean[member] : 0;
    const scale = input.rm.outStd[member];
    return {
      id: c.id,
      source: c.source,
      length: c.length,
      renderSize: c.renderSize,
      render: c.render ? encodeFloats(Float32Array.from(c.render.subarray(0, c.length * c.renderSize))) : null,
      reward: Array.from({ length: c.length }, (_, t) => (raw[member * c.length + t] - shift) / scale),
      terminated: c.terminated ?? false,
    };
  });

  const s = study.scores;
  const summary = (units: string, x: LayerStudyResult['scores']['neurons']) => ({ units, count: x.count, mean: x.mean, median: x.median, above08: x.above08 });
  return {
    format: 'overseer.attention/1',
    runId: input.runId,
    envId: input.envId,
    madeBy: input.madeBy,
    createdAt: new Date().toISOString(),
    checkpoint: input.checkpoint,
    labels: input.labels,
    network: study.network,
    layer: study.layer,
    width: study.width,
    sae: { dictSize: study.sae.dictSize, fvu: study.sae.withResampling.heldOut.fvu, l0: study.sae.withResampling.heldOut.l0, alive: study.sae.withResampling.alive, aliveWithoutResampling: study.sae.withoutResampling.alive },
    accuracy: { pairs: study.accuracy.pairs, intact: study.accuracy.intact, saeReconstruction: study.accuracy.saeReconstruction, meanAblation: study.accuracy.meanAblation },
    scores: [summary(`${study.network} layer ${study.layer} neurons`, s.neurons), summary('SAE features (sample of alive ones)', s.saeFeatures), summary('random directions', s.randomDirections)],
    features: input.features.map((f) => ({ name: f.name, kind: f.kind, description: f.description })),
    units,
    clips,
  };
}

/** The features as a rows × k matrix of z-scores; features constant over the states are left out (they explain nothing). */
export function standardiseFeatures(states: readonly StateFeatures[], features: readonly FeatureSpec[]): { names: string[]; mean: number[]; std: number[]; z: Float64Array } {
  const n = states.length;
  const cols: { name: string; mean: number; std: number }[] = [];
  for (const f of features) {
    let s = 0;
    let sq = 0;
    for (const st of states) {
      const v = Number(st[f.name]);
      s += v;
      sq += v * v;
    }
    const mean = s / n;
    const std = Math.sqrt(Math.max(0, sq / n - mean * mean));
    if (Number.isFinite(std) && std > 1e-9) cols.push({ name: f.name, mean, std });
  }
  const k = cols.length;
  const z = new Float64Array(n * k);
  states.forEach((st, r) => cols.forEach((c, j) => (z[r * k + j] = (Number(st[c.name]) - c.mean) / c.std)));
  return { names: cols.map((c) => c.name), mean: cols.map((c) => c.mean), std: cols.map((c) => c.std), z };
}

/** Ridge regression of y on z-scored columns: (ZᵀZ + λ n I) w = Zᵀ(y − ȳ); r² of the fit on the same rows. */
export function ridgeFit(x: { names: readonly string[]; z: Float64Array }, y: ArrayLike<number>, lambda: number): { weights: number[]; intercept: number; r2: number } {
  const k = x.names.length;
  const n = y.length;
  if (x.z.length !== n * k) throw new RangeError(`ridgeFit: ${n} targets for ${x.z.length / Math.max(k, 1)} rows`);
  let ybar = 0;
  for (let r = 0; r < n; r++) ybar += y[r] / n;
  const a = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    const yr = y[r] - ybar;
    for (let i = 0; i < k; i++) {
      const zi = x.z[r * k + i];
      b[i] += zi * yr;
      for (let j = 0; j <= i; j++) a[i * k + j] += zi * x.z[r * k + j];
    }
  }
  for (let i = 0; i < k; i++) {
    a[i * k + i] += lambda * n;
    for (let j = 0; j < i; j++) a[j * k + i] = a[i * k + j];
  }
  const w = choleskySolve(a, b, k);
  let sse = 0;
  let sst = 0;
  for (let r = 0; r < n; r++) {
    let p = ybar;
    for (let i = 0; i < k; i++) p += w[i] * x.z[r * k + i];
    sse += (y[r] - p) ** 2;
    sst += (y[r] - ybar) ** 2;
  }
  return { weights: Array.from(w), intercept: ybar, r2: sst > 0 ? 1 - sse / sst : 0 };
}

/** Solves A x = b for a symmetric positive definite A (k × k, row-major). */
function choleskySolve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j];
      for (let m = 0; m < j; m++) s -= l[i * k + m] * l[j * k + m];
      if (i === j) {
        if (!(s > 0)) throw new Error('ridgeFit: the system is not positive definite (a ridge penalty > 0 makes it so)');
        l[i * k + i] = Math.sqrt(s);
      } else l[i * k + j] = s / l[j * k + j];
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let m = 0; m < i; m++) s -= l[i * k + m] * y[m];
    y[i] = s / l[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i];
    for (let m = i + 1; m < k; m++) s -= l[m * k + i] * x[m];
    x[i] = s / l[i * k + i];
  }
  return x;
}
