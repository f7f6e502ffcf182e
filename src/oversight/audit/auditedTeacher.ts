/**
 * Audits: a validation overseer (the full view) answers a random sample of the queries the
 * trained-on overseer answers. Its answers go to the audit log and nowhere else: `poll` returns
 * the trained-on overseer's answers only, so the run stores and trains on exactly what it would
 * without audits (`auditedTeacher.test.ts` proves it on the real loop).
 */
import { z } from 'zod';
import { Rng, type RngState } from '../../utils/rng.js';
import type { Query, Teacher, TeacherAnswer } from '../../prefs/teachers.js';
import { AuditLog } from './auditLog.js';

export const AuditOptionsSchema = z.strictObject({
  /** Fraction of queries also given to the auditor (e.g. 0.02-0.05 of the label budget). */
  rate: z.number().min(0).max(1).default(0.03),
});
export type AuditOptions = z.infer<typeof AuditOptionsSchema>;

export interface AuditedTeacherState {
  format: 'overseer.audited-teacher';
  version: 1;
  /** Which queries are audited: its own stream, so the inner teacher's draws are untouched. */
  rng: RngState;
  lastAskedStep: number;
  inner: unknown;
  auditor: unknown;
  log: unknown;
}

export class AuditedTeacher implements Teacher {
  readonly rate: number;
  readonly log = new AuditLog();
  private readonly rng: Rng;
  private lastAskedStep = 0;

  /**
   * `inner` is the overseer the run trains on, `auditor` the validation overseer; `rng` draws
   * which queries are audited (a seed, e.g. `RngStreams.seedOf(seed, 'audit')`, or a generator).
   */
  constructor(
    readonly inner: Teacher,
    readonly auditor: Teacher,
    options: z.input<typeof AuditOptionsSchema>,
    rng: number | Rng,
  ) {
    const r = AuditOptionsSchema.safeParse(options);
    if (!r.success) throw new Error(`invalid audit options:\n${z.prettifyError(r.error)}`);
    this.rate = r.data.rate;
    this.rng = typeof rng === 'number' ? new Rng(rng) : rng;
  }

  /** The trained-on overseer's name: its answers are the only ones the run sees. */
  get name(): string {
    return this.inner.name;
  }

  /** Audits never hold RL back: only the trained-on overseer's outstanding answers count. */
  get pending(): number {
    return this.inner.pending;
  }

  get replayable(): boolean {
    return Boolean(this.inner.replayable && this.auditor.replayable);
  }

  ask(queries: readonly Query[]): void {
    this.inner.ask(queries);
    const audited: Query[] = [];
    for (const q of queries) {
      this.lastAskedStep = Math.max(this.lastAskedStep, q.askedAtStep);
      // One draw per query, always: which queries are audited depends on the seed and the query count alone.
      const draw = this.rng.random();
      // A query asked again (a stateless teacher after a resume) keeps its first audit decision.
      if (draw < this.rate && !this.log.has(q.id)) audited.push(q);
    }
    for (const q of audited) this.log.request(q);
    if (audited.length > 0) this.auditor.ask(audited);
  }

  /** The trained-on overseer's answers, untouched; the auditor's go to the log only. */
  poll(): TeacherAnswer[] {
    const answers = this.inner.poll();
    for (const a of answers) this.log.recordInner(a.queryId, a.answer, this.lastAskedStep);
    for (const a of this.auditor.poll()) this.log.recordAudit(a.queryId, a.answer, a.teacher, this.lastAskedStep);
    return answers;
  }

  state(): AuditedTeacherState {
    return {
      format: 'overseer.audited-teacher',
      version: 1,
      rng: this.rng.getState(),
      lastAskedStep: this.lastAskedStep,
      inner: this.inner.state?.() ?? null,
      auditor: this.auditor.state?.() ?? null,
      log: this.log.state(),
    };
  }

  /**
   * Restores both teachers (those that keep state) and the log. A resumed run re-asks open
   * queries only of teachers without `load`; this one always has it, so wrap teachers that keep
   * state (the simulated and the human ones do).
   */
  load(state: unknown): void {
    const s = state as Partial<AuditedTeacherState> | null;
    if (!s || s.format !== 'overseer.audited-teacher' || s.version !== 1) throw new Error(`teacher ${this.name}: not an audited teacher's state (format ${JSON.stringify(s?.format)})`);
    this.rng.setState(s.rng!);
    this.lastAskedStep = s.lastAskedStep ?? 0;
    if (s.inner !== null && s.inner !== undefined) this.inner.load?.(s.inner);
    if (s.auditor !== null && s.auditor !== undefined) this.auditor.load?.(s.auditor);
    this.log.load(s.log);
  }

  close(): void {
    try {
      this.inner.close();
    } finally {
      this.auditor.close();
    }
  }
}
