import type { StepResult } from '../core.js';
import { Box } from '../spaces.js';
import { planarObservation } from './hopper.js';
import { walker2dXml } from './models/walker2d.js';
import { MujocoEnv } from './mujocoEnv.js';
import { booleanOption, finiteOption, frameSkipOption, inOpen, nonNegativeOption, rangeOption } from './options.js';

export const walker2dDefaults = {
  frame_skip: 4,
  forward_reward_weight: 1.0,
  ctrl_cost_weight: 1e-3,
  healthy_reward: 1.0,
  terminate_when_unhealthy: true,
  healthy_z_range: [0.8, 2.0] as [number, number],
  healthy_angle_range: [-1.0, 1.0] as [number, number],
  reset_noise_scale: 5e-3,
  exclude_current_positions_from_observation: true,
};
export type Walker2dOptions = typeof walker2dDefaults;

/**
 * Walker2d-v5: a two-legged planar walker. Same reward form as Hopper; healthy while
 * 0.8 < z < 2 and -1 < torso angle < 1 (strict; no state-range or finiteness check, as v5's code).
 */
export class Walker2dEnv extends MujocoEnv {
  readonly observationSpace: Box;
  readonly opts: Walker2dOptions;

  constructor(options: Partial<Record<keyof Walker2dOptions, unknown>> = {}) {
    const o = { ...walker2dDefaults, ...options };
    const id = 'Walker2d-v5';
    super(walker2dXml, id, frameSkipOption(id, o.frame_skip));
    this.opts = {
      frame_skip: this.frameSkip,
      forward_reward_weight: finiteOption(id, 'forward_reward_weight', o.forward_reward_weight),
      ctrl_cost_weight: nonNegativeOption(id, 'ctrl_cost_weight', o.ctrl_cost_weight),
      healthy_reward: finiteOption(id, 'healthy_reward', o.healthy_reward),
      terminate_when_unhealthy: booleanOption(id, 'terminate_when_unhealthy', o.terminate_when_unhealthy),
      healthy_z_range: rangeOption(id, 'healthy_z_range', o.healthy_z_range),
      healthy_angle_range: rangeOption(id, 'healthy_angle_range', o.healthy_angle_range),
      reset_noise_scale: nonNegativeOption(id, 'reset_noise_scale', o.reset_noise_scale),
      exclude_current_positions_from_observation: booleanOption(id, 'exclude_current_positions_from_observation', o.exclude_current_positions_from_observation),
    };
    const size = this.model.nq + this.model.nv - (this.opts.exclude_current_positions_from_observation ? 1 : 0);
    this.observationSpace = new Box(-Infinity, Infinity, [size]);
  }

  get isHealthy(): boolean {
    return inOpen(this.qpos[1], this.opts.healthy_z_range) && inOpen(this.qpos[2], this.opts.healthy_angle_range);
  }

  protected resetModel(): void {
    const s = this.opts.reset_noise_scale;
    this.setState(this.uniformNoise(this.initQpos, s), this.uniformNoise(this.initQvel, s));
  }

  protected stepModel(action: ArrayLike<number>): StepResult {
    const xBefore = this.qpos[0];
    this.doSimulation(action);
    const xAfter = this.qpos[0];
    const xVelocity = (xAfter - xBefore) / this.dt;
    const healthy = this.isHealthy;
    const forward = this.opts.forward_reward_weight * xVelocity;
    const survive = healthy ? this.opts.healthy_reward : 0;
    const ctrlCost = this.opts.ctrl_cost_weight * MujocoEnv.sumSquares(action);
    return {
      obs: this.observe(),
      reward: forward + survive - ctrlCost,
      terminated: !healthy && this.opts.terminate_when_unhealthy,
      truncated: false,
      info: {
        x_position: xAfter,
        z_distance_from_origin: this.qpos[1] - this.initQpos[1],
        x_velocity: xVelocity,
        reward_forward: forward,
        reward_ctrl: -ctrlCost,
        reward_survive: survive,
      },
    };
  }

  protected observe(): Float32Array {
    return planarObservation(this.qpos, this.qvel, this.opts.exclude_current_positions_from_observation ? 1 : 0, 10);
  }

  protected override resetInfo(): Record<string, unknown> {
    return { x_position: this.qpos[0], z_distance_from_origin: this.qpos[1] - this.initQpos[1] };
  }
}
