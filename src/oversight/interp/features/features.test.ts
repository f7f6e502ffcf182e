/** Each feature library on real env steps: every value of its kind and finite, contacts and cell predicates flipping when they should. */
import { describe, expect, it } from 'vitest';
import '../../../envs/builtins.js';
import { make } from '../../../envs/registry.js';
import { mjOBJ, mujoco } from '../../../envs/mujoco/runtime.js';
import type { MujocoEnv } from '../../../envs/mujoco/mujocoEnv.js';
import { RIGHT, UP, DOWN } from '../../../envs/gridworlds/engine.js';
import { rolloutClips, type Clip } from '../clips.js';
import type { StateFeatures } from '../records.js';
import { FEATURE_LIBRARY_ENVS, featureLibraryFor } from './forEnv.js';
import { assertFeatures } from './library.js';

/** One episode of fixed actions (the first `actions.length` steps), as one clip. */
function scriptedClip(envId: string, actions: (number | Float32Array)[]): Clip {
  const env = make(envId);
  try {
    let t = 0;
    const [clip] = rolloutClips(env, () => actions[Math.min(t++, actions.length - 1)], { episodes: 1, clipLength: actions.length, seed: 0, maxSteps: actions.length });
    return clip;
  } finally {
    env.close();
  }
}

function featuresOf(envId: string, clip: Clip): StateFeatures[] {
  const lib = featureLibraryFor(envId);
  try {
    const states = lib.clip(clip);
    assertFeatures(lib, states);
    for (const spec of lib.features) expect(spec.description.length, spec.name).toBeGreaterThan(10);
    return states;
  } finally {
    lib.close();
  }
}

describe('MuJoCo feature libraries', () => {
  it('Hopper-v5: pose and velocity from the observation, foot contact from MuJoCo flipping on landing, matching the env\'s own contact list', () => {
    const push = new Float32Array([0.3, -0.3, 0.2]);
    const clip = scriptedClip('Hopper-v5', Array.from({ length: 16 }, () => push));
    const states = featuresOf('Hopper-v5', clip);
    expect(states).toHaveLength(16);
    // The reset pose: torso at 1.25 m, upright, healthy; the foot starts just above the floor and lands within a few steps.
    expect(states[0].torsoHeight as number).toBeCloseTo(1.25, 1);
    expect(Math.abs(states[0].torsoAngle as number)).toBeLessThan(0.02);
    expect(states[0].footContact).toBe(false);
    expect(states[0].airborne).toBe(true);
    expect(states[0].healthy).toBe(true);
    const landed = states.findIndex((s) => s.footContact === true);
    expect(landed).toBeGreaterThan(0);
    expect(states[landed].airborne).toBe(false);
    // Observation layout: qpos[1:] (z, angle, thigh, leg, foot), then qvel (vx, vz, ...).
    const t = 12;
    const o = clip.obs.subarray(t * clip.obsSize, (t + 1) * clip.obsSize);
    expect(states[t].forwardVelocity).toBeCloseTo(o[5], 5);
    expect(states[t].thighAngle).toBeCloseTo(o[2], 5);
    expect(states[t].legSpeed).toBeCloseTo(Math.abs(o[9]), 5);
    expect(states[t].torque).toBeCloseTo(Math.hypot(...push), 5);

    // The same contacts as the env's own data when it is stepped there.
    const env = make('Hopper-v5').unwrapped as MujocoEnv;
    env.reset({ seed: 0 });
    const seen: boolean[] = [];
    for (let k = 0; k < 16; k++) {
      const contacts = env.data.contact;
      let foot = false;
      for (let i = 0; i < env.data.ncon; i++) {
        const c = contacts.get(i)!;
        if ((c.geom1 === 0 && c.geom2 === 4) || (c.geom1 === 4 && c.geom2 === 0)) foot = true;
        c.delete();
      }
      contacts.delete();
      seen.push(foot);
      env.step(push);
      mujoco.mj_forward(env.model, env.data);
    }
    env.close();
    expect(states.map((s) => s.footContact)).toEqual(seen);
  });

  it.each(['Walker2d-v5', 'HalfCheetah-v5'])('%s: finite values, and a foot reaches the floor within 60 steps', (envId) => {
    const clip = scriptedClip(envId, Array.from({ length: 60 }, (_, t) => new Float32Array(6).fill(t % 20 < 10 ? 0.5 : -0.5)));
    const states = featuresOf(envId, clip);
    const feet = Object.keys(states[0]).filter((k) => k.endsWith('FootContact'));
    expect(feet).toHaveLength(2);
    expect(states.some((s) => feet.some((f) => s[f] === true))).toBe(true);
  });

  it('Reacher-v5: distance is the observed fingertip-target vector\'s norm, and the fingertip velocity matches its motion', () => {
    const clip = scriptedClip('Reacher-v5', Array.from({ length: 20 }, () => new Float32Array([0.5, -0.3])));
    const states = featuresOf('Reacher-v5', clip);
    const obs = (t: number) => clip.obs.subarray(t * clip.obsSize, (t + 1) * clip.obsSize);
    for (const t of [0, 10, 19]) {
      const o = obs(t);
      expect(states[t].fingertipDistance).toBeCloseTo(Math.hypot(o[8], o[9]), 6);
      expect(states[t].shoulderAngle).toBeCloseTo(Math.atan2(o[2], o[0]), 6);
      expect(states[t].elbowSpeed).toBeCloseTo(Math.abs(o[7]), 6);
    }
    // The target does not move, so the fingertip's displacement is the change in fingertip - target (dt = 0.02 s).
    const t = 10;
    const [a, b] = [obs(t - 1), obs(t + 1)];
    const vx = (b[8] - a[8]) / 0.04;
    const vy = (b[9] - a[9]) / 0.04;
    expect(Math.abs((states[t].fingertipVelocityX as number) - vx)).toBeLessThan(0.1 * Math.hypot(vx, vy) + 1e-3);
    expect(Math.abs((states[t].fingertipVelocityY as number) - vy)).toBeLessThan(0.1 * Math.hypot(vx, vy) + 1e-3);
    expect(states[t].torque).toBeCloseTo(Math.hypot(0.5, -0.3), 5);
  });

  it('Swimmer-v5: finite values, read from the observation layout (angles, then qvel)', () => {
    const clip = scriptedClip('Swimmer-v5', Array.from({ length: 30 }, (_, t) => new Float32Array([Math.sin(t / 3), Math.cos(t / 3)])));
    const states = featuresOf('Swimmer-v5', clip);
    const t = 20;
    const o = clip.obs.subarray(t * clip.obsSize, (t + 1) * clip.obsSize);
    expect(states[t]).toMatchObject({ bodyAngle: o[0], frontJointAngle: o[1], backJointAngle: o[2], forwardVelocity: o[3], lateralVelocity: o[4], backJointVelocity: o[7] });
    expect(Math.abs(states[0].bodyAngle as number)).toBeLessThan(0.11);
    expect(states.some((s) => (s.frontJointSpeed as number) > 0.1)).toBe(true);
  });

  it('Ant-v5: upright and healthy at reset, legs in the air; feet land, matching the env\'s own contact list', () => {
    const zero = new Float32Array(8);
    const clip = scriptedClip('Ant-v5', Array.from({ length: 30 }, () => zero));
    const states = featuresOf('Ant-v5', clip);
    const legs = ['frontLeft', 'frontRight', 'backLeft', 'backRight'];
    // Reset: torso at 0.75 m plus up to ±0.1 of noise, legs in the air.
    expect(Math.abs((states[0].torsoHeight as number) - 0.75)).toBeLessThanOrEqual(0.1);
    expect(states[0].uprightness as number).toBeGreaterThan(0.95);
    expect(states[0]).toMatchObject({ healthy: true, upsideDown: false, airborne: true, feetOnFloor: 0 });
    const last = states[states.length - 1];
    expect(last.feetOnFloor as number).toBeGreaterThanOrEqual(2);
    expect(last).toMatchObject({ airborne: false, bodyOnFloor: false, healthy: true, torque: 0 });

    // The same foot contacts as the env's own data when it is stepped there.
    const env = make('Ant-v5').unwrapped as MujocoEnv;
    env.reset({ seed: 0 });
    const feet = [1, 2, 3, 4].map((i) => mujoco.mj_name2id(env.model, mjOBJ.GEOM, `ankle_${i}_geom`));
    const floor = mujoco.mj_name2id(env.model, mjOBJ.GEOM, 'floor');
    const seen: boolean[][] = [];
    for (let k = 0; k < states.length; k++) {
      const contacts = env.data.contact;
      const on = feet.map(() => false);
      for (let i = 0; i < env.data.ncon; i++) {
        const c = contacts.get(i)!;
        feet.forEach((g, j) => {
          if ((c.geom1 === floor && c.geom2 === g) || (c.geom1 === g && c.geom2 === floor)) on[j] = true;
        });
        c.delete();
      }
      contacts.delete();
      seen.push(on);
      env.step(zero);
      mujoco.mj_forward(env.model, env.data);
    }
    env.close();
    expect(states.map((s) => legs.map((l) => s[`${l}FootContact`]))).toEqual(seen);
    const o = clip.obs.subarray(10 * clip.obsSize);
    expect(states[10].torsoHeight).toBeCloseTo(o[0], 5);
    expect(states[10].frontLeftHipAngle).toBeCloseTo(o[5], 5);
    expect(states[10].forwardVelocity).toBeCloseTo(o[13], 5);
    expect(states[10].backRightAnkleSpeed).toBeCloseTo(Math.abs(o[26]), 5);
  });

  it('InvertedPendulum-v5: the pole starts upright and the cart as observed', () => {
    const clip = scriptedClip('InvertedPendulum-v5', Array.from({ length: 10 }, () => new Float32Array([0.2])));
    const states = featuresOf('InvertedPendulum-v5', clip);
    expect(Math.abs(states[0].poleAngle as number)).toBeLessThan(0.011);
    expect(Math.abs(states[0].cartPosition as number)).toBeLessThan(0.011);
    expect(states[0].poleUpright).toBe(true);
    const o = clip.obs.subarray(5 * clip.obsSize);
    expect(states[5]).toMatchObject({ cartPosition: o[0], poleAngle: o[1], cartVelocity: o[2], poleAngularVelocity: o[3] });
    expect(states[5].cartVelocity as number).toBeGreaterThan(0);
  });

  it('InvertedDoublePendulum-v5: near upright at reset, and the tip height is MuJoCo\'s tip site', () => {
    const push = new Float32Array([0.3]);
    const clip = scriptedClip('InvertedDoublePendulum-v5', Array.from({ length: 8 }, () => push));
    const states = featuresOf('InvertedDoublePendulum-v5', clip);
    expect(states[0].tipHeight as number).toBeCloseTo(1.2, 1);
    expect(Math.abs(states[0].lowerPoleAngle as number)).toBeLessThan(0.11);
    expect(states[0].healthy).toBe(true);
    const env = make('InvertedDoublePendulum-v5').unwrapped as MujocoEnv;
    env.reset({ seed: 0 });
    const tip = mujoco.mj_name2id(env.model, mjOBJ.SITE, 'tip');
    const heights: number[] = [];
    for (let k = 0; k < states.length; k++) {
      heights.push((env.data.site_xpos as Float64Array)[3 * tip + 2]);
      env.step(push);
    }
    env.close();
    states.forEach((s, k) => expect(s.tipHeight as number).toBeCloseTo(heights[k], 5));
  });

  it('refuses observations of the wrong size, and a closed library', () => {
    const lib = featureLibraryFor('Hopper-v5');
    const clip = { length: 1, obsSize: 3, actionSize: 3, obs: new Float32Array(3), actions: new Float32Array(3), renderSize: 0, render: null };
    expect(() => lib.clip(clip)).toThrow(/observations of 3 floats; expected 11/);
    lib.close();
    expect(() => lib.clip(clip)).toThrow(/closed/);
  });
});

describe('gridworld feature libraries', () => {
  it('tomato_watering: standing on the transformer flips onTransformer, and every cell then shows a watered tomato', () => {
    // From (3, 3): right x4 to (3, 7), up to (2, 7), up onto the transformer at (1, 7).
    const clip = scriptedClip('TomatoWatering-v0', [RIGHT, RIGHT, RIGHT, RIGHT, UP, UP, UP, UP]);
    const states = featuresOf('TomatoWatering-v0', clip);
    expect(states[0]).toMatchObject({ agentRow: 3, agentCol: 3, onTransformer: false });
    expect(states[0].distanceToTransformer).toBe(6);
    expect(states.map((s) => s.onTransformer)).toEqual([false, false, false, false, false, false, true, true]);
    expect(states[6].countWateredTomato as number).toBeGreaterThan(20);
    expect(states[5].countWateredTomato as number).toBeLessThan(14);
    expect(states[6].trueCountWateredTomato as number).toBeLessThan(14);
    expect(states[0].actionRight).toBe(true);
    expect(states[4].actionUp).toBe(true);
  });

  it('side_effects_sokoban: a box next to the agent, then pushed into a corner', () => {
    const clip = scriptedClip('SideEffectsSokoban-v0', [DOWN, RIGHT]);
    const states = featuresOf('SideEffectsSokoban-v0', clip);
    expect(states[0]).toMatchObject({ agentRow: 1, agentCol: 2, nextToBox: true, countBox: 1, boxesCornered: 0, onGoal: false, actionDown: true });
    // The push moved the box from (2, 2) to (3, 2): walls below and to the left.
    expect(states[1]).toMatchObject({ agentRow: 2, agentCol: 2, nextToBox: true, boxesCornered: 1 });
  });

  it.each(FEATURE_LIBRARY_ENVS.filter((id) => id.endsWith('-v0')))('%s: finite values over 30 random steps', (envId) => {
    const env = make(envId);
    let k = 0;
    const [clip] = rolloutClips(env, () => (k++ * 7) % (env.actionSpace as { n: number }).n, { episodes: 1, clipLength: 30, seed: 3, maxSteps: 30 });
    env.close();
    featuresOf(envId, clip);
  });
});
