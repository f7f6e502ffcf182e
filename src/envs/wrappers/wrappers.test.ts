import { describe, expect, it } from 'vitest';
import '../builtins.js';
import { FakeEnv } from '../fakeEnv.js';
import { make } from '../registry.js';
import { Discrete } from '../spaces.js';
import { NormalizeObservation } from './normalizeObservation.js';
import { RecordEpisodeStatistics, type EpisodeStatistics } from './recordEpisodeStatistics.js';
import { TimeLimit } from './timeLimit.js';
import { findWrapper } from './wrapper.js';

/** obs = [t * scale + offset], reward = t, terminates at `terminateAt`. */
function counterEnv(terminateAt = Infinity, scale = 1, offset = 0): FakeEnv {
  return new FakeEnv({
    actionSpace: new Discrete(2),
    reset: () => [offset],
    step: (_a, t) => ({ obs: [t * scale + offset], reward: t, terminated: t >= terminateAt }),
  });
}

/** Observations 100 + 3 z with z standard normal. */
function noiseEnv(): FakeEnv {
  return new FakeEnv({ actionSpace: new Discrete(2), reset: () => [100], step: (_a, _t, rng) => ({ obs: [100 + 3 * rng.normal()], reward: 0 }) });
}

describe('TimeLimit', () => {
  it('truncates on the max step and resets its count on reset', () => {
    const env = new TimeLimit(counterEnv(), 3);
    env.reset();
    expect([env.step(0).truncated, env.step(0).truncated, env.step(0).truncated]).toEqual([false, false, true]);
    env.reset();
    expect(env.step(0).truncated).toBe(false);
  });

  it('keeps terminated and truncated apart when both happen on the same step', () => {
    const env = new TimeLimit(counterEnv(2), 2);
    env.reset();
    env.step(0);
    const r = env.step(0);
    expect([r.terminated, r.truncated]).toEqual([true, true]);
  });

  it('rejects a non-positive limit', () => {
    expect(() => new TimeLimit(counterEnv(), 0)).toThrow(/positive integer maxEpisodeSteps/);
  });
});

describe('RecordEpisodeStatistics', () => {
  it('reports the return and length on the final step only', () => {
    const env = new RecordEpisodeStatistics(counterEnv(4));
    env.reset();
    const infos = [0, 1, 2, 3].map(() => env.step(1).info);
    expect(infos.slice(0, 3).every((i) => i.episode === undefined)).toBe(true);
    const ep = infos[3].episode as EpisodeStatistics;
    expect(ep.r).toBe(1 + 2 + 3 + 4);
    expect(ep.l).toBe(4);
    expect(ep.t).toBeGreaterThanOrEqual(0);
    expect(env.returnQueue).toEqual([10]);
  });

  it('counts truncation as an episode end too', () => {
    const env = new RecordEpisodeStatistics(make('MountainCar-v0'));
    env.reset({ seed: 1 });
    let info: Record<string, unknown> = {};
    for (let t = 0; t < 200; t++) info = env.step(1).info;
    expect(info.episode).toMatchObject({ r: -200, l: 200 });
  });
});

describe('NormalizeObservation', () => {
  it('drives observations toward zero mean and unit variance', () => {
    const env = new NormalizeObservation(noiseEnv());
    env.reset({ seed: 0 });
    const tail: number[] = [];
    for (let t = 0; t < 4000; t++) {
      const x = env.step(0).obs[0];
      if (t >= 2000) tail.push(x);
    }
    const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
    const variance = tail.reduce((a, b) => a + (b - mean) ** 2, 0) / tail.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(variance).toBeCloseTo(1, 1);
    expect(env.rms.mean[0]).toBeCloseTo(100, 0);
    expect(env.observationSpace.contains([1e30])).toBe(true);
  });

  it('freezes when update is false and restores saved statistics', () => {
    const env = new NormalizeObservation(counterEnv(Infinity, 1, 0));
    env.reset();
    for (let t = 0; t < 50; t++) env.step(0);
    const saved = JSON.parse(JSON.stringify(env.state()));
    env.update = false;
    const before = env.rms.count;
    const a = env.step(0).obs[0];
    expect(env.rms.count).toBe(before);

    const fresh = new NormalizeObservation(counterEnv(Infinity, 1, 0));
    fresh.load(saved);
    fresh.update = false;
    fresh.reset();
    for (let t = 0; t < 50; t++) fresh.step(0);
    expect(fresh.step(0).obs[0]).toBe(a);
    expect(() => fresh.load({ mean: [0, 0], var: [1, 1], count: 1 })).toThrow('observation normaliser: saved state has size 2, expected 1');
  });

  it('clips normalised values', () => {
    const env = new NormalizeObservation(counterEnv(Infinity, 1, 0), { clip: 0.5 });
    env.rms.load({ mean: [0], var: [1e-6], count: 1 });
    env.update = false;
    env.reset();
    expect(env.step(0).obs[0]).toBe(0.5);
  });

  it('is found inside a wrapper stack', () => {
    const inner = new NormalizeObservation(counterEnv());
    const env = new TimeLimit(inner, 5);
    expect(findWrapper(env, NormalizeObservation)).toBe(inner);
    expect(findWrapper(env, RecordEpisodeStatistics)).toBeUndefined();
  });
});
