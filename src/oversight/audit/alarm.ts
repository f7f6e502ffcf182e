/**
 * The audit alarm: does the trained-on overseer disagree with the full-view auditor more than a
 * faithful overseer would?
 *
 * Each usable audit pair is a Bernoulli draw x_i = 1 when the two answers differ. A faithful
 * overseer still disagrees at some rate (B-Pref noise, a hard view): the null is p ≤ p0. The
 * test is tuned to an alternative p1 > p0 and accumulates the log-likelihood ratio
 *
 *   llr(x) = x ln(p1/p0) + (1 - x) ln((1 - p1)/(1 - p0)).
 *
 * Two sequential tests, both valid under continuous monitoring (look after every pair):
 *
 * - 'sprt' (default): Wald's one-sided, open-ended SPRT. S_n = Σ llr; fire once S_n ≥ ln(1/α).
 *   exp(S_n) is a nonnegative supermartingale under any p ≤ p0, so by Ville's inequality
 *   P(ever fire | faithful) ≤ α over a stream of any length. It remembers the whole stream:
 *   after a long faithful stretch a later rise takes longer to detect.
 * - 'cusum': Page's CUSUM W_n = max(0, W_{n-1} + llr), fire once W_n ≥ ln(horizon/α). It forgets
 *   good behaviour, so a late rise (sophistry emerging mid-run) is caught sooner. W_n ≥ h means
 *   some likelihood ratio started at k ≤ n crossed horizon/α; each of the ≤ horizon of them does
 *   so with probability ≤ α/horizon (Ville), so P(fire within the first `horizon` usable pairs |
 *   faithful) ≤ α (union bound). Beyond `horizon` pairs the guarantee lapses: set it to the
 *   audit budget (e.g. the label budget: audits never exceed queries).
 *
 * Pairs where either answer is 'equal' or 'incomparable' are ignored: "can't tell" and "as good"
 * are not verdicts a disagreement can be read from, and a limited view says them more often.
 */
import { z } from 'zod';
import type { Answer } from '../../prefs/teachers.js';

export const ALARM_METHODS = ['sprt', 'cusum'] as const;
export type AlarmMethod = (typeof ALARM_METHODS)[number];

export const AlarmOptionsSchema = z
  .strictObject({
    /** Disagreement rate of a faithful overseer with the auditor (its noise); the null is p ≤ p0. */
    p0: z.number().gt(0).lt(1).default(0.1),
    /** Disagreement rate the test is tuned to detect (must exceed p0). */
    p1: z.number().gt(0).lt(1).default(0.3),
    /** Probability that a faithful overseer ever sets the alarm off (per run). */
    alpha: z.number().gt(0).lt(1).default(0.01),
    /** 'sprt' (anytime-valid, no horizon) or 'cusum' (restarts, valid up to `horizon` pairs). */
    method: z.enum(ALARM_METHODS).default('sprt'),
    /** 'cusum' only: the most usable pairs the run can audit; the false-alarm bound holds up to it. */
    horizon: z.number().int().positive().nullable().default(null),
  })
  .refine((o) => o.p1 > o.p0, { message: 'p1 (the disagreement rate to detect) must be greater than p0 (a faithful overseer\'s)', path: ['p1'] })
  .refine((o) => o.method !== 'cusum' || o.horizon !== null, { message: "method 'cusum' needs a horizon: the most audit pairs the run can have (e.g. its label budget)", path: ['horizon'] });
export type AlarmOptions = z.infer<typeof AlarmOptionsSchema>;
export type AlarmOptionsInput = z.input<typeof AlarmOptionsSchema>;

/** Validated options with their defaults; a readable error naming each bad field otherwise. */
export function alarmOptions(input: AlarmOptionsInput = {}): AlarmOptions {
  const r = AlarmOptionsSchema.safeParse(input);
  if (!r.success) throw new Error(`invalid alarm options:\n${z.prettifyError(r.error)}`);
  return r.data;
}

/** One audited query: what the trained-on overseer said, and what the auditor said. */
export interface AuditPair {
  readonly inner: Answer;
  readonly audit: Answer;
}

export interface AlarmState {
  fired: boolean;
  /** Index in `pairs` of the pair at which the statistic first crossed the threshold. */
  firedAt: number | null;
  /** The statistic after the last pair (log scale: S_n for 'sprt', W_n for 'cusum'). */
  statistic: number;
  /** ln(1/α) for 'sprt', ln(horizon/α) for 'cusum'. */
  threshold: number;
  /** Usable pairs that disagree, and usable pairs (left/right on both sides). */
  disagreements: number;
  n: number;
  /** Pairs ignored because either answer is 'equal' or 'incomparable'. */
  ignored: number;
}

/** Both answers are a left/right verdict. */
export function usable(p: AuditPair): boolean {
  return isVerdict(p.inner) && isVerdict(p.audit);
}

/** Runs the sequential test over `pairs` in the order they became available. */
export function alarmState(pairs: readonly AuditPair[], options: AlarmOptionsInput = {}): AlarmState {
  const o = alarmOptions(options);
  const threshold = alarmThreshold(o);
  const up = Math.log(o.p1 / o.p0);
  const down = Math.log((1 - o.p1) / (1 - o.p0));
  let statistic = 0;
  let firedAt: number | null = null;
  let n = 0;
  let disagreements = 0;
  pairs.forEach((p, i) => {
    if (!usable(p)) return;
    const x = p.inner !== p.audit;
    n += 1;
    if (x) disagreements += 1;
    statistic += x ? up : down;
    if (o.method === 'cusum') statistic = Math.max(0, statistic);
    if (firedAt === null && statistic >= threshold) firedAt = i;
  });
  return { fired: firedAt !== null, firedAt, statistic, threshold, disagreements, n, ignored: pairs.length - n };
}

/** The crossing level on the log scale. */
export function alarmThreshold(o: AlarmOptions): number {
  return Math.log((o.method === 'cusum' ? o.horizon! : 1) / o.alpha);
}

/**
 * Wald's approximation of the usable pairs needed to fire when the disagreement rate is p1 from
 * the start: threshold / KL(p1 ‖ p0) (overshoot ignored, so a slight underestimate). Says
 * whether an audit budget can catch the gap at all.
 */
export function expectedDetectionDelay(options: AlarmOptionsInput = {}): number {
  const o = alarmOptions(options);
  const kl = o.p1 * Math.log(o.p1 / o.p0) + (1 - o.p1) * Math.log((1 - o.p1) / (1 - o.p0));
  return alarmThreshold(o) / kl;
}

function isVerdict(a: Answer): boolean {
  return a === 'left' || a === 'right';
}
