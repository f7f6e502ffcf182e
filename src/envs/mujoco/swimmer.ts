import type { StepResult } from '../core.js';
import { swimmerXml } from './models/swimmer.js';
import { MujocoEnv } from './mujocoEnv.js';
import { RunnerEnv } from './planar.js';

export const swimmerDefaults = {
  frame_skip: 4,
  forward_reward_weight: 1.0,
  ctrl_cost_weight: 1e-4,
  reset_noise_scale: 0.1,
  exclude_current_positions_from_observation: true,
};
export type SwimmerOptions = typeof swimmerDefaults;

/** Swimmer-v5: a three-link swimmer in a viscous fluid; reward = forward_reward_weight * dx/dt - ctrl_cost_weight * |a|^2. */
export class SwimmerEnv extends RunnerEnv {
  constructor(options: Partial<Record<keyof SwimmerOptions, unknown>> = {}) {
    // Two root slides (x, y); reset: qpos + U(-s, s), qvel + U(-s, s).
    super(swimmerXml, 'Swimmer-v5', { ...swimmerDefaults, ...options }, 2, 'uniform');
  }

  protected stepModel(action: ArrayLike<number>): StepResult {
    const xBefore = this.qpos[0];
    const yBefore = this.qpos[1];
    this.doSimulation(action);
    const xVelocity = (this.qpos[0] - xBefore) / this.dt;
    const yVelocity = (this.qpos[1] - yBefore) / this.dt;
    const forward = this.opts.forward_reward_weight * xVelocity;
    const ctrlCost = this.opts.ctrl_cost_weight * MujocoEnv.sumSquares(action);
    return {
      obs: this.observe(),
      reward: forward - ctrlCost,
      terminated: false,
      truncated: false,
      info: { ...this.resetInfo(), x_velocity: xVelocity, y_velocity: yVelocity, reward_forward: forward, reward_ctrl: -ctrlCost },
    };
  }

  protected override resetInfo(): Record<string, unknown> {
    const dx = this.qpos[0] - this.initQpos[0];
    const dy = this.qpos[1] - this.initQpos[1];
    return { x_position: this.qpos[0], y_position: this.qpos[1], distance_from_origin: Math.hypot(dx, dy) };
  }
}
