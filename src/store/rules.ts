/**
 * The checks and small computations every `ProjectStore` implementation shares, so that the
 * same input is refused with the same message whatever the database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ARMS, CRITIQUE_RESPONSES, type Arm, type CritiqueResponse, type LabelAssistance, type ShownCritique, type StoredLabel, type StoredQuery } from '../prefs/store.js';
import { ANSWERS, type Answer } from '../prefs/teachers.js';
import { median } from '../utils/stats.js';
import {
  ConflictError,
  DEBATE_IMAGES,
  DEBATE_PIXELS,
  DEBATE_ROLES,
  DEBATE_SIDES,
  InvalidInputError,
  MAX_GUIDELINES,
  MAX_REPORT_BYTES,
  REPORT_KIND,
  NotFoundError,
  type Agreement,
  type DebateGame,
  type ExportedDebateGame,
  type LabelSubmission,
  type NewDebateGame,
  type NewRun,
  type ProjectStore,
  type QueryKind,
  type RunContents,
  type RunProgress,
} from './store.js';

export function checkRunId(id: string): void {
  if (typeof id !== 'string' || !id.trim()) throw new InvalidInputError('a run needs a non-empty id');
}

export function checkAnswer(answer: string, what: string): void {
  if (!(ANSWERS as readonly string[]).includes(answer)) throw new InvalidInputError(`${what}unknown answer ${JSON.stringify(answer)}; one of ${ANSWERS.join(', ')}`);
}

export function checkSubmission(sub: LabelSubmission): void {
  checkAnswer(sub.answer, '');
  checkAssistance(sub.assistance, '');
  if (typeof sub.clientId !== 'string' || sub.clientId.length === 0 || sub.clientId.length > 100) throw new InvalidInputError('clientId must be 1-100 characters');
  if (sub.seconds !== null && !(Number.isFinite(sub.seconds) && sub.seconds >= 0)) throw new InvalidInputError(`seconds must be a non-negative number (got ${sub.seconds})`);
}

/** The longest assistant name and critique reason (characters), and the most places a critique reveals. */
export const MAX_ASSISTANT = 200;
export const MAX_REASON = 2000;
export const MAX_REVEALS = 1000;

const isWhole = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

/** What is wrong with a critique as shown, or null. */
function critiqueProblem(c: ShownCritique): string | null {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return 'critique must be an object with assistant, reason and reveals, or null';
  if (typeof c.assistant !== 'string' || c.assistant.length === 0 || c.assistant.length > MAX_ASSISTANT) return `critique.assistant must be 1-${MAX_ASSISTANT} characters`;
  if (typeof c.reason !== 'string' || c.reason.length > MAX_REASON) return `critique.reason must be text of at most ${MAX_REASON} characters`;
  if (!Array.isArray(c.reveals) || c.reveals.length > MAX_REVEALS) return `critique.reveals must be a list of at most ${MAX_REVEALS} places`;
  for (const [i, r] of c.reveals.entries()) {
    if (typeof r !== 'object' || r === null || typeof r.kind !== 'string' || r.kind.length === 0 || !isWhole(r.step) || (r.cell !== undefined && !isWhole(r.cell))) {
      return `critique.reveals[${i}] must be {kind (text), step (a whole number >= 0), cell (optional, a whole number >= 0)}`;
    }
  }
  return null;
}

/**
 * What is wrong with a label's assistance, or null. One rule for `submitLabel`, `putLabel` and
 * import: a critique is shown only in the assisted arm, and a person responds only to a critique shown.
 */
export function assistanceProblem(a: LabelAssistance): string | null {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return 'assistance must be an object with arm, critique and response';
  if (!(ARMS as readonly unknown[]).includes(a.arm)) return `unknown trial arm ${JSON.stringify(a.arm)}; one of ${ARMS.join(', ')}`;
  if (a.response !== null && !(CRITIQUE_RESPONSES as readonly unknown[]).includes(a.response)) return `unknown critique response ${JSON.stringify(a.response)}; one of ${CRITIQUE_RESPONSES.join(', ')}, or null`;
  if (a.critique !== null) {
    const problem = critiqueProblem(a.critique);
    if (problem) return problem;
    if (a.arm !== 'assisted') return `a critique was shown in the ${a.arm} arm; only the assisted arm shows one`;
  }
  if (a.response !== null && a.critique === null) return `a critique response (${a.response}) without a critique shown; respond only to a critique`;
  return null;
}

/** The assistance as stored (a copy with its own fields only), or null when none; `InvalidInputError` naming the problem otherwise. */
export function checkAssistance(a: LabelAssistance | null | undefined, what: string): LabelAssistance | null {
  if (a === undefined || a === null) return null;
  const problem = assistanceProblem(a);
  if (problem) throw new InvalidInputError(`${what}${problem}`);
  return copyAssistance(a);
}

/** A copy sharing nothing with `a`, with its fields only (a reveal's cell only when it has one). */
export function copyAssistance(a: LabelAssistance): LabelAssistance {
  const c = a.critique;
  const critique = c === null ? null : { assistant: c.assistant, reason: c.reason, reveals: c.reveals.map(({ kind, step, cell }) => (cell === undefined ? { kind, step } : { kind, step, cell })) };
  return { arm: a.arm, critique, response: a.response };
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

/** A label (or a debate game) for a run that has finished: the run will never read it. */
export const finishedRunConflict = (runId: string, what = 'this label') => new ConflictError(`run ${runId} has finished; ${what} was not stored`);

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

/** One label, as `agreementOf` reads it. */
export interface LabelFacts {
  annotatorId: number | null;
  queryId: string;
  kind: QueryKind;
  answer: Answer;
  seconds: number | null;
  /** For a repeat: the first answer to its original pair (sides as there); else null. */
  original: Answer | null;
  /** For a gold pair: its known answer, if set; else null. */
  goldAnswer: Answer | null;
  /** The trial arm it was given in, or null (not in a trial). */
  arm: Arm | null;
  /** Whether a critique was shown with the pair. */
  critiqued: boolean;
  /** What the person did with the critique, or null. */
  response: CritiqueResponse | null;
}


/**
 * Agreement and answering habits from a run's labels (people's and imported ones): per
 * annotator (by id, those with a label), and over the gold pairs.
 */
export function agreementOf(annotators: readonly { id: number; name: string }[], labels: readonly LabelFacts[]): Agreement {
  const byId = new Map(annotators.map((a) => [a.id, { name: a.name, labels: 0, repeats: 0, agreeing: 0, seconds: [] as number[], answers: { left: 0, right: 0, equal: 0, incomparable: 0 }, gold: { answered: 0, correct: 0 }, any: false }]));
  const goldAnswers = new Map<string, Answer[]>();
  const gold = { pairs: 0, agreeing: 0, answered: 0, correct: 0 };
  const arms: Agreement['arms'] = { assisted: { answered: 0, correct: 0 }, unassisted: { answered: 0, correct: 0 } };
  const critiques = { shown: 0, accepted: 0, dismissed: 0 };
  for (const l of labels) {
    if (l.kind === 'gold') {
      goldAnswers.set(l.queryId, [...(goldAnswers.get(l.queryId) ?? []), l.answer]);
      if (l.goldAnswer !== null) {
        gold.answered += 1;
        if (l.answer === l.goldAnswer) gold.correct += 1;
        if (l.arm !== null) {
          arms[l.arm].answered += 1;
          if (l.answer === l.goldAnswer) arms[l.arm].correct += 1;
        }
      }
    }
    if (l.critiqued) {
      critiques.shown += 1;
      if (l.response !== null) critiques[l.response] += 1;
    }
    const a = l.annotatorId === null ? undefined : byId.get(l.annotatorId);
    if (!a) continue;
    a.any = true;
    a.answers[l.answer] += 1;
    if (l.seconds !== null) a.seconds.push(l.seconds);
    if (l.kind === 'normal') a.labels += 1;
    else if (l.kind === 'repeat' && l.original !== null) {
      a.repeats += 1;
      // Sides were swapped: agreeing means the swapped answer.
      if (SWAPPED[l.answer] === l.original) a.agreeing += 1;
    } else if (l.kind === 'gold' && l.goldAnswer !== null) {
      a.gold.answered += 1;
      if (l.answer === l.goldAnswer) a.gold.correct += 1;
    }
  }
  for (const xs of goldAnswers.values()) {
    for (let i = 0; i < xs.length; i++) {
      for (let j = i + 1; j < xs.length; j++) {
        gold.pairs += 1;
        if (xs[i] === xs[j]) gold.agreeing += 1;
      }
    }
  }
  return {
    annotators: [...byId.values()].filter((a) => a.any).map(({ name, labels: n, repeats, agreeing, seconds, answers, gold: g }) => ({ name, labels: n, repeats, agreeing, medianSeconds: median(seconds), answers, gold: g })),
    gold,
    arms,
    critiques,
  };
}

/**
 * Whether a gold pair is due for an annotator who has given `sinceLastGold` answers to the run's
 * pairs since their last gold answer (or since they began): one after every `goldEvery`. Counted
 * from the last one, not by a quota, so gold pairs made late do not come back to back.
 */
export const goldDue = (sinceLastGold: number, goldEvery: number): boolean => goldEvery > 0 && sinceLastGold >= goldEvery;

/** The id of the gold pair made from a run's pair. */
export const goldIdOf = (queryId: string) => `gold-${queryId}`;

/** The id a gold pair would take is another kind of query's (e.g. imported). */
export const goldIdTaken = (id: string, kind: string, runId: string) => new ConflictError(`run ${runId} already has a ${kind} query ${id}, the id this gold pair would take`);

/**
 * Guidelines are counted in UTF-16 units (`length`), as the dashboard's text box counts them for
 * its maxlength: an emoji counts 2. The server's schema counts code points, never more than this.
 */
export function checkGuidelines(text: string): string {
  if (typeof text !== 'string') throw new InvalidInputError('guidelines must be text');
  if (text.length > MAX_GUIDELINES) throw new InvalidInputError(`guidelines are ${text.length} characters long, counting an emoji as 2; at most ${MAX_GUIDELINES}`);
  return text;
}

/** A report's kind and its JSON text, checked: a kind like `attention`, a body JSON can hold, at most MAX_REPORT_BYTES. */
export function reportText(kind: string, body: unknown): { kind: string; text: string; bytes: number } {
  if (typeof kind !== 'string' || !REPORT_KIND.test(kind) || kind.length > 64) throw new InvalidInputError(`report kind ${JSON.stringify(kind)}: use lowercase letters, digits and hyphens (e.g. attention), at most 64 characters`);
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch (e) {
    throw new InvalidInputError(`report ${kind}: its body cannot be written as JSON (${(e as Error).message})`);
  }
  if (text === undefined) throw new InvalidInputError(`report ${kind}: its body cannot be written as JSON (${typeof body})`);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_REPORT_BYTES) throw new InvalidInputError(`report ${kind} is ${bytes} bytes of JSON; at most ${MAX_REPORT_BYTES}`);
  return { kind, text, bytes };
}

export function checkProgress(p: RunProgress): void {
  if (!['initial', 'pretraining', 'rl'].includes(p.phase)) throw new InvalidInputError(`unknown run phase ${JSON.stringify(p.phase)}`);
  if (p.waitingForLabels !== null && !(Number.isInteger(p.waitingForLabels) && p.waitingForLabels >= 0)) throw new InvalidInputError(`waitingForLabels must be a whole number >= 0 or null (got ${p.waitingForLabels})`);
}

/** An undo that comes too late: the run has already trained on the answer. */
export const usedLabelConflict = (queryId: string) => new ConflictError(`the answer to ${queryId} has already been used for training, so it can no longer be undone`);

/** An undo the store cannot find among this annotator's answers. */
export const noAnswerToWithdraw = (clientId: string, runId: string) => new NotFoundError(`no answer ${JSON.stringify(clientId)} from you in run ${runId}`);

/** A resubmission of an answer that was withdrawn (an old retry arriving late): it stays withdrawn. */
export const withdrawnConflict = (clientId: string) => new ConflictError(`answer ${clientId} was undone; answer the pair again to give a new answer`);

/**
 * Whether a person may answer this query now: gold pairs are for everyone, once each; normal and
 * repeated pairs for the one they were handed to, once. `goldAnsweredBefore`: this person has
 * already answered this gold pair.
 */
export function checkAnswerable(q: { id: string; kind: QueryKind; assignedTo: number | null; answered: boolean }, sub: LabelSubmission, who: string, goldAnsweredBefore: boolean): void {
  if (q.kind === 'gold') {
    if (goldAnsweredBefore) throw goldAnsweredConflict(sub.queryId, who);
    return;
  }
  if (q.assignedTo !== sub.annotatorId) throw new ConflictError(`query ${sub.queryId} is not assigned to ${who}`);
  if (q.answered) throw new ConflictError(`query ${sub.queryId} is already answered`);
}

/** A label as stores return it: its fields only, with the client id and assistance only when there are. */
export function storedLabel(l: StoredLabel): StoredLabel {
  const { queryId, leftId, rightId, answer, teacher, seconds, receivedAtStep, createdAt, clientId, assistance } = l;
  const label: StoredLabel = { queryId, leftId, rightId, answer, teacher, seconds, receivedAtStep, createdAt };
  return { ...label, ...(clientId ? { clientId } : {}), ...(assistance ? { assistance: copyAssistance(assistance) } : {}) };
}

/**
 * Creates runs with their contents through a store's own operations (inside whatever transaction
 * the store wraps it in); imported debate games through `putImportedGame` (they name their person
 * by name, which `putDebateGame` does not take).
 */
export function storeRuns(store: ProjectStore, runs: readonly { run: NewRun; contents: RunContents }[], putImportedGame: (runId: string, game: ExportedDebateGame) => void): void {
  for (const { run, contents: c } of runs) {
    store.createRun(run);
    store.putSegments(run.id, [...c.segments.values()].map((segment) => ({ segment, truth: c.truths.get(segment.id) })));
    store.putQueries(run.id, c.queries.map((q) => ({ ...q, kind: c.kinds.get(q.id), goldAnswer: c.goldAnswers?.get(q.id) ?? null })));
    for (const l of c.labels) store.putLabel(run.id, l);
    for (const g of c.debateGames ?? []) putImportedGame(run.id, g);
  }
}

// ---- debate games ----

const isDigit = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 9;
const MAX_GAME_ID = 100;

/**
 * What is wrong with a debate game, or null: the rules of `NewDebateGame` (store.ts), one for
 * `putDebateGame`, import and the export reader. `hasPerson`: the game names a person (an
 * annotator id, or an imported game's name); the role says whether it must.
 */
export function debateGameProblem(g: Omit<NewDebateGame, 'annotatorId'>, hasPerson: boolean): string | null {
  if (typeof g.id !== 'string' || g.id.length === 0 || g.id.length > MAX_GAME_ID) return `id must be 1-${MAX_GAME_ID} characters`;
  if (!(DEBATE_ROLES as readonly unknown[]).includes(g.role)) return `role ${JSON.stringify(g.role)} is unknown; one of ${DEBATE_ROLES.join(', ')}`;
  if (!Number.isInteger(g.imageIndex) || g.imageIndex < 0 || g.imageIndex >= DEBATE_IMAGES) return `imageIndex must be an index into the MNIST test set, 0..${DEBATE_IMAGES - 1} (got ${g.imageIndex})`;
  if (!Number.isInteger(g.k) || g.k < 1 || g.k > DEBATE_PIXELS) return `k must be a whole number of pixels in 1..${DEBATE_PIXELS} (got ${g.k})`;
  if (typeof g.precommit !== 'boolean') return `precommit must be true or false (got ${JSON.stringify(g.precommit)})`;
  if (!(DEBATE_SIDES as readonly unknown[]).includes(g.firstMover)) return `firstMover ${JSON.stringify(g.firstMover)} is unknown; one of ${DEBATE_SIDES.join(', ')}`;
  if (!isDigit(g.truth)) return `truth must be a digit 0-9 (got ${g.truth})`;
  if (g.lie !== null && !isDigit(g.lie)) return `lie must be a digit 0-9 or null (got ${g.lie})`;
  if (g.lie === g.truth) return `lie must be a digit other than truth (both ${g.truth})`;
  if (g.precommit && g.lie === null) return 'lie is null, but with precommit the liar names its claim before the first reveal';
  if (!Array.isArray(g.reveals) || g.reveals.length !== g.k) return `reveals must list exactly k = ${g.k} reveals (got ${Array.isArray(g.reveals) ? g.reveals.length : typeof g.reveals})`;
  const shown = new Set<number>();
  for (const [i, r] of g.reveals.entries()) {
    if (typeof r !== 'object' || r === null || !Number.isInteger(r.pixel) || r.pixel < 0 || r.pixel >= DEBATE_PIXELS) return `reveals[${i}].pixel must be a pixel 0..${DEBATE_PIXELS - 1} (got ${(r as { pixel?: unknown } | null)?.pixel})`;
    if (shown.has(r.pixel)) return `reveals[${i}].pixel ${r.pixel} was already revealed`;
    shown.add(r.pixel);
    const mover = i % 2 === 0 ? g.firstMover : g.firstMover === 'honest' ? 'liar' : 'honest';
    if (r.by !== mover) return `reveals[${i}].by must be ${mover}: players alternate, starting with firstMover ${g.firstMover} (got ${JSON.stringify(r.by)})`;
  }
  const claims = g.lie === null ? null : [g.truth, g.lie];
  if (!isDigit(g.modelPick)) return `modelPick must be a digit 0-9 (got ${g.modelPick})`;
  if (claims && !claims.includes(g.modelPick)) return `modelPick must be truth (${g.truth}) or lie (${g.lie}) (got ${g.modelPick})`;
  if (g.personPick !== null) {
    if (!isDigit(g.personPick)) return `personPick must be a digit 0-9 or null (got ${g.personPick})`;
    if (claims && !claims.includes(g.personPick)) return `personPick must be truth (${g.truth}) or lie (${g.lie}) (got ${g.personPick})`;
  }
  if (g.seconds !== null && !(typeof g.seconds === 'number' && Number.isFinite(g.seconds) && g.seconds >= 0)) return `seconds must be a non-negative number or null (got ${g.seconds})`;
  // The role says who played: a person exactly when one judged or debated, a person's pick exactly when one judged.
  if (g.role === 'model') {
    if (hasPerson) return 'a game between models (role model) names no person: annotatorId must be null';
    if (g.personPick !== null) return 'personPick must be null in a game between models (role model): no person judged';
    if (g.seconds !== null) return 'seconds must be null in a game between models (role model): no person took them';
  } else {
    if (!hasPerson) return `role ${g.role} needs the person who played: annotatorId must be set`;
    if (g.role === 'judge' && g.personPick === null) return 'personPick must be set when a person judged (role judge)';
    if (g.role === 'debater' && g.personPick !== null) return 'personPick must be null when the person debated (role debater): the model judged';
  }
  return null;
}

/** The game's own fields, copied (nothing shared with the caller; -0 seconds as 0). */
function gameFields(g: Omit<NewDebateGame, 'annotatorId'>): Omit<NewDebateGame, 'annotatorId'> {
  return {
    id: g.id,
    role: g.role,
    imageIndex: g.imageIndex,
    k: g.k,
    precommit: g.precommit,
    firstMover: g.firstMover,
    truth: g.truth,
    lie: g.lie,
    reveals: g.reveals.map(({ pixel, by }) => ({ pixel, by })),
    personPick: g.personPick,
    modelPick: g.modelPick,
    seconds: g.seconds === null ? null : g.seconds + 0,
  };
}

/** A game to store, checked (`InvalidInputError` naming the field) and copied with its own fields only. */
export function checkDebateGame(g: NewDebateGame): NewDebateGame {
  if (typeof g !== 'object' || g === null) throw new InvalidInputError('a debate game must be an object');
  const what = `debate game ${typeof g.id === 'string' ? JSON.stringify(g.id) : ''}`.trimEnd();
  if (g.annotatorId !== null && !(Number.isInteger(g.annotatorId) && g.annotatorId > 0)) throw new InvalidInputError(`${what}: annotatorId must be an annotator's id or null (got ${g.annotatorId})`);
  const problem = debateGameProblem(g, g.annotatorId !== null);
  if (problem) throw new InvalidInputError(`${what}: ${problem}`);
  const { id, ...rest } = gameFields(g);
  return { id, annotatorId: g.annotatorId, ...rest };
}

/** An imported game, checked like a new one (its person by name) and copied; its time must be a time. */
export function checkImportedGame(g: ExportedDebateGame): ExportedDebateGame {
  const what = `debate game ${JSON.stringify(g.id)}`;
  if (g.annotator !== null && (typeof g.annotator !== 'string' || g.annotator.length === 0 || g.annotator.length > 100)) throw new InvalidInputError(`${what}: annotator must be a name of 1-100 characters or null`);
  const problem = debateGameProblem(g, g.annotator !== null);
  if (problem) throw new InvalidInputError(`${what}: ${problem}`);
  if (typeof g.createdAt !== 'string' || Number.isNaN(Date.parse(g.createdAt))) throw new InvalidInputError(`${what}: createdAt ${JSON.stringify(g.createdAt)} is not a time`);
  return { ...gameFields(g), annotator: g.annotator, createdAt: g.createdAt };
}

/** Whether a resubmitted game is the one stored under its id (everything the client sent, in order). */
export function sameDebateGame(stored: DebateGame, g: NewDebateGame): boolean {
  const key = (x: NewDebateGame) => JSON.stringify([x.annotatorId, ...Object.values(gameFields(x))]);
  return key(stored) === key(g);
}

/** A game already stored under this id with other content. */
export const debateGameConflict = (id: string, runId: string) => new ConflictError(`debate game ${id} is already stored in run ${runId} with other content`);
