import type { StepResult } from '../core.js';
import { Box } from '../spaces.js';
import { planarObservation } from './planar.js';
import { halfCheetahXml } from './models/halfCheetah.js';
import { MujocoEnv } from './mujocoEnv.js';
import { booleanOption, finiteOption, frameSkipOption, nonNegativeOption } from './options.js';

export const halfCheetahDefaults = {
  frame_skip: 5,
  forward_reward_weight: 1.0,
  ctrl_cost_weight: 0.1,
  reset_noise_scale: 0.1,
  exclude_current_positions_from_observation: true,
};
export type HalfCheetahOptions = typeof halfCheetahDefaults;

/** HalfCheetah-v5: run forward; reward = forward_reward_weight * dx/dt - ctrl_cost_weight * |a|^2; never terminates. */
export class HalfCheetahEnv extends MujocoEnv {
  readonly observationSpace: Box;
  readonly opts: HalfCheetahOptions;

  constructor(options: Partial<Record<keyof HalfCheetahOptions, unknown>> = {}) {
    const o = { ...halfCheetahDefaults, ...options };
    const id = 'HalfCheetah-v5';
    super(halfCheetahXml, id, frameSkipOption(id, o.frame_skip));
    this.opts = {
      frame_skip: this.frameSkip,
      forward_reward_weight: finiteOption(id, 'forward_reward_weight', o.forward_reward_weight),
      ctrl_cost_weight: nonNegativeOption(id, 'ctrl_cost_weight', o.ctrl_cost_weight),
      reset_noise_scale: nonNegativeOption(id, 'reset_noise_scale', o.reset_noise_scale),
      exclude_current_positions_from_observation: booleanOption(id, 'exclude_current_positions_from_observation', o.exclude_current_positions_from_observation),
    };
    const size = this.model.nq + this.model.nv - (this.opts.exclude_current_positions_from_observation ? 1 : 0);
    this.observationSpace = new Box(-Infinity, Infinity, [size]);
  }

  protected resetModel(): void {
    const s = this.opts.reset_noise_scale;
    this.setState(this.uniformNoise(this.initQpos, s), this.normalNoise(this.initQvel, s));
  }

  protected stepModel(action: ArrayLike<number>): StepResult {
    const xBefore = this.qpos[0];
    this.doSimulation(action);
    const xAfter = this.qpos[0];
    const xVelocity = (xAfter - xBefore) / this.dt;
    const forward = this.opts.forward_reward_weight * xVelocity;
    const ctrlCost = this.opts.ctrl_cost_weight * MujocoEnv.sumSquares(action);
    return {
      obs: this.observe(),
      reward: forward - ctrlCost,
      terminated: false,
      truncated: false,
      info: { x_position: xAfter, x_velocity: xVelocity, reward_forward: forward, reward_ctrl: -ctrlCost },
    };
  }

  /** qpos (without rootx by default), then qvel unclipped. */
  protected observe(): Float32Array {
    return planarObservation(this.qpos, this.qvel, this.opts.exclude_current_positions_from_observation ? 1 : 0, Infinity);
  }

  protected override resetInfo(): Record<string, unknown> {
    return { x_position: this.qpos[0] };
  }
}
