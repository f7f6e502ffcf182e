/**
 * Fixed-size on-policy storage for one PPO rollout: `numSteps` steps of `numEnvs` envs,
 * flat and row-major ([step, env, ...]), so a minibatch is a gather of row indices.
 */
export class RolloutBuffer {
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly logProbs: Float64Array;
  readonly rewards: Float64Array;
  /** 1 where the episode ended (terminated or truncated) on this step. */
  readonly dones: Uint8Array;
  readonly values: Float64Array;
  readonly advantages: Float64Array;
  readonly returns: Float64Array;
  readonly size: number;

  constructor(
    readonly numSteps: number,
    readonly numEnvs: number,
    readonly obsSize: number,
    readonly actionSize: number,
  ) {
    this.size = numSteps * numEnvs;
    this.obs = new Float32Array(this.size * obsSize);
    this.actions = new Float32Array(this.size * actionSize);
    this.logProbs = new Float64Array(this.size);
    this.rewards = new Float64Array(this.size);
    this.dones = new Uint8Array(this.size);
    this.values = new Float64Array(this.size);
    this.advantages = new Float64Array(this.size);
    this.returns = new Float64Array(this.size);
  }

  /** Copies rows `idx[from, from + n)` of a [size, width] array into `out`. */
  static gather(src: ArrayLike<number>, width: number, idx: Int32Array, from: number, n: number, out: { [i: number]: number }): void {
    for (let k = 0; k < n; k++) {
      const s = idx[from + k] * width;
      const d = k * width;
      for (let j = 0; j < width; j++) out[d + j] = src[s + j];
    }
  }
}
