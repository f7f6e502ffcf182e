/**
 * A project database's rows as both SQL stores read them (SQLite's and PostgreSQL's tables have
 * the same columns), and the records they become.
 */
import type { RenderSpec } from '../envs/render.js';
import type { Answer } from '../prefs/teachers.js';
import { storedLabel } from './rules.js';
import type { Annotator, Arm, CommittedLabel, CritiqueResponse, LabelAssistance, QueryKind, Role, RunPhase, RunRecord, ShownCritique, StoredLabel, StoredQuery } from './store.js';

export interface RunRow {
  id: string;
  env_id: string;
  instructions: string;
  label_budget: number | null;
  config: string;
  render_spec: string | null;
  env_steps: number;
  created_at: string;
  finished_at: string | null;
  guidelines: string;
  phase: RunPhase | null;
  waiting_for: number | null;
  used_label_seq: number;
}
export interface QueryRow {
  seq: number;
  run_id: string;
  id: string;
  left_id: string;
  right_id: string;
  asked_at_step: number;
  kind: QueryKind;
  assigned_to: number | null;
  assigned_at: string | null;
  answered: number;
  repeat_of: string | null;
  gold_answer: Answer | null;
  created_at: string;
}
export interface LabelRow {
  seq: number;
  run_id: string;
  query_id: string;
  left_id: string;
  right_id: string;
  answer: Answer;
  teacher: string;
  annotator_id: number | null;
  seconds: number | null;
  received_at_step: number;
  client_id: string | null;
  created_at: string;
  arm: Arm | null;
  /** A `ShownCritique`, JSON. */
  critique: string | null;
  critique_response: CritiqueResponse | null;
}
export interface AnnotatorRow {
  id: number;
  name: string;
  role: Role;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export const toRun = (r: RunRow): RunRecord => ({
  id: r.id,
  envId: r.env_id,
  instructions: r.instructions,
  labelBudget: r.label_budget,
  config: JSON.parse(r.config) as Record<string, unknown>,
  renderSpec: r.render_spec === null ? null : (JSON.parse(r.render_spec) as RenderSpec),
  envSteps: r.env_steps,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  guidelines: r.guidelines,
  phase: r.phase,
  waitingForLabels: r.waiting_for,
});

export const toQuery = (r: QueryRow): StoredQuery => ({ id: r.id, leftId: r.left_id, rightId: r.right_id, askedAtStep: r.asked_at_step });

/** A stored label; `clientId` only on a label that has one. */
export const toLabel = (r: LabelRow): StoredLabel =>
  storedLabel({
    queryId: r.query_id,
    leftId: r.left_id,
    rightId: r.right_id,
    answer: r.answer,
    teacher: r.teacher,
    seconds: r.seconds,
    receivedAtStep: r.received_at_step,
    createdAt: r.created_at,
    clientId: r.client_id,
    assistance: r.arm === null ? null : { arm: r.arm, critique: r.critique === null ? null : (JSON.parse(r.critique) as ShownCritique), response: r.critique_response },
  });

export const toCommitted = (r: LabelRow): CommittedLabel => ({ ...toLabel(r), seq: r.seq, clientId: r.client_id });

/** A label's assistance as its row's columns (all NULL when none). */
export const assistanceColumns = (a: LabelAssistance | null) => ({
  arm: a?.arm ?? null,
  critique: a?.critique ? JSON.stringify(a.critique) : null,
  critiqueResponse: a?.response ?? null,
});

export const toAnnotator = (r: AnnotatorRow): Annotator => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at });
