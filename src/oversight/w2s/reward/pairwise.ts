/**
 * Weak-to-strong losses on pairs of clips. A reward model scores a pair by the Bradley-Terry
 * logit d = Σ r̂(left) − Σ r̂(right), so P̂[left ≻ right] = σ(d). Written as a two-class
 * problem with logits [0, d] (class 1 = "left preferred"), the image half's losses in
 * `../confidence.ts` apply unchanged:
 *
 *   naive:       CE(σ(d), weak soft label)
 *   confidence:  CE(σ(d), (1 − a)·weak + a·harden(σ(d))), the hardened label held constant,
 *
 * where harden() thresholds the student's scores at the quantile that gives the hardened
 * labels the weak labels' balance (mean weak P[left ≻ right]).
 *
 * Both return dL/dd (dL/dlogit₁ of the two-class form; the constant logit has no parameters).
 */
import { confidenceLoss, hardenPredictions, softCrossEntropy } from '../confidence.js';

/** Rows [0, d_i] of two-class logits. */
export function pairLogits(d: ArrayLike<number>): Float64Array {
  const out = new Float64Array(d.length * 2);
  for (let i = 0; i < d.length; i++) out[i * 2 + 1] = d[i];
  return out;
}

/** Rows [1 − p_i, p_i] of two-class soft labels from P[left ≻ right]. */
export function pairLabels(p: ArrayLike<number>): Float64Array {
  const out = new Float64Array(p.length * 2);
  for (let i = 0; i < p.length; i++) {
    out[i * 2] = 1 - p[i];
    out[i * 2 + 1] = p[i];
  }
  return out;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Mean cross-entropy of σ(d) to soft targets p; writes dL/dd into `gradD`. */
export function pairwiseCrossEntropy(d: ArrayLike<number>, p: ArrayLike<number>, gradD?: Float64Array): number {
  const n = d.length;
  const g = gradD ? new Float64Array(2 * n) : undefined;
  const loss = softCrossEntropy(pairLogits(d), pairLabels(p), n, 2, g);
  if (gradD && g) for (let i = 0; i < n; i++) gradD[i] = g[i * 2 + 1];
  return loss;
}

/** The auxiliary confidence loss on pairs with coefficient `a`; writes dL/dd into `gradD`. */
export function pairwiseConfidenceLoss(d: ArrayLike<number>, weakP: ArrayLike<number>, a: number, gradD?: Float64Array): number {
  const n = d.length;
  const g = gradD ? new Float64Array(2 * n) : undefined;
  const loss = confidenceLoss(pairLogits(d), pairLabels(weakP), n, 2, a, g);
  // d enters logit 1 only; logit 0 is the constant 0.
  if (gradD && g) for (let i = 0; i < n; i++) gradD[i] = g[i * 2 + 1];
  return loss;
}

/** The student's hardened preferences (1 = left) with the weak labels' balance. */
export function hardenPairs(d: ArrayLike<number>, weakP: ArrayLike<number>): Float64Array {
  const probs = new Float64Array(d.length * 2);
  for (let i = 0; i < d.length; i++) {
    const s = sigmoid(d[i]);
    probs[i * 2] = 1 - s;
    probs[i * 2 + 1] = s;
  }
  const hard = hardenPredictions(probs, pairLabels(weakP), d.length, 2);
  return Float64Array.from({ length: d.length }, (_, i) => hard[i * 2 + 1]);
}
