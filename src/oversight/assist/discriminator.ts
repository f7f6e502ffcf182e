/**
 * The discriminator of the discriminator-critique gap (Saunders et al. 2022): how well a model
 * with the full view tells a flawed clip from a clean one, set beside how often a critic can
 * point to the flaw so that the overseer confirms it. The discriminator is a reward model
 * (src/prefs/rewardModel.ts) over the full recording (render states and actions: the truth
 * layer and the top view included), fitted to the full view's preferences on training pairs;
 * D is how often it scores a planted pair's clean clip above its flawed one.
 */
import type { RenderSpec } from '../../envs/render.js';
import type { RewardModel } from '../../prefs/rewardModel.js';
import type { Segment } from '../../prefs/segments.js';
import type { SimulatedTeacherParams } from '../../prefs/teachers.js';
import { fitModel, labelPairs } from './fit.js';
import type { Rng } from '../../utils/rng.js';
import { wilson, type Proportion } from '../../utils/stats.js';
import { viewFor } from '../views/registry.js';
import type { TrialPair } from './trial.js';

/** A clip as the discriminator sees it: every recorded number of each step (render state as the observation). */
export const fullRecording = (s: Segment): Segment => ({ ...s, obs: s.render ?? s.obs, obsSize: s.render ? s.renderSize : s.obsSize });

export function trainDiscriminator(envId: string, spec: RenderSpec, pairs: readonly { id: string; left: Segment; right: Segment }[], labels: number, params: SimulatedTeacherParams, rng: Rng): RewardModel {
  const full = viewFor(envId, 'full');
  return fitModel(labelPairs(pairs, labels, (s) => full.apparentRewards(s, spec), params, fullRecording, 3, rng), 3, rng);
}

/** D per flaw type: the share of planted pairs whose clean clip the discriminator scores higher. */
export function discriminatorByFlaw(model: RewardModel, pairs: readonly TrialPair[]): Record<string, Proportion> {
  const tally = new Map<string, { k: number; n: number }>();
  for (const p of pairs) {
    if (!p.planted) continue;
    const type = p.planted.flaws[0].type;
    const [clean, flawed] = p.planted.flawedSide === 'left' ? [p.right, p.left] : [p.left, p.right];
    const t = tally.get(type) ?? { k: 0, n: 0 };
    t.n += 1;
    if (model.predictedReturn(fullRecording(clean)) > model.predictedReturn(fullRecording(flawed))) t.k += 1;
    tally.set(type, t);
  }
  return Object.fromEntries([...tally].sort().map(([type, t]) => [type, wilson(t.k, t.n)]));
}
