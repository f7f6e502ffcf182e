/**
 * Reward models the assistants and the discriminator fit to someone's preferences on training
 * pairs: the overseer's (disagreement), the auditor's (supervised, the discriminator).
 */
import { poisson1, RewardModel, type Comparison, type PreferenceTarget } from '../../prefs/rewardModel.js';
import type { Segment } from '../../prefs/segments.js';
import { simulatedAnswer, type SimulatedTeacherParams } from '../../prefs/teachers.js';
import type { Rng } from '../../utils/rng.js';
import type { ClipPair } from './critique.js';

/** Comparisons of `labels` training pairs as `judge` sees them (B-Pref noise), for a reward model over `input(segment)`. */
export function labelPairs(pairs: readonly ClipPair[], labels: number, judge: (s: Segment) => Float64Array, params: SimulatedTeacherParams, input: (s: Segment) => Segment, members: number, rng: Rng): Comparison[] {
  const out: Comparison[] = [];
  let scale = 0;
  for (let n = 0; n < labels; n++) {
    const p = pairs[rng.integer(pairs.length)];
    const [l, r] = [judge(p.left), judge(p.right)];
    scale += Math.abs(l.reduce((a, b) => a + b, 0)) + Math.abs(r.reduce((a, b) => a + b, 0));
    const answer = simulatedAnswer(params, l, r, p.left.length, scale / (2 * (n + 1)), rng);
    if (answer === 'incomparable') continue;
    const mu: PreferenceTarget = answer === 'left' ? 1 : answer === 'right' ? 0 : 0.5;
    out.push({ left: input(p.left), right: input(p.right), mu, validation: rng.random() < 0.2, counts: Uint8Array.from({ length: members }, () => poisson1(rng)) });
  }
  return out;
}

/** A reward model fitted to comparisons (inputs standardised on them). */
export function fitModel(comparisons: readonly Comparison[], members: number, rng: Rng): RewardModel {
  const first = comparisons[0].left;
  const model = new RewardModel(first.obsSize, first.actionSize, { ensembleSize: members }, rng);
  model.fitInputNormalization(comparisons.flatMap((c) => [c.left, c.right]));
  model.fit(comparisons, 40, rng);
  return model;
}

