import { hopperXml } from './models/hopper.js';
import { inOpen, rangeOption } from './options.js';
import { PlanarWalkerEnv } from './planar.js';

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

/** Hopper-v5: a one-legged planar robot rewarded for hopping forward while healthy. */
export class HopperEnv extends PlanarWalkerEnv {
  readonly opts: HopperOptions;

  constructor(options: Partial<Record<keyof HopperOptions, unknown>> = {}) {
    const id = 'Hopper-v5';
    const o = { ...hopperDefaults, ...options };
    super(hopperXml, id, o);
    this.opts = {
      ...this.common,
      healthy_state_range: rangeOption(id, 'healthy_state_range', o.healthy_state_range),
      healthy_z_range: rangeOption(id, 'healthy_z_range', o.healthy_z_range),
      healthy_angle_range: rangeOption(id, 'healthy_angle_range', o.healthy_angle_range),
    };
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
}
