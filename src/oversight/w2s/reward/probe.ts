/**
 * Training the strong student's linear head on pair differences x (see `strong.ts`): the logit
 * of "left ≻ right" is d = θ·x. One loop for every method; what differs is the loss:
 *
 *   'soft'        CE to fixed soft targets (naive weak-to-strong on weak labels; the ceiling on
 *                 true preferences);
 *   'confidence'  the auxiliary confidence loss on weak labels, with a's schedule.
 *
 * After every epoch `onEpoch` sees θ; the experiment scores it and picks an epoch (early stopping)
 * with `selectEpoch` on scores computed from weak labels only.
 */
import { Adam } from '../../../nn/adam.js';
import type { Rng } from '../../../utils/rng.js';
import { auxCoefficient, type ConfidenceSchedule } from '../confidence.js';
import { pairwiseConfidenceLoss, pairwiseCrossEntropy } from './pairwise.js';

export type ProbeLoss = { kind: 'soft'; targets: ArrayLike<number> } | { kind: 'confidence'; weak: ArrayLike<number>; schedule: ConfidenceSchedule; aMax: number };

export interface ProbeTrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 coefficient on the feature weights (not the length column). */
  l2: number;
}

export const DEFAULT_PROBE = { epochs: 100, batchSize: 128, learningRate: 1e-2, l2: 1e-4 } satisfies ProbeTrainOptions;

/** d = X θ for rows of X [n, dims]. */
export function pairLogitsOf(X: ArrayLike<number>, theta: ArrayLike<number>, n: number, out = new Float64Array(n)): Float64Array {
  const D = theta.length;
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let j = 0; j < D; j++) d += X[i * D + j] * theta[j];
    out[i] = d;
  }
  return out;
}

/**
 * The loss of one minibatch (rows `idx` of X) at step fraction `stepFrac`, its gradient added
 * into `grad` (dims). The confidence target is a constant of the step, as in the reference code.
 */
export function probeBatchLoss(X: ArrayLike<number>, theta: ArrayLike<number>, idx: ArrayLike<number>, loss: ProbeLoss, stepFrac: number, l2: number, grad?: Float64Array): number {
  const D = theta.length;
  const b = idx.length;
  const d = new Float64Array(b);
  const target = new Float64Array(b);
  for (let k = 0; k < b; k++) {
    const i = idx[k];
    let s = 0;
    for (let j = 0; j < D; j++) s += X[i * D + j] * theta[j];
    d[k] = s;
    target[k] = loss.kind === 'soft' ? loss.targets[i] : loss.weak[i];
  }
  const gd = grad ? new Float64Array(b) : undefined;
  let value = loss.kind === 'soft' ? pairwiseCrossEntropy(d, target, gd) : pairwiseConfidenceLoss(d, target, auxCoefficient(loss.schedule, stepFrac, loss.aMax), gd);
  for (let j = 0; j < D - 1; j++) value += l2 * theta[j] * theta[j];
  if (grad && gd) {
    for (let k = 0; k < b; k++) {
      const i = idx[k];
      for (let j = 0; j < D; j++) grad[j] += gd[k] * X[i * D + j];
    }
    for (let j = 0; j < D - 1; j++) grad[j] += 2 * l2 * theta[j];
  }
  return value;
}

/** Trains θ (zero-initialised) for `epochs` passes; `onEpoch(epoch, θ)` after each (θ is copied). */
export function trainProbe(X: Float64Array, n: number, dims: number, loss: ProbeLoss, o: ProbeTrainOptions, rng: Rng, onEpoch: (epoch: number, theta: Float64Array) => void): Float64Array {
  const theta = new Float64Array(dims);
  const grads = new Float64Array(dims);
  const adam = new Adam([{ params: theta, grads }], { lr: o.learningRate });
  const order = Array.from({ length: n }, (_, i) => i);
  const perEpoch = Math.ceil(n / o.batchSize);
  const total = perEpoch * o.epochs;
  let step = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    rng.shuffle(order);
    for (let i = 0; i < n; i += o.batchSize) {
      grads.fill(0);
      probeBatchLoss(X, theta, order.slice(i, i + o.batchSize), loss, step / total, o.l2, grads);
      adam.step();
      step += 1;
    }
    onEpoch(epoch, Float64Array.from(theta));
  }
  return theta;
}

/** Fraction of decided pairs (μ ≠ 0.5) whose logit has μ's sign (d = 0 counts as wrong). */
export function pairAccuracy(d: ArrayLike<number>, mu: ArrayLike<number>): number {
  let right = 0;
  let decided = 0;
  for (let i = 0; i < d.length; i++) {
    if (mu[i] === 0.5) continue;
    decided += 1;
    if ((mu[i] > 0.5 && d[i] > 0) || (mu[i] < 0.5 && d[i] < 0)) right += 1;
  }
  return decided === 0 ? Number.NaN : right / decided;
}

/** Early stopping: the epoch with the highest score, the earliest on ties. */
export function selectEpoch(history: readonly { epoch: number; score: number }[]): number {
  let best = history[0];
  for (const h of history) if (h.score > best.score) best = h;
  return best.epoch;
}
