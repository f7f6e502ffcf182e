import type { StepResult } from '../core.js';
import { halfCheetahXml } from './models/halfCheetah.js';
import { MujocoEnv } from './mujocoEnv.js';
import { RunnerEnv } from './planar.js';

export const halfCheetahDefaults = {
  frame_skip: 5,
  forward_reward_weight: 1.0,
  ctrl_cost_weight: 0.1,
  reset_noise_scale: 0.1,
  exclude_current_positions_from_observation: true,
};
export type HalfCheetahOptions = typeof halfCheetahDefaults;

/** HalfCheetah-v5: run forward; reward = forward_reward_weight * dx/dt - ctrl_cost_weight * |a|^2; never terminates. */
export class HalfCheetahEnv extends RunnerEnv {
  constructor(options: Partial<Record<keyof HalfCheetahOptions, unknown>> = {}) {
    // Reset: qpos + U(-s, s), qvel + s N(0, 1).
    super(halfCheetahXml, 'HalfCheetah-v5', { ...halfCheetahDefaults, ...options }, 1, 'normal');
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

  protected override resetInfo(): Record<string, unknown> {
    return { x_position: this.qpos[0] };
  }
}
