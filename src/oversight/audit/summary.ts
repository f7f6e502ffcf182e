/** The audits of a run in a few numbers, for reports. */
import { alarmState, type AlarmOptionsInput, type AlarmState } from './alarm.js';
import type { AuditLog } from './auditLog.js';

export interface AuditSummary {
  /** Queries given to the auditor, those it answered, and those with both answers in. */
  requested: number;
  answered: number;
  paired: number;
  /** Pairs with a left/right verdict on both sides (the alarm's sample), and how many disagree. */
  usable: number;
  disagreements: number;
  /** disagreements / usable, with its 95% Wilson interval; null without usable pairs. */
  disagreementRate: number | null;
  interval95: [number, number] | null;
  alarm: AlarmState;
  /** Where it fired: the query, the env steps it was asked at and paired at, and its index among the pairs. */
  firedAt: { queryId: string; askedAtStep: number; pairedAtStep: number; pairIndex: number } | null;
}

export function auditSummary(log: AuditLog, options: AlarmOptionsInput = {}): AuditSummary {
  const pairs = log.pairs();
  const alarm = alarmState(pairs, options);
  const hit = alarm.firedAt === null ? null : pairs[alarm.firedAt];
  const entries = log.entries;
  return {
    requested: entries.length,
    answered: entries.filter((e) => e.audit !== null).length,
    paired: pairs.length,
    usable: alarm.n,
    disagreements: alarm.disagreements,
    disagreementRate: alarm.n > 0 ? alarm.disagreements / alarm.n : null,
    interval95: alarm.n > 0 ? wilsonInterval(alarm.disagreements, alarm.n) : null,
    alarm,
    firedAt: hit && { queryId: hit.queryId, askedAtStep: hit.askedAtStep, pairedAtStep: hit.pairedAtStep, pairIndex: hit.index },
  };
}

/** Wilson score interval for k successes in n trials (z = 1.96: 95%); it stays inside [0, 1] and behaves at k = 0 or n. */
export function wilsonInterval(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (!(n > 0) || k < 0 || k > n) throw new RangeError(`wilsonInterval needs 0 <= k <= n and n > 0, got k=${k}, n=${n}`);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Exact at the ends (rounding would leave 1e-16 off).
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}
