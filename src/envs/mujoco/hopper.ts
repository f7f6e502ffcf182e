import type { StepResult } from '../core.js';
import { Box } from '../spaces.js';
import { hopperXml } from './models/hopper.js';
import { MujocoEnv } from './mujocoEnv.js';
import { booleanOption, finiteOption, frameSkipOption, inOpen, nonNegativeOption, rangeOption } from './options.js';

export const hopperDefaults = {
  frame_skip: 4,
  forward_reward_weight: 1.0,
  ctrl_cost_weight: 1e-3,
  healthy_reward: 1.0,
  terminate_when_unhealthy: true,
  healthy_state_range: [-100.0, 100.0] as [number, number],
  healthy_z_range: [0.7, Infinity] as [number, number],
  healthy_angle_range: [-0.2, 0.2] as [number, number],
  reset_noise_scale: 5e-3,
  exclude_current_positions_from_observation: true,
};
export type HopperOptions = typeof hopperDefaults;

/**
 * Hopper-v5: a one-legged planar robot rewarded for hopping forward while healthy.
 * reward = healthy_reward * healthy + forward_reward_weight * dx/dt - ctrl_cost_weight * |a|^2.
 */
export class HopperEnv extends MujocoEnv {
  readonly observationSpace: Box;
  readonly opts: HopperOptions;

  constructor(options: Partial<Record<keyof HopperOptions, unknown>> = {}) {
    const o = { ...hopperDefaults, ...options };
    const id = 'Hopper-v5';
    super(hopperXml, id, frameSkipOption(id, o.frame_skip));
    this.opts = {
      frame_skip: this.frameSkip,
      forward_reward_weight: finiteOption(id, 'forward_reward_weight', o.forward_reward_weight),
      ctrl_cost_weight: nonNegativeOption(id, 'ctrl_cost_weight', o.ctrl_cost_weight),
      healthy_reward: finiteOption(id, 'healthy_reward', o.healthy_reward),
      terminate_when_unhealthy: booleanOption(id, 'terminate_when_unhealthy', o.terminate_when_unhealthy),
      healthy_state_range: rangeOption(id, 'healthy_state_range', o.healthy_state_range),
      healthy_z_range: rangeOption(id, 'healthy_z_range', o.healthy_z_range),
      healthy_angle_range: rangeOption(id, 'healthy_angle_range', o.healthy_angle_range),
      reset_noise_scale: nonNegativeOption(id, 'reset_noise_scale', o.reset_noise_scale),
      exclude_current_positions_from_observation: booleanOption(id, 'exclude_current_positions_from_observation', o.exclude_current_positions_from_observation),
    };
    const size = this.model.nq + this.model.nv - (this.opts.exclude_current_positions_from_observation ? 1 : 0);
    this.observationSpace = new Box(-Infinity, Infinity, [size]);
  }

  /** z above healthy_z_range[0], torso angle within range, and every other state entry within healthy_state_range (all strict). */
  get isHealthy(): boolean {
    const q = this.qpos;
    const v = this.qvel;
    const { healthy_state_range: s, healthy_z_range: z, healthy_angle_range: a } = this.opts;
    for (let i = 2; i < q.length; i++) if (!inOpen(q[i], s)) return false;
    for (let i = 0; i < v.length; i++) if (!inOpen(v[i], s)) return false;
    return inOpen(q[1], z) && inOpen(q[2], a);
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

  /** qpos (without rootx by default), then qvel clipped to [-10, 10]. */
  protected observe(): Float32Array {
    return planarObservation(this.qpos, this.qvel, this.opts.exclude_current_positions_from_observation ? 1 : 0, 10);
  }

  protected override resetInfo(): Record<string, unknown> {
    return { x_position: this.qpos[0], z_distance_from_origin: this.qpos[1] - this.initQpos[1] };
  }
}

/** qpos[skip:] followed by qvel clipped to +-velClip (no clip when velClip is Infinity). */
export function planarObservation(qpos: Float64Array, qvel: Float64Array, skip: number, velClip: number): Float32Array {
  const out = new Float32Array(qpos.length - skip + qvel.length);
  let k = 0;
  for (let i = skip; i < qpos.length; i++) out[k++] = qpos[i];
  for (let i = 0; i < qvel.length; i++) out[k++] = Math.min(Math.max(qvel[i], -velClip), velClip);
  return out;
}
