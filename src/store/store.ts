/**
 * The project store: what the CLI, the preference loop and the labeling server may ask of a
 * project's database. `SqliteProjectStore` (sqlite.ts) implements it for `overseer.db`,
 * `MemoryProjectStore` (memory.ts) for unit tests; a PostgreSQL store can take their place
 * without touching the callers. `contract.ts` is the test suite every implementation passes.
 *
 * Refusals are domain errors, with no HTTP in them: `NotFoundError`, `ConflictError`,
 * `InvalidInputError` and `ForbiddenError`, all `StoreError`s. The server maps them to
 * 404/409/400/403 in one place; the CLI turns them into usage errors.
 */
import type { RenderSpec } from '../envs/render.js';
import type { Segment, SegmentTruth } from '../prefs/segments.js';
import { StoreConflictError, StoreError, type Arm, type LabelAssistance, type PreferenceStore, type StoreContents, type StoredLabel, type StoredQuery } from '../prefs/store.js';
import type { Answer } from '../prefs/teachers.js';

export type { Arm, CritiqueResponse, LabelAssistance, ShownCritique, StoreContents, StoredLabel, StoredQuery } from '../prefs/store.js';
export { ARMS, CRITIQUE_RESPONSES } from '../prefs/store.js';

// ---- errors ----

// The base and the loop's conflict class are declared beside the loop's port (src/prefs/store.ts),
// so the loop can catch a conflict without importing the store; `ConflictError` extends the latter.
export { StoreConflictError, StoreError };

/** A run, query or annotator that does not exist. */
export class NotFoundError extends StoreError {
  override name = 'NotFoundError';
}

/** Clashes with what is stored: an id taken by other data, a query already answered or handed to someone else. */
export class ConflictError extends StoreConflictError {
  override name = 'ConflictError';
}

/** Malformed input: an unknown answer, segments whose sizes do not match, an unreadable export line. */
export class InvalidInputError extends StoreError {
  override name = 'InvalidInputError';
}

/** The project's database file is damaged (it fails SQLite's integrity check, or is not a database at all). */
export class CorruptProjectError extends StoreError {
  override name = 'CorruptProjectError';
}

/** The caller may not do this (e.g. an annotator that does not exist submits a label). */
export class ForbiddenError extends StoreError {
  override name = 'ForbiddenError';
}

// ---- records ----

export type Role = 'annotator' | 'admin';
export type QueryKind = 'normal' | 'gold' | 'repeat';
/** The preference loop's phase, as the run last reported it (src/prefs/run.ts). */
export type RunPhase = 'initial' | 'pretraining' | 'rl';

/** What a run reports of itself for the pages: its phase, and how many labels it waits for (null: it is not waiting). */
export interface RunProgress {
  phase: RunPhase;
  waitingForLabels: number | null;
}

export interface RunRecord {
  id: string;
  envId: string;
  /** What annotators are asked to prefer, shown on the labeling page. */
  instructions: string;
  labelBudget: number | null;
  /** The run's resolved options, as logged. */
  config: Record<string, unknown>;
  /**
   * How the page draws the run's segments, stored with the run so the server never builds an env.
   * null: none stored (runs made before the database kept it, or an env without one).
   */
  renderSpec: RenderSpec | null;
  /** Env steps the run has taken (updated by the run as it goes). */
  envSteps: number;
  createdAt: string;
  /** When the run finished (`finishRun`), or null while it runs: a finished run hands out no pairs and takes no people's labels. */
  finishedAt: string | null;
  /** Labeling guidelines, set by the admin and shown beside the clips ('' when none). */
  guidelines: string;
  /** The loop's phase as last reported (`setRunState`), null before it reports one. */
  phase: RunPhase | null;
  /** Labels the run waits for before it goes on, or null while it does not wait. */
  waitingForLabels: number | null;
}

export interface NewRun {
  id: string;
  envId: string;
  instructions?: string;
  labelBudget?: number | null;
  config?: Record<string, unknown>;
  renderSpec?: RenderSpec | null;
  /** Labeling guidelines (default none). */
  guidelines?: string;
}

/** A query as stored through `putQueries`: its kind (default normal) and, for a gold pair, its known answer. */
export type NewQuery = StoredQuery & { kind?: QueryKind; goldAnswer?: Answer | null };

export interface Annotator {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  /** When the token stops working (ISO time), or null: never. */
  expiresAt: string | null;
  /** When the token was revoked, or null. A revoked or expired token finds no annotator. */
  revokedAt: string | null;
}

export interface NewAnnotatorOptions {
  /** When the token stops working (an ISO time in the future); default never. */
  expiresAt?: string | null;
}

/** A query handed to an annotator, with both segments. */
export interface AssignedQuery {
  query: StoredQuery & { kind: QueryKind };
  left: Segment;
  right: Segment;
}

export interface LabelSubmission {
  runId: string;
  queryId: string;
  annotatorId: number;
  answer: Answer;
  /** Seconds the annotator took, as measured by the page. */
  seconds: number | null;
  /** Generated by the client, so a resubmission (after a lost response) is recognised. */
  clientId: string;
  /**
   * The trial arm the pair was shown in and the critique shown (runs with a labeling assistant),
   * or absent. Checked: a critique only in the assisted arm, a response only to a critique
   * (`InvalidInputError`). Kept with the label, and with it when it is withdrawn.
   */
  assistance?: LabelAssistance | null;
}

/** A label as committed: its place in the run's sequence, and the client id of a person's label. */
export type CommittedLabel = StoredLabel & { seq: number; clientId: string | null };

export interface SubmitResult {
  label: StoredLabel & { seq: number; clientId: string };
  /** The same client id had already been stored: nothing new was written. */
  duplicate: boolean;
}

export interface AnnotatorAgreement {
  name: string;
  /** Answers to the run's own (normal) pairs. */
  labels: number;
  /** Repeated pairs answered, and how many agreed with this person's first answer. */
  repeats: number;
  agreeing: number;
  /** The median of the seconds this person took per answer (all answers with a time), or null. */
  medianSeconds: number | null;
  /** How often each answer was given, over all this person's answers. */
  answers: Record<Answer, number>;
  /** Gold pairs with a known answer that this person answered, and how many matched it. */
  gold: { answered: number; correct: number };
}

export interface Agreement {
  /** Per annotator with labels. */
  annotators: AnnotatorAgreement[];
  /**
   * pairs/agreeing: pairs of people's answers to the same gold pair, and how many agreed;
   * answered/correct: people's answers to gold pairs with a known answer, and how many matched it.
   */
  gold: { pairs: number; agreeing: number; answered: number; correct: number };
  /**
   * People's answers to gold pairs with a known answer, per trial arm they were given in (labels
   * without an arm are not counted here), and the critiques people were shown and what they did
   * with them (all their labels, any kind of pair).
   */
  arms: Record<Arm, { answered: number; correct: number }>;
  critiques: { shown: number; accepted: number; dismissed: number };
}

/** A gold pair: a pair with a known answer, handed to every annotator now and then to measure them. */
export interface GoldPair {
  id: string;
  /** The run's pair it was made from (null for gold pairs imported without one). */
  sourceQueryId: string | null;
  /** The known answer (null: imported without one; then only agreement between people is measured). */
  answer: Answer | null;
  createdAt: string;
  /** Answers to it (people's, and imported ones), and how many matched `answer`. */
  answered: number;
  correct: number;
}

/** A pair of the run, for the admin to pick gold pairs from: newest first, with the answers it got. */
export interface PairSummary {
  queryId: string;
  askedAtStep: number;
  answers: { by: string; answer: Answer }[];
  /** The gold pair made from it, if any. */
  goldId: string | null;
}

/**
 * A run's stored contents with each query's kind (and gold pairs' known answers), and its debate
 * games: what export writes and import stores.
 */
export type RunContents = StoreContents & { kinds: Map<string, QueryKind>; goldAnswers?: Map<string, Answer>; debateGames?: ExportedDebateGame[] };

// ---- debate games (issue 23: debate on MNIST, Irving et al. 2018) ----

/** Who played: a person judged (models debated); a person debated as the honest player against a model; models only. */
export const DEBATE_ROLES = ['judge', 'debater', 'model'] as const;
export type DebateRole = (typeof DEBATE_ROLES)[number];
export const DEBATE_SIDES = ['honest', 'liar'] as const;
export type DebateSide = (typeof DEBATE_SIDES)[number];
/** Images in the MNIST test set, which games are played on. */
export const DEBATE_IMAGES = 10_000;
/** Pixels in an MNIST image (28 x 28). */
export const DEBATE_PIXELS = 784;

/** One debate game as the page (or a model-only game) submits it, stored with the run it belongs to. */
export interface NewDebateGame {
  /** Generated by the client (a resubmission after a lost response is recognised). */
  id: string;
  /** The person who judged or debated; null for a game between models. */
  annotatorId: number | null;
  role: DebateRole;
  /** Index into the MNIST test set (0..9999). */
  imageIndex: number;
  /** Pixels revealed in the game (1..784). */
  k: number;
  /** Both players named their claim before the first reveal. */
  precommit: boolean;
  firstMover: DebateSide;
  /** The image's digit, the honest claim. */
  truth: number;
  /** The liar's claim (a digit other than truth); null when a game without precommit ended without one. */
  lie: number | null;
  /** In order; players alternate starting with firstMover; exactly k, distinct pixels 0..783. */
  reveals: { pixel: number; by: DebateSide }[];
  /** The person's pick as judge (truth or lie when lie is set), or null when no person judged. */
  personPick: number | null;
  /** The model judge's pick (truth or lie when lie is set; any digit otherwise). */
  modelPick: number;
  /** Seconds the person took, as the page measured; null when none (always, in a game between models). */
  seconds: number | null;
}

/**
 * A game as stored: its place in the project's sequence, when it was stored, and the person's
 * name (kept with the game: annotator ids are the project's own, so an imported game keeps the
 * name and has no annotatorId, as imported labels keep their teacher).
 */
export type DebateGame = NewDebateGame & { seq: number; createdAt: string; annotator: string | null };

/** A game as export writes it and import stores it: the person by name, not by this project's id. */
export type ExportedDebateGame = Omit<NewDebateGame, 'annotatorId'> & { annotator: string | null; createdAt: string };

export type MetricsRow = { envSteps: number } & Record<string, unknown>;

/** A report made from a run (e.g. `overseer interp`'s attention report, kind `attention`), stored with it for the pages. */
export interface RunReportInfo {
  kind: string;
  /** When it was stored (ISO time). */
  createdAt: string;
  /** Size of its JSON text. */
  bytes: number;
}
export type RunReport = RunReportInfo & { body: unknown };

/** Report kinds: lowercase words joined by hyphens, as in URLs. */
export const REPORT_KIND = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** The largest report a run keeps, as JSON text. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

/** How long an assignment holds before an unanswered query may go to someone else. */
export const DEFAULT_LEASE_SECONDS = 600;
/** Every this many labels, an annotator is shown an earlier pair again (sides swapped). */
export const DEFAULT_REPEAT_EVERY = 10;
/** After every this many answers to the run's pairs, an annotator is handed a gold pair it has not answered (if there is one). */
export const DEFAULT_GOLD_EVERY = 8;
/** The most characters of guidelines a run keeps. */
export const MAX_GUIDELINES = 10_000;

/**
 * The calls the labeling server makes on every request. A store on a network database offers
 * them as promises (`ProjectStore.concurrent`), so the server keeps serving others while one
 * request waits for the database; `concurrentCalls` gives any store that shape.
 */
export const CONCURRENT_CALLS = ['annotatorByToken', 'getRun', 'assignQueries', 'submitLabel', 'withdrawLabel', 'peopleLabelCounts', 'openQueryCount', 'loadPair', 'putDebateGame'] as const;
export type ConcurrentCalls = { [K in (typeof CONCURRENT_CALLS)[number]]: (...args: Parameters<ProjectStore[K]>) => Promise<ReturnType<ProjectStore[K]>> };

/** The store's own concurrent calls, or its synchronous ones as promises. */
export function concurrentCalls(project: ProjectStore): ConcurrentCalls {
  if (project.concurrent) return project.concurrent;
  const out: Record<string, unknown> = {};
  for (const name of CONCURRENT_CALLS) out[name] = async (...args: unknown[]) => (project[name] as (...a: unknown[]) => unknown).apply(project, args);
  return out as ConcurrentCalls;
}

export interface ProjectStore {
  /** Where the project lives, for messages (a path, a database URL). */
  readonly location: string;
  /** The server's per-request calls as promises, when the store can answer several at once (see `CONCURRENT_CALLS`). */
  readonly concurrent?: ConcurrentCalls;

  // ---- runs ----
  /** Refuses an empty id (`InvalidInputError`) and one already taken (`ConflictError`). */
  createRun(run: NewRun): RunRecord;
  getRun(id: string): RunRecord | null;
  /** Oldest first. */
  listRuns(): RunRecord[];
  /**
   * Marks a run finished (once: finishing it again keeps the first time) and returns it. From
   * then on `assignQueries` hands out nothing for it and `submitLabel` refuses (`ConflictError`).
   */
  finishRun(runId: string): RunRecord;
  /** Records how far a run has got; labels received afterwards are stamped with it. */
  setEnvSteps(runId: string, envSteps: number): void;
  /** Records the run's phase and how many labels it waits for (shown on the pages). */
  setRunState(runId: string, progress: RunProgress): void;
  /** Sets the run's labeling guidelines (plain text, at most `MAX_GUIDELINES` characters; `InvalidInputError` beyond). */
  setGuidelines(runId: string, guidelines: string): RunRecord;
  /** The run-scoped `PreferenceStore` the preference loop uses (repeats and gold pairs left out of `load`). */
  runStore(runId: string): PreferenceStore;
  /**
   * Creates runs with their segments, queries and labels, all or nothing (import, and old
   * file-store runs moved into a database). Refuses any run id already taken.
   */
  importRuns(runs: readonly { run: NewRun; contents: RunContents }[]): void;

  // ---- a run's segments, queries and labels (the rules of `PreferenceStore`, per run) ----
  /** A segment already stored is skipped if identical (data and truth), else a `ConflictError`; all or nothing. */
  putSegments(runId: string, items: readonly { segment: Segment; truth?: SegmentTruth }[]): void;
  /** Segments must be stored first. A query already stored is skipped if it has the same segments, step and kind, else a `ConflictError`. */
  putQueries(runId: string, queries: readonly NewQuery[]): void;
  /**
   * A label from a synthetic teacher, the loop or an import. Returns the label stored for the
   * query: the one already stored with the same client id, else the query's first label, else
   * `label`, committed durably.
   */
  putLabel(runId: string, label: StoredLabel): StoredLabel;
  getSegment(runId: string, id: string): Segment | null;
  /** The run's most recent segment (highest global step): the latest policy in action. */
  latestSegment(runId: string): Segment | null;
  /** Everything stored for a run, repeats included; segments by global step, queries and labels in the order stored. */
  loadRun(runId: string): StoreContents;
  /** normal / gold / repeat, by query id. */
  queryKinds(runId: string): Map<string, QueryKind>;

  // ---- annotators ----
  /**
   * Adds an annotator (or admin) and returns the token, which is shown once and stored only as a
   * hash. `expiresAt` must be a valid time after now (`InvalidInputError`).
   */
  addAnnotator(name: string, role?: Role, options?: NewAnnotatorOptions): { annotator: Annotator; token: string };
  /** The annotator whose token this is; null for an unknown, revoked or expired token. */
  annotatorByToken(token: string): Annotator | null;
  /**
   * Revokes an annotator's token by name, at once (its labels stay); revoking again keeps the
   * first time. `NotFoundError` for a name not in the project.
   */
  revokeAnnotator(name: string): Annotator;
  /** In the order they were added. */
  listAnnotators(): Annotator[];

  // ---- people labeling ----
  /**
   * Up to `n` unanswered queries for this annotator, oldest first: the ones already assigned
   * to it, then newly assigned ones. A normal query goes to one annotator at a time; an
   * assignment older than `leaseSeconds` without an answer may be handed to someone else.
   * Every `repeatEvery` labels (the store's setting) a pair the annotator answered before comes
   * back, sides swapped, as a `repeat` query, queued after the annotator's open assignments.
   * After every `goldEvery` answers to normal pairs, a gold pair the annotator has not answered
   * comes next (gold pairs are not assigned: each annotator answers each once). A finished run hands out none.
   */
  assignQueries(runId: string, annotatorId: number, n: number, leaseSeconds?: number): AssignedQuery[];
  /**
   * Commits a person's label before returning; resubmitting the same client id (within the run)
   * returns the stored one. Gold queries take one label from each annotator (a second is a
   * `ConflictError`); normal and repeat queries one label, from the annotator they are assigned to.
   * A finished run takes no new label (`ConflictError`).
   */
  submitLabel(submission: LabelSubmission): SubmitResult;
  /** Labels of a run with `seq` greater than `afterSeq`, in the order they were committed (withdrawn ones are gone). */
  labelsSince(runId: string, afterSeq: number): CommittedLabel[];
  /**
   * What the run trains on: `labelsSince(afterSeq)` up to the first person's label committed after
   * `settledBefore` (people's labels settle for a while, so that they can still be undone). The
   * labels returned can no longer be withdrawn.
   */
  takeLabels(runId: string, afterSeq: number, settledBefore: Date): CommittedLabel[];
  /**
   * Undoes a person's answer (`clientId`, from this annotator): the label is moved aside (kept,
   * not counted) and its pair goes back to the annotator to answer again, returned here.
   * `NotFoundError` for a client id this annotator did not send; `ConflictError` once the run has
   * taken the label (`takeLabels`) or has finished.
   */
  withdrawLabel(runId: string, annotatorId: number, clientId: string): AssignedQuery;
  /** Labels per annotator (by name) for a run; synthetic teachers' labels are not counted. */
  labelCounts(runId: string): Map<string, number>;
  /** People's answers to a run's own pairs (repeats and gold pairs measure people, they are not counted): all of them, and the given annotator's. */
  peopleLabelCounts(runId: string, annotatorId: number): { labels: number; mine: number };
  /** Normal queries of a run not answered yet. */
  openQueryCount(runId: string): number;
  /** How often people agree (with themselves on repeated pairs, with gold answers and each other on gold pairs), how fast they answer, and what. */
  agreement(runId: string): Agreement;

  // ---- gold pairs (authored by the admin) ----
  /**
   * Makes a gold pair from a normal pair of the run with the given answer (or sets the answer of
   * the one made from it before): `gold-<queryId>`, the same segments. From then on each
   * annotator is handed it once, every `goldEvery` answers (the store's setting).
   */
  setGoldPair(runId: string, sourceQueryId: string, answer: Answer): GoldPair;
  /** The run's gold pairs, oldest first, with how they were answered. */
  goldPairs(runId: string): GoldPair[];
  /** A query of the run with both segments (`NotFoundError` if there is none). */
  loadPair(runId: string, queryId: string): AssignedQuery;
  /** The run's normal pairs, newest first (at most `limit`), with their answers: what gold pairs are picked from. */
  recentPairs(runId: string, limit: number): PairSummary[];

  // ---- the run's metrics (the dashboard's curves) ----
  /** Appends one row and moves the run's env steps to the row's, at once. */
  appendMetrics(runId: string, row: MetricsRow): void;
  metricsSince(runId: string, afterSeq: number): { seq: number; row: Record<string, unknown> }[];
  /**
   * Drops the rows past `envSteps` and moves the run's env steps back to it, at once: a run
   * resumed from a checkpoint logs the rounds after it again, possibly differently (people's
   * answers come when they come).
   */
  truncateMetrics(runId: string, envSteps: number): void;

  // ---- reports made from a run (what the analysis pages show) ----
  /**
   * Stores a report of the run under `kind` (see `REPORT_KIND`), replacing the one stored before:
   * a report is made again from the run, never merged. The body is any JSON value, at most
   * `MAX_REPORT_BYTES` as JSON text (`InvalidInputError` beyond, or for a value JSON cannot hold).
   */
  putRunReport(runId: string, kind: string, body: unknown): RunReportInfo;
  /** The run's report of that kind, or null when none was stored. */
  getRunReport(runId: string, kind: string): RunReport | null;
  /** The run's reports, by kind. */
  listRunReports(runId: string): RunReportInfo[];

  // ---- debate games (the debate pages, and games between models) ----
  /**
   * Stores a finished game of the run, committed before returning. The same id again (within the
   * run) with the same content returns the stored game (`duplicate`); with other content it is a
   * `ConflictError`. Refused: a game that breaks the rules of `NewDebateGame` (`InvalidInputError`
   * naming the field), a run that does not exist (`NotFoundError`), an annotator that does not
   * (`ForbiddenError`), a finished run (`ConflictError`).
   */
  putDebateGame(runId: string, game: NewDebateGame): { game: DebateGame; duplicate: boolean };
  /** The run's games in the order they were stored. */
  debateGames(runId: string): DebateGame[];

  close(): void;
}

/**
 * One run's view of a project store, as the preference loop sees it. Shared by every
 * implementation: the rules live in the project store's run-scoped methods.
 */
export class ProjectRunStore implements PreferenceStore {
  constructor(
    private readonly project: ProjectStore,
    readonly runId: string,
  ) {}
  putSegments(items: readonly { segment: Segment; truth?: SegmentTruth }[]): void {
    this.project.putSegments(this.runId, items);
  }
  putQueries(queries: readonly StoredQuery[]): void {
    this.project.putQueries(this.runId, queries);
  }
  putLabel(label: StoredLabel): StoredLabel {
    return this.project.putLabel(this.runId, label);
  }
  /**
   * Repeated pairs and gold pairs measure annotators; they are not training data, nor queries
   * the run asked (the loop counts its queries against the label budget).
   */
  load(): StoreContents {
    // The labels the loop reads, it trains on: taken (no longer undoable) in the same step as they are read.
    const taken = this.project.takeLabels(this.runId, 0, new Date('9999-12-31T23:59:59.999Z')).map(({ seq: _seq, clientId, ...l }): StoredLabel => (clientId ? { ...l, clientId } : l));
    const all = { ...this.project.loadRun(this.runId), labels: taken };
    const measuring = new Set([...this.project.queryKinds(this.runId)].filter(([, k]) => k !== 'normal').map(([id]) => id));
    if (measuring.size === 0) return all;
    return { ...all, queries: all.queries.filter((q) => !measuring.has(q.id)), labels: all.labels.filter((l) => !measuring.has(l.queryId)) };
  }
  /** The project store stays open: its owner closes it. */
  close(): void {}
}
