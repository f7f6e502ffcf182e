/**
 * What the audits found: for each audited query, the trained-on overseer's answer and the
 * auditor's, paired once both have arrived (they may come at different polls). Kept in memory
 * and saved with the run's teacher state as versioned, schema-checked JSON.
 */
import { z } from 'zod';
import { ANSWERS, type Answer, type Query } from '../../prefs/teachers.js';
import type { AuditPair } from './alarm.js';

export interface AuditEntry {
  queryId: string;
  /** Env steps when the query was asked. */
  askedAtStep: number;
  /** The trained-on overseer's answer and the auditor's, once they have come. */
  inner: Answer | null;
  audit: Answer | null;
  /** Who gave the audit answer. */
  auditor: string | null;
  /**
   * Env steps when both answers were in: the latest step any query had been asked at by then
   * (a teacher never sees the clock; exact when answers arrive in the round they were asked).
   */
  pairedAtStep: number | null;
}

/** A complete entry, with its place in the stream the alarm reads. */
export interface PairedAudit extends AuditPair {
  queryId: string;
  askedAtStep: number;
  pairedAtStep: number;
  /** 0, 1, 2... in the order the pairs were completed. */
  index: number;
}

const answer = z.enum(ANSWERS);
export const AuditLogStateSchema = z.strictObject({
  format: z.literal('overseer.audit-log'),
  version: z.literal(1),
  entries: z.array(
    z.strictObject({
      queryId: z.string().min(1),
      askedAtStep: z.number().int().nonnegative(),
      inner: answer.nullable(),
      audit: answer.nullable(),
      auditor: z.string().nullable(),
      pairedAtStep: z.number().int().nonnegative().nullable(),
    }),
  ),
  /** Query ids in the order their pairs were completed. */
  paired: z.array(z.string()),
});
export type AuditLogState = z.infer<typeof AuditLogStateSchema>;

export class AuditLog {
  private readonly byId = new Map<string, AuditEntry>();
  private paired: string[] = [];

  /** Audited queries, in the order they were asked. */
  get entries(): readonly Readonly<AuditEntry>[] {
    return [...this.byId.values()];
  }

  has(queryId: string): boolean {
    return this.byId.has(queryId);
  }

  /** A query handed to the auditor. */
  request(q: Query): void {
    if (this.byId.has(q.id)) throw new Error(`audit log: query ${q.id} is already audited`);
    this.byId.set(q.id, { queryId: q.id, askedAtStep: q.askedAtStep, inner: null, audit: null, auditor: null, pairedAtStep: null });
  }

  /** The trained-on overseer's answer; ignored unless the query is audited. The first answer counts. */
  recordInner(queryId: string, a: Answer, step: number): void {
    const e = this.byId.get(queryId);
    if (!e || e.inner !== null) return;
    e.inner = a;
    this.pairIfComplete(e, step);
  }

  /** The auditor's answer; an answer to a query it was not given is ignored. The first answer counts. */
  recordAudit(queryId: string, a: Answer, auditor: string, step: number): void {
    const e = this.byId.get(queryId);
    if (!e || e.audit !== null) return;
    e.audit = a;
    e.auditor = auditor;
    this.pairIfComplete(e, step);
  }

  /** The complete pairs in the order they were completed: the alarm's input. */
  pairs(): PairedAudit[] {
    return this.paired.map((id, index) => {
      const e = this.byId.get(id)!;
      return { queryId: id, inner: e.inner!, audit: e.audit!, askedAtStep: e.askedAtStep, pairedAtStep: e.pairedAtStep!, index };
    });
  }

  state(): AuditLogState {
    return { format: 'overseer.audit-log', version: 1, entries: this.entries.map((e) => ({ ...e })), paired: [...this.paired] };
  }

  load(state: unknown): void {
    const r = AuditLogStateSchema.safeParse(state);
    if (!r.success) throw new Error(`not an audit log's state:\n${z.prettifyError(r.error)}`);
    this.byId.clear();
    for (const e of r.data.entries) this.byId.set(e.queryId, { ...e });
    for (const id of r.data.paired) {
      const e = this.byId.get(id);
      if (!e || e.inner === null || e.audit === null) throw new Error(`audit log state: ${id} is listed as paired but has no complete entry`);
    }
    this.paired = [...r.data.paired];
  }

  static fromState(state: unknown): AuditLog {
    const log = new AuditLog();
    log.load(state);
    return log;
  }

  private pairIfComplete(e: AuditEntry, step: number): void {
    if (e.inner === null || e.audit === null) return;
    e.pairedAtStep = step;
    this.paired.push(e.queryId);
  }
}
