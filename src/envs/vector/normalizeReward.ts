import { RunningMeanStd } from '../../utils/runningMeanStd.js';
import type { Box, Discrete } from '../spaces.js';
import type { VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';

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
export class VecNormalizeReward implements VectorEnv {
  readonly rms = new RunningMeanStd(1);
  update = true;
  private readonly returns: Float64Array;
  private readonly opts: NormalizeRewardOptions;

  constructor(
    readonly env: VectorEnv,
    opts: Partial<NormalizeRewardOptions> = {},
  ) {
    this.opts = { gamma: 0.99, clip: 10, epsilon: 1e-8, ...opts };
    this.returns = new Float64Array(env.numEnvs);
  }

  get numEnvs(): number {
    return this.env.numEnvs;
  }
  get singleObservationSpace(): Box {
    return this.env.singleObservationSpace;
  }
  get singleActionSpace(): Box | Discrete {
    return this.env.singleActionSpace;
  }
  get obsSize(): number {
    return this.env.obsSize;
  }
  get actionSize(): number {
    return this.env.actionSize;
  }

  reset(opts?: VectorResetOptions): VectorResetResult {
    this.returns.fill(0);
    return this.env.reset(opts);
  }

  step(actions: ArrayLike<number>): VectorStepResult {
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

  close(): void {
    this.env.close();
  }
}
