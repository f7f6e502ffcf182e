/**
 * Ant-v5's feature library: torso height and orientation, its velocity, each leg's hip and ankle
 * angles and speeds, each foot's contact, torque, healthy.
 *
 * The observation is qpos without x, y (Gymnasium's default; with
 * `exclude_current_positions_from_observation: false` they come first): torso z, its quaternion
 * (w, x, y, z), then hip and ankle of legs 1 to 4; then qvel (torso linear velocity in the world
 * frame, angular velocity, the eight joints); then, by default, the clipped external contact
 * forces of the 13 bodies, which the library does not use. Like the planar library it writes the
 * state into its own MjData (x, y = 0: the floor is a plane), runs mj_forward, and reads MuJoCo's
 * contact list from it. The reset noise leaves the quaternion unnormalised, so orientation
 * features normalise it first.
 */
import { AntEnv, antDefaults, type AntOptions } from '../../../envs/mujoco/ant.js';
import { mjOBJ, nameOf } from '../../../envs/mujoco/runtime.js';
import type { FeatureSpec, FeatureValue, StateFeatures } from '../records.js';
import type { ClipSteps, FeatureLibrary } from './library.js';
import { TORQUE_FEATURE, floorContacts, floorSummary, torqueAt } from './mujoco.js';

const ENV_ID = 'Ant-v5';

/** Legs in qpos order (hip_i, ankle_i for i = 1..4), with the model's foot geom. */
const LEGS = [
  { name: 'frontLeft', what: 'front left', foot: 'ankle_1_geom' },
  { name: 'frontRight', what: 'front right', foot: 'ankle_2_geom' },
  { name: 'backLeft', what: 'back left', foot: 'ankle_3_geom' },
  { name: 'backRight', what: 'back right', foot: 'ankle_4_geom' },
] as const;

export function antFeatureSpecs(o: AntOptions = antDefaults): FeatureSpec[] {
  const specs: FeatureSpec[] = [
    { name: 'torsoHeight', kind: 'number', description: "height of the ant's torso centre above the floor (m)" },
    { name: 'uprightness', kind: 'number', description: "cosine of the torso's tilt from level: 1 upright, 0 on its side, -1 upside down" },
    { name: 'tiltAngle', kind: 'number', description: "angle between the torso's up axis and the vertical (rad; 0 upright)" },
    { name: 'heading', kind: 'number', description: "yaw of the torso's x axis in the floor plane (rad; 0 facing +x, the rewarded direction)" },
    { name: 'upsideDown', kind: 'boolean', description: "the torso's up axis points below the horizontal" },
    { name: 'forwardVelocity', kind: 'number', description: 'x velocity of the torso, the rewarded direction (m/s)' },
    { name: 'lateralVelocity', kind: 'number', description: 'y velocity of the torso (m/s)' },
    { name: 'verticalVelocity', kind: 'number', description: 'vertical velocity of the torso (m/s)' },
    { name: 'angularSpeed', kind: 'number', description: "the torso's rotation rate, the norm of its angular velocity (rad/s)" },
  ];
  for (const l of LEGS) {
    for (const [joint, what] of [['Hip', 'hip (swing in the floor plane)'], ['Ankle', 'ankle (lift)']] as const) {
      specs.push(
        { name: `${l.name}${joint}Angle`, kind: 'number', description: `${l.what} leg's ${what} joint angle (rad; 0 as in the model)` },
        { name: `${l.name}${joint}Velocity`, kind: 'number', description: `${l.what} leg's ${what} joint angular velocity (rad/s)` },
        { name: `${l.name}${joint}Speed`, kind: 'number', description: `${l.what} leg's ${what} joint speed, the absolute angular velocity (rad/s)` },
      );
    }
  }
  for (const l of LEGS) specs.push({ name: `${l.name}FootContact`, kind: 'boolean', description: `the ${l.what} foot (lower leg) touches the floor (MuJoCo's contact list)` });
  specs.push(
    { name: 'feetOnFloor', kind: 'number', description: 'how many of the four feet touch the floor' },
    { name: 'airborne', kind: 'boolean', description: 'no part of the ant touches the floor' },
    { name: 'bodyOnFloor', kind: 'boolean', description: 'a part other than the feet (torso, upper legs) touches the floor' },
    TORQUE_FEATURE,
    { name: 'healthy', kind: 'boolean', description: `the env's healthy test: finite state, torso height within [${o.healthy_z_range.join(', ')}]` },
  );
  return specs;
}

/** Ant-v5's library over its own model and data, healthy as Ant-v5 defines it under `kwargs`; `close` frees both. */
export function antFeatures(kwargs: Record<string, unknown> = {}): FeatureLibrary {
  const env = new AntEnv(kwargs);
  const { model, data } = env;
  const nq = model.nq;
  const nv = model.nv;
  const o = env.opts;
  const cfrcSize = 6 * (model.nbody - 1);
  let floor = -1;
  const footIds: number[] = LEGS.map(() => -1);
  for (let g = 0; g < model.ngeom; g++) {
    const name = nameOf(model, mjOBJ.GEOM, g);
    if (name === 'floor') floor = g;
    LEGS.forEach((l, k) => {
      if (name === l.foot) footIds[k] = g;
    });
  }
  if (nq !== 15 || floor < 0 || footIds.includes(-1)) {
    env.close();
    throw new Error(`${ENV_ID} features: the model is not the ant the library names (nq ${nq}, floor and ${LEGS.map((l) => l.foot).join(', ')})`);
  }
  const features = antFeatureSpecs(o);
  const qpos = new Float64Array(nq);
  const qvel = new Float64Array(nv);
  const touching = new Uint8Array(model.ngeom);
  let closed = false;

  return {
    envId: ENV_ID,
    features,
    clip(steps: ClipSteps): StateFeatures[] {
      if (closed) throw new Error(`${ENV_ID} features: the library is closed`);
      // Positions skipped (x, y) and whether the contact forces follow, from the observation's size.
      let skip = -1;
      for (const s of [2, 0]) for (const c of [cfrcSize, 0]) if (skip < 0 && steps.obsSize === nq - s + nv + c) skip = s;
      if (skip < 0) {
        throw new Error(`${ENV_ID} features: observations of ${steps.obsSize} floats; expected ${nq - 2 + nv + cfrcSize} (or without contact forces ${nq - 2 + nv}, or 2 more with x, y)`);
      }
      const out: StateFeatures[] = [];
      for (let t = 0; t < steps.length; t++) {
        const b = t * steps.obsSize;
        qpos[0] = 0;
        qpos[1] = 0;
        for (let i = skip; i < nq; i++) qpos[i] = steps.obs[b + i - skip];
        for (let i = 0; i < nv; i++) qvel[i] = steps.obs[b + nq - skip + i];
        env.setState(qpos, qvel);
        floorContacts(data, floor, touching);
        const n = Math.hypot(qpos[3], qpos[4], qpos[5], qpos[6]) || 1;
        const [w, x, y, z] = [qpos[3] / n, qpos[4] / n, qpos[5] / n, qpos[6] / n];
        // The torso's up axis in the world has z component 1 - 2(x² + y²); its x axis projects to (1 - 2(y² + z²), 2(xy + wz)).
        const up = 1 - 2 * (x * x + y * y);
        const f: Record<string, FeatureValue> = {
          torsoHeight: qpos[2],
          uprightness: up,
          tiltAngle: Math.acos(Math.min(1, Math.max(-1, up))),
          heading: Math.atan2(2 * (x * y + w * z), 1 - 2 * (y * y + z * z)),
          upsideDown: up < 0,
          forwardVelocity: qvel[0],
          lateralVelocity: qvel[1],
          verticalVelocity: qvel[2],
          angularSpeed: Math.hypot(qvel[3], qvel[4], qvel[5]),
        };
        LEGS.forEach((l, k) => {
          (['Hip', 'Ankle'] as const).forEach((joint, j) => {
            const a = qpos[7 + 2 * k + j];
            const v = qvel[6 + 2 * k + j];
            f[`${l.name}${joint}Angle`] = a;
            f[`${l.name}${joint}Velocity`] = v;
            f[`${l.name}${joint}Speed`] = Math.abs(v);
          });
        });
        let feet = 0;
        LEGS.forEach((l, k) => {
          const c = touching[footIds[k]] === 1;
          f[`${l.name}FootContact`] = c;
          if (c) feet++;
        });
        f.feetOnFloor = feet;
        Object.assign(f, floorSummary(touching, footIds));
        f.torque = torqueAt(steps, t);
        const finite = qpos.every(Number.isFinite) && qvel.every(Number.isFinite);
        f.healthy = finite && qpos[2] >= o.healthy_z_range[0] && qpos[2] <= o.healthy_z_range[1];
        out.push(f);
      }
      return out;
    },
    close() {
      if (closed) return;
      closed = true;
      env.close();
    },
  };
}
