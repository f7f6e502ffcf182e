import { describe, expect, it } from 'vitest';
import { maxRelativeError, numericGradient } from '../../nn/index.js';
import { Rng } from '../../utils/rng.js';
import { auxCoefficient, confidenceLoss, hardenPredictions, quantile, softCrossEntropy, softmaxRows } from './confidence.js';

function softLabels(rng: Rng, n: number, k: number, classOneMass?: number): Float64Array {
  const y = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    if (classOneMass !== undefined) {
      const p1 = Math.min(1, Math.max(0, classOneMass + rng.uniform(-0.2, 0.2)));
      y[i * 2] = 1 - p1;
      y[i * 2 + 1] = p1;
      continue;
    }
    let s = 0;
    for (let j = 0; j < k; j++) s += y[i * k + j] = rng.exponential();
    for (let j = 0; j < k; j++) y[i * k + j] /= s;
  }
  return y;
}

describe('confidence loss', () => {
  for (const k of [2, 10]) {
    it(`gradient matches finite differences (k = ${k}), the hardened target recomputed at every probe`, () => {
      const rng = new Rng(k);
      const n = 16;
      const logits = Float64Array.from({ length: n * k }, () => rng.normal(0, 2));
      const weak = softLabels(rng, n, k);
      for (const a of [0, 0.3, 0.75]) {
        const grad = new Float64Array(n * k);
        confidenceLoss(logits, weak, n, k, a, grad);
        // Away from ties the hardening is locally constant, so the full loss's derivative is (softmax - target) / n.
        const numeric = numericGradient(() => confidenceLoss(logits, weak, n, k, a), logits, 1e-6);
        // Entries near zero carry the finite difference's ~1e-10 rounding noise, hence 1e-4 relative and 1e-8 absolute.
        expect(maxRelativeError(grad, numeric)).toBeLessThan(1e-4);
        expect(Math.max(...grad.map((g, i) => Math.abs(g - numeric[i])))).toBeLessThan(1e-8);
      }
    });
  }

  it('is cross-entropy to the mixed target, and naive cross-entropy at a = 0', () => {
    const rng = new Rng(3);
    const n = 8;
    const k = 10;
    const logits = Float64Array.from({ length: n * k }, () => rng.normal());
    const weak = softLabels(rng, n, k);
    expect(confidenceLoss(logits, weak, n, k, 0)).toBeCloseTo(softCrossEntropy(logits, weak, n, k), 12);
    const hard = hardenPredictions(softmaxRows(logits, n, k), weak, n, k);
    const mixed = weak.map((w, i) => 0.5 * w + 0.5 * hard[i]);
    expect(confidenceLoss(logits, weak, n, k, 0.5)).toBeCloseTo(softCrossEntropy(logits, mixed, n, k), 12);
  });

  it('hardening threshold gives the weak labels\' class balance, whatever the student\'s calibration', () => {
    const rng = new Rng(5);
    const n = 1000;
    for (const mass of [0.1, 0.3, 0.5, 0.8]) {
      const weak = softLabels(rng, n, 2, mass);
      let weakMass = 0;
      for (let i = 0; i < n; i++) weakMass += weak[i * 2 + 1];
      weakMass /= n;
      // A student confident in class 0 almost everywhere: the threshold still splits at the weak balance.
      const probs = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const p0 = 0.9 + 0.1 * rng.random();
        probs[2 * i] = p0;
        probs[2 * i + 1] = 1 - p0;
      }
      const hard = hardenPredictions(probs, weak, n, 2);
      let ones = 0;
      for (let i = 0; i < n; i++) {
        expect(hard[2 * i] + hard[2 * i + 1]).toBe(1);
        ones += hard[2 * i + 1];
      }
      expect(Math.abs(ones / n - weakMass)).toBeLessThanOrEqual(1.5 / n);
      // The examples hardened to class 1 are those the student finds least class-0-like.
      const p0Of1 = Array.from({ length: n }, (_, i) => i).filter((i) => hard[2 * i + 1] === 1).map((i) => probs[2 * i]);
      const p0Of0 = Array.from({ length: n }, (_, i) => i).filter((i) => hard[2 * i] === 1).map((i) => probs[2 * i]);
      expect(Math.max(...p0Of1)).toBeLessThan(Math.min(...p0Of0));
    }
  });

  it('hardens to the argmax for more than two classes', () => {
    const probs = [0.1, 0.7, 0.2, 0.5, 0.2, 0.3];
    expect(Array.from(hardenPredictions(probs, [0, 1, 0, 0, 1, 0], 2, 3))).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it('quantile interpolates linearly, as torch.quantile', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 1 / 3)).toBeCloseTo(2, 12);
    expect(quantile([5], 0.7)).toBe(5);
  });
});

describe('aux coefficient schedules', () => {
  it("ramp: linear to aMax over the first 20% of training, then flat (the paper's)", () => {
    expect(auxCoefficient('ramp', 0, 0.75)).toBe(0);
    expect(auxCoefficient('ramp', 0.1, 0.75)).toBeCloseTo(0.375, 12);
    expect(auxCoefficient('ramp', 0.2, 0.75)).toBeCloseTo(0.75, 12);
    expect(auxCoefficient('ramp', 0.9, 0.5)).toBe(0.5);
  });

  it("warmup-jump: 0.5 * step_frac for the first 10%, then 0.5 (the reference code's logconf_loss_fn)", () => {
    expect(auxCoefficient('warmup-jump', 0, 0.75)).toBe(0);
    expect(auxCoefficient('warmup-jump', 0.05, 0.75)).toBeCloseTo(0.025, 12);
    expect(auxCoefficient('warmup-jump', 0.1, 0.75)).toBeCloseTo(0.05, 12);
    expect(auxCoefficient('warmup-jump', 0.1001, 0.75)).toBe(0.5);
    expect(auxCoefficient('warmup-jump', 1, 0.75)).toBe(0.5);
  });
});
