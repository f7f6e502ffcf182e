/**
 * Feature libraries for the planar MuJoCo robots (Hopper, Walker2d, HalfCheetah): one shared
 * reader, given each robot's joints and feet by name.
 *
 * A step's observation is qpos without rootx, then qvel (Gymnasium's default layout; with
 * `exclude_current_positions_from_observation: false` rootx comes first and is used). The
 * library writes that state into its own MjData (rootx 0 when absent: the floor is a plane, so
 * contacts do not depend on it), runs mj_forward, and reads positions and MuJoCo's contact list
 * from it. Velocities are the observation's, which Hopper and Walker2d clip to ±10.
 */
import type { MujocoEnv } from '../../../envs/mujoco/mujocoEnv.js';
import { mjOBJ, nameOf, type MjData } from '../../../envs/mujoco/runtime.js';
import type { FeatureSpec, FeatureValue, StateFeatures } from '../records.js';
import type { ClipSteps, FeatureLibrary } from './library.js';

export interface PlanarRobot {
  envId: string;
  /** "the hopper": how descriptions name the robot. */
  robot: string;
  /** Makes the env whose model and data the library borrows (closed by `close`). */
  make: (kwargs: Record<string, unknown>) => MujocoEnv;
  /** Hinge joints after rootx, rootz, rooty, in qpos order: the feature prefix and what the joint is. */
  joints: readonly { name: string; what: string }[];
  /** Geoms whose touching the floor is a foot contact. */
  feet: readonly { geom: string; feature: string; what: string }[];
  /** The env's own "healthy" test (Hopper, Walker2d), on qpos and qvel. */
  healthy?: { test: (qpos: Float64Array, qvel: Float64Array) => boolean; what: string };
  /** Whether the observation's velocities are clipped (to ±10). */
  clippedVelocities: boolean;
}

/** Marks in `touching` (one slot per geom) the geoms touching `floor` in `data`, by MuJoCo's contact list. */
export function floorContacts(data: MjData, floor: number, touching: Uint8Array): void {
  touching.fill(0);
  const contacts = data.contact;
  try {
    for (let i = 0; i < data.ncon; i++) {
      const c = contacts.get(i);
      if (!c) continue;
      if (c.geom1 === floor) touching[c.geom2] = 1;
      else if (c.geom2 === floor) touching[c.geom1] = 1;
      c.delete();
    }
  } finally {
    contacts.delete();
  }
}

/** From `floorContacts`' marks: is anything on the floor, and is anything but the feet (a fall)? */
export function floorSummary(touching: Uint8Array, footIds: readonly number[]): { airborne: boolean; bodyOnFloor: boolean } {
  let any = false;
  let other = false;
  for (let g = 0; g < touching.length; g++) {
    if (!touching[g]) continue;
    any = true;
    if (!footIds.includes(g)) other = true;
  }
  return { airborne: !any, bodyOnFloor: other };
}

/** Torque magnitude of step `t`: the Euclidean norm of its action. */
export function torqueAt(steps: ClipSteps, t: number): number {
  let sq = 0;
  for (let i = 0; i < steps.actionSize; i++) sq += steps.actions[t * steps.actionSize + i] ** 2;
  return Math.sqrt(sq);
}

/** The torque feature's spec, shared by every MuJoCo library. */
export const TORQUE_FEATURE: FeatureSpec = { name: 'torque', kind: 'number', description: 'torque magnitude: the Euclidean norm of the action (the actuators\' control signals)' };

/** The features a planar robot's library computes, in order. */
export function planarFeatures(r: PlanarRobot): FeatureSpec[] {
  const clip = r.clippedVelocities ? ', clipped to ±10 as in the observation' : '';
  const specs: FeatureSpec[] = [
    { name: 'torsoHeight', kind: 'number', description: `height of ${r.robot}'s torso centre above the floor (m)` },
    { name: 'torsoAngle', kind: 'number', description: `pitch of the torso (rad; 0 as at reset)` },
    { name: 'forwardVelocity', kind: 'number', description: `forward velocity of the torso (m/s${clip})` },
    { name: 'verticalVelocity', kind: 'number', description: `vertical velocity of the torso (m/s${clip})` },
    { name: 'torsoAngularVelocity', kind: 'number', description: `pitch rate of the torso (rad/s${clip})` },
  ];
  for (const j of r.joints) {
    specs.push(
      { name: `${j.name}Angle`, kind: 'number', description: `${j.what} joint angle (rad; 0 as at reset)` },
      { name: `${j.name}Velocity`, kind: 'number', description: `${j.what} joint angular velocity (rad/s${clip})` },
      { name: `${j.name}Speed`, kind: 'number', description: `${j.what} joint speed, the absolute angular velocity (rad/s)` },
    );
  }
  for (const f of r.feet) specs.push({ name: f.feature, kind: 'boolean', description: `${f.what} touches the floor (MuJoCo's contact list)` });
  specs.push(
    { name: 'airborne', kind: 'boolean', description: `no part of ${r.robot} touches the floor` },
    { name: 'bodyOnFloor', kind: 'boolean', description: `a part other than the feet touches the floor (fallen, kneeling or sliding on it)` },
    TORQUE_FEATURE,
  );
  if (r.healthy) specs.push({ name: 'healthy', kind: 'boolean', description: r.healthy.what });
  return specs;
}

/** A planar robot's library over its own model and data; `close` frees both. */
export function planarLibrary(r: PlanarRobot, kwargs: Record<string, unknown> = {}): FeatureLibrary {
  const env = r.make(kwargs);
  const { model, data } = env;
  const nq = model.nq;
  const nv = model.nv;
  if (nq !== 3 + r.joints.length) {
    env.close();
    throw new Error(`${r.envId} features: the model has ${nq} positions, the library names rootx, rootz, rooty and ${r.joints.length} joints`);
  }
  const geomIds = new Map<string, number>();
  for (let g = 0; g < model.ngeom; g++) geomIds.set(nameOf(model, mjOBJ.GEOM, g), g);
  const idOf = (name: string) => {
    const id = geomIds.get(name);
    if (id === undefined) throw new Error(`${r.envId} features: the model has no geom ${name} (it has ${[...geomIds.keys()].join(', ')})`);
    return id;
  };
  let floor: number;
  let footIds: number[];
  try {
    floor = idOf('floor');
    footIds = r.feet.map((f) => idOf(f.geom));
  } catch (e) {
    env.close();
    throw e;
  }
  const features = planarFeatures(r);
  const qpos = new Float64Array(nq);
  const qvel = new Float64Array(nv);
  const touching = new Uint8Array(model.ngeom);
  let closed = false;

  return {
    envId: r.envId,
    features,
    clip(steps: ClipSteps): StateFeatures[] {
      if (closed) throw new Error(`${r.envId} features: the library is closed`);
      const skip = steps.obsSize === nq + nv ? 0 : steps.obsSize === nq - 1 + nv ? 1 : -1;
      if (skip < 0) throw new Error(`${r.envId} features: observations of ${steps.obsSize} floats; expected ${nq - 1 + nv} (or ${nq + nv} with rootx)`);
      const out: StateFeatures[] = [];
      for (let t = 0; t < steps.length; t++) {
        const o = t * steps.obsSize;
        qpos[0] = 0;
        for (let i = skip; i < nq; i++) qpos[i] = steps.obs[o + i - skip];
        for (let i = 0; i < nv; i++) qvel[i] = steps.obs[o + nq - skip + i];
        env.setState(qpos, qvel);
        floorContacts(data, floor, touching);
        const xpos = data.xpos as Float64Array;
        const f: Record<string, FeatureValue> = {
          torsoHeight: xpos[3 * 1 + 2],
          torsoAngle: qpos[2],
          forwardVelocity: qvel[0],
          verticalVelocity: qvel[1],
          torsoAngularVelocity: qvel[2],
        };
        r.joints.forEach((j, k) => {
          f[`${j.name}Angle`] = qpos[3 + k];
          f[`${j.name}Velocity`] = qvel[3 + k];
          f[`${j.name}Speed`] = Math.abs(qvel[3 + k]);
        });
        r.feet.forEach((foot, k) => (f[foot.feature] = touching[footIds[k]] === 1));
        Object.assign(f, floorSummary(touching, footIds));
        f.torque = torqueAt(steps, t);
        if (r.healthy) f.healthy = r.healthy.test(qpos, qvel);
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
