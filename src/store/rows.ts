/**
 * A project database's rows as both SQL stores read them (SQLite's and PostgreSQL's tables have
 * the same columns), and the records they become.
 */
import type { RenderSpec } from '../envs/render.js';
import type { Answer } from '../prefs/teachers.js';
import { storedLabel } from './rules.js';
import type { Annotator, Arm, CommittedLabel, CritiqueResponse, DebateGame, DebateRole, DebateSide, LabelAssistance, NewDebateGame, QueryKind, Role, RunPhase, RunRecord, ShownCritique, StoredLabel, StoredQuery } from './store.js';

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

export interface DebateGameRow {
  seq: number;
  run_id: string;
  id: string;
  annotator_id: number | null;
  annotator: string | null;
  role: DebateRole;
  image_index: number;
  k: number;
  precommit: number;
  first_mover: DebateSide;
  truth: number;
  lie: number | null;
  /** The reveals, JSON. */
  reveals: string;
  person_pick: number | null;
  model_pick: number;
  seconds: number | null;
  created_at: string;
}

/** The columns of a game's row, in `DEBATE_GAME_COLUMNS` order (a checked game: see rules.ts `checkDebateGame`). */
export const DEBATE_GAME_COLUMNS = ['run_id', 'id', 'annotator_id', 'annotator', 'role', 'image_index', 'k', 'precommit', 'first_mover', 'truth', 'lie', 'reveals', 'person_pick', 'model_pick', 'seconds', 'created_at'] as const;
export const debateGameValues = (runId: string, g: Omit<NewDebateGame, 'annotatorId'>, annotatorId: number | null, annotator: string | null, createdAt: string): unknown[] => [
  runId,
  g.id,
  annotatorId,
  annotator,
  g.role,
  g.imageIndex,
  g.k,
  g.precommit ? 1 : 0,
  g.firstMover,
  g.truth,
  g.lie,
  JSON.stringify(g.reveals),
  g.personPick,
  g.modelPick,
  g.seconds,
  createdAt,
];

export const toDebateGame = (r: DebateGameRow): DebateGame => ({
  id: r.id,
  annotatorId: r.annotator_id,
  role: r.role,
  imageIndex: r.image_index,
  k: r.k,
  precommit: r.precommit === 1,
  firstMover: r.first_mover,
  truth: r.truth,
  lie: r.lie,
  reveals: JSON.parse(r.reveals) as NewDebateGame['reveals'],
  personPick: r.person_pick,
  modelPick: r.model_pick,
  seconds: r.seconds,
  seq: r.seq,
  createdAt: r.created_at,
  annotator: r.annotator,
});
