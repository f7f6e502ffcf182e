/** Walker2d-v5's feature library: Hopper's quantities for two legs, with each foot's contact. */
import { Walker2dEnv, walker2dDefaults, type Walker2dOptions } from '../../../envs/mujoco/walker2d.js';
import { inOpen } from '../../../envs/mujoco/options.js';
import type { FeatureLibrary } from './library.js';
import { planarLibrary, type PlanarRobot } from './mujoco.js';

export function walker2dRobot(kwargs: Record<string, unknown> = {}): PlanarRobot {
  const o = { ...walker2dDefaults, ...kwargs } as Walker2dOptions;
  return {
    envId: 'Walker2d-v5',
    robot: 'the walker',
    make: (k) => new Walker2dEnv(k),
    joints: [
      { name: 'rightThigh', what: 'right thigh (hip)' },
      { name: 'rightLeg', what: 'right leg (knee)' },
      { name: 'rightFoot', what: 'right foot (ankle)' },
      { name: 'leftThigh', what: 'left thigh (hip)' },
      { name: 'leftLeg', what: 'left leg (knee)' },
      { name: 'leftFoot', what: 'left foot (ankle)' },
    ],
    feet: [
      { geom: 'foot_geom', feature: 'rightFootContact', what: 'the right foot' },
      { geom: 'foot_left_geom', feature: 'leftFootContact', what: 'the left foot' },
    ],
    healthy: {
      what: `the env's healthy test: torso height within (${o.healthy_z_range.join(', ')}), torso angle within (${o.healthy_angle_range.join(', ')})`,
      test: (q) => inOpen(q[1], o.healthy_z_range) && inOpen(q[2], o.healthy_angle_range),
    },
    clippedVelocities: true,
  };
}

export function walker2dFeatures(kwargs: Record<string, unknown> = {}): FeatureLibrary {
  return planarLibrary(walker2dRobot(kwargs), kwargs);
}
