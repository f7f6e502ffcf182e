/** HalfCheetah-v5's feature library: torso pose and velocity, each joint's angle and speed, each foot's contact, torque. */
import { HalfCheetahEnv } from '../../../envs/mujoco/halfCheetah.js';
import type { FeatureLibrary } from './library.js';
import { planarLibrary, type PlanarRobot } from './mujoco.js';

export const halfCheetahRobot: PlanarRobot = {
  envId: 'HalfCheetah-v5',
  robot: 'the cheetah',
  make: (k) => new HalfCheetahEnv(k),
  joints: [
    { name: 'backThigh', what: 'back thigh (hip)' },
    { name: 'backShin', what: 'back shin (knee)' },
    { name: 'backFoot', what: 'back foot (ankle)' },
    { name: 'frontThigh', what: 'front thigh (hip)' },
    { name: 'frontShin', what: 'front shin (knee)' },
    { name: 'frontFoot', what: 'front foot (ankle)' },
  ],
  feet: [
    { geom: 'bfoot', feature: 'backFootContact', what: 'the back foot' },
    { geom: 'ffoot', feature: 'frontFootContact', what: 'the front foot' },
  ],
  clippedVelocities: false,
};

export function halfCheetahFeatures(kwargs: Record<string, unknown> = {}): FeatureLibrary {
  return planarLibrary(halfCheetahRobot, kwargs);
}
