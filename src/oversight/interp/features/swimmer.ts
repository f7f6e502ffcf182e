/**
 * Swimmer-v5's feature library: forward velocity, body angle, each joint's angle and speed, torque.
 *
 * The observation is qpos without the root slides x, y (Gymnasium's default; with
 * `exclude_current_positions_from_observation: false` they come first), i.e. the body angle and
 * the two joint angles, then qvel (vx, vy, body angular velocity, the two joints' velocities),
 * unclipped.
 */
import type { FeatureSpec, StateFeatures } from '../records.js';
import type { ClipSteps, FeatureLibrary } from './library.js';
import { TORQUE_FEATURE, torqueAt } from './mujoco.js';

const ENV_ID = 'Swimmer-v5';
const NQ = 5;
const NV = 5;

const JOINTS = [
  { name: 'front', what: 'front (motor1, middle segment against the front one)' },
  { name: 'back', what: 'back (motor2, back segment against the middle one)' },
] as const;

export const swimmerFeatureSpecs: readonly FeatureSpec[] = [
  { name: 'forwardVelocity', kind: 'number', description: 'x velocity of the front segment, the rewarded direction (m/s)' },
  { name: 'lateralVelocity', kind: 'number', description: 'y velocity of the front segment (m/s)' },
  { name: 'bodyAngle', kind: 'number', description: 'heading of the front segment in the plane (rad; 0 as at reset)' },
  { name: 'bodyAngularVelocity', kind: 'number', description: 'turning rate of the front segment (rad/s)' },
  ...JOINTS.flatMap((j): FeatureSpec[] => [
    { name: `${j.name}JointAngle`, kind: 'number', description: `${j.what} joint angle (rad; 0 straight)` },
    { name: `${j.name}JointVelocity`, kind: 'number', description: `${j.what} joint angular velocity (rad/s)` },
    { name: `${j.name}JointSpeed`, kind: 'number', description: `${j.what} joint speed, the absolute angular velocity (rad/s)` },
  ]),
  TORQUE_FEATURE,
];

export function swimmerFeatures(_kwargs: Record<string, unknown> = {}): FeatureLibrary {
  let closed = false;
  return {
    envId: ENV_ID,
    features: swimmerFeatureSpecs,
    clip(steps: ClipSteps): StateFeatures[] {
      if (closed) throw new Error(`${ENV_ID} features: the library is closed`);
      const skip = steps.obsSize === NQ + NV ? 0 : steps.obsSize === NQ - 2 + NV ? 2 : -1;
      if (skip < 0) throw new Error(`${ENV_ID} features: observations of ${steps.obsSize} floats; expected ${NQ - 2 + NV} (or ${NQ + NV} with x, y)`);
      const out: StateFeatures[] = [];
      for (let t = 0; t < steps.length; t++) {
        const o = t * steps.obsSize;
        // qpos[2..4] and qvel[0..4] as obs offsets.
        const q = (i: number) => steps.obs[o + i - skip];
        const v = (i: number) => steps.obs[o + NQ - skip + i];
        out.push({
          forwardVelocity: v(0),
          lateralVelocity: v(1),
          bodyAngle: q(2),
          bodyAngularVelocity: v(2),
          frontJointAngle: q(3),
          frontJointVelocity: v(3),
          frontJointSpeed: Math.abs(v(3)),
          backJointAngle: q(4),
          backJointVelocity: v(4),
          backJointSpeed: Math.abs(v(4)),
          torque: torqueAt(steps, t),
        });
      }
      return out;
    },
    close() {
      closed = true;
    },
  };
}
