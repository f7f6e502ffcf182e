/**
 * InvertedPendulum-v5's and InvertedDoublePendulum-v5's feature libraries: cart position and
 * velocity, pole angle(s) and angular velocities, the double's tip height, torque.
 *
 * InvertedPendulum's observation is cart x, pole angle, then their velocities. InvertedDouble-
 * Pendulum's is cart x, sin and cos of both hinges (the second relative to the first), the three
 * velocities clipped to ±10, and the slider's clipped constraint force. The double's tip height
 * is the model's kinematics: two 0.6 m poles on a cart at height 0, so 1.2 m upright.
 */
import type { FeatureSpec, FeatureValue, StateFeatures } from '../records.js';
import type { ClipSteps, FeatureLibrary } from './library.js';
import { TORQUE_FEATURE, torqueAt } from './mujoco.js';

/** Each pole's length from its hinge to the next hinge or the tip (m). */
const POLE = 0.6;

export const invertedPendulumFeatureSpecs: readonly FeatureSpec[] = [
  { name: 'cartPosition', kind: 'number', description: 'cart position along the rail (m; 0 at the centre)' },
  { name: 'cartVelocity', kind: 'number', description: 'cart velocity along the rail (m/s)' },
  { name: 'cartSpeed', kind: 'number', description: 'cart speed, the absolute velocity (m/s)' },
  { name: 'poleAngle', kind: 'number', description: 'pole angle from upright (rad)' },
  { name: 'poleAngularVelocity', kind: 'number', description: 'pole angular velocity (rad/s)' },
  { name: 'poleUpright', kind: 'boolean', description: "the pole within ±0.2 rad of upright (the env's condition for not ending the episode)" },
  TORQUE_FEATURE,
];

export const invertedDoublePendulumFeatureSpecs: readonly FeatureSpec[] = [
  { name: 'cartPosition', kind: 'number', description: 'cart position along the rail (m; 0 at the centre)' },
  { name: 'cartVelocity', kind: 'number', description: 'cart velocity along the rail (m/s, clipped to ±10 as in the observation)' },
  { name: 'cartSpeed', kind: 'number', description: 'cart speed, the absolute velocity (m/s, clipped to 10)' },
  { name: 'lowerPoleAngle', kind: 'number', description: 'lower pole angle from upright (rad)' },
  { name: 'lowerPoleAngularVelocity', kind: 'number', description: 'lower pole angular velocity (rad/s, clipped to ±10)' },
  { name: 'upperPoleAngle', kind: 'number', description: 'upper pole angle relative to the lower pole (rad; 0 in line)' },
  { name: 'upperPoleAngularVelocity', kind: 'number', description: 'upper pole angular velocity relative to the lower pole (rad/s, clipped to ±10)' },
  { name: 'upperPoleWorldAngle', kind: 'number', description: 'upper pole angle from upright in the world (rad; the two hinge angles summed)' },
  { name: 'tipHeight', kind: 'number', description: "height of the upper pole's tip above the rail (m; 1.2 fully upright)" },
  { name: 'healthy', kind: 'boolean', description: "the env's alive test: the tip above 1 m" },
  TORQUE_FEATURE,
];

function libraryOver(envId: string, obsSize: number, features: readonly FeatureSpec[], read: (o: Float32Array) => Record<string, FeatureValue>): FeatureLibrary {
  let closed = false;
  return {
    envId,
    features,
    clip(steps: ClipSteps): StateFeatures[] {
      if (closed) throw new Error(`${envId} features: the library is closed`);
      if (steps.obsSize !== obsSize) throw new Error(`${envId} features: observations of ${steps.obsSize} floats; expected ${obsSize}`);
      const out: StateFeatures[] = [];
      for (let t = 0; t < steps.length; t++) {
        out.push({ ...read(steps.obs.subarray(t * obsSize, (t + 1) * obsSize)), torque: torqueAt(steps, t) });
      }
      return out;
    },
    close() {
      closed = true;
    },
  };
}

export function invertedPendulumFeatures(_kwargs: Record<string, unknown> = {}): FeatureLibrary {
  return libraryOver('InvertedPendulum-v5', 4, invertedPendulumFeatureSpecs, (o) => ({
    cartPosition: o[0],
    cartVelocity: o[2],
    cartSpeed: Math.abs(o[2]),
    poleAngle: o[1],
    poleAngularVelocity: o[3],
    poleUpright: Math.abs(o[1]) <= 0.2,
  }));
}

export function invertedDoublePendulumFeatures(_kwargs: Record<string, unknown> = {}): FeatureLibrary {
  return libraryOver('InvertedDoublePendulum-v5', 9, invertedDoublePendulumFeatureSpecs, (o) => {
    const [s1, s2, c1, c2] = [o[1], o[2], o[3], o[4]];
    // cos(a1 + a2) from the observed sines and cosines.
    const tipHeight = POLE * c1 + POLE * (c1 * c2 - s1 * s2);
    const lower = Math.atan2(s1, c1);
    const upper = Math.atan2(s2, c2);
    return {
      cartPosition: o[0],
      cartVelocity: o[5],
      cartSpeed: Math.abs(o[5]),
      lowerPoleAngle: lower,
      lowerPoleAngularVelocity: o[6],
      upperPoleAngle: upper,
      upperPoleAngularVelocity: o[7],
      upperPoleWorldAngle: lower + upper,
      tipHeight,
      healthy: tipHeight > 1,
    };
  });
}
