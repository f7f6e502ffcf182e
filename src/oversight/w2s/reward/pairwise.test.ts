import { describe, expect, it } from 'vitest';
import { maxRelativeError, numericGradient } from '../../../nn/gradcheck.js';
import { Rng } from '../../../utils/rng.js';
import { hardenPairs, pairwiseConfidenceLoss, pairwiseCrossEntropy } from './pairwise.js';
import { probeBatchLoss, type ProbeLoss } from './probe.js';

/** n pairs with random difference features and weak soft labels skewed toward "left" (balance ~0.7). */
function problem(n: number, dims: number, seed: number) {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * dims }, () => rng.normal());
  const theta = Float64Array.from({ length: dims }, () => rng.normal(0, 0.5));
  const weak = Float64Array.from({ length: n }, () => (rng.random() < 0.7 ? rng.uniform(0.55, 0.95) : rng.uniform(0.05, 0.45)));
  return { X, theta, weak, idx: Array.from({ length: n }, (_, i) => i) };
}

describe('pairwise weak-to-strong losses', () => {
  it.each([
    ['naive', (weak: Float64Array): ProbeLoss => ({ kind: 'soft', targets: weak })],
    ['confidence, ramp at a = 0.75', (weak: Float64Array): ProbeLoss => ({ kind: 'confidence', weak, schedule: 'ramp', aMax: 0.75 })],
    ['confidence, warm-up-then-jump at a = 0.5', (weak: Float64Array): ProbeLoss => ({ kind: 'confidence', weak, schedule: 'warmup-jump', aMax: 0.75 })],
  ])('the probe gradient of the %s loss matches finite differences', (_name, lossOf) => {
    const { X, theta, weak, idx } = problem(37, 6, 3);
    const loss = lossOf(weak);
    const grad = new Float64Array(theta.length);
    probeBatchLoss(X, theta, idx, loss, 0.5, 1e-3, grad);
    // Away from the hardening threshold the hardened labels do not move under a 1e-6 nudge, so the
    // loss with its target held constant (the reference code's detach) is what finite differences see.
    const numeric = numericGradient(() => probeBatchLoss(X, theta, idx, loss, 0.5, 1e-3), theta);
    expect(maxRelativeError(grad, numeric)).toBeLessThan(1e-6);
  });

  it('dL/dd of both pairwise losses matches finite differences', () => {
    const rng = new Rng(5);
    const d = Float64Array.from({ length: 21 }, () => rng.normal(0, 2));
    const weak = Float64Array.from({ length: 21 }, () => rng.random());
    for (const f of [(g?: Float64Array) => pairwiseCrossEntropy(d, weak, g), (g?: Float64Array) => pairwiseConfidenceLoss(d, weak, 0.5, g)]) {
      const g = new Float64Array(d.length);
      f(g);
      expect(maxRelativeError(g, numericGradient(() => f(), d))).toBeLessThan(1e-6);
    }
  });

  it("the hardening threshold gives the hardened labels the weak labels' balance", () => {
    for (const seed of [1, 2, 3]) {
      const { X, theta, weak } = problem(200, 6, seed);
      const d = Float64Array.from({ length: 200 }, (_, i) => X.subarray(i * 6, i * 6 + 6).reduce((a, x, j) => a + x * theta[j], 0));
      const hard = hardenPairs(d, weak);
      const balance = weak.reduce((a, b) => a + b, 0) / weak.length;
      const hardBalance = hard.reduce((a, b) => a + b, 0) / hard.length;
      // The quantile interpolates between two of the 200 scores: at most one label's worth apart.
      expect(Math.abs(hardBalance - balance)).toBeLessThanOrEqual(1 / 200 + 1e-12);
      // And it hardens by the student's ranking: every pair hardened to "left" outscores every other.
      const minLeft = Math.min(...d.filter((_, i) => hard[i] === 1));
      const maxRight = Math.max(...d.filter((_, i) => hard[i] === 0));
      expect(minLeft).toBeGreaterThan(maxRight);
    }
  });

  it('with a = 0 the confidence loss is the naive loss', () => {
    const rng = new Rng(9);
    const d = Float64Array.from({ length: 10 }, () => rng.normal());
    const weak = Float64Array.from({ length: 10 }, () => rng.random());
    expect(pairwiseConfidenceLoss(d, weak, 0)).toBeCloseTo(pairwiseCrossEntropy(d, weak), 12);
  });
});
