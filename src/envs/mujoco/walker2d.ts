import { walker2dXml } from './models/walker2d.js';
import { inOpen, rangeOption } from './options.js';
import { PlanarWalkerEnv } from './planar.js';

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
 * Walker2d-v5: a two-legged planar walker, rewarded like Hopper; healthy while 0.8 < z < 2
 * and -1 < torso angle < 1 (strict; no state-range or finiteness check, as v5's code).
 */
export class Walker2dEnv extends PlanarWalkerEnv {
  readonly opts: Walker2dOptions;

  constructor(options: Partial<Record<keyof Walker2dOptions, unknown>> = {}) {
    const id = 'Walker2d-v5';
    const o = { ...walker2dDefaults, ...options };
    super(walker2dXml, id, o);
    this.opts = {
      ...this.common,
      healthy_z_range: rangeOption(id, 'healthy_z_range', o.healthy_z_range),
      healthy_angle_range: rangeOption(id, 'healthy_angle_range', o.healthy_angle_range),
    };
  }

  get isHealthy(): boolean {
    return inOpen(this.qpos[1], this.opts.healthy_z_range) && inOpen(this.qpos[2], this.opts.healthy_angle_range);
  }
}
