/**
 * The disagreement assistant: points where the reward model is least sure. It fits a reward
 * model ensemble (src/prefs/rewardModel.ts, on observations and actions as the loop's r̂ does)
 * to the overseer's own labels of training pairs, and reveals at the steps where the members'
 * per-step rewards disagree most (their standard deviation, both clips summed): uncertainty,
 * not a flaw detector, as the control for the trained critic.
 */
import type { RenderSpec } from '../../../envs/render.js';
import { poisson1, RewardModel, type Comparison, type PreferenceTarget } from '../../../prefs/rewardModel.js';
import type { Segment } from '../../../prefs/segments.js';
import { simulatedAnswer, type SimulatedTeacherParams } from '../../../prefs/teachers.js';
import type { Rng } from '../../../utils/rng.js';
import type { ClipView } from '../../views/view.js';
import { StepScoredAssistant } from './stepScored.js';

type Pair = { id: string; left: Segment; right: Segment };

/** Comparisons of `labels` training pairs as `judge` sees them (B-Pref noise), for a reward model over `input(segment)`. */
export function labelPairs(pairs: readonly Pair[], labels: number, judge: (s: Segment) => Float64Array, params: SimulatedTeacherParams, input: (s: Segment) => Segment, members: number, rng: Rng): Comparison[] {
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

export function trainDisagreement(view: ClipView, spec: RenderSpec, pairs: readonly Pair[], labels: number, params: SimulatedTeacherParams, rng: Rng): StepScoredAssistant {
  const members = 5;
  const comparisons = labelPairs(pairs, labels, (s) => view.apparentRewards(s, spec), params, (s) => s, members, rng);
  if (comparisons.length === 0) throw new Error('disagreement: the overseer answered no training pair');
  const model = fitModel(comparisons, members, rng);
  const spread = (s: Segment) => {
    const raw = model.memberRewards(s.obs, s.actions, s.length);
    const out = new Float64Array(s.length);
    for (let t = 0; t < s.length; t++) {
      let m = 0;
      let q = 0;
      for (let k = 0; k < members; k++) {
        m += raw[k * s.length + t] / members;
        q += raw[k * s.length + t] ** 2 / members;
      }
      out[t] = Math.sqrt(Math.max(0, q - m * m));
    }
    return out;
  };
  return new StepScoredAssistant(
    'disagreement',
    (pair) => {
      const [a, b] = [spread(pair.left), spread(pair.right)];
      return Float64Array.from({ length: Math.min(a.length, b.length) }, (_, t) => a[t] + b[t]);
    },
    'where the reward models disagree most',
    rng,
  );
}
