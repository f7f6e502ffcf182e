/**
 * Query selection: which pairs of recent segments to show the teacher. The paper's default
 * samples about 10x as many candidate pairs as needed and asks the ones on which the
 * ensemble members disagree most (variance of their predicted preference); B-Pref also
 * offers the entropy of the mean predicted preference. Uniform selection asks random pairs.
 */
import type { Rng } from '../utils/rng.js';
import type { PreferenceModel } from './rewardModel.js';
import type { Segment } from './segments.js';

export const SELECTIONS = ['disagreement', 'uniform', 'entropy'] as const;
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
): CandidatePair[] {
  if (count <= 0) return [];
  if (selection === 'uniform') return scorePairs(model, samplePairs(pool, count, rng));
  const candidates = scorePairs(model, samplePairs(pool, Math.ceil(count * oversample), rng));
  const key = selection === 'disagreement' ? (c: CandidatePair) => c.variance : (c: CandidatePair) => c.entropy;
  return candidates.sort((a, b) => key(b) - key(a)).slice(0, count);
}

/** Chooses which pairs of segments to ask about: a strategy the loop calls, so a new rule plugs in without touching it. */
export interface QuerySelector {
  readonly name: string;
  /** `count` pairs from `pool`, drawing only from `rng`. */
  select(model: PreferenceModel, pool: readonly Segment[], count: number, rng: Rng): { left: Segment; right: Segment }[];
}

/** The built-in selectors: uniform, disagreement or entropy with `oversample` candidates per query. */
export function querySelector(selection: Selection, oversample: number): QuerySelector {
  return { name: selection, select: (model, pool, count, rng) => selectQueries(selection, model, pool, count, oversample, rng) };
}
