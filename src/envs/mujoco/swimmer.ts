import type { StepResult } from '../core.js';
import { Box } from '../spaces.js';
import { planarObservation } from './planar.js';
import { swimmerXml } from './models/swimmer.js';
import { MujocoEnv } from './mujocoEnv.js';
import { booleanOption, finiteOption, frameSkipOption, nonNegativeOption } from './options.js';

export const swimmerDefaults = {
  frame_skip: 4,
  forward_reward_weight: 1.0,
  ctrl_cost_weight: 1e-4,
  reset_noise_scale: 0.1,
  exclude_current_positions_from_observation: true,
};
export type SwimmerOptions = typeof swimmerDefaults;

/** Swimmer-v5: a three-link swimmer in a viscous fluid; reward = forward_reward_weight * dx/dt - ctrl_cost_weight * |a|^2. */
export class SwimmerEnv extends MujocoEnv {
  readonly observationSpace: Box;
  readonly opts: SwimmerOptions;

  constructor(options: Partial<Record<keyof SwimmerOptions, unknown>> = {}) {
    const o = { ...swimmerDefaults, ...options };
    const id = 'Swimmer-v5';
    super(swimmerXml, id, frameSkipOption(id, o.frame_skip));
    this.opts = {
      frame_skip: this.frameSkip,
      forward_reward_weight: finiteOption(id, 'forward_reward_weight', o.forward_reward_weight),
      ctrl_cost_weight: nonNegativeOption(id, 'ctrl_cost_weight', o.ctrl_cost_weight),
      reset_noise_scale: nonNegativeOption(id, 'reset_noise_scale', o.reset_noise_scale),
      exclude_current_positions_from_observation: booleanOption(id, 'exclude_current_positions_from_observation', o.exclude_current_positions_from_observation),
    };
    const size = this.model.nq + this.model.nv - (this.opts.exclude_current_positions_from_observation ? 2 : 0);
    this.observationSpace = new Box(-Infinity, Infinity, [size]);
  }

  protected resetModel(): void {
    const s = this.opts.reset_noise_scale;
    this.setState(this.uniformNoise(this.initQpos, s), this.uniformNoise(this.initQvel, s));
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

  /** qpos without the two root slides (by default), then qvel. */
  protected observe(): Float32Array {
    return planarObservation(this.qpos, this.qvel, this.opts.exclude_current_positions_from_observation ? 2 : 0, Infinity);
  }

  protected override resetInfo(): Record<string, unknown> {
    const dx = this.qpos[0] - this.initQpos[0];
    const dy = this.qpos[1] - this.initQpos[1];
    return { x_position: this.qpos[0], y_position: this.qpos[1], distance_from_origin: Math.hypot(dx, dy) };
  }
}
