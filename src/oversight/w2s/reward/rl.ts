/**
 * Downstream RL: PPO on a frozen reward model through the preference loop's learned-reward env
 * (`VecLearnedReward`), or on the true reward, with the same PPO settings as a preference run
 * (the env's preset and the paper's entropy bonus), then a deterministic evaluation on the true reward.
 */
import { makeVec } from '../../../envs/vector/make.js';
import { PREFS_PPO_SETTINGS } from '../../../prefs/config.js';
import { VecLearnedReward, modelActionSize } from '../../../prefs/learnedReward.js';
import type { PreferenceModel } from '../../../prefs/rewardModel.js';
import { SegmentRecorder } from '../../../prefs/segments.js';
import { evaluatePolicy } from '../../../rl/evaluate.js';
import { Ppo, PpoConfigSchema, type PpoConfig } from '../../../rl/ppo.js';
import { ppoPreset } from '../../../rl/presets.js';

/** PPO settings of every run in this experiment (pool recording and downstream RL alike). */
export function w2sRewardPpoConfig(envId: string, seed: number, steps: number): PpoConfig {
  return PpoConfigSchema.parse({ ...ppoPreset(envId), ...PREFS_PPO_SETTINGS[envId], envId, seed, totalTimesteps: steps });
}

export interface RlOutcome {
  /** Mean true return of the deterministic evaluation episodes. */
  meanReturn: number;
  returns: number[];
  steps: number;
  seconds: number;
}

/** PPO for `steps` on `model` (null: the true reward), evaluated on the true reward. */
export async function trainOnReward(envId: string, model: PreferenceModel | null, steps: number, seed: number, evalEpisodes: number, log: (line: string) => void = () => {}): Promise<RlOutcome> {
  const t0 = performance.now();
  const cfg = w2sRewardPpoConfig(envId, seed, steps);
  const makeEnv = model
    ? (c: PpoConfig) => {
        const raw = makeVec(c.envId, { numEnvs: c.numEnvs, mode: c.vectorization, makeOptions: { kwargs: c.envKwargs }, infoKeys: ['episode'] });
        // Segments are cut as the wrapper requires, and dropped: nothing is labelled here.
        const recorder = new SegmentRecorder({ envId: c.envId, seed: c.seed, numEnvs: raw.numEnvs, obsSize: raw.obsSize, actionSize: modelActionSize(raw), renderSize: 0, segmentLength: 1000 });
        return new VecLearnedReward(raw, model, recorder, () => {});
      }
    : undefined;
  const ppo = new Ppo(cfg, makeEnv ? { makeEnv } : {});
  try {
    await ppo.learn(Number.POSITIVE_INFINITY, {
      onUpdate: (m) => {
        if (m.update % 25 === 0) log(`  ${m.globalStep} steps, true training return ${m.episodicReturn?.toFixed(1) ?? '-'}`);
      },
    });
    const ev = evaluatePolicy(ppo.agent, envId, { episodes: evalEpisodes, seed: 1_000_000 + seed, deterministic: true });
    return { meanReturn: ev.mean, returns: ev.returns, steps, seconds: (performance.now() - t0) / 1000 };
  } finally {
    ppo.close();
  }
}
