/**
 * PPO on a frozen reward model in an env of one's choosing, evaluated on the true reward: Michaud
 * et al.'s test of a contingent cue (train on the learned reward where the cue no longer tracks
 * the reward). The learned reward reaches PPO through the preference loop's `VecLearnedReward`, as
 * in src/oversight/w2s/reward/rl.ts, which takes no env options; the cue's mode is one.
 */
import { makeVec } from '../../envs/vector/make.js';
import { PREFS_PPO_SETTINGS } from '../../prefs/config.js';
import { VecLearnedReward, modelActionSize } from '../../prefs/learnedReward.js';
import type { PreferenceModel } from '../../prefs/rewardModel.js';
import { SegmentRecorder } from '../../prefs/segments.js';
import { evaluatePolicy } from '../../rl/evaluate.js';
import { Ppo, PpoConfigSchema } from '../../rl/ppo.js';
import { ppoPreset } from '../../rl/presets.js';

export interface FrozenRewardOptions {
  envId: string;
  envKwargs: Record<string, unknown>;
  steps: number;
  seed: number;
  /** PPO options over the env's preset (a prefs run's `ppo`, to train as it did). */
  ppo: Record<string, unknown>;
  evalEpisodes: number;
}

/** Mean true return (deterministic episodes, in the same env options) of PPO trained on `model` alone. */
export async function ppoOnFrozenReward(model: PreferenceModel, o: FrozenRewardOptions): Promise<{ meanReturn: number; returns: number[]; seconds: number }> {
  const t0 = performance.now();
  const cfg = PpoConfigSchema.parse({ ...ppoPreset(o.envId, o.envKwargs), ...PREFS_PPO_SETTINGS[o.envId], ...o.ppo, envId: o.envId, envKwargs: o.envKwargs, seed: o.seed, totalTimesteps: o.steps });
  const ppo = new Ppo(cfg, {
    makeEnv: (c) => {
      const raw = makeVec(c.envId, { numEnvs: c.numEnvs, mode: c.vectorization, makeOptions: { kwargs: c.envKwargs }, infoKeys: ['episode'] });
      // Segments are cut as the wrapper requires, and dropped: nothing is labelled here.
      const recorder = new SegmentRecorder({ envId: c.envId, seed: c.seed, numEnvs: raw.numEnvs, obsSize: raw.obsSize, actionSize: modelActionSize(raw), renderSize: 0, segmentLength: 1000 });
      return new VecLearnedReward(raw, model, recorder, () => {});
    },
  });
  try {
    await ppo.learn(Number.POSITIVE_INFINITY, {});
    const ev = evaluatePolicy(ppo.agent, o.envId, { episodes: o.evalEpisodes, seed: 1_000_000 + o.seed, deterministic: true, makeOptions: { kwargs: o.envKwargs } });
    return { meanReturn: ev.mean, returns: ev.returns, seconds: (performance.now() - t0) / 1000 };
  } finally {
    ppo.close();
  }
}
