/**
 * Issue 22 item 4 on the policy: a sparse autoencoder (Bricken et al. 2023, the same recipe as on
 * the reward model, layerStudy.ts) on one hidden layer of the policy's actor, and explain →
 * simulate → score over its neurons, the SAE's features and random directions.
 *
 * Held-out states: every fifth clip (segments and rollouts alike; the last clip when there are
 * fewer than five) is held out of the SAE's training; FVU and L0 are measured there. What the reward model's preference accuracy is to the
 * reward model, the actor's output is to the policy: with the layer replaced by the SAE's
 * reconstruction (or by its mean over the training states, the floor), how far does the action
 * move on held-out states? For a continuous policy, the fraction of the action mean's variance the
 * change amounts to, Σ‖μ′ − μ‖² / Σ‖μ − μ̄‖²; for a discrete one, the mean total variation
 * distance between the action distributions, ½ Σ_a |π′(a) − π(a)| (0: unchanged, 1: disjoint).
 */
import type { ActorCritic } from '../../rl/agent.js';
import { Discrete } from '../../envs/spaces.js';
import { Rng } from '../../utils/rng.js';
import { column, continueFrom, type ActivationSet } from './activations.js';
import { encodeAll, explainRandomDirections, explainUnitOf, fitLayerSae, parseLayerStudyOptions, reconstruct, rowsOf, summarise, type ExplainedUnit, type LayerStudyOptionsInput, type SaeRun, type ScoreSummary } from './layerStudy.js';
import type { FeatureSpec } from './records.js';
import type { Matrix } from './sae.js';

export interface PolicyStudyInput {
  agent: ActorCritic;
  /** Activations of (at least) the policy's layers over the clips, with their features. */
  set: ActivationSet;
  features: readonly FeatureSpec[];
}

export interface PolicyLayerStudy {
  network: 'policy';
  layer: number;
  width: number;
  states: { train: number; heldOut: number };
  sae: { dictSize: number; steps: number; l1Coefficient: number; scale: number; withResampling: SaeRun; withoutResampling: SaeRun };
  /**
   * How far the action moves on held-out states with the layer replaced (0 = unchanged).
   * continuous: the change's share of the action mean's variance; discrete: the mean total
   * variation distance between the action distributions.
   */
  actions: { kind: 'continuous' | 'discrete'; metric: 'fvu' | 'tv'; saeReconstruction: number; saeWithoutResampling: number; meanAblation: number };
  scores: { neurons: ScoreSummary; saeFeatures: ScoreSummary; saeFeaturesDense: ScoreSummary; randomDirections: ScoreSummary };
  units: { neurons: ExplainedUnit[]; saeFeatures: ExplainedUnit[]; randomDirections: ExplainedUnit[] };
  seconds: number;
}

/** Every `HOLD_OUT`-th clip is held out of the SAE's training. */
const HOLD_OUT = 5;

export function studyPolicyLayer(input: PolicyStudyInput, options: Omit<LayerStudyOptionsInput, 'member'> = {}): PolicyLayerStudy {
  const t0 = performance.now();
  const o = parseLayerStudyOptions(options);
  const { agent, set, features } = input;
  const mlp = agent.mlpActor('the policy layer study');
  const hiddenCount = mlp.numLayers - 1;
  const layer = o.layer ?? hiddenCount - 1;
  if (layer >= hiddenCount) throw new RangeError(`layer ${layer}: the policy has hidden layers 0..${hiddenCount - 1}`);
  const recorded = set.layers.find((l) => l.network === 'policy' && l.layer === layer);
  if (!recorded) throw new Error(`the activation set has no policy layer ${layer}`);
  const x = recorded.values;
  const width = x.dim;
  if (set.clips.length < 2) throw new Error(`the policy study holds out clips from the SAE's training and needs at least 2 clips, got ${set.clips.length}`);
  const heldOut = (i: number) => (set.clips.length < HOLD_OUT ? i === set.clips.length - 1 : i % HOLD_OUT === HOLD_OUT - 1);
  const heldClips = set.clips.filter((_, i) => heldOut(i));
  const trainClips = set.clips.filter((_, i) => !heldOut(i));
  const train = rowsOf(x, trainClips);
  const held = rowsOf(x, heldClips);
  const fitted = fitLayerSae(train, held, o);
  const { scale, dictSize } = fitted;

  // The action with the layer replaced, on held-out states.
  const mean = new Float64Array(width);
  for (let r = 0; r < train.rows; r++) for (let i = 0; i < width; i++) mean[i] += train.data[r * width + i] / train.rows;
  const intact = continueFrom(mlp, layer, held);
  const discrete = agent.actionSpace instanceof Discrete;
  const moved = (h: Matrix) => actionChange(intact, continueFrom(mlp, layer, h), discrete);
  const actions = {
    kind: discrete ? ('discrete' as const) : ('continuous' as const),
    metric: discrete ? ('tv' as const) : ('fvu' as const),
    saeReconstruction: moved(reconstruct(fitted.withResampling.sae, held, scale)),
    saeWithoutResampling: moved(reconstruct(fitted.withoutResampling.sae, held, scale)),
    meanAblation: moved({ data: Float64Array.from({ length: held.data.length }, (_, k) => mean[k % width]), rows: held.rows, dim: width }),
  };

  // Units to explain: the first `units` neurons, a sample of alive SAE features, random directions.
  const rng = new Rng(o.seed);
  const fMatrix = encodeAll(fitted.withResampling.sae, { data: x.data.map((v) => v * scale), rows: x.rows, dim: width });
  const frequency = new Float64Array(dictSize);
  for (let k = 0; k < fMatrix.data.length; k++) if (fMatrix.data[k] > 0) frequency[k % dictSize] += 1 / x.rows;
  const alive = [...frequency.keys()].filter((j) => frequency[j] > 0);
  const sampled = rng.shuffle([...alive]).slice(0, o.units);
  const explain = (value: (row: number) => number, unit: number) => explainUnitOf(set, value, unit, features, o.perSplit, o.seed + unit);
  const neurons = Array.from({ length: Math.min(width, o.units) }, (_, j) => explain(column(x, j), j));
  const saeFeatures = sampled.map((j) => explain(column(fMatrix, j), j));
  const randomDirections = explainRandomDirections(x, o.units, rng, explain);
  return {
    network: 'policy',
    layer,
    width,
    states: { train: train.rows, heldOut: held.rows },
    sae: { dictSize, steps: fitted.steps, l1Coefficient: o.l1Coefficient, scale, withResampling: fitted.withResampling.run, withoutResampling: fitted.withoutResampling.run },
    actions,
    scores: {
      neurons: summarise(neurons.map((u) => u.score)),
      saeFeatures: summarise(saeFeatures.map((u) => u.score)),
      saeFeaturesDense: summarise(saeFeatures.filter((u) => u.frequency >= 0.01).map((u) => u.score)),
      randomDirections: summarise(randomDirections.map((u) => u.score)),
    },
    units: { neurons, saeFeatures, randomDirections },
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Continuous (rows of action means): Σ‖b − a‖² / Σ‖a − ā‖²; discrete (rows of logits): the mean total variation distance of their softmaxes. */
export function actionChange(a: Matrix, b: Matrix, discrete: boolean): number {
  const d = a.dim;
  if (discrete) {
    let tv = 0;
    for (let r = 0; r < a.rows; r++) {
      const p = softmaxRow(a, r);
      const q = softmaxRow(b, r);
      for (let i = 0; i < d; i++) tv += Math.abs(p[i] - q[i]) / (2 * a.rows);
    }
    return tv;
  }
  const mean = new Float64Array(d);
  for (let r = 0; r < a.rows; r++) for (let i = 0; i < d; i++) mean[i] += a.data[r * d + i] / a.rows;
  let moved = 0;
  let spread = 0;
  for (let k = 0; k < a.data.length; k++) {
    moved += (b.data[k] - a.data[k]) ** 2;
    spread += (a.data[k] - mean[k % d]) ** 2;
  }
  return spread > 0 ? moved / spread : Number.NaN;
}

function softmaxRow(m: Matrix, r: number): Float64Array {
  const row = m.data.subarray(r * m.dim, (r + 1) * m.dim);
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const e = row.map((v) => Math.exp(v - max));
  let sum = 0;
  for (const v of e) sum += v;
  return e.map((v) => v / sum);
}
