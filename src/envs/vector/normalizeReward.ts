import { RunningMeanStd } from '../../utils/runningMeanStd.js';
import type { VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';
import { VectorWrapper } from './wrapper.js';

export interface NormalizeRewardOptions {
  /** Discount of the running return whose variance scales the rewards. */
  gamma: number;
  /** Clip scaled rewards to +-clip (CleanRL uses 10). */
  clip: number;
  epsilon: number;
}

/**
 * Scales rewards by the running standard deviation of the discounted return (Gymnasium's
 * NormalizeReward, SB3's VecNormalize for rewards). The return restarts at episode ends.
 * `infos[i].episode` statistics come from the sub-envs, so they stay in raw reward units.
 */
export class VecNormalizeReward extends VectorWrapper {
  readonly rms = new RunningMeanStd(1);
  update = true;
  private readonly returns: Float64Array;
  private readonly opts: NormalizeRewardOptions;

  constructor(env: VectorEnv, opts: Partial<NormalizeRewardOptions> = {}) {
    super(env);
    this.opts = { gamma: 0.99, clip: 10, epsilon: 1e-8, ...opts };
    this.returns = new Float64Array(env.numEnvs);
  }

  override reset(opts?: VectorResetOptions): VectorResetResult {
    this.returns.fill(0);
    return this.env.reset(opts);
  }

  override step(actions: ArrayLike<number>): VectorStepResult {
    const r = this.env.step(actions);
    const { gamma, clip, epsilon } = this.opts;
    for (let i = 0; i < this.numEnvs; i++) this.returns[i] = this.returns[i] * gamma + r.rewards[i];
    if (this.update) this.rms.update(this.returns);
    const scale = 1 / Math.sqrt(this.rms.var[0] + epsilon);
    const rewards = new Float64Array(this.numEnvs);
    for (let i = 0; i < this.numEnvs; i++) {
      const v = r.rewards[i] * scale;
      rewards[i] = v < -clip ? -clip : v > clip ? clip : v;
      if (r.terminated[i] || r.truncated[i]) this.returns[i] = 0;
    }
    return { ...r, rewards };
  }
}
