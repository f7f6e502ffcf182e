/**
 * Diagnostics of a preference run, for the logs only: how well the learned reward matches the
 * true one on the latest segments, and how much the ensemble members disagree. They read true
 * rewards, which nothing that learns ever receives, and draw from their own random stream, so
 * turning them off changes no query asked and no parameter trained (tested).
 */
import { mean, pearson } from '../utils/stats.js';
import type { Rng } from '../utils/rng.js';
import { samplePairs, scorePairs } from './queries.js';
import type { PreferenceModel } from './rewardModel.js';
import { trueReturn, type Segment, type SegmentTruth } from './segments.js';

/** Pearson correlations of predicted and true segment returns and per-step rewards (null for too few points or no spread). */
export function correlations(model: PreferenceModel, segments: readonly Segment[], truths: ReadonlyMap<string, SegmentTruth>): { returnCorrelation: number | null; rewardCorrelation: number | null } {
  const xs: number[] = [];
  const ys: number[] = [];
  const xr: number[] = [];
  const yr: number[] = [];
  for (const s of segments) {
    const t = truths.get(s.id);
    if (!t) continue;
    const r = model.reward(s.obs, s.actions, s.length);
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      sum += r[i];
      xr.push(r[i]);
      yr.push(t.rewards[i]);
    }
    xs.push(sum);
    ys.push(trueReturn(t));
  }
  return { returnCorrelation: pearson(xs, ys), rewardCorrelation: pearson(xr, yr) };
}

/** Mean std across members of the predicted preference, over up to 32 random pairs of `segments`. */
export function disagreement(model: PreferenceModel, segments: readonly Segment[], rng: Rng): number | null {
  if (segments.length < 2) return null;
  const scored = scorePairs(model, samplePairs(segments, 32, rng));
  return mean(scored.map((c) => Math.sqrt(c.variance)));
}
