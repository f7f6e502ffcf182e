/**
 * Query selection: which pairs of recent segments to show the teacher. The paper's default
 * samples about 10x as many candidate pairs as needed and asks the ones on which the
 * ensemble members disagree most (variance of their predicted preference); B-Pref also
 * offers the entropy of the mean predicted preference, and k-center: pairs chosen greedily to
 * be far (in their states) from the pairs already labelled and from each other, alone or
 * among the half of the candidates the ensemble disagrees on most. Uniform asks random pairs.
 */
import type { Rng } from '../utils/rng.js';
import type { PreferenceModel } from './rewardModel.js';
import type { Segment } from './segments.js';

export const SELECTIONS = ['disagreement', 'uniform', 'entropy', 'kcenter', 'kcenter-disagreement'] as const;
export type Selection = (typeof SELECTIONS)[number];

export interface CandidatePair {
  left: Segment;
  right: Segment;
  /** Variance across members of P̂[left ≻ right]. */
  variance: number;
  /** Binary entropy (nats) of the mean P̂[left ≻ right]. */
  entropy: number;
}

/** `count` random pairs of distinct segments from `pool` (with replacement across pairs). */
export function samplePairs(pool: readonly Segment[], count: number, rng: Rng): [Segment, Segment][] {
  if (pool.length < 2) return [];
  const out: [Segment, Segment][] = [];
  for (let i = 0; i < count; i++) {
    const a = rng.integer(pool.length);
    let b = rng.integer(pool.length - 1);
    if (b >= a) b += 1;
    out.push([pool[a], pool[b]]);
  }
  return out;
}

/** Scores candidate pairs with every member's predicted preference. */
export function scorePairs(model: PreferenceModel, pairs: readonly [Segment, Segment][]): CandidatePair[] {
  const returns = new Map<string, Float64Array>();
  const memberReturns = (s: Segment) => {
    let r = returns.get(s.id);
    if (!r) {
      r = model.memberReturns(s);
      returns.set(s.id, r);
    }
    return r;
  };
  return pairs.map(([left, right]) => {
    const p = model.memberPreferences(memberReturns(left), memberReturns(right));
    let m = 0;
    for (const v of p) m += v / p.length;
    let variance = 0;
    for (const v of p) variance += (v - m) ** 2 / p.length;
    const entropy = m <= 0 || m >= 1 ? 0 : -(m * Math.log(m) + (1 - m) * Math.log(1 - m));
    return { left, right, variance, entropy };
  });
}

/**
 * Picks `count` pairs from `pool`. Uniform draws them directly; disagreement and entropy
 * draw `oversample` x count candidates and keep the highest-scoring ones.
 */
export function selectQueries(
  selection: Selection,
  model: PreferenceModel,
  pool: readonly Segment[],
  count: number,
  oversample: number,
  rng: Rng,
  labelled: readonly LabelledPair[] = [],
): CandidatePair[] {
  if (count <= 0) return [];
  if (selection === 'uniform') return scorePairs(model, samplePairs(pool, count, rng));
  const candidates = scorePairs(model, samplePairs(pool, Math.ceil(count * oversample), rng));
  if (selection === 'kcenter') return kCenterGreedy(candidates, labelled, count);
  if (selection === 'kcenter-disagreement') {
    const disagreeing = [...candidates].sort((a, b) => b.variance - a.variance).slice(0, Math.max(count, Math.ceil(candidates.length / 2)));
    return kCenterGreedy(disagreeing, labelled, count);
  }
  const key = selection === 'disagreement' ? (c: CandidatePair) => c.variance : (c: CandidatePair) => c.entropy;
  return candidates.sort((a, b) => key(b) - key(a)).slice(0, count);
}

/** A pair already asked about and answered (k-center keeps new pairs away from these). */
export interface LabelledPair {
  left: Segment;
  right: Segment;
}

/** Chooses which pairs of segments to ask about: a strategy the loop calls, so a new rule plugs in without touching it. */
export interface QuerySelector {
  readonly name: string;
  /** `count` pairs from `pool`, drawing only from `rng`; `labelled` are the pairs with labels so far. */
  select(model: PreferenceModel, pool: readonly Segment[], count: number, rng: Rng, labelled: readonly LabelledPair[]): { left: Segment; right: Segment }[];
}

/** The built-in selectors, with `oversample` candidates per query where they score candidates. */
export function querySelector(selection: Selection, oversample: number): QuerySelector {
  return { name: selection, select: (model, pool, count, rng, labelled) => selectQueries(selection, model, pool, count, oversample, rng, labelled) };
}

/**
 * QPA's policy-aligned query selection: `inner` chooses among the pool's segments that began
 * within the last `windowSteps` env steps (the current policy's recent episodes), so the teacher
 * is asked about what the policy does now; the whole pool if fewer than two are that recent.
 * (QPA's other half, drawing half of each SAC batch from those episodes, has no PPO analogue:
 * PPO trains only on its latest rollout.)
 */
export function policyAlignedSelector(inner: QuerySelector, windowSteps: number): QuerySelector {
  return {
    name: `${inner.name}+policy-aligned`,
    select: (model, pool, count, rng, labelled) => inner.select(model, policyAlignedPool(pool, windowSteps), count, rng, labelled),
  };
}

/** The segments of `pool` that began within `windowSteps` env steps of the latest one's start (the whole pool if fewer than two did). */
export function policyAlignedPool(pool: readonly Segment[], windowSteps: number): readonly Segment[] {
  let latest = Number.NEGATIVE_INFINITY;
  for (const s of pool) latest = Math.max(latest, s.globalStep);
  const recent = pool.filter((s) => s.globalStep >= latest - windowSteps);
  return recent.length >= 2 ? recent : pool;
}

/**
 * A pair's features for k-center, as B-Pref's: the observations of both segments, each padded
 * with zeros to the longer segment's length, one after the other.
 */
function pairFeatures(p: LabelledPair, steps: number): Float32Array {
  const { obsSize } = p.left;
  const f = new Float32Array(2 * steps * obsSize);
  f.set(p.left.obs.subarray(0, Math.min(p.left.length, steps) * obsSize), 0);
  f.set(p.right.obs.subarray(0, Math.min(p.right.length, steps) * obsSize), steps * obsSize);
  return f;
}

function squaredDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

/**
 * Greedy k-center (B-Pref's KCenterGreedy): repeatedly takes the candidate farthest from its
 * nearest labelled or already chosen pair, so the pairs asked cover the states seen.
 */
export function kCenterGreedy<P extends LabelledPair>(candidates: readonly P[], labelled: readonly LabelledPair[], count: number): P[] {
  if (candidates.length <= count) return [...candidates];
  const steps = Math.max(...candidates.map((c) => Math.max(c.left.length, c.right.length)), ...labelled.map((c) => Math.max(c.left.length, c.right.length)));
  const features = candidates.map((c) => pairFeatures(c, steps));
  const labelledFeatures = labelled.map((l) => pairFeatures(l, steps));
  const nearest = features.map((f) => labelledFeatures.reduce((m, l) => Math.min(m, squaredDistance(f, l)), Number.POSITIVE_INFINITY));
  const chosen: number[] = [];
  while (chosen.length < count) {
    let best = -1;
    for (let i = 0; i < candidates.length; i++) {
      if (chosen.includes(i)) continue;
      // With nothing labelled yet every distance is infinite: the first pick is the first candidate.
      if (best === -1 || nearest[i] > nearest[best]) best = i;
    }
    chosen.push(best);
    for (let i = 0; i < candidates.length; i++) nearest[i] = Math.min(nearest[i], squaredDistance(features[i], features[best]));
  }
  return chosen.map((i) => candidates[i]);
}
