/**
 * Losses of weak-to-strong training (Burns et al. 2023) on logits [n, k] row-major:
 * cross-entropy to soft labels (the naive method), and the auxiliary confidence loss, whose
 * target mixes the weak soft label with the student's own hardened prediction:
 *
 *   target = (1 - a) * weakLabel + a * harden(studentProbs),   loss = CE(logits, target)
 *
 * The target is treated as a constant (the reference code detaches it), so dL/dlogits is
 * (softmax(logits) - target) / n.
 */

/** Row-wise softmax of logits [n, k] into `out` (max-subtracted, so large logits do not overflow). */
export function softmaxRows(logits: ArrayLike<number>, n: number, k: number, out: Float32Array | Float64Array = new Float64Array(n * k)): Float32Array | Float64Array {
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(logits[i * k + j] - max);
      out[i * k + j] = e;
      sum += e;
    }
    for (let j = 0; j < k; j++) out[i * k + j] /= sum;
  }
  return out;
}

/**
 * Mean cross-entropy of logits [n, k] to soft targets [n, k] (rows summing to 1), as PyTorch's
 * cross_entropy with probability targets. Writes dL/dlogits into `grad` if given.
 */
export function softCrossEntropy(logits: ArrayLike<number>, targets: ArrayLike<number>, n: number, k: number, grad?: { [i: number]: number }): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits[i * k + j] - max);
    const logZ = max + Math.log(sum);
    for (let j = 0; j < k; j++) {
      const t = targets[i * k + j];
      const logp = logits[i * k + j] - logZ;
      if (t !== 0) loss -= t * logp;
      if (grad) grad[i * k + j] = (Math.exp(logp) - t) / n;
    }
  }
  return loss / n;
}

/**
 * Linear-interpolation quantile of `xs` at q in [0, 1] (torch.quantile's and NumPy's default),
 * which the reference code's threshold uses.
 */
export function quantile(xs: ArrayLike<number>, q: number): number {
  if (xs.length === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  const s = Float64Array.from(xs).sort();
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * The student's predictions hardened to one-hot rows [n, k].
 *
 * Binary (k = 2): the adaptive threshold of the reference code (openai/weak-to-strong,
 * weak_to_strong/loss.py, logconf_loss_fn.__call__): threshold = the quantile of the student's
 * class-0 probabilities at the weak labels' mean class-1 mass over the batch; class 0 where
 * p0 >= threshold, else class 1. So the hardened labels have the weak labels' class balance,
 * whatever the student's calibration.
 *
 * k > 2: the reference code asserts k = 2 there and its vision script (vision/run_weak_strong.py)
 * trains the naive loss only, so there is no reference. Hardening to the argmax is our choice
 * (we have not checked that the paper describes it for multi-class tasks); the report says so.
 */
export function hardenPredictions(probs: ArrayLike<number>, weakLabels: ArrayLike<number>, n: number, k: number): Float64Array {
  const hard = new Float64Array(n * k);
  if (k === 2) {
    let meanWeak1 = 0;
    for (let i = 0; i < n; i++) meanWeak1 += weakLabels[i * 2 + 1];
    meanWeak1 /= n;
    const p0 = new Float64Array(n);
    for (let i = 0; i < n; i++) p0[i] = probs[i * 2];
    const threshold = quantile(p0, Math.min(1, Math.max(0, meanWeak1)));
    for (let i = 0; i < n; i++) hard[i * 2 + (p0[i] >= threshold ? 0 : 1)] = 1;
    return hard;
  }
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    hard[i * k + best] = 1;
  }
  return hard;
}

/** The two schedules of the auxiliary coefficient a, each named for where it comes from. */
export const CONFIDENCE_SCHEDULES = ['ramp', 'warmup-jump'] as const;
export type ConfidenceSchedule = (typeof CONFIDENCE_SCHEDULES)[number];

/**
 * a at `stepFrac` (= step / total steps, over all epochs, as the reference code's step_frac).
 *
 * - `ramp` (the paper, §4.3.2 / appendix): a rises linearly from 0 over the first 20% of
 *   training to `aMax`, 0.75 for the largest students and 0.5 for the others, then stays.
 * - `warmup-jump` (the reference code: openai/weak-to-strong weak_to_strong/loss.py,
 *   logconf_loss_fn.__call__, aux_coef=0.5, warmup_frac=0.1): `coef = 1.0 if step_frac >
 *   warmup_frac else step_frac; coef *= aux_coef`. So during the first 10% a = 0.5 * stepFrac
 *   (at most 0.05), then it jumps to 0.5; `aMax` is not used. (openai/weak-to-strong PR #33,
 *   "Fix confidence loss to scale up correctly", points out this jump against the paper's
 *   smooth increase; the mirrored main branch still has the jump, so we keep it.)
 */
export function auxCoefficient(schedule: ConfidenceSchedule, stepFrac: number, aMax: number): number {
  switch (schedule) {
    case 'ramp':
      return aMax * Math.min(1, stepFrac / 0.2);
    case 'warmup-jump': {
      const auxCoef = 0.5;
      const warmupFrac = 0.1;
      return auxCoef * (stepFrac > warmupFrac ? 1 : stepFrac);
    }
  }
}

/**
 * The auxiliary confidence loss on a batch: CE(logits, (1 - a) * weak + a * harden(softmax(logits))).
 * Writes dL/dlogits into `grad` (the target held constant) and returns the loss.
 */
export function confidenceLoss(logits: ArrayLike<number>, weakLabels: ArrayLike<number>, n: number, k: number, a: number, grad?: { [i: number]: number }): number {
  const probs = softmaxRows(logits, n, k);
  const hard = hardenPredictions(probs, weakLabels, n, k);
  const target = new Float64Array(n * k);
  for (let i = 0; i < n * k; i++) target[i] = (1 - a) * weakLabels[i] + a * hard[i];
  return softCrossEntropy(logits, target, n, k, grad);
}
