/**
 * The PPO objective: clipped surrogate, value loss and entropy bonus, and the gradient of
 * their weighted sum over a minibatch. Every term is a mean over the whole minibatch of B
 * rows, so the gradients of disjoint row ranges add up to the full gradient: that is what
 * lets two threads split a minibatch (see parallelGradient.ts).
 */
import type { ActorCritic } from './agent.js';

export interface PolicyLossResult {
  loss: number;
  approxKl: number;
  clipFraction: number;
}

/**
 * Clipped surrogate over n rows: L = sum(max(-A r, -A clip(r, 1 - eps, 1 + eps))) / divisor,
 * r = exp(new - old). Writes dL/dnewLogProb into `grad` (zero where the clipped term is active).
 */
export function ppoLoss(
  newLogProb: ArrayLike<number>,
  oldLogProb: ArrayLike<number>,
  adv: ArrayLike<number>,
  n: number,
  clipCoef: number,
  grad: Float64Array,
  divisor = n,
): PolicyLossResult {
  let loss = 0;
  let kl = 0;
  let clipped = 0;
  for (let i = 0; i < n; i++) {
    const logRatio = newLogProb[i] - oldLogProb[i];
    const ratio = Math.exp(logRatio);
    const clippedRatio = Math.min(Math.max(ratio, 1 - clipCoef), 1 + clipCoef);
    const unclippedLoss = -adv[i] * ratio;
    const clippedLoss = -adv[i] * clippedRatio;
    if (unclippedLoss >= clippedLoss) {
      loss += unclippedLoss;
      grad[i] = (-adv[i] * ratio) / divisor;
    } else {
      loss += clippedLoss;
      grad[i] = 0;
    }
    kl += ratio - 1 - logRatio; // Schulman's low-variance KL estimator
    if (Math.abs(ratio - 1) > clipCoef) clipped += 1;
  }
  return { loss: loss / divisor, approxKl: kl / divisor, clipFraction: clipped / divisor };
}

/**
 * Value loss 0.5 * sum((v - R)^2) / divisor, or with `clipCoef` the clipped form
 * 0.5 * sum(max((v - R)^2, (v_old + clip(v - v_old, -eps, eps) - R)^2)) / divisor. Writes dL/dv.
 */
export function valueLoss(
  values: ArrayLike<number>,
  returns: ArrayLike<number>,
  oldValues: ArrayLike<number>,
  n: number,
  clipCoef: number | null,
  grad: Float64Array,
  divisor = n,
): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const err = values[i] - returns[i];
    if (clipCoef === null) {
      loss += err * err;
      grad[i] = err / divisor;
      continue;
    }
    const dv = values[i] - oldValues[i];
    const inside = dv >= -clipCoef && dv <= clipCoef;
    const clippedErr = oldValues[i] + Math.min(Math.max(dv, -clipCoef), clipCoef) - returns[i];
    if (err * err >= clippedErr * clippedErr) {
      loss += err * err;
      grad[i] = err / divisor;
    } else {
      loss += clippedErr * clippedErr;
      grad[i] = inside ? clippedErr / divisor : 0;
    }
  }
  return (0.5 * loss) / divisor;
}

/** A minibatch of transitions, flat and row-major. */
export interface Minibatch {
  obs: Float32Array;
  actions: Float32Array;
  oldLogProb: Float64Array;
  advantages: Float64Array;
  returns: Float64Array;
  oldValues: Float64Array;
}

/** Buffers for `rows` transitions, on SharedArrayBuffers when they are to be read by another thread. */
export function allocMinibatch(rows: number, obsSize: number, actionSize: number, shared = false): Minibatch {
  const mem = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    obs: new Float32Array(mem(4 * rows * obsSize)),
    actions: new Float32Array(mem(4 * rows * actionSize)),
    oldLogProb: new Float64Array(mem(8 * rows)),
    advantages: new Float64Array(mem(8 * rows)),
    returns: new Float64Array(mem(8 * rows)),
    oldValues: new Float64Array(mem(8 * rows)),
  };
}

export interface LossCoefs {
  clipCoef: number;
  /** Clip range of the value loss, or null for the plain squared error. */
  valueClip: number | null;
  entCoef: number;
  vfCoef: number;
}

/** Each term's share of the minibatch loss, so shares from different row ranges add up. */
export interface LossStats {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  clipFraction: number;
}

/** Scratch arrays for `ppoMinibatchGradient`, sized for up to `rows` rows. */
export class GradientScratch {
  readonly newLogProb: Float64Array;
  readonly entropy: Float64Array;
  readonly dLogProb: Float64Array;
  readonly dEntropy: Float64Array;
  readonly dValues: Float64Array;
  readonly dHead: Float64Array;
  constructor(rows: number, headInput: number) {
    this.newLogProb = new Float64Array(rows);
    this.entropy = new Float64Array(rows);
    this.dLogProb = new Float64Array(rows);
    this.dEntropy = new Float64Array(rows);
    this.dValues = new Float64Array(rows);
    this.dHead = new Float64Array(rows * headInput);
  }
}

/**
 * Adds to the agent's gradients the gradient of
 *   surrogate + vfCoef * valueLoss - entCoef * entropy
 * restricted to rows [from, to) of a minibatch of B rows (each term a mean over all B).
 * Gradients are accumulated, not reset.
 */
export function ppoMinibatchGradient(agent: ActorCritic, mb: Minibatch, from: number, to: number, B: number, coefs: LossCoefs, scratch: GradientScratch): LossStats {
  const n = to - from;
  const { actor, critic, head } = agent;
  const obs = mb.obs.subarray(from * agent.obsSize, to * agent.obsSize);
  const actions = mb.actions.subarray(from * head.actionSize, to * head.actionSize);
  const s = scratch;
  // Policy: surrogate and entropy bonus, back through the head into the actor.
  const out = actor.forward(obs, n);
  head.logProbEntropy(out, n, actions, s.newLogProb, s.entropy);
  const pg = ppoLoss(s.newLogProb, mb.oldLogProb.subarray(from, to), mb.advantages.subarray(from, to), n, coefs.clipCoef, s.dLogProb, B);
  let entropy = 0;
  for (let i = 0; i < n; i++) entropy += s.entropy[i];
  s.dEntropy.fill(-coefs.entCoef / B, 0, n);
  head.backward(out, n, actions, s.dLogProb, s.dEntropy, s.dHead);
  actor.backward(s.dHead);
  // Value function.
  const v = critic.forward(obs, n);
  const vLoss = valueLoss(v, mb.returns.subarray(from, to), mb.oldValues.subarray(from, to), n, coefs.valueClip, s.dValues, B);
  for (let i = 0; i < n; i++) s.dValues[i] *= coefs.vfCoef;
  critic.backward(s.dValues);
  return { policyLoss: pg.loss, valueLoss: vLoss, entropy: entropy / B, approxKl: pg.approxKl, clipFraction: pg.clipFraction };
}
