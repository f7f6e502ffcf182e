/** Which feature library describes an env: the explainer's vocabulary for a run. */
import { GRIDWORLD_THINGS, gridworldFeatures } from './gridworlds.js';
import { antFeatures } from './ant.js';
import { halfCheetahFeatures } from './halfCheetah.js';
import { hopperFeatures } from './hopper.js';
import { invertedDoublePendulumFeatures, invertedPendulumFeatures } from './invertedPendulum.js';
import type { FeatureLibrary } from './library.js';
import { reacherFeatures } from './reacher.js';
import { swimmerFeatures } from './swimmer.js';
import { walker2dFeatures } from './walker2d.js';

const MUJOCO: Readonly<Record<string, (kwargs: Record<string, unknown>) => FeatureLibrary>> = {
  'Hopper-v5': hopperFeatures,
  'Walker2d-v5': walker2dFeatures,
  'HalfCheetah-v5': halfCheetahFeatures,
  'Reacher-v5': reacherFeatures,
  'Swimmer-v5': swimmerFeatures,
  'Ant-v5': antFeatures,
  'InvertedPendulum-v5': invertedPendulumFeatures,
  'InvertedDoublePendulum-v5': invertedDoublePendulumFeatures,
};

/** Envs with a feature library. */
export const FEATURE_LIBRARY_ENVS: readonly string[] = [...Object.keys(MUJOCO), ...Object.keys(GRIDWORLD_THINGS)];

/** The feature library of `envId` under the env options `kwargs`; close it when done. */
export function featureLibraryFor(envId: string, kwargs: Record<string, unknown> = {}): FeatureLibrary {
  const mujoco = MUJOCO[envId];
  if (mujoco) return mujoco(kwargs);
  if (GRIDWORLD_THINGS[envId]) return gridworldFeatures(envId, kwargs);
  throw new Error(`no feature library for ${envId}; envs with one: ${FEATURE_LIBRARY_ENVS.join(', ')}`);
}
