import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import { maxRelativeError, numericGradient } from './gradcheck.js';
import { CategoricalHead, DiagGaussianHead, type ActionHead } from './heads.js';

/** L = sum_b (cl_b * logProb_b + ce_b * entropy_b): checks both gradients at once. */
function headLoss(head: ActionHead, x: ArrayLike<number>, batch: number, actions: ArrayLike<number>, cl: Float64Array, ce: Float64Array): number {
  const lp = new Float64Array(batch);
  const ent = new Float64Array(batch);
  head.logProbEntropy(x, batch, actions, lp, ent);
  let s = 0;
  for (let b = 0; b < batch; b++) s += cl[b] * lp[b] + ce[b] * ent[b];
  return s;
}

function checkHead(head: ActionHead, x: Float64Array, batch: number, actions: Float32Array, rng: Rng): void {
  const cl = Float64Array.from({ length: batch }, () => rng.normal());
  const ce = Float64Array.from({ length: batch }, () => rng.normal());
  const dx = new Float64Array(x.length);
  for (const g of head.paramGroups) g.grads.fill(0);
  head.backward(x, batch, actions, cl, ce, dx);
  const numX = numericGradient(() => headLoss(head, x, batch, actions, cl, ce), x);
  expect(maxRelativeError(dx, numX)).toBeLessThan(1e-6);
  for (const g of head.paramGroups) {
    const analytic = Float64Array.from(g.grads);
    const num = numericGradient(() => headLoss(head, x, batch, actions, cl, ce), g.params);
    expect(maxRelativeError(analytic, num)).toBeLessThan(1e-6);
  }
}

describe('CategoricalHead', () => {
  it('log-prob and entropy gradients match finite differences', () => {
    const rng = new Rng(11);
    const head = new CategoricalHead(4);
    const batch = 6;
    const x = Float64Array.from({ length: batch * 4 }, () => 2 * rng.normal());
    const actions = Float32Array.from({ length: batch }, (_, b) => b % 4);
    checkHead(head, x, batch, actions, rng);
  });

  it('gives exact values for uniform logits', () => {
    const head = new CategoricalHead(3);
    const lp = new Float64Array(1);
    const ent = new Float64Array(1);
    head.logProbEntropy([5, 5, 5], 1, [2], lp, ent);
    expect(lp[0]).toBeCloseTo(-Math.log(3), 12);
    expect(ent[0]).toBeCloseTo(Math.log(3), 12);
  });

  it('samples with the softmax frequencies and returns matching log-probs', () => {
    const head = new CategoricalHead(3);
    const logits = [Math.log(0.2), Math.log(0.3), Math.log(0.5)];
    const rng = new Rng(4);
    const counts = [0, 0, 0];
    const out = new Float32Array(1);
    for (let i = 0; i < 20000; i++) {
      const lp = head.sample(logits, 0, rng, out);
      counts[out[0]] += 1;
      expect(lp).toBeCloseTo(logits[out[0]], 10);
    }
    expect(counts[0] / 20000).toBeCloseTo(0.2, 1);
    expect(counts[2] / 20000).toBeCloseTo(0.5, 1);
    head.mode(logits, 0, out);
    expect(out[0]).toBe(2);
  });

  it('rejects an out-of-range stored action', () => {
    expect(() => new CategoricalHead(2).logProbEntropy([0, 0], 1, [2], new Float64Array(1), new Float64Array(1))).toThrow(/not in \[0, 2\)/);
  });
});

describe('DiagGaussianHead', () => {
  it('log-prob and entropy gradients (mean and log-std) match finite differences', () => {
    const rng = new Rng(12);
    const head = new DiagGaussianHead(3, -0.3, 'float64');
    head.logStd.params.set([-0.5, 0.2, 0.1]);
    const batch = 5;
    const x = Float64Array.from({ length: batch * 3 }, () => rng.normal());
    const actions = Float32Array.from({ length: batch * 3 }, () => rng.normal());
    checkHead(head, x, batch, actions, rng);
  });

  it('matches the closed-form density and entropy', () => {
    const head = new DiagGaussianHead(1, Math.log(2), 'float64');
    const lp = new Float64Array(1);
    const ent = new Float64Array(1);
    head.logProbEntropy([1], 1, [3], lp, ent);
    // N(3; 1, 2^2): -0.5 - log 2 - 0.5 log 2 pi.
    expect(lp[0]).toBeCloseTo(-0.5 - Math.log(2) - 0.5 * Math.log(2 * Math.PI), 12);
    expect(ent[0]).toBeCloseTo(0.5 * Math.log(2 * Math.PI * Math.E * 4), 12);
  });

  it('sampled log-probs equal logProbEntropy on the stored actions', () => {
    const head = new DiagGaussianHead(2, -0.7);
    const mean = [0.3, -1.2];
    const out = new Float32Array(2);
    const lp = new Float64Array(1);
    const ent = new Float64Array(1);
    const rng = new Rng(9);
    let sum = 0;
    for (let i = 0; i < 2000; i++) {
      const l = head.sample(mean, 0, rng, out);
      head.logProbEntropy(mean, 1, out, lp, ent);
      expect(l).toBeCloseTo(lp[0], 5);
      sum += out[0];
    }
    expect(sum / 2000).toBeCloseTo(0.3, 1);
  });
});
