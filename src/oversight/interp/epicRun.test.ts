import { describe, expect, it } from 'vitest';
import '../../envs/builtins.js';
import { make } from '../../envs/registry.js';
import { RewardModel } from '../../prefs/rewardModel.js';
import { Rng } from '../../utils/rng.js';
import { rolloutClips } from './clips.js';
import { dardDistances, drawCoverage, epicDistances, type BatchReward } from './epic.js';
import { correlations, epicOnRun, simulatorOf, hasSimulator, nearestNeighbourModel, subsample, transitionsOfClips } from './epicRun.js';

/** Random-policy clips of an env, with the true reward of each step recorded beside them. */
function recorded(envId: string, kwargs: Record<string, unknown> = {}, episodes = 2, clipLength = 20) {
  const env = make(envId, { kwargs });
  const rng = new Rng(4);
  const rewards: number[] = [];
  const wrapped = { ...env, reset: env.reset.bind(env), renderState: env.renderState.bind(env), actionSpace: env.actionSpace, step: (a: number) => {
    const r = env.step(a);
    rewards.push(r.reward);
    return r;
  } } as unknown as typeof env;
  const clips = rolloutClips(wrapped, () => rng.integer(4), { episodes, clipLength, seed: 9, maxSteps: 100 });
  env.close();
  return { clips, rewards };
}

describe('EPIC and DARD on a run: transitions, the simulator as truth and transition model, the ensemble mean', () => {
  it('cuts clips into (o, a, o′) within each clip', () => {
    const { clips } = recorded('CoinCue-v0', {}, 1, 10);
    const t = transitionsOfClips(clips);
    expect(t.n).toBe(clips.reduce((k, c) => k + c.length - 1, 0));
    expect(Array.from(t.next.subarray(0, t.obsSize))).toEqual(Array.from(clips[0].obs.subarray(t.obsSize, 2 * t.obsSize)));
    expect(subsample(t, 5, new Rng(1)).n).toBe(5);
  });

  it('the simulator, put in each observed state, gives the recorded reward and next observation (deterministic envs)', () => {
    for (const envId of ['CoinCue-v0', 'BoatRace-v0', 'IslandNavigation-v0']) {
      expect(hasSimulator(envId)).toBe(true);
      const { clips, rewards } = recorded(envId, {}, 1, 100);
      const t = transitionsOfClips(clips.slice(0, 1));
      const sim = simulatorOf(envId, {}, 0);
      const truth = sim.truth(t.obs, t.actions, t.next, t.n);
      expect(Array.from(truth), envId).toEqual(rewards.slice(0, t.n));
      for (let i = 0; i < t.n; i++) {
        const next = sim.model(t.obs.slice(i * t.obsSize, (i + 1) * t.obsSize), t.actions.slice(i * 4, (i + 1) * 4), new Rng(0));
        expect(Array.from(next), `${envId} step ${i}`).toEqual(Array.from(t.next.subarray(i * t.obsSize, (i + 1) * t.obsSize)));
      }
    }
    expect(hasSimulator('TomatoWatering-v0')).toBe(false);
    expect(() => simulatorOf('TomatoWatering-v0', {}, 0)).toThrow(/nearestNeighbourModel/);
  });

  it('the planar MuJoCo runners, put in each observed state, give the recorded reward and next observation (Walker2d: up to its contact solver)', () => {
    for (const envId of ['Hopper-v5', 'HalfCheetah-v5', 'Swimmer-v5', 'Walker2d-v5']) {
      expect(hasSimulator(envId)).toBe(true);
      const env = make(envId);
      const rng = new Rng(5);
      const size = (env.actionSpace as { size: number }).size;
      let { obs } = env.reset({ seed: 3 });
      const sim = simulatorOf(envId, {}, 0);
      const rewardErrors: number[] = [];
      let worstObs = 0;
      try {
        for (let t = 0; t < 60; t++) {
          const a = Float64Array.from({ length: size }, () => rng.uniform(-1, 1));
          const r = env.step(Float32Array.from(a));
          const s = Float64Array.from(obs);
          rewardErrors.push(Math.abs(sim.truth(s, a, s, 1)[0] - r.reward));
          const next = sim.model(s, a, new Rng(0));
          for (let j = 0; j < next.length; j++) worstObs = Math.max(worstObs, Math.abs(next[j] - r.obs[j]));
          if (r.terminated) break;
          obs = r.obs;
        }
      } finally {
        sim.close();
        env.close();
      }
      rewardErrors.sort((x, y) => x - y);
      if (envId === 'Walker2d-v5') {
        // MuJoCo's contact solver warm-starts from the last step's accelerations, which no observation holds:
        // with both feet on the floor the restored step differs a little (a few 1e-4 of reward typically, against a reward std of 0.6).
        expect(rewardErrors[Math.floor(rewardErrors.length / 2)]).toBeLessThan(0.01);
      } else {
        // Float32 observations: the restored state is off by ~1e-7 relative.
        expect(rewardErrors.at(-1), envId).toBeLessThan(1e-5);
        expect(worstObs, envId).toBeLessThan(1e-4);
      }
    }
  });

  it('the nearest-neighbour model returns the recorded next state of a recorded (s, a)', () => {
    const t = transitionsOfClips(recorded('BoatRace-v0', {}, 1, 30).clips);
    const model = nearestNeighbourModel(t);
    const i = 7;
    const next = model(t.obs.slice(i * t.obsSize, (i + 1) * t.obsSize), t.actions.slice(i * 4, (i + 1) * 4), new Rng(0));
    expect(Array.from(next)).toEqual(Array.from(t.next.subarray(i * t.obsSize, (i + 1) * t.obsSize)));
  });

  it('epicOnRun: the truth is at distance 0 from itself; the ensemble mean (by linearity) matches EPIC and DARD of rm.reward computed directly', () => {
    const { clips } = recorded('CoinCue-v0', {}, 2, 50);
    const t = subsample(transitionsOfClips(clips), 60, new Rng(2));
    const sim = simulatorOf('CoinCue-v0', {}, 0);
    const rm = new RewardModel(t.obsSize, t.actionSize, { ensembleSize: 3, hidden: [8] }, new Rng(3));
    rm.outStd.splice(0, 3, 0.5, 2, 1);
    rm.outMean.splice(0, 3, 1, -1, 3);
    const opts = { samples: 16, gamma: 0.99 };
    const r = epicOnRun(rm, sim.truth, sim.model, t, opts, new Rng(8));
    expect(r.epic.members).toHaveLength(3);
    const meanReward: BatchReward = (obs, actions, _next, n) => rm.reward(obs, actions, n);
    const [epicDirect, self] = epicDistances(sim.truth, [meanReward, sim.truth], t, opts, new Rng(8));
    expect(r.epic.mean).toBeCloseTo(epicDirect, 9);
    expect(self).toBeLessThan(1e-9);
    const rng = new Rng(8);
    drawCoverage(t, opts.samples, rng);
    const [dardDirect] = dardDistances(sim.truth, [meanReward], t, sim.model, opts, rng);
    expect(r.dard.mean).toBeCloseTo(dardDirect, 9);
    for (const d of [...r.epic.members, ...r.dard.members, r.epic.mean, r.dard.mean]) expect(d).toBeGreaterThan(0.05);
  });

  it('correlations: Pearson and Spearman with n, ties ranked by their average', () => {
    const c = correlations([1, 2, 3, 4], [1, 4, 9, 100]);
    expect(c.n).toBe(4);
    expect(c.spearman).toBeCloseTo(1, 12);
    expect(c.pearson!).toBeLessThan(0.9);
    expect(correlations([1, 1, 2], [3, 3, 4]).spearman).toBeCloseTo(1, 12);
    expect(correlations([1, 2], [1, 2]).pearson).toBeNull();
  });
});
