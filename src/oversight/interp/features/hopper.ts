/** Hopper-v5's feature library: torso height and angle, forward velocity, each joint's angle and speed, foot contact, torque. */
import { HopperEnv, hopperDefaults, type HopperOptions } from '../../../envs/mujoco/hopper.js';
import { inOpen } from '../../../envs/mujoco/options.js';
import type { FeatureLibrary } from './library.js';
import { planarLibrary, type PlanarRobot } from './mujoco.js';

/** The robot as the shared planar reader needs it, healthy as Hopper-v5 defines it under `kwargs`. */
export function hopperRobot(kwargs: Record<string, unknown> = {}): PlanarRobot {
  const o = { ...hopperDefaults, ...kwargs } as HopperOptions;
  return {
    envId: 'Hopper-v5',
    robot: 'the hopper',
    make: (k) => new HopperEnv(k),
    joints: [
      { name: 'thigh', what: 'thigh (hip)' },
      { name: 'leg', what: 'leg (knee)' },
      { name: 'foot', what: 'foot (ankle)' },
    ],
    feet: [{ geom: 'foot_geom', feature: 'footContact', what: 'the foot' }],
    healthy: {
      what: `the env's healthy test: torso height above ${o.healthy_z_range[0]}, torso angle within ±${o.healthy_angle_range[1]}, every other state value within ±${o.healthy_state_range[1]}`,
      test: (q, v) => {
        for (let i = 2; i < q.length; i++) if (!inOpen(q[i], o.healthy_state_range)) return false;
        for (let i = 0; i < v.length; i++) if (!inOpen(v[i], o.healthy_state_range)) return false;
        return inOpen(q[1], o.healthy_z_range) && inOpen(q[2], o.healthy_angle_range);
      },
    },
    clippedVelocities: true,
  };
}

export function hopperFeatures(kwargs: Record<string, unknown> = {}): FeatureLibrary {
  return planarLibrary(hopperRobot(kwargs), kwargs);
}
