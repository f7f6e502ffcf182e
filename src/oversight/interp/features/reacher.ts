/**
 * Reacher-v5's feature library: fingertip-to-target distance, fingertip velocity, each joint's
 * angle and speed, torque.
 *
 * The observation is cos(q0), cos(q1), sin(q0), sin(q1), target x, y, dq0, dq1, then fingertip
 * minus target (x, y). Everything is read from it; the fingertip's velocity is the arm's planar
 * kinematics (links of 0.1 m and 0.11 m to the fingertip, as in the model) applied to dq.
 */
import type { FeatureSpec, StateFeatures } from '../records.js';
import type { ClipSteps, FeatureLibrary } from './library.js';
import { TORQUE_FEATURE, torqueAt } from './mujoco.js';

const ENV_ID = 'Reacher-v5';
const OBS_SIZE = 10;
/** From joint0 to joint1, and from joint1 to the fingertip (m). */
const LINK0 = 0.1;
const LINK1 = 0.11;

const JOINTS = [
  { name: 'shoulder', what: 'shoulder (joint0, first link against the arena)' },
  { name: 'elbow', what: 'elbow (joint1, second link against the first)' },
] as const;

export const reacherFeatureSpecs: readonly FeatureSpec[] = [
  { name: 'fingertipDistance', kind: 'number', description: 'distance from the fingertip to the target in the arena plane (m)' },
  { name: 'fingertipSpeed', kind: 'number', description: 'speed of the fingertip in the arena plane (m/s)' },
  { name: 'fingertipVelocityX', kind: 'number', description: 'x velocity of the fingertip (m/s)' },
  { name: 'fingertipVelocityY', kind: 'number', description: 'y velocity of the fingertip (m/s)' },
  { name: 'approachSpeed', kind: 'number', description: 'rate at which the fingertip closes on the target (m/s; negative when moving away)' },
  ...JOINTS.flatMap((j): FeatureSpec[] => [
    { name: `${j.name}Angle`, kind: 'number', description: `${j.what} joint angle (rad, in (-π, π]; 0 is the arm straight along +x)` },
    { name: `${j.name}Velocity`, kind: 'number', description: `${j.what} joint angular velocity (rad/s)` },
    { name: `${j.name}Speed`, kind: 'number', description: `${j.what} joint speed, the absolute angular velocity (rad/s)` },
  ]),
  TORQUE_FEATURE,
];

export function reacherFeatures(_kwargs: Record<string, unknown> = {}): FeatureLibrary {
  let closed = false;
  return {
    envId: ENV_ID,
    features: reacherFeatureSpecs,
    clip(steps: ClipSteps): StateFeatures[] {
      if (closed) throw new Error(`${ENV_ID} features: the library is closed`);
      if (steps.obsSize !== OBS_SIZE) throw new Error(`${ENV_ID} features: observations of ${steps.obsSize} floats; expected ${OBS_SIZE}`);
      const out: StateFeatures[] = [];
      for (let t = 0; t < steps.length; t++) {
        const o = steps.obs.subarray(t * OBS_SIZE, (t + 1) * OBS_SIZE);
        const q0 = Math.atan2(o[2], o[0]);
        const q1 = Math.atan2(o[3], o[1]);
        const [w0, w1] = [o[6], o[7]];
        // Fingertip relative to joint0 and to joint1; each joint turns everything beyond it about z.
        const ex = LINK1 * Math.cos(q0 + q1);
        const ey = LINK1 * Math.sin(q0 + q1);
        const rx = LINK0 * Math.cos(q0) + ex;
        const ry = LINK0 * Math.sin(q0) + ey;
        const vx = -w0 * ry - w1 * ey;
        const vy = w0 * rx + w1 * ex;
        const [dx, dy] = [o[8], o[9]];
        const dist = Math.hypot(dx, dy);
        out.push({
          fingertipDistance: dist,
          fingertipSpeed: Math.hypot(vx, vy),
          fingertipVelocityX: vx,
          fingertipVelocityY: vy,
          approachSpeed: dist > 0 ? -(dx * vx + dy * vy) / dist : 0,
          shoulderAngle: q0,
          shoulderVelocity: w0,
          shoulderSpeed: Math.abs(w0),
          elbowAngle: q1,
          elbowVelocity: w1,
          elbowSpeed: Math.abs(w1),
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
