import { describe, expect, it } from 'vitest';
import { Rng } from '../../utils/rng.js';
import { dardDistances, epicCanonical, epicDistances, drawCoverage, parseEpicOptions, pearsonDistance, type BatchReward, type TransitionModel, type Transitions } from './epic.js';

/**
 * A toy world with known answers: states (x, y), one action a; a step moves x by a and y by 0.1
 * (so a plausible transition has Δy = 0.1, whatever a is).
 */
const STEP_Y = 0.1;
const model: TransitionModel = (s, a) => Float64Array.of(s[0] + a[0], s[1] + STEP_Y);

function rollouts(n: number, rng: Rng): Transitions {
  const obs = new Float64Array(2 * n);
  const actions = new Float64Array(n);
  const next = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const s = Float64Array.of(rng.normal(0, 1), rng.normal(0, 1));
    const a = Float64Array.of(rng.uniform(-1, 1));
    obs.set(s, 2 * i);
    actions[i] = a[0];
    next.set(model(s, a, rng), 2 * i);
  }
  return { n, obsSize: 2, actionSize: 1, obs, actions, next };
}

/** Builds a batch reward from one of (s, a, s'). */
const batch = (f: (s: Float64Array, a: Float64Array, s1: Float64Array) => number): BatchReward => (obs, actions, next, n) => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(obs.subarray(2 * i, 2 * i + 2), actions.subarray(i, i + 1), next.subarray(2 * i, 2 * i + 2));
  return out;
};

const GAMMA = 0.99;
/** Progress in x, less an action cost. */
const truth = batch((s, a, s1) => s1[0] - s[0] - 0.1 * a[0] ** 2);
const phi = (s: Float64Array) => Math.sin(3 * s[0]) + s[1] ** 2;
const shaped = batch((s, a, s1) => 3 * (s1[0] - s[0] - 0.1 * a[0] ** 2) + 5 + GAMMA * phi(s1) - phi(s));
const opposite = batch((s, a, s1) => -(s1[0] - s[0] - 0.1 * a[0] ** 2));
const unrelated = batch((s, _a, s1) => Math.cos(7 * s[1]) + Math.sin(5 * s1[1]));
const noActionCost = batch((s, _a, s1) => s1[0] - s[0]);
/** The truth wherever a transition can happen; wild where it cannot (as a learned reward may be). */
const offDistributionWild = batch((s, a, s1) => {
  const r = s1[0] - s[0] - 0.1 * a[0] ** 2;
  return Math.abs(s1[1] - s[1] - STEP_Y) < 1e-9 ? r : r + 50 * Math.sin(1000 * (s1[0] + 3 * s[1]));
});

describe('EPIC (Gleave et al. 2021)', () => {
  const t = rollouts(400, new Rng(11));

  it('is 0 for rewards that differ by potential shaping, scale and shift; 1 for the opposite; about sqrt(1/2) for an unrelated one', () => {
    const [d0, d1, d2, d3] = epicDistances(truth, [shaped, opposite, unrelated, truth], t, { gamma: GAMMA, samples: 256 }, new Rng(5));
    expect(d0).toBeLessThan(1e-6);
    expect(d1).toBeCloseTo(1, 6);
    expect(d2).toBeGreaterThan(0.6);
    expect(d2).toBeLessThan(0.8);
    expect(d3).toBeLessThan(1e-9);
  });

  it('a reward missing the action cost is close but not equal: between identical and unrelated', () => {
    const stayNear = batch((_s, a, s1) => -(s1[0] ** 2 + s1[1] ** 2) - a[0] ** 2);
    const stayNearFree = batch((_s, _a, s1) => -(s1[0] ** 2 + s1[1] ** 2));
    const [d] = epicDistances(stayNear, [stayNearFree], t, { gamma: GAMMA, samples: 256 }, new Rng(5));
    expect(d).toBeGreaterThan(0.02);
    expect(d).toBeLessThan(0.15);
  });

  it("sees progress x′ − x as nearly all shaping (Φ = x, leaving (1 − γ)x′): the truth's action cost then dominates what is left", () => {
    // Worth knowing before reading EPIC on MuJoCo: a reward of pure progress canonicalises to
    // (1 − γ)x′ plus a constant, so a learned reward that gets progress right but misses the
    // action cost is far from a truth that has it.
    const [d] = epicDistances(truth, [noActionCost], t, { gamma: GAMMA, samples: 256 }, new Rng(5));
    expect(d).toBeGreaterThan(0.45);
    expect(d).toBeLessThan(0.7);
    const [undiscounted] = epicDistances(truth, [noActionCost], t, { gamma: 1, samples: 256 }, new Rng(5));
    expect(undiscounted).toBeCloseTo(Math.SQRT1_2, 1);
  });

  it('canonicalisation turns shaping into a constant: C(R + γΦ(s′) − Φ(s)) − C(R) is the same on every transition', () => {
    const draws = drawCoverage(t, 64, new Rng(2));
    const plain = epicCanonical(batch((s, a, s1) => s1[0] - s[0] - 0.1 * a[0] ** 2), t, draws, GAMMA);
    const withShaping = epicCanonical(batch((s, a, s1) => s1[0] - s[0] - 0.1 * a[0] ** 2 + GAMMA * phi(s1) - phi(s)), t, draws, GAMMA);
    const diffs = Array.from(plain, (p, i) => withShaping[i] - p);
    expect(Math.max(...diffs) - Math.min(...diffs)).toBeLessThan(1e-9);
  });

  it("is fooled by a reward that is wild only on transitions that cannot happen; DARD, drawing only plausible next states, is not", () => {
    const [epic] = epicDistances(truth, [offDistributionWild], t, { gamma: GAMMA, samples: 128 }, new Rng(3));
    const [dard, dardShaped] = dardDistances(truth, [offDistributionWild, shaped], t, model, { gamma: GAMMA, samples: 128 }, new Rng(3));
    expect(epic).toBeGreaterThan(0.4);
    expect(dard).toBeLessThan(1e-6);
    expect(dardShaped).toBeLessThan(1e-6);
  });

  it('refuses bad options and malformed transitions with messages that name them', () => {
    expect(() => parseEpicOptions({ gamma: 1.5 })).toThrow(/gamma/);
    expect(() => parseEpicOptions({ samples: 1 })).toThrow(/samples/);
    expect(() => epicDistances(truth, [truth], { ...t, actions: new Float64Array(3) }, {}, new Rng(1))).toThrow(/actions must hold n x actionSize = 400/);
    expect(() => pearsonDistance([1], [1])).toThrow(/2 or more/);
    expect(pearsonDistance([1, 1, 1], [1, 2, 3])).toBeCloseTo(Math.SQRT1_2, 12);
  });
});
