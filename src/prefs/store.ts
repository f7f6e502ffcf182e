/**
 * Where a preference run keeps what must survive a crash: the segments that were shown, the
 * queries, and every label. The loop talks to this run-scoped port only; the project
 * database (`src/store`, SQLite today, PostgreSQL later) implements it, so the loop never
 * imports a database.
 *
 * Storing is idempotent, so a resumed run can replay what it did before a crash and store it
 * again: the same segment, query or label twice changes nothing, and something *different* under
 * an id already stored is refused with a `StoreConflictError`.
 */
import type { Segment, SegmentTruth } from './segments.js';
import type { Answer } from './teachers.js';

export interface StoredQuery {
  id: string;
  leftId: string;
  rightId: string;
  askedAtStep: number;
}

export interface StoredLabel {
  queryId: string;
  leftId: string;
  rightId: string;
  answer: Answer;
  teacher: string;
  /** Seconds the teacher took, when known. */
  seconds: number | null;
  /** Env steps when the answer was received. */
  receivedAtStep: number;
  createdAt: string;
  /** A person's label: the id the labeling page gave it (storing it again is a no-op). */
  clientId?: string | null;
  /** A person's label given in a randomized trial of assistance: its arm, and the critique shown. Absent otherwise. */
  assistance?: LabelAssistance | null;
}

/** The arms of a trial of assistance: the pair was shown with an assistant's critique, or without. */
export const ARMS = ['assisted', 'unassisted'] as const;
export type Arm = (typeof ARMS)[number];
/** What a person did with a critique: accepted it (it showed something that counts), or dismissed it. */
export const CRITIQUE_RESPONSES = ['accepted', 'dismissed'] as const;
export type CritiqueResponse = (typeof CRITIQUE_RESPONSES)[number];

/**
 * A critique as shown to a person: which assistant, its one-line reason, and the places it
 * revealed (kind, step, cell). The revealed numbers are the recording's, so they are not kept twice.
 */
export interface ShownCritique {
  assistant: string;
  reason: string;
  reveals: { kind: string; step: number; cell?: number }[];
}

/**
 * How a person's label was given in a trial of assistance (people labeling a run that has a
 * labeling assistant): the pair's arm, drawn at random per pair and person; in the assisted arm
 * the critique shown and the person's response to it (null: neither accepted nor dismissed).
 * The unassisted arm has neither.
 */
export interface LabelAssistance {
  arm: Arm;
  critique: ShownCritique | null;
  response: CritiqueResponse | null;
}

export interface StoreContents {
  segments: Map<string, Segment>;
  truths: Map<string, SegmentTruth>;
  queries: StoredQuery[];
  labels: StoredLabel[];
}

/**
 * A request a store refuses. The base of the store's errors: `src/store/store.ts` re-exports it
 * with its kinds (not found, conflict, invalid input, forbidden). It lives here, below the
 * store, so the loop can tell a refusal from a crash without importing the database.
 */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** Something other than what is already stored under the same id ("segment seg-12 is already stored with other data"). */
export class StoreConflictError extends StoreError {
  override name = 'StoreConflictError';
}

export interface PreferenceStore {
  /**
   * Persists segments (and their true rewards, when known) before they are shown. A segment already
   * stored under its id is skipped if identical (same data, same truth); otherwise this throws
   * a `StoreConflictError` naming it, and stores none of `items`.
   */
  putSegments(items: readonly { segment: Segment; truth?: SegmentTruth }[]): void;
  /** Same rule: a query already stored with the same segments and step is skipped, a different one is a `StoreConflictError`. */
  putQueries(queries: readonly StoredQuery[]): void;
  /**
   * Returns the label stored for the query: if it already has one (or this client id is
   * already stored), nothing is written and the stored label is returned, since a label
   * already stored always wins; otherwise `label` is committed, durably, before returning it.
   */
  putLabel(label: StoredLabel): StoredLabel;
  /** Everything stored so far (for resume and for `--labels-from`); queries and labels in the order they were stored. */
  load(): StoreContents;
  close(): void;
}
