/**
 * The checks and small computations every `ProjectStore` implementation shares, so that the
 * same input is refused with the same message whatever the database.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { StoredLabel, StoredQuery } from '../prefs/store.js';
import { ANSWERS } from '../prefs/teachers.js';
import { ConflictError, InvalidInputError, type Agreement, type LabelSubmission, type NewRun, type ProjectStore, type QueryKind, type RunContents } from './store.js';

export function checkRunId(id: string): void {
  if (typeof id !== 'string' || !id.trim()) throw new InvalidInputError('a run needs a non-empty id');
}

export function checkAnswer(answer: string, what: string): void {
  if (!(ANSWERS as readonly string[]).includes(answer)) throw new InvalidInputError(`${what}unknown answer ${JSON.stringify(answer)}; one of ${ANSWERS.join(', ')}`);
}

export function checkSubmission(sub: LabelSubmission): void {
  checkAnswer(sub.answer, '');
  if (typeof sub.clientId !== 'string' || sub.clientId.length === 0 || sub.clientId.length > 100) throw new InvalidInputError('clientId must be 1-100 characters');
  if (sub.seconds !== null && !(Number.isFinite(sub.seconds) && sub.seconds >= 0)) throw new InvalidInputError(`seconds must be a non-negative number (got ${sub.seconds})`);
}

/** The name as stored (trimmed), or an `InvalidInputError`. */
export function annotatorName(name: string): string {
  const clean = typeof name === 'string' ? name.trim() : '';
  if (!clean) throw new InvalidInputError('an annotator needs a non-empty name');
  if (clean.length > 100) throw new InvalidInputError(`annotator name is ${clean.length} characters; at most 100`);
  return clean;
}

/** The expiry as stored (ISO), or null; refuses an unreadable time or one not in the future. */
export function tokenExpiry(expiresAt: string | null | undefined, now = Date.now()): string | null {
  if (expiresAt === undefined || expiresAt === null) return null;
  const t = typeof expiresAt === 'string' ? Date.parse(expiresAt) : Number.NaN;
  if (Number.isNaN(t)) throw new InvalidInputError(`token expiry ${JSON.stringify(expiresAt)} is not a time`);
  if (t <= now) throw new InvalidInputError(`token expiry ${new Date(t).toISOString()} is not in the future`);
  return new Date(t).toISOString();
}

/** Whether a token still works: not revoked, not expired. */
export const tokenLive = (a: { revokedAt: string | null; expiresAt: string | null }, now = Date.now()): boolean => a.revokedAt === null && (a.expiresAt === null || Date.parse(a.expiresAt) > now);

/** A new annotator token (URL-safe, 32 characters); only its hash is stored. */
export const newToken = (): string => randomBytes(24).toString('base64url');

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Tokens longer than this are not looked up. */
export const MAX_TOKEN_LENGTH = 200;

/** Storing a query again is a no-op only if it is the same query. */
export function checkSameQuery(stored: StoredQuery & { kind: QueryKind }, q: StoredQuery & { kind?: QueryKind }, runId: string): void {
  const kind = q.kind ?? 'normal';
  if (stored.leftId !== q.leftId || stored.rightId !== q.rightId || stored.askedAtStep !== q.askedAtStep || stored.kind !== kind) {
    throw new ConflictError(`query ${q.id} is already stored in run ${runId} with other segments, step or kind`);
  }
}

/** A label for a run that has finished: the run will never read it. */
export const finishedRunConflict = (runId: string) => new ConflictError(`run ${runId} has finished; this label was not stored`);

/** A second answer to a gold pair from the same annotator: one answer each measures agreement. */
export const goldAnsweredConflict = (queryId: string, name: string) => new ConflictError(`${name} has already answered gold pair ${queryId}; each annotator answers a gold pair once`);

export const segmentConflict = (id: string, runId: string) => new ConflictError(`segment ${id} is already stored with other data (run ${runId})`);

/**
 * The repeat due for an annotator with `done` labels, or null. Counted by multiples passed, not
 * "exactly N done": a page that prefetches asks for its next pair while answers are still in
 * flight, so the count seen here can skip over a multiple.
 */
export function dueRepeatId(annotatorId: number, done: number, repeatEvery: number): string | null {
  if (repeatEvery <= 0) return null;
  const due = Math.floor(done / repeatEvery) * repeatEvery;
  return due === 0 ? null : `repeat-${annotatorId}-${due}`;
}

const SWAPPED: Record<string, string> = { left: 'right', right: 'left', equal: 'equal', incomparable: 'incomparable' };

/**
 * Agreement from a run's labels: `repeats` are (annotator, answer to the repeat, first answer
 * to its original), `gold` the answers to gold pairs by query.
 */
export function agreementOf(
  annotators: { id: number; name: string; labels: number }[],
  repeats: { annotatorId: number; answer: string; original: string | null }[],
  gold: Map<string, string[]>,
): Agreement {
  const byId = new Map(annotators.map((a) => [a.id, { name: a.name, labels: a.labels, repeats: 0, agreeing: 0 }]));
  for (const r of repeats) {
    const a = byId.get(r.annotatorId);
    if (!a || r.original === null) continue;
    a.repeats += 1;
    // Sides were swapped: agreeing means the swapped answer.
    if (SWAPPED[r.answer] === r.original) a.agreeing += 1;
  }
  const pairs = { pairs: 0, agreeing: 0 };
  for (const xs of gold.values()) {
    for (let i = 0; i < xs.length; i++) {
      for (let j = i + 1; j < xs.length; j++) {
        pairs.pairs += 1;
        if (xs[i] === xs[j]) pairs.agreeing += 1;
      }
    }
  }
  return { annotators: [...byId.values()].filter((a) => a.labels > 0), gold: pairs };
}

/** A label as stores return it: its fields only, with the client id only when there is one. */
export function storedLabel(l: StoredLabel): StoredLabel {
  const { queryId, leftId, rightId, answer, teacher, seconds, receivedAtStep, createdAt, clientId } = l;
  const label: StoredLabel = { queryId, leftId, rightId, answer, teacher, seconds, receivedAtStep, createdAt };
  return clientId ? { ...label, clientId } : label;
}

/** Creates runs with their contents through a store's own operations (inside whatever transaction the store wraps it in). */
export function storeRuns(store: ProjectStore, runs: readonly { run: NewRun; contents: RunContents }[]): void {
  for (const { run, contents: c } of runs) {
    store.createRun(run);
    store.putSegments(run.id, [...c.segments.values()].map((segment) => ({ segment, truth: c.truths.get(segment.id) })));
    store.putQueries(run.id, c.queries.map((q) => ({ ...q, kind: c.kinds.get(q.id) })));
    for (const l of c.labels) store.putLabel(run.id, l);
  }
}
