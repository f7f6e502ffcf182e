import { describe, expect, it } from 'vitest';
import '../builtins.js';
import { Rng } from '../../utils/rng.js';
import { checkEnv } from '../checkEnv.js';
import { make, registration } from '../registry.js';
import { AcrobotEnv } from './acrobot.js';
import { CartPoleEnv } from './cartpole.js';
import { MountainCarEnv } from './mountainCar.js';
import { MountainCarContinuousEnv } from './mountainCarContinuous.js';
import { PendulumEnv, angleNormalize } from './pendulum.js';

const IDS = ['CartPole-v1', 'Acrobot-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1'];

describe('classic control conformance', () => {
  for (const id of IDS) {
    it(`${id} passes checkEnv (spaces, seeding, step contract, invalid actions)`, () => {
      expect(checkEnv(() => make(id), { steps: 300, seed: 3 })).toEqual([]);
    });
  }

  it('registers Gymnasium ids, time limits and thresholds', () => {
    const table = IDS.map((id) => [id, registration(id).maxEpisodeSteps, registration(id).rewardThreshold]);
    expect(table).toEqual([
      ['CartPole-v1', 500, 475],
      ['Acrobot-v1', 500, -100],
      ['MountainCar-v0', 200, -110],
      ['MountainCarContinuous-v0', 999, 90],
      ['Pendulum-v1', 200, undefined],
    ]);
  });

  it('spaces have Gymnasium shapes', () => {
    const shapes = IDS.map((id) => {
      const env = make(id);
      return [env.observationSpace.shape, env.actionSpace.toString()];
    });
    expect(shapes).toEqual([
      [[4], 'Discrete(2)'],
      [[6], 'Discrete(3)'],
      [[2], 'Discrete(3)'],
      [[2], 'Box(-1.0, 1.0, (1,), float32)'],
      [[3], 'Box(-2.0, 2.0, (1,), float32)'],
    ]);
  });

  it('TimeLimit truncates at the registered limit (MountainCar: 200 steps under random play)', () => {
    const env = make('MountainCar-v0');
    env.reset({ seed: 0 });
    const rng = new Rng(0);
    let t = 0;
    for (;;) {
      const r = env.step(env.actionSpace.sample(rng));
      t += 1;
      if (r.terminated || r.truncated) {
        expect(r.truncated).toBe(true);
        expect(r.terminated).toBe(false);
        break;
      }
    }
    expect(t).toBe(200);
  });

  it('refuses step before reset', () => {
    expect(() => make('CartPole-v1').step(0)).toThrow('CartPole-v1: call reset() before step()');
  });

  it('names the env and what was expected for an invalid action', () => {
    const env = make('CartPole-v1');
    env.reset({ seed: 0 });
    expect(() => env.step(2)).toThrow('CartPole-v1: invalid action: expected an integer in {0, 1} for Discrete(2), got 2');
    const pend = make('Pendulum-v1');
    pend.reset({ seed: 0 });
    expect(() => pend.step([Number.NaN])).toThrow(/Pendulum-v1: invalid action: action\[0\] is NaN/);
    expect(() => pend.step([1, 1])).toThrow(/expected an action of length 1/);
  });
});

describe('CartPole-v1', () => {
  it('one Euler step from rest with force +10 matches the hand-derived accelerations', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    env.state.fill(0);
    const r = env.step(1);
    // theta_acc = -(10/1.1) / (0.5 (4/3 - 0.1/1.1)) = -14.634146..., x_acc = 9.756097...
    expect(r.obs[0]).toBe(0);
    expect(r.obs[1]).toBeCloseTo(0.02 * 9.7560976, 6);
    expect(r.obs[2]).toBe(0);
    expect(r.obs[3]).toBeCloseTo(0.02 * -14.6341463, 6);
    expect(r.reward).toBe(1);
  });

  it('terminates past |x| = 2.4 or |theta| = 12 degrees, still paying +1, then 0', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    env.state.set([2.39, 1, 0, 0]);
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(1);
    expect(env.step(1).reward).toBe(0);
    env.reset({ seed: 0 });
    env.state.set([0, 0, 0.2094, 0.1]);
    expect(env.step(0).terminated).toBe(true);
    env.reset({ seed: 0 });
    env.state.set([0, 0, 0.2, 0]);
    expect(env.step(0).terminated).toBe(false);
  });

  it('sutton_barto_reward pays 0 per step and -1 on termination', () => {
    const env = make('CartPole-v1', { kwargs: { sutton_barto_reward: true } });
    env.reset({ seed: 0 });
    expect(env.step(0).reward).toBe(0);
    const raw = env.unwrapped as CartPoleEnv;
    raw.state.set([2.39, 1, 0, 0]);
    expect(env.step(1).reward).toBe(-1);
  });

  it('resets uniformly in [-0.05, 0.05] (or the given low/high)', () => {
    const env = new CartPoleEnv();
    let max = 0;
    for (let s = 0; s < 200; s++) max = Math.max(max, ...Array.from(env.reset({ seed: s }).obs, Math.abs));
    expect(max).toBeLessThanOrEqual(0.05);
    expect(max).toBeGreaterThan(0.045);
    const wide = env.reset({ seed: 1, options: { low: 0.1, high: 0.2 } }).obs;
    for (const v of wide) expect(v >= 0.1 - 1e-7 && v <= 0.2 + 1e-7).toBe(true);
    expect(() => env.reset({ options: { low: 1, high: 0 } })).toThrow(/low \(1\) is greater than high \(0\)/);
  });
});

describe('Acrobot-v1', () => {
  it('stays at rest hanging down with zero torque, paying -1', () => {
    const env = new AcrobotEnv();
    env.reset({ seed: 0 });
    env.state.fill(0);
    const r = env.step(1);
    // cos(theta1 - pi/2) is 6e-17 rather than 0 in floating point, hence closeness.
    [1, 0, 1, 0, 0, 0].forEach((v, i) => expect(r.obs[i]).toBeCloseTo(v, 12));
    expect(r.reward).toBe(-1);
    expect(r.terminated).toBe(false);
  });

  it('torque +1 from rest accelerates the links in opposite senses', () => {
    const env = new AcrobotEnv();
    env.reset({ seed: 0 });
    env.state.fill(0);
    const r = env.step(2);
    expect(r.obs[5]).toBeGreaterThan(0);
    expect(r.obs[4]).toBeLessThan(0);
  });

  it('terminates with reward 0 when the tip is above the bar', () => {
    const env = new AcrobotEnv();
    env.reset({ seed: 0 });
    env.state.set([Math.PI - 0.01, 0, 0, 0]);
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(0);
  });

  it('wraps angles into [-pi, pi] and clips velocities to 4 pi and 9 pi', () => {
    const env = new AcrobotEnv();
    env.reset({ seed: 0 });
    env.state.set([3.1, -3.1, 100, -100]);
    env.step(1);
    expect(Math.abs(env.state[0])).toBeLessThanOrEqual(Math.PI);
    expect(Math.abs(env.state[1])).toBeLessThanOrEqual(Math.PI);
    expect(Math.abs(env.state[2])).toBe(4 * Math.PI);
    expect(Math.abs(env.state[3])).toBe(9 * Math.PI);
  });

  it("'nips' dynamics drop a term and so differ from 'book' when links move", () => {
    const book = new AcrobotEnv();
    const nips = new AcrobotEnv({ book_or_nips: 'nips' });
    for (const e of [book, nips]) {
      e.reset({ seed: 0 });
      e.state.set([0.5, 0.7, 2, -1]);
      e.step(0);
    }
    expect(book.state[3]).not.toBeCloseTo(nips.state[3], 3);
    expect(() => new AcrobotEnv({ book_or_nips: 'other' as never })).toThrow(/'book' or 'nips'/);
  });

  it('resets each state variable in [-0.1, 0.1]', () => {
    const env = new AcrobotEnv();
    for (let s = 0; s < 50; s++) {
      env.reset({ seed: s });
      for (const v of env.state) expect(Math.abs(v)).toBeLessThanOrEqual(0.1);
    }
  });
});

describe('MountainCar-v0', () => {
  it('applies velocity first, then position', () => {
    const env = new MountainCarEnv();
    env.reset({ seed: 0 });
    env.state.set([-0.5, 0]);
    const r = env.step(2);
    const v = 0.001 - 0.0025 * Math.cos(-1.5);
    expect(env.state[1]).toBeCloseTo(v, 15);
    expect(env.state[0]).toBeCloseTo(-0.5 + v, 15);
    expect(r.reward).toBe(-1);
  });

  it('stops the car at the left wall', () => {
    const env = new MountainCarEnv();
    env.reset({ seed: 0 });
    env.state.set([-1.19, -0.05]);
    env.step(0);
    expect(env.state[0]).toBe(-1.2);
    expect(env.state[1]).toBe(0);
  });

  it('terminates at position >= 0.5 with velocity >= goal_velocity', () => {
    const env = new MountainCarEnv();
    env.reset({ seed: 0 });
    env.state.set([0.49, 0.02]);
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(-1);
    const picky = new MountainCarEnv({ goal_velocity: 0.05 });
    picky.reset({ seed: 0 });
    picky.state.set([0.49, 0.02]);
    expect(picky.step(1).terminated).toBe(false);
  });

  it('resets position in [-0.6, -0.4] with zero velocity', () => {
    const env = new MountainCarEnv();
    for (let s = 0; s < 50; s++) {
      const { obs } = env.reset({ seed: s });
      expect(obs[0] >= -0.6 && obs[0] <= -0.4).toBe(true);
      expect(obs[1]).toBe(0);
    }
  });
});

describe('MountainCarContinuous-v0', () => {
  it('clips the force but charges the raw action, and pays +100 at x >= 0.45', () => {
    const env = new MountainCarContinuousEnv();
    env.reset({ seed: 0 });
    env.state.set([-0.5, 0]);
    let r = env.step([2]);
    expect(r.reward).toBeCloseTo(-0.4, 12);
    expect(env.state[1]).toBeCloseTo(Math.fround(0.0015 - 0.0025 * Math.cos(-1.5)), 7);
    env.state.set([0.44, 0.02]);
    r = env.step([0]);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(100);
  });
});

describe('Pendulum-v1', () => {
  it('charges the pre-step state and integrates semi-implicitly', () => {
    const env = new PendulumEnv();
    env.reset({ seed: 0 });
    env.state.set([0, 0]);
    const r = env.step([1]);
    expect(r.reward).toBeCloseTo(-0.001, 12);
    expect(env.state[1]).toBeCloseTo(0.15, 12);
    expect(env.state[0]).toBeCloseTo(0.0075, 12);
    expect(r.terminated).toBe(false);
  });

  it('has the documented worst-case reward -16.2736044 and clips speed to 8', () => {
    const env = new PendulumEnv();
    env.reset({ seed: 0 });
    env.state.set([Math.PI, 8]);
    const r = env.step([2]);
    expect(r.reward).toBeCloseTo(-16.2736044, 6);
    expect(env.state[1]).toBe(8);
  });

  it('normalises angles like Python (floored modulo)', () => {
    expect(angleNormalize(-Math.PI - 0.1)).toBeCloseTo(Math.PI - 0.1, 12);
    expect(angleNormalize(3 * Math.PI + 0.2)).toBeCloseTo(-Math.PI + 0.2, 12);
  });

  it('resets theta in [-pi, pi] and theta_dot in [-1, 1], or the given x_init/y_init', () => {
    const env = new PendulumEnv();
    for (let s = 0; s < 50; s++) {
      env.reset({ seed: s });
      expect(Math.abs(env.state[0])).toBeLessThanOrEqual(Math.PI);
      expect(Math.abs(env.state[1])).toBeLessThanOrEqual(1);
    }
    env.reset({ seed: 0, options: { x_init: 0.1, y_init: 0.2 } });
    expect(Math.abs(env.state[0])).toBeLessThanOrEqual(0.1);
    expect(() => env.reset({ options: { x_init: 'a' } })).toThrow(/x_init must be a finite number/);
  });
});
