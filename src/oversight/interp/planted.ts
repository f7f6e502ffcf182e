/**
 * Problems with known answers for issue 22's ground-truth checks (item 5):
 *
 * - `plantedSparseLayer`: a synthetic layer whose activations are sparse nonnegative combinations of
 *   m random unit directions in d dimensions (m > d: the features are in superposition, the setting
 *   Bricken et al. 2023 built the SAE for). An SAE should recover the directions; `meanMaxCosine`
 *   is the recovery figure (for each planted direction, the best cosine with any decoder column,
 *   averaged; Sharkey et al.'s "MMCS" on toy data).
 * - `plantedUnitNetwork`: a one-layer ReLU network (an `Mlp` from src/nn) over named state features,
 *   whose unit 0 is ReLU(gain · (forwardVelocity − threshold)) and whose other units have random
 *   weights. Its records feed explain → simulate → score (Bills et al. 2023); the planted
 *   explanation must score ≥ 0.8 and random ones near 0.
 */
import { Mlp } from '../../nn/mlp.js';
import { Rng } from '../../utils/rng.js';
import type { Matrix, Sae } from './sae.js';
import type { ActivationRecord, FeatureSpec, FeatureValue, StateFeatures } from './records.js';

export interface PlantedLayerOptions {
  /** Layer width d. */
  dim: number;
  /** Number of planted directions m. */
  features: number;
  /** Probability that each feature is active in an input. */
  activeProb: number;
  /** Inputs to draw. */
  rows: number;
  seed: number;
}

export interface PlantedLayer {
  /** m × d, each row a unit direction. */
  directions: Matrix;
  /** rows × d activations. */
  x: Matrix;
  /** Mean number of active planted features per input. */
  meanActive: number;
}

/** x = Σ_i a_i g_i with a_i = 0 with probability 1 − p, else Uniform(0, 1) (nonnegative). */
export function plantedSparseLayer(opts: PlantedLayerOptions): PlantedLayer {
  const { dim: d, features: m, activeProb, rows, seed } = opts;
  if (!(activeProb > 0 && activeProb <= 1)) throw new RangeError(`activeProb must be in (0, 1], got ${activeProb}`);
  const rng = new Rng(seed);
  const dirs = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) {
      const v = rng.normal();
      dirs[i * d + k] = v;
      s += v * v;
    }
    s = Math.sqrt(s);
    for (let k = 0; k < d; k++) dirs[i * d + k] /= s;
  }
  const x = new Float64Array(rows * d);
  let active = 0;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < m; i++) {
      if (rng.random() >= activeProb) continue;
      const a = rng.random();
      active++;
      for (let k = 0; k < d; k++) x[r * d + k] += a * dirs[i * d + k];
    }
  }
  return { directions: { data: dirs, rows: m, dim: d }, x: { data: x, rows, dim: d }, meanActive: active / rows };
}

/** For each planted direction, the largest cosine with any decoder column; the mean and each value. */
export function meanMaxCosine(planted: Matrix, sae: Sae): { mean: number; perFeature: Float64Array } {
  if (planted.dim !== sae.dim) throw new RangeError(`planted directions have width ${planted.dim}, the SAE ${sae.dim}`);
  const d = planted.dim;
  const per = new Float64Array(planted.rows);
  for (let i = 0; i < planted.rows; i++) {
    const g = planted.data.subarray(i * d, (i + 1) * d);
    const gn = Math.hypot(...g);
    let best = -1;
    for (let j = 0; j < sae.n; j++) {
      const w = sae.decoderColumn(j);
      let dot = 0;
      let wn = 0;
      for (let k = 0; k < d; k++) {
        dot += g[k] * w[k];
        wn += w[k] * w[k];
      }
      best = Math.max(best, dot / (gn * Math.sqrt(wn)));
    }
    per[i] = best;
  }
  return { mean: per.reduce((a, b) => a + b, 0) / per.length, perFeature: per };
}

/** A Hopper-like state vocabulary: the planted feature and distractors (some correlated with nothing). */
export const PLANTED_FEATURES: readonly FeatureSpec[] = [
  { name: 'forwardVelocity', kind: 'number', description: 'forward velocity of the torso (m/s)' },
  { name: 'torsoHeight', kind: 'number', description: 'torso height above the floor (m)' },
  { name: 'torsoAngle', kind: 'number', description: 'torso pitch angle (rad)' },
  { name: 'thighAngle', kind: 'number', description: 'thigh joint angle (rad)' },
  { name: 'legSpeed', kind: 'number', description: 'leg joint angular speed (rad/s)' },
  { name: 'torque', kind: 'number', description: 'torque magnitude (N·m)' },
  { name: 'footContact', kind: 'boolean', description: 'the foot touches the floor' },
];

export interface PlantedUnitOptions {
  /** Clips to record (Bills et al.'s "sequences"). */
  clips: number;
  /** States per clip. */
  clipLength: number;
  /** Planted unit: ReLU(gain · (forwardVelocity − threshold)). */
  threshold: number;
  gain: number;
  /** Distractor hidden units beside the planted one. */
  distractors: number;
  seed: number;
}

export const plantedUnitDefaults = { clips: 240, clipLength: 32, threshold: 1.2, gain: 2, distractors: 7, seed: 0 } satisfies PlantedUnitOptions;

export interface PlantedUnit {
  network: Mlp;
  /** The records of every hidden unit: records[u] for unit u (unit 0 is the planted one). */
  records: ActivationRecord[][];
}

/**
 * Clips of a random-walk state (each numeric feature an AR(1) process, contact a sticky coin), the
 * network's hidden units over them, and one record set per unit.
 */
export function plantedUnitNetwork(input: Partial<PlantedUnitOptions> = {}): PlantedUnit {
  const o = { ...plantedUnitDefaults, ...input };
  const rng = new Rng(o.seed);
  const F = PLANTED_FEATURES.length;
  const H = 1 + o.distractors;
  const network = new Mlp({ sizes: [F, H], activation: 'relu', outputActivation: 'relu', dtype: 'float64', backend: 'js' });
  network.init(rng.spawn(), { scheme: 'fan_in_uniform' });
  // Unit 0 (row 0 of W, then b after W): gain · forwardVelocity − gain · threshold.
  const p = network.params;
  for (let k = 0; k < F; k++) p[k] = 0;
  p[0] = o.gain;
  p[F * H] = -o.gain * o.threshold;

  const records: ActivationRecord[][] = Array.from({ length: H }, () => []);
  const x = new Float64Array(F);
  for (let c = 0; c < o.clips; c++) {
    const state = PLANTED_FEATURES.map(() => rng.normal());
    let contact = rng.random() < 0.5;
    const clipStates: StateFeatures[] = [];
    const clipActs: number[][] = Array.from({ length: H }, () => []);
    for (let t = 0; t < o.clipLength; t++) {
      for (let k = 0; k < F; k++) state[k] = 0.9 * state[k] + Math.sqrt(1 - 0.81) * rng.normal();
      if (rng.random() < 0.15) contact = !contact;
      const features: Record<string, FeatureValue> = {};
      PLANTED_FEATURES.forEach((spec, k) => {
        features[spec.name] = spec.kind === 'boolean' ? contact : state[k];
        x[k] = spec.kind === 'boolean' ? (contact ? 1 : 0) : state[k];
      });
      const h = network.forward(x, 1);
      for (let u = 0; u < H; u++) clipActs[u].push(h[u]);
      clipStates.push(features);
    }
    for (let u = 0; u < H; u++) records[u].push({ id: `clip-${c}`, states: clipStates, activations: clipActs[u] });
  }
  return { network, records };
}
