import { afterAll, describe, expect, it } from 'vitest';
import '../builtins.js';
import { Rng } from '../../utils/rng.js';
import { make } from '../registry.js';
import { makeVec } from './make.js';
import { VecNormalizeObservation } from './normalizeObservation.js';
import type { VectorEnv } from './types.js';

/** Runs `steps` random steps and records everything the vector env returns. */
function trace(env: VectorEnv, seed: number, steps: number): unknown[] {
  const rng = new Rng(seed);
  const out: unknown[] = [Array.from(env.reset({ seed }).obs)];
  for (let t = 0; t < steps; t++) {
    const actions = Array.from({ length: env.numEnvs }, () => env.singleActionSpace.sample(rng)).flatMap((a) => (typeof a === 'number' ? [a] : Array.from(a as ArrayLike<number>)));
    const r = env.step(actions);
    out.push([Array.from(r.obs), Array.from(r.rewards), Array.from(r.terminated), Array.from(r.truncated), r.finalObs.map((o) => (o ? Array.from(o) : null)), r.infos.map((i) => (i.episode as { r: number } | undefined)?.r ?? null)]);
  }
  return out;
}

describe('vector envs', () => {
  const open: VectorEnv[] = [];
  afterAll(() => open.forEach((e) => e.close()));

  it('sub-env i is seeded with seed + i, like a single env', () => {
    const vec = makeVec('CartPole-v1', { numEnvs: 3 });
    const obs = vec.reset({ seed: 10 }).obs;
    for (let i = 0; i < 3; i++) expect(Array.from(obs.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(make('CartPole-v1').reset({ seed: 10 + i }).obs));
  });

  it('autoresets on the same step and keeps the final observation', () => {
    const vec = makeVec('CartPole-v1', { numEnvs: 2 });
    vec.reset({ seed: 0 });
    const single = make('CartPole-v1');
    let obs = single.reset({ seed: 0 }).obs;
    for (let t = 0; t < 200; t++) {
      const r = vec.step([1, 1]);
      const s = single.step(1);
      if (s.terminated) {
        expect(r.terminated[0]).toBe(1);
        expect(Array.from(r.finalObs[0]!)).toEqual(Array.from(s.obs));
        expect(r.infos[0].episode).toMatchObject({ l: t + 1 });
        // The returned row is the next episode's first observation.
        expect(Array.from(r.obs.subarray(0, 4))).not.toEqual(Array.from(s.obs));
        expect(Math.max(...Array.from(r.obs.subarray(0, 4), Math.abs))).toBeLessThanOrEqual(0.05);
        return;
      }
      expect(r.finalObs[0]).toBeNull();
      obs = s.obs;
      expect(Array.from(r.obs.subarray(0, 4))).toEqual(Array.from(obs));
    }
    throw new Error('CartPole pushed right never terminated');
  });

  it('worker threads give exactly the sync trajectory (discrete, continuous, MuJoCo; uneven split)', () => {
    for (const [id, numEnvs] of [['CartPole-v1', 5], ['Pendulum-v1', 3], ['Hopper-v5', 4]] as const) {
      const sync = makeVec(id, { numEnvs });
      const workers = makeVec(id, { numEnvs, mode: 'workers', numWorkers: 2 });
      open.push(workers);
      const rng = new Rng(1);
      const a = sync.reset({ seed: 4 });
      const b = workers.reset({ seed: 4 });
      expect(Array.from(b.obs)).toEqual(Array.from(a.obs));
      for (let t = 0; t < 300; t++) {
        const actions = Array.from({ length: numEnvs * sync.actionSize }, () => (id === 'CartPole-v1' ? rng.integer(2) : rng.uniform(-1, 1)));
        const x = sync.step(actions);
        const y = workers.step(actions);
        expect(Array.from(y.obs)).toEqual(Array.from(x.obs));
        expect(Array.from(y.rewards)).toEqual(Array.from(x.rewards));
        expect(Array.from(y.terminated)).toEqual(Array.from(x.terminated));
        expect(Array.from(y.truncated)).toEqual(Array.from(x.truncated));
        expect(y.finalObs.map((o) => o && Array.from(o))).toEqual(x.finalObs.map((o) => o && Array.from(o)));
        expect(y.infos.map((i) => (i.episode as { r: number } | undefined)?.r)).toEqual(x.infos.map((i) => (i.episode as { r: number } | undefined)?.r));
        expect(y.infos.map((i) => i.x_velocity)).toEqual(x.infos.map((i) => i.x_velocity));
      }
      sync.close();
    }
  });

  it('with a thread budget of 1 (OVERSEER_THREADS=1) every env steps on the calling thread, same trajectory', () => {
    const before = process.env.OVERSEER_THREADS;
    process.env.OVERSEER_THREADS = '1';
    try {
      const single = makeVec('Hopper-v5', { numEnvs: 2, mode: 'workers' });
      open.push(single);
      expect((single as unknown as { numWorkers: number }).numWorkers).toBe(0);
      const threaded = makeVec('Hopper-v5', { numEnvs: 2, mode: 'workers', numWorkers: 1 });
      open.push(threaded);
      expect(trace(single, 3, 200)).toEqual(trace(threaded, 3, 200));
    } finally {
      if (before === undefined) delete process.env.OVERSEER_THREADS;
      else process.env.OVERSEER_THREADS = before;
    }
  });

  it('worker errors surface with the sub-env and the reason, and the env stays usable', () => {
    const vec = makeVec('CartPole-v1', { numEnvs: 2, mode: 'workers', numWorkers: 2 });
    open.push(vec);
    vec.reset({ seed: 0 });
    expect(() => vec.step([0, 7])).toThrow(/sub-env 1: CartPole-v1: invalid action: expected an integer in \{0, 1\}/);
    expect(() => vec.step([0])).toThrow('vector env step expects 2 x 1 = 2 action values, got 1');
    expect(vec.step([0, 1]).obs.length).toBe(8);
    vec.close();
    expect(() => vec.step([0, 1])).toThrow(/closed/);
  });

  it('records the render state of every observation, after autoreset too, identically with workers', () => {
    const traces: number[][][] = [];
    for (const mode of ['sync', 'workers'] as const) {
      const vec = makeVec('Hopper-v5', { numEnvs: 2, mode, recordRender: true });
      open.push(vec);
      const single = make('Hopper-v5');
      expect(vec.renderSize).toBe(5 * 7);
      const frames: number[][] = [];
      const r0 = vec.reset({ seed: 4 });
      single.reset({ seed: 4 });
      expect(Array.from(r0.render!.subarray(0, 35))).toEqual(Array.from(single.renderState()!));
      const rng = new Rng(1);
      let resets = 0;
      for (let t = 0; t < 120; t++) {
        const a = Float64Array.from({ length: 6 }, () => rng.uniform(-1, 1));
        const r = vec.step(a);
        const s = single.step(a.subarray(0, 3));
        if (s.terminated || s.truncated) {
          single.reset();
          resets += 1;
        }
        // Row 0 follows the single env, including the state after an autoreset.
        expect(Array.from(r.render!.subarray(0, 35))).toEqual(Array.from(single.renderState()!));
        frames.push(Array.from(r.render!));
      }
      expect(resets).toBeGreaterThan(0);
      single.close();
      traces.push(frames);
    }
    expect(traces[1]).toEqual(traces[0]);
    expect(makeVec('CartPole-v1', { numEnvs: 1 }).renderSize).toBe(0);
  });

  it('refuses unknown ids and modes before starting threads', () => {
    expect(() => makeVec('Nope-v1', { numEnvs: 2, mode: 'workers' })).toThrow(/Unknown environment id "Nope-v1"/);
    expect(() => makeVec('CartPole-v1', { numEnvs: 2, mode: 'fork' as never })).toThrow(/'sync' or 'workers'/);
    expect(() => makeVec('CartPole-v1', { numEnvs: 0 })).toThrow(/positive integer/);
  });

  it('the same seed gives the same trajectory twice', () => {
    const a = trace(makeVec('Acrobot-v1', { numEnvs: 2 }), 3, 100);
    const b = trace(makeVec('Acrobot-v1', { numEnvs: 2 }), 3, 100);
    expect(b).toEqual(a);
  });

  it('VecNormalizeObservation shares one running mean/std and normalises final observations without updating', () => {
    const vec = new VecNormalizeObservation(makeVec('CartPole-v1', { numEnvs: 4 }));
    vec.reset({ seed: 0 });
    const rng = new Rng(0);
    let sawFinal = false;
    for (let t = 0; t < 300; t++) {
      const r = vec.step(Array.from({ length: 4 }, () => rng.integer(2)));
      for (const f of r.finalObs) if (f) sawFinal = true;
    }
    expect(sawFinal).toBe(true);
    expect(vec.rms.count).toBeCloseTo(4 * 301, 0);
    const s = vec.state();
    expect(s.mean).toHaveLength(4);
  });
});
