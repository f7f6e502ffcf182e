import type { StepResult } from '../core.js';
import { Box } from '../spaces.js';
import { invertedDoublePendulumXml } from './models/invertedDoublePendulum.js';
import { MujocoEnv } from './mujocoEnv.js';
import { finiteOption, frameSkipOption, nonNegativeOption } from './options.js';
import { mjOBJ, mujoco } from './runtime.js';

export const invertedDoublePendulumDefaults = { frame_skip: 5, healthy_reward: 10.0, reset_noise_scale: 0.1 };
export type InvertedDoublePendulumOptions = typeof invertedDoublePendulumDefaults;

/**
 * InvertedDoublePendulum-v5: balance two poles on a cart.
 * reward = healthy_reward * alive - (0.01 x_tip^2 + (y_tip - 2)^2) - (1e-3 w1^2 + 5e-3 w2^2); ends when y_tip <= 1.
 */
export class InvertedDoublePendulumEnv extends MujocoEnv {
  readonly observationSpace = new Box(-Infinity, Infinity, [9]);
  readonly opts: InvertedDoublePendulumOptions;
  private readonly tip: number;
  private siteXpos!: Float64Array;
  private qfrcConstraint!: Float64Array;

  constructor(options: Partial<Record<keyof InvertedDoublePendulumOptions, unknown>> = {}) {
    const o = { ...invertedDoublePendulumDefaults, ...options };
    const id = 'InvertedDoublePendulum-v5';
    super(invertedDoublePendulumXml, id, frameSkipOption(id, o.frame_skip));
    this.opts = {
      frame_skip: this.frameSkip,
      healthy_reward: finiteOption(id, 'healthy_reward', o.healthy_reward),
      reset_noise_scale: nonNegativeOption(id, 'reset_noise_scale', o.reset_noise_scale),
    };
    this.tip = mujoco.mj_name2id(this.model, mjOBJ.SITE, 'tip');
  }

  protected override refreshViews(): void {
    super.refreshViews();
    this.siteXpos = this.data.site_xpos as Float64Array;
    this.qfrcConstraint = this.data.qfrc_constraint as Float64Array;
  }

  protected resetModel(): void {
    const s = this.opts.reset_noise_scale;
    this.setState(this.uniformNoise(this.initQpos, s), this.normalNoise(this.initQvel, s));
  }

  protected stepModel(action: ArrayLike<number>): StepResult {
    this.doSimulation(action);
    const x = this.siteXpos[3 * this.tip];
    // The tip's world z plays the role of y in Gymnasium's reward.
    const y = this.siteXpos[3 * this.tip + 2];
    const terminated = y <= 1;
    const distancePenalty = 0.01 * x * x + (y - 2) ** 2;
    const w1 = this.qvel[1];
    const w2 = this.qvel[2];
    const velocityPenalty = 1e-3 * w1 * w1 + 5e-3 * w2 * w2;
    const alive = terminated ? 0 : this.opts.healthy_reward;
    return {
      obs: this.observe(),
      reward: alive - distancePenalty - velocityPenalty,
      terminated,
      truncated: false,
      info: { reward_survive: alive, distance_penalty: -distancePenalty, velocity_penalty: -velocityPenalty },
    };
  }

  /** Cart x, sin and cos of both hinges, clipped velocities, and the clipped constraint force on the slider. */
  protected observe(): Float32Array {
    const q = this.qpos;
    const v = this.qvel;
    const c = (x: number) => Math.min(Math.max(x, -10), 10);
    return Float32Array.of(q[0], Math.sin(q[1]), Math.sin(q[2]), Math.cos(q[1]), Math.cos(q[2]), c(v[0]), c(v[1]), c(v[2]), c(this.qfrcConstraint[0]));
  }
}
