/**
 * The supervised assistant: a flaw detector fitted on the audit sample only. A reward model
 * over the full recording (render states and actions) is fitted to the full-view auditor's
 * preferences on `labels` training pairs (the audit sample: in a run, the few queries the
 * validation overseer answers), and the critique reveals at the steps where its per-step
 * rewards for the two clips differ most: where the auditor's judgment would part them.
 */
import type { RenderSpec } from '../../../envs/render.js';
import type { Segment } from '../../../prefs/segments.js';
import type { SimulatedTeacherParams } from '../../../prefs/teachers.js';
import type { Rng } from '../../../utils/rng.js';
import type { ClipView } from '../../views/view.js';
import { fullRecording } from '../discriminator.js';
import { fitModel, labelPairs } from '../fit.js';
import { StepScoredAssistant } from './stepScored.js';
import type { ClipPair } from '../critique.js';

export function trainSupervised(auditor: ClipView, spec: RenderSpec, pairs: readonly ClipPair[], labels: number, params: SimulatedTeacherParams, rng: Rng): StepScoredAssistant {
  const members = 3;
  const comparisons = labelPairs(pairs, labels, (s) => auditor.apparentRewards(s, spec), params, fullRecording, members, rng);
  if (comparisons.length === 0) throw new Error('supervised: the auditor answered no training pair');
  const model = fitModel(comparisons, members, rng);
  const perStep = (s: Segment) => {
    const f = fullRecording(s);
    return model.reward(f.obs, f.actions, f.length);
  };
  return new StepScoredAssistant(
    'supervised',
    (pair) => {
      const [a, b] = [perStep(pair.left), perStep(pair.right)];
      return Float64Array.from({ length: Math.min(a.length, b.length) }, (_, t) => Math.abs(a[t] - b[t]));
    },
    'where a detector fitted on the audit sample parts the clips most',
    rng,
  );
}
