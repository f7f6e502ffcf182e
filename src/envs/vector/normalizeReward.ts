import { decodeFloats, encodeFloats } from '../../utils/floats.js';
import { RunningMeanStd, type RunningMeanStdState } from '../../utils/runningMeanStd.js';
import type { VecEnvSnapshot, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';
import { VectorWrapper } from './wrapper.js';

/** VecNormalizeReward's part of a snapshot. */
interface NormalizeRewardState {
  /** Running statistics of the discounted return. */
  rms: RunningMeanStdState;
  /** Each sub-env's discounted return so far (float64, base64). */
  returns: string;
}

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

  /** The return statistics and accumulators live here, not in the agent, so they travel with the env's snapshot. */
  override snapshot(): VecEnvSnapshot {
    const state: NormalizeRewardState = { rms: this.rms.state(), returns: encodeFloats(this.returns) };
    return this.nestSnapshot('normalizeReward', state);
  }

  override restore(snapshot: VecEnvSnapshot): void {
    const { state, inner } = this.unnestSnapshot(snapshot, 'normalizeReward');
    const s = state as Partial<NormalizeRewardState> | null;
    // Checked before anything changes: a copy takes the statistics first.
    new RunningMeanStd(1).load(s?.rms as RunningMeanStdState, 'reward normaliser');
    const returns = typeof s?.returns === 'string' ? decodeFloats(s.returns, 'float64') : null;
    if (returns === null || returns.length !== this.numEnvs) {
      throw new Error(`reward normaliser: the snapshot holds ${returns?.length ?? 'no'} discounted returns, this env has ${this.numEnvs} sub-envs`);
    }
    this.env.restore(inner);
    this.rms.load(s!.rms!, 'reward normaliser');
    this.returns.set(returns);
  }
}
