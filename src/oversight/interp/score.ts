/**
 * Scoring as Bills et al. 2023 do it (neuron_explainer/explanations/scoring.py,
 * `aggregate_scored_sequence_simulations`): the real activations of the held-out records, as 0–10
 * integers by the unit's max, against the simulator's expected values, by one Pearson correlation
 * pooled over every state of every scored record at once — not an average of per-record
 * correlations. The scored records are the valid (or test) split's top-activating plus random
 * records, which the explainer never saw (records.ts enforces it; pipeline.ts's `explainAndScore`
 * hands the explainer the train split alone). The paper: over 1,000 of 307,200 GPT-2 XL neurons scored ≥ 0.8.
 *
 * Which real activations: OVERSIGHT.md §5 and issue 22 score the 0–10 integers (`real: 'normalised'`,
 * the default). The released scoring.py correlates the raw activations instead (`real: 'raw'`); the
 * two differ only by the flooring to integers and, for units with negative activations, the ReLU.
 *
 * One difference: a constant simulation (or constant activations) has no correlation; numpy gives
 * NaN there, this gives 0 so that averages over many explanations stay defined.
 */
import type { Explanation } from './explain.js';
import { assertHeldOut, normaliseActivations, scoredRecords, type ActivationRecord, type ScoringSplit, type UnitSplit } from './records.js';
import { simulateRecord } from './simulate.js';

/**
 * Pearson correlation; 0 when either side is constant. (utils/stats' pearson gives null there and
 * below 3 points; a score is defined from 2 states, and 0 keeps averages over explanations defined.)
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`pearson: lengths differ (${a.length} vs ${b.length})`);
  const n = a.length;
  if (n === 0) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa <= 0 || sbb <= 0) return 0;
  return sab / Math.sqrt(saa * sbb);
}

export interface ScoredSimulation {
  /** Pooled Pearson correlation between real (0–10) and simulated activations. */
  score: number;
  /** States scored. */
  states: number;
  /** Records scored (top + random). */
  records: number;
}

/** The real activations a score correlates with: Bills et al.'s 0–10 integers, or the raw values. */
export type RealActivations = 'normalised' | 'raw';

/** Pooled correlation of an explanation over `records`, activations normalised by `max` (or raw). */
export function scoreOnRecords(e: Explanation, records: readonly ActivationRecord[], max: number, realScale: RealActivations = 'normalised'): ScoredSimulation {
  const real: number[] = [];
  const predicted: number[] = [];
  for (const r of records) {
    real.push(...(realScale === 'raw' ? r.activations : normaliseActivations(r.activations, max)));
    predicted.push(...simulateRecord(e, r));
  }
  return { score: pearson(real, predicted), states: real.length, records: records.length };
}

/** The held-out score of an explanation: top + random records of `which`, never the explainer's. */
export function scoreExplanation(e: Explanation, split: UnitSplit, which: ScoringSplit = 'valid', realScale: RealActivations = 'normalised'): ScoredSimulation {
  assertHeldOut(split, which);
  return scoreOnRecords(e, scoredRecords(split, which), split.maxActivation, realScale);
}
