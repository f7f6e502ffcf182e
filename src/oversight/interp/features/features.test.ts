/** Each feature library on real env steps: every value of its kind and finite, contacts and cell predicates flipping when they should. */
import { describe, expect, it } from 'vitest';
import '../../../envs/builtins.js';
import { make } from '../../../envs/registry.js';
import { mujoco } from '../../../envs/mujoco/runtime.js';
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
