import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import { FakeEnv } from '../envs/fakeEnv.js';
import { register } from '../envs/registry.js';
import { Box, Discrete } from '../envs/spaces.js';
import { maxRelativeError, numericGradient } from '../nn/gradcheck.js';
import { Rng } from '../utils/rng.js';
import { ActorCritic } from './agent.js';
import { evaluatePolicy } from './evaluate.js';
import { Ppo, computeGae, explainedVariance, trainPpo, type PpoConfigInput, type PpoMetrics } from './ppo.js';
import { ppoLoss, valueLoss } from './ppoLoss.js';
import { ppoPreset } from './presets.js';

describe('computeGae', () => {
  it('matches a hand-computed two-env rollout with an episode end', () => {
    // env 0: rewards 1, 2, 3 with a done after step 1; env 1: rewards 0, 0, 1, no done.
    const rewards = [1, 0, 2, 0, 3, 1];
    const values = [0.5, 0.1, 0.4, 0.2, 0.3, 0.3];
    const dones = [0, 0, 1, 0, 0, 0];
    const nextValues = [0.6, 0.7];
    const g = 0.9;
    const l = 0.8;
    const adv = new Float64Array(6);
    const ret = new Float64Array(6);
    computeGae(rewards, values, dones, nextValues, 3, 2, g, l, adv, ret);
    // env 0, t = 2: delta = 3 + 0.9 * 0.6 - 0.3
    const a02 = 3 + g * 0.6 - 0.3;
    // t = 1 ends its episode: no bootstrap, no trace from t = 2.
    const a01 = 2 - 0.4;
    const a00 = 1 + g * 0.4 - 0.5 + g * l * a01;
    const a12 = 1 + g * 0.7 - 0.3;
    const a11 = 0 + g * 0.3 - 0.2 + g * l * a12;
    const a10 = 0 + g * 0.2 - 0.1 + g * l * a11;
    const expected = [a00, a10, a01, a11, a02, a12];
    expected.forEach((v, i) => expect(adv[i]).toBeCloseTo(v, 12));
    expected.forEach((v, i) => expect(ret[i]).toBeCloseTo(v + values[i], 12));
  });

  it('with lambda = 1 and no value function gives discounted returns', () => {
    const adv = new Float64Array(3);
    const ret = new Float64Array(3);
    computeGae([1, 1, 1], [0, 0, 0], [0, 0, 0], [0], 3, 1, 0.5, 1, adv, ret);
    expect(Array.from(ret)).toEqual([1.75, 1.5, 1]);
  });
});

describe('ppoLoss', () => {
  it('gradient matches finite differences away from the clip edges', () => {
    const rng = new Rng(3);
    const n = 12;
    const oldLp = Float64Array.from({ length: n }, () => rng.normal());
    // Ratios spread over both sides of [0.8, 1.2], avoiding the kinks themselves.
    const ratios = [0.5, 0.7, 0.85, 0.95, 1.0, 1.05, 1.15, 1.3, 1.6, 0.9, 1.1, 0.75];
    const newLp = Float64Array.from(oldLp, (o, i) => o + Math.log(ratios[i]));
    const adv = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * (0.5 + rng.random()));
    const grad = new Float64Array(n);
    ppoLoss(newLp, oldLp, adv, n, 0.2, grad);
    const num = numericGradient(() => ppoLoss(newLp, oldLp, adv, n, 0.2, new Float64Array(n)).loss, newLp);
    expect(maxRelativeError(grad, num)).toBeLessThan(1e-7);
    // Some terms are clipped (zero gradient), some not.
    expect(grad.filter((g) => g === 0).length).toBeGreaterThan(0);
    expect(grad.filter((g) => g !== 0).length).toBeGreaterThan(0);
  });

  it('at ratio 1 equals -mean(advantage) with zero KL and no clipping', () => {
    const r = ppoLoss([0.1, 0.2], [0.1, 0.2], [1, 3], 2, 0.2, new Float64Array(2));
    expect(r.loss).toBeCloseTo(-2, 12);
    expect(r.approxKl).toBe(0);
    expect(r.clipFraction).toBe(0);
  });
});

describe('valueLoss', () => {
  for (const clip of [null, 0.2]) {
    it(`gradient matches finite differences (clip ${clip})`, () => {
      const values = Float64Array.of(1.0, 0.5, -0.3, 2.0, 0.05);
      const oldValues = [0.9, 0.9, -0.2, 1.5, 0.0];
      const returns = [1.5, 0.0, -0.25, 1.0, 0.3];
      const grad = new Float64Array(5);
      valueLoss(values, returns, oldValues, 5, clip, grad);
      const num = numericGradient(() => valueLoss(values, returns, oldValues, 5, clip, new Float64Array(5)), values);
      expect(maxRelativeError(grad, num)).toBeLessThan(1e-7);
    });
  }
});

describe('explainedVariance', () => {
  it('is 1 for a perfect critic and 0 for a constant one', () => {
    expect(explainedVariance([1, 2, 3], [1, 2, 3], 3)).toBe(1);
    expect(explainedVariance([2, 2, 2], [1, 2, 3], 3)).toBeCloseTo(0, 12);
  });
});

describe('ActorCritic checkpoints', () => {
  it('round-trip a Gaussian agent with observation statistics exactly', () => {
    const agent = new ActorCritic({
      observationSpace: new Box(-1, 1, [3]).toJSON(),
      actionSpace: new Box(-2, 2, [2]).toJSON(),
      hidden: [8],
      activation: 'tanh',
      initLogStd: -0.5,
      normalizeObs: true,
      clipObs: 10,
    }).init(new Rng(1));
    agent.obsRms!.update([1, 2, 3, 2, 3, 4]);
    const back = ActorCritic.load(JSON.parse(JSON.stringify(agent.save({ envId: 'X' }))));
    const obs = Float32Array.of(0.1, -0.2, 0.3);
    expect(back.act(obs, true, new Rng(0))).toEqual(agent.act(obs, true, new Rng(0)));
    expect(Array.from((back.head as unknown as { logStd: { params: Float32Array } }).logStd.params)).toEqual([-0.5, -0.5]);
    const broken = { ...agent.save(), obsRms: { mean: [0], var: [1], count: 1 } };
    expect(() => ActorCritic.load(broken, 'ckpt')).toThrow('ckpt observation normaliser: saved state has size 1, expected 3');
    expect(() => ActorCritic.load({ format: 'other' }, 'ckpt')).toThrow('ckpt: not an Overseer agent checkpoint');
  });

  it('clips Gaussian actions to the action bounds for the env', () => {
    const agent = new ActorCritic({
      observationSpace: new Box(-1, 1, [1]).toJSON(),
      actionSpace: new Box(-1, 1, [1]).toJSON(),
      hidden: [4],
      activation: 'tanh',
      initLogStd: 0,
      normalizeObs: false,
      clipObs: 10,
    });
    expect(Array.from(agent.toEnvAction(Float32Array.of(3.5), 0) as Float32Array)).toEqual([1]);
  });
});

// Reward 1 forever; only a 5-step time limit ends episodes, so V = 1 / (1 - gamma).
register({
  id: 'ConstantReward-v0',
  entryPoint: () => new FakeEnv({ observationSpace: new Box(0, 1, [1]), actionSpace: new Discrete(2), reset: () => [1], step: () => ({ obs: [1], reward: 1 }) }),
  kwargs: {},
  maxEpisodeSteps: 5,
});

describe('trainPpo', () => {
  it('bootstraps through time-limit truncation: the critic learns 1/(1-gamma), not the 5-step return', async () => {
    const { agent } = await trainPpo({
      envId: 'ConstantReward-v0',
      totalTimesteps: 20_000,
      numEnvs: 4,
      numSteps: 50,
      gamma: 0.9,
      learningRate: 3e-3,
      numMinibatches: 1,
      updateEpochs: 4,
      annealLr: false,
    });
    const v = agent.critic.predict([1])[0];
    // Without bootstrapping the target would average 1..(1+0.9+...+0.9^4) = about 3.
    expect(v).toBeGreaterThan(9);
    expect(v).toBeLessThan(11);
  });

  it('learns CartPole with the preset (deterministic return > 150 after 25k steps)', async () => {
    const { agent, globalStep } = await trainPpo({ ...ppoPreset('CartPole-v1'), envId: 'CartPole-v1', seed: 1, totalTimesteps: 25_000 });
    expect(globalStep).toBe(25_088);
    const before = new ActorCritic(agent.spec).init(new Rng(1));
    const untrained = evaluatePolicy(before, 'CartPole-v1', { episodes: 5, seed: 100, deterministic: true });
    const trained = evaluatePolicy(agent, 'CartPole-v1', { episodes: 5, seed: 100, deterministic: true });
    expect(untrained.mean).toBeLessThan(60);
    expect(trained.mean).toBeGreaterThan(150);
  });

  it('runs a continuous-action task end to end with finite losses and a moving log-std', async () => {
    const logStds: number[] = [];
    const { agent } = await trainPpo(
      { envId: 'Pendulum-v1', totalTimesteps: 4096, numEnvs: 4, numSteps: 256, normalizeObs: true, vectorization: 'workers' },
      {
        onUpdate: (m, a) => {
          expect(Number.isFinite(m.policyLoss) && Number.isFinite(m.valueLoss)).toBe(true);
          logStds.push((a.head as unknown as { logStd: { params: Float32Array } }).logStd.params[0]);
        },
      },
    );
    expect(logStds).toHaveLength(4);
    expect(logStds[3]).not.toBe(0);
    expect(agent.obsRms!.count).toBeGreaterThan(4096);
  });

  it('stops between updates when aborted', async () => {
    const controller = new AbortController();
    let updates = 0;
    const r = await trainPpo(
      { envId: 'CartPole-v1', totalTimesteps: 100_000, numEnvs: 2, numSteps: 16 },
      {
        signal: controller.signal,
        onUpdate: () => {
          updates += 1;
          if (updates === 3) controller.abort();
        },
      },
    );
    expect(r.interrupted).toBe(true);
    expect(r.updates).toBe(3);
    expect(r.globalStep).toBe(96);
  });

  it('rejects a rollout that minibatches cannot divide', async () => {
    await expect(trainPpo({ envId: 'CartPole-v1', numEnvs: 3, numSteps: 5, numMinibatches: 4 })).rejects.toThrow(/15\) must be divisible by numMinibatches \(4\)/);
  });
});

describe('Ppo (the learner object)', () => {
  /** The metrics that must match between two runs (timings and speed are wall-clock). */
  const learning = (m: PpoMetrics) => ({ ...m, sps: 0, rolloutSeconds: 0, updateSeconds: 0 });
  const params = (p: Ppo) => JSON.stringify({ ...p.agent.save(), meta: {} });

  it.each([
    ['CartPole-v1, sync envs', { envId: 'CartPole-v1', numEnvs: 2, numSteps: 64, numMinibatches: 2, updateEpochs: 2, totalTimesteps: 1280, vectorization: 'sync' }],
    ['Hopper-v5, worker envs, both normalisations', { ...ppoPreset('Hopper-v5'), envId: 'Hopper-v5', numSteps: 128, numMinibatches: 4, updateEpochs: 2, totalTimesteps: 2560 }],
  ] as [string, PpoConfigInput][])('learn(n) continues where it stopped, and state() -> load() continues bit-identically (%s)', async (_name, cfg) => {
    const rows = (p: Ppo, steps?: number) => {
      const out: PpoMetrics[] = [];
      return p.learn(steps, { onUpdate: (m) => out.push(learning(m)) }).then(() => out);
    };
    const whole = new Ppo(cfg);
    const wholeRows = await rows(whole);
    expect(whole.updates).toBe(10);

    // Two calls of learn on one learner, then a third on a learner rebuilt from its JSON state (mid-episode).
    const first = new Ppo(cfg);
    const parts = [...(await rows(first, 3 * first.batchSize)), ...(await rows(first, 2 * first.batchSize))];
    expect(first.updates).toBe(5);
    const state = JSON.parse(JSON.stringify(first.state()));
    first.close();
    const second = Ppo.load(state);
    parts.push(...(await rows(second)));
    expect(parts).toEqual(wholeRows);
    expect(params(second)).toBe(params(whole));
    whole.close();
    second.close();
  });

  it("refuses a state that isn't one", () => {
    expect(() => Ppo.load({ format: 'overseer.agent' } as never)).toThrow(/not an overseer PPO state/);
  });
});
