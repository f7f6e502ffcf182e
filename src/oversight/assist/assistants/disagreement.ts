/**
 * The disagreement assistant: points where the reward model is least sure. It fits a reward
 * model ensemble (src/prefs/rewardModel.ts, on observations and actions as the loop's r̂ does)
 * to the overseer's own labels of training pairs, and reveals at the steps where the members'
 * per-step rewards disagree most (their standard deviation, both clips summed): uncertainty,
 * not a flaw detector, as the control for the trained critic.
 */
import type { RenderSpec } from '../../../envs/render.js';
import type { Segment } from '../../../prefs/segments.js';
import type { SimulatedTeacherParams } from '../../../prefs/teachers.js';
import { fitModel, labelPairs } from '../fit.js';
import type { Rng } from '../../../utils/rng.js';
import type { ClipView } from '../../views/view.js';
import { StepScoredAssistant } from './stepScored.js';
import type { ClipPair } from '../critique.js';

export function trainDisagreement(view: ClipView, spec: RenderSpec, pairs: readonly ClipPair[], labels: number, params: SimulatedTeacherParams, rng: Rng): StepScoredAssistant {
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
