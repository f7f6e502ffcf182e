import { describe, expect, it } from 'vitest';
import '../builtins.js';
import { Rng } from '../../utils/rng.js';
import { checkEnv } from '../checkEnv.js';
import type { Env, Info } from '../core.js';
import { make, registration } from '../registry.js';
import { MujocoEnv } from './mujocoEnv.js';
import { wasmMemoryBytes } from './runtime.js';
import { HopperEnv } from './hopper.js';
import { Walker2dEnv } from './walker2d.js';
import { AntEnv } from './ant.js';
import { InvertedPendulumEnv } from './invertedPendulum.js';
import { InvertedDoublePendulumEnv } from './invertedDoublePendulum.js';
import { ReacherEnv } from './reacher.js';

interface TaskFacts {
  obs: number;
  act: number;
  low: number;
  dt: number;
  limit: number;
  /** info keys whose values add up to the reward. */
  terms: string[];
}

const TASKS: Record<string, TaskFacts> = {
  'Hopper-v5': { obs: 11, act: 3, low: -1, dt: 0.008, limit: 1000, terms: ['reward_forward', 'reward_ctrl', 'reward_survive'] },
  'Walker2d-v5': { obs: 17, act: 6, low: -1, dt: 0.008, limit: 1000, terms: ['reward_forward', 'reward_ctrl', 'reward_survive'] },
  'HalfCheetah-v5': { obs: 17, act: 6, low: -1, dt: 0.05, limit: 1000, terms: ['reward_forward', 'reward_ctrl'] },
  'Swimmer-v5': { obs: 8, act: 2, low: -1, dt: 0.04, limit: 1000, terms: ['reward_forward', 'reward_ctrl'] },
  'Ant-v5': { obs: 105, act: 8, low: -1, dt: 0.05, limit: 1000, terms: ['reward_forward', 'reward_ctrl', 'reward_contact', 'reward_survive'] },
  'Reacher-v5': { obs: 10, act: 2, low: -1, dt: 0.02, limit: 50, terms: ['reward_dist', 'reward_ctrl'] },
  'InvertedPendulum-v5': { obs: 4, act: 1, low: -3, dt: 0.04, limit: 1000, terms: ['reward_survive'] },
  'InvertedDoublePendulum-v5': { obs: 9, act: 1, low: -1, dt: 0.05, limit: 1000, terms: ['reward_survive', 'distance_penalty', 'velocity_penalty'] },
};

function randomSteps(env: Env, n: number, seed: number, onStep: (r: { reward: number; info: Info; terminated: boolean }) => void): void {
  const rng = new Rng(seed);
  env.reset({ seed });
  for (let t = 0; t < n; t++) {
    const r = env.step(env.actionSpace.sample(rng));
    onStep(r);
    if (r.terminated || r.truncated) env.reset();
  }
}

function raw<T extends MujocoEnv>(env: Env): T {
  return env.unwrapped as T;
}

describe('MuJoCo tasks: Gymnasium v5 conformance', () => {
  for (const [id, f] of Object.entries(TASKS)) {
    describe(id, () => {
      it(`has a ${f.obs}-dim observation, a ${f.act}-dim action in [${f.low}, ${-f.low}], dt ${f.dt} and a ${f.limit}-step limit`, () => {
        const env = make(id);
        const { obs } = env.reset({ seed: 0 });
        expect(obs.length).toBe(f.obs);
        expect(env.observationSpace.shape).toEqual([f.obs]);
        expect(env.actionSpace.shape).toEqual([f.act]);
        expect(Array.from((env.actionSpace as unknown as { low: Float32Array }).low)).toEqual(new Array(f.act).fill(f.low));
        expect(raw(env).dt).toBeCloseTo(f.dt, 12);
        expect(env.metadata.renderFps).toBe(Math.round(1 / f.dt));
        expect(registration(id).maxEpisodeSteps).toBe(f.limit);
        env.close();
      });

      it('passes checkEnv: the same seed reproduces the trajectory, bad actions are refused', () => {
        expect(checkEnv(() => make(id), { steps: 150, seed: 5 })).toEqual([]);
      });

      it(`reward terms in info (${f.terms.join(' + ')}) sum to the reward`, () => {
        const env = make(id);
        let n = 0;
        randomSteps(env, 200, 1, (r) => {
          const sum = f.terms.reduce((s, k) => s + (r.info[k] as number), 0);
          expect(r.reward).toBeCloseTo(sum, 10);
          n += 1;
        });
        expect(n).toBe(200);
        env.close();
      });

      it('names the env and what was expected for a bad action', () => {
        const env = make(id);
        env.reset({ seed: 0 });
        expect(() => env.step(new Float32Array(f.act + 1))).toThrow(new RegExp(`${id}: invalid action: expected an action of length ${f.act}`));
        const nan = new Float32Array(f.act);
        nan[0] = Number.NaN;
        expect(() => env.step(nan)).toThrow(/action\[0\] is NaN/);
        env.close();
      });
    });
  }

  it('forward velocity is the finite difference of x over dt (Hopper, HalfCheetah, Swimmer, Walker2d)', () => {
    for (const id of ['Hopper-v5', 'HalfCheetah-v5', 'Swimmer-v5', 'Walker2d-v5']) {
      const env = make(id, { maxEpisodeSteps: null });
      let prev = (env.reset({ seed: 2 }).info.x_position as number | undefined) ?? 0;
      const rng = new Rng(2);
      for (let t = 0; t < 20; t++) {
        const r = env.step(env.actionSpace.sample(rng));
        const x = r.info.x_position as number;
        expect(r.info.x_velocity as number).toBeCloseTo((x - prev) / raw(env).dt, 9);
        expect(r.info.reward_forward as number).toBeCloseTo(r.info.x_velocity as number, 12);
        prev = x;
        if (r.terminated) break;
      }
      env.close();
    }
  });

  it('charges the raw action, not the clipped one (HalfCheetah: 0.1 * |a|^2)', () => {
    const env = make('HalfCheetah-v5');
    env.reset({ seed: 0 });
    const r = env.step([2, 0, 0, 0, 0, 0]);
    expect(r.info.reward_ctrl).toBeCloseTo(-0.4, 12);
    env.close();
  });

  it('HalfCheetah, Swimmer and Reacher never terminate; Reacher truncates at 50 steps', () => {
    for (const id of ['HalfCheetah-v5', 'Swimmer-v5']) {
      const env = make(id);
      let terminated = 0;
      randomSteps(env, 1500, 3, (r) => (terminated += r.terminated ? 1 : 0));
      expect(terminated).toBe(0);
      env.close();
    }
    const reacher = make('Reacher-v5');
    reacher.reset({ seed: 0 });
    let t = 0;
    for (;;) {
      t += 1;
      const r = reacher.step([0.1, -0.1]);
      if (r.truncated) break;
    }
    expect(t).toBe(50);
    reacher.close();
  });
});

describe('health and termination rules', () => {
  /** Sets qpos (and zero velocity), takes one zero-action step, reports termination and the survive reward. */
  function stepFrom(env: MujocoEnv, qpos: number[], qvel?: number[]): { terminated: boolean; survive: unknown } {
    env.reset({ seed: 0 });
    env.setState(qpos, qvel ?? new Array(env.model.nv).fill(0));
    const r = env.step(new Float32Array(env.actionSpace.size));
    return { terminated: r.terminated, survive: r.info.reward_survive };
  }

  it('Hopper: healthy only for z > 0.7, |angle| < 0.2 and every other state entry in (-100, 100)', () => {
    const env = new HopperEnv();
    expect(stepFrom(env, [0, 1.25, 0, 0, 0, 0])).toEqual({ terminated: false, survive: 1 });
    expect(stepFrom(env, [0, 0.6, 0, 0, 0, 0])).toEqual({ terminated: true, survive: 0 });
    expect(stepFrom(env, [0, 1.25, 0.3, 0, 0, 0]).terminated).toBe(true);
    expect(stepFrom(env, [0, 1.25, -0.3, 0, 0, 0]).terminated).toBe(true);
    expect(stepFrom(env, [0, 1.25, 0, 0, 0, 0], [0, 0, 0, 150, 0, 0]).terminated).toBe(true);
    env.close();
    const lenient = new HopperEnv({ terminate_when_unhealthy: false, healthy_z_range: [0.5, null] });
    expect(stepFrom(lenient, [0, 0.6, 0, 0, 0, 0])).toEqual({ terminated: false, survive: 1 });
    expect(stepFrom(lenient, [0, 0.4, 0, 0, 0, 0])).toEqual({ terminated: false, survive: 0 });
    lenient.close();
  });

  it('Walker2d: healthy only for 0.8 < z < 2 and |angle| < 1', () => {
    const env = new Walker2dEnv();
    const q = (z: number, angle: number) => [0, z, angle, 0, 0, 0, 0, 0, 0];
    expect(stepFrom(env, q(1.25, 0)).terminated).toBe(false);
    expect(stepFrom(env, q(0.7, 0)).terminated).toBe(true);
    expect(stepFrom(env, q(2.2, 0)).terminated).toBe(true);
    expect(stepFrom(env, q(1.25, 1.1)).terminated).toBe(true);
    expect(stepFrom(env, q(1.25, -1.1)).terminated).toBe(true);
    env.close();
  });

  it('Ant: healthy only for 0.2 <= z <= 1 with a finite state', () => {
    const env = new AntEnv();
    const q = (z: number) => [0, 0, z, 1, 0, 0, 0, 0, 0.5, 0, -0.5, 0, -0.5, 0, 0.5];
    expect(stepFrom(env, q(0.75))).toEqual({ terminated: false, survive: 1 });
    expect(stepFrom(env, q(1.3)).terminated).toBe(true);
    env.close();
    // The floor keeps the torso above 0.2, so check the lower bound with a raised range.
    const picky = new AntEnv({ healthy_z_range: [0.8, 1.0] });
    expect(stepFrom(picky, q(0.75))).toEqual({ terminated: true, survive: 0 });
    picky.close();
  });

  it('InvertedPendulum: ends with reward 0 once |angle| > 0.2', () => {
    const env = new InvertedPendulumEnv();
    env.reset({ seed: 0 });
    env.setState([0, 0.25], [0, 0]);
    const r = env.step([0]);
    expect([r.terminated, r.reward]).toEqual([true, 0]);
    env.reset({ seed: 0 });
    const ok = env.step([0]);
    expect([ok.terminated, ok.reward]).toEqual([false, 1]);
    env.close();
  });

  it('InvertedDoublePendulum: ends when the tip drops to z <= 1; upright and still pays 10 - 0.64 at most', () => {
    const env = new InvertedDoublePendulumEnv();
    env.reset({ seed: 0 });
    env.setState([0, 1.2, 0], [0, 0, 0]);
    expect(env.step([0]).terminated).toBe(true);
    env.reset({ seed: 0 });
    env.setState([0, 0, 0], [0, 0, 0]);
    const r = env.step([0]);
    expect(r.terminated).toBe(false);
    expect(r.reward).toBeLessThanOrEqual(9.36 + 1e-9);
    expect(r.reward).toBeGreaterThan(9.3);
    env.close();
  });
});

describe('reset distributions', () => {
  it('Hopper resets within +-0.005 of qpos0 and zero velocity', () => {
    const env = new HopperEnv();
    for (let s = 0; s < 20; s++) {
      env.reset({ seed: s });
      const { qpos, qvel } = env.getState();
      qpos.forEach((v, i) => expect(Math.abs(v - env.initQpos[i])).toBeLessThanOrEqual(0.005));
      qvel.forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(0.005));
    }
    env.close();
  });

  it('Reacher puts the target strictly inside radius 0.2 and zeroes its velocity', () => {
    const env = new ReacherEnv();
    for (let s = 0; s < 50; s++) {
      const { obs } = env.reset({ seed: s });
      expect(Math.hypot(obs[4], obs[5])).toBeLessThan(0.2);
      const { qvel } = env.getState();
      expect([qvel[2], qvel[3]]).toEqual([0, 0]);
    }
    env.close();
  });
});

describe('options', () => {
  it('exclude_current_positions_from_observation adds the root positions', () => {
    const sizes = ['Hopper-v5', 'Walker2d-v5', 'HalfCheetah-v5', 'Swimmer-v5', 'Ant-v5'].map((id) => {
      const env = make(id, { kwargs: { exclude_current_positions_from_observation: false } });
      const n = env.reset({ seed: 0 }).obs.length;
      env.close();
      return n;
    });
    expect(sizes).toEqual([12, 18, 18, 10, 107]);
  });

  it('Ant without contact forces has the 27-dim observation', () => {
    const env = make('Ant-v5', { kwargs: { include_cfrc_ext_in_observation: false } });
    expect(env.reset({ seed: 0 }).obs.length).toBe(27);
    env.close();
  });

  it('reward weights scale their terms', () => {
    const a = make('HalfCheetah-v5');
    const b = make('HalfCheetah-v5', { kwargs: { forward_reward_weight: 2, ctrl_cost_weight: 0 } });
    a.reset({ seed: 4 });
    b.reset({ seed: 4 });
    const ra = a.step([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const rb = b.step([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(rb.info.reward_forward as number).toBeCloseTo(2 * (ra.info.reward_forward as number), 10);
    expect(rb.info.reward_ctrl).toBe(-0);
    a.close();
    b.close();
  });

  it('refuses bad option values with the env and option named', () => {
    expect(() => make('Hopper-v5', { kwargs: { healthy_z_range: [1, 0] } })).toThrow('Hopper-v5 option healthy_z_range has low 1 > high 0');
    expect(() => make('Hopper-v5', { kwargs: { ctrl_cost_weight: -1 } })).toThrow('Hopper-v5 option ctrl_cost_weight must be >= 0, got -1');
    expect(() => make('Ant-v5', { kwargs: { main_body: 99 } })).toThrow(/main_body must be a body id in \[1, 13\]/);
    expect(() => make('Walker2d-v5', { kwargs: { frame_skip: 0 } })).toThrow(/frame_skip must be a positive integer/);
    expect(() => make('Hopper-v5', { kwargs: { healthy_reward: 'one' } })).toThrow(/must be a number/);
  });

  it('frame_skip changes dt', () => {
    const env = make('Hopper-v5', { kwargs: { frame_skip: 2 } });
    expect(raw(env).dt).toBeCloseTo(0.004, 12);
    env.close();
  });
});

describe('render states', () => {
  it('describe the visible geoms once and give 7 numbers per geom per step', () => {
    const env = make('Hopper-v5');
    env.reset({ seed: 0 });
    const spec = env.renderSpec()!;
    if (spec.kind !== 'mujoco') throw new Error('expected a MuJoCo scene');
    expect(spec.geoms.map((g) => [g.name, g.type])).toEqual([
      ['floor', 'plane'],
      ['torso_geom', 'capsule'],
      ['thigh_geom', 'capsule'],
      ['leg_geom', 'capsule'],
      ['foot_geom', 'capsule'],
    ]);
    const frame = env.renderState()!;
    expect(frame.length).toBe(35);
    // Torso capsule at (0, 0, 1.25) give or take the reset noise, upright (identity quaternion).
    expect(frame[7 + 2]).toBeCloseTo(1.25, 1);
    expect(frame[7 + 3]).toBeCloseTo(1, 3);
    // The foot capsule lies along x: a 90-degree turn about y.
    expect(Math.abs(frame[28 + 5])).toBeCloseTo(Math.SQRT1_2, 2);
    env.step([1, 1, 1]);
    expect(env.renderState()).not.toEqual(frame);
    env.close();
  });
});

describe('resources', () => {
  it('memory stays flat over 10,000 resets and 1,000 env creations', () => {
    const env = new HopperEnv();
    for (let i = 0; i < 200; i++) env.reset();
    const before = wasmMemoryBytes();
    const rss = process.memoryUsage().rss;
    for (let i = 0; i < 10_000; i++) env.reset();
    expect(wasmMemoryBytes()).toBe(before);
    // Warm up the allocator with a few creations, then require no growth at all.
    for (let i = 0; i < 20; i++) new AntEnv().close();
    const afterWarmup = wasmMemoryBytes();
    for (let i = 0; i < 1_000; i++) {
      const e = i % 2 === 0 ? new AntEnv() : new HopperEnv();
      e.reset({ seed: i });
      e.step(new Float32Array(e.actionSpace.size));
      e.close();
    }
    expect(wasmMemoryBytes()).toBe(afterWarmup);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 2 ** 20);
    // The first env still works after all that allocation.
    expect(env.reset({ seed: 1 }).obs.length).toBe(11);
    env.close();
  });

  it('a closed env refuses to step', () => {
    const env = new HopperEnv();
    env.reset({ seed: 0 });
    env.close();
    expect(() => env.step([0, 0, 0])).toThrow(/env is closed/);
  });

  it('views survive WASM memory growth from other envs', () => {
    const env = new HopperEnv();
    env.reset({ seed: 3 });
    const others = Array.from({ length: 40 }, () => new AntEnv());
    const r = env.step([0.1, 0.1, 0.1]);
    expect(r.obs.length).toBe(11);
    expect(Number.isFinite(r.reward)).toBe(true);
    for (const o of others) o.close();
    env.close();
  });
});
