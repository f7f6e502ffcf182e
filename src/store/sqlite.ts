/**
 * The project database: one SQLite file per project directory holding runs, segments (with
 * their render states, compressed), queries, labels and annotators. WAL mode with
 * `synchronous=FULL`, so a write that has returned survives a crash or power loss; several
 * processes (a preference run and a `serve`) can share the file.
 *
 * Callers use it through `ProjectStore` (store.ts); the rules it follows are tested by the
 * contract suite (contract.ts), the SQLite-specific parts (durability, migrations) here.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Segment, SegmentTruth } from '../prefs/segments.js';
import type { PreferenceStore } from '../prefs/store.js';
import type { Answer } from '../prefs/teachers.js';
import { agreementOf, annotatorName, checkAnswer, checkAnswerable, checkAssistance, checkDebateGame, checkGuidelines, checkImportedGame, checkProgress, debateGameConflict, sameDebateGame, tokenExpiry, tokenLive, finishedRunConflict, goldDue, goldIdOf, goldIdTaken, checkRunId, checkSameQuery, checkSubmission, dueRepeatId, hashToken, MAX_TOKEN_LENGTH, newToken, noAnswerToWithdraw, reportText, segmentConflict, storedLabel, storeRuns, usedLabelConflict, withdrawnConflict, type LabelFacts } from './rules.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { assistanceColumns, DEBATE_GAME_COLUMNS, debateGameValues, toAnnotator, toDebateGame, toLabel, toQuery, toRun, type AnnotatorRow, type DebateGameRow, type LabelRow, type QueryRow, type RunRow } from './rows.js';
import { PROJECT_TABLES, TABLE_ORDER, type ProjectTable, type RawRow, type RawTables } from './move.js';
import { SEGMENT_COLUMNS, checkSegment, sameSegment, segmentFromRow, segmentToRow, type SegmentRow } from './segmentCodec.js';
import {
  ConflictError,
  CorruptProjectError,
  DEFAULT_GOLD_EVERY,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_REPEAT_EVERY,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  ProjectRunStore,
  type Agreement,
  type Annotator,
  type AssignedQuery,
  type CommittedLabel,
  type DebateGame,
  type ExportedDebateGame,
  type GoldPair,
  type LabelSubmission,
  type PairSummary,
  type RunProgress,
  type MetricsRow,
  type NewAnnotatorOptions,
  type NewDebateGame,
  type NewQuery,
  type NewRun,
  type ProjectStore,
  type QueryKind,
  type Role,
  type RunContents,
  type RunRecord,
  type RunReport,
  type RunReportInfo,
  type StoreContents,
  type StoredLabel,
  type SubmitResult,
} from './store.js';

const LABEL_COLUMNS = 'seq, run_id, query_id, left_id, right_id, answer, teacher, annotator_id, seconds, received_at_step, client_id, created_at, arm, critique, critique_response';

/** The database file inside a project directory. */
export const PROJECT_DB = 'overseer.db';

/** Opens (creating if needed) the project database in `dir`. */
export function openProject(dir: string, options: StoreOptions = {}): SqliteProjectStore {
  return openSqliteProject(dir, options);
}

export interface StoreOptions {
  /** Every this many labels an annotator sees a pair it answered again (0: never). */
  repeatEvery?: number;
  /** After every this many answers to the run's pairs an annotator is handed a gold pair (0: never). */
  goldEvery?: number;
}

/** `openProject` with the SQLite store's own handle (its connection), for tests of the SQLite specifics. */
export function openSqliteProject(dir: string, options: StoreOptions = {}): SqliteProjectStore {
  mkdirSync(dir, { recursive: true });
  return new SqliteProjectStore(join(dir, PROJECT_DB), options.repeatEvery, options.goldEvery);
}

export class SqliteProjectStore implements ProjectStore, RawTables {
  readonly db: Database.Database;
  private readonly stmts;
  private closed = false;

  /**
   * @param repeatEvery every this many labels, an annotator is shown an earlier pair again
   *   (sides swapped) to measure agreement; 0 never repeats.
   */
  constructor(
    readonly path: string,
    readonly repeatEvery = DEFAULT_REPEAT_EVERY,
    readonly goldEvery = DEFAULT_GOLD_EVERY,
  ) {
    this.db = openDatabase(path);
    try {
      checkIntegrity(this.db, path);
      this.db.pragma('journal_mode = WAL');
      // FULL: every commit syncs the WAL, so an acknowledged write survives power loss too.
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      // Another process (a run beside `serve`) may hold the write lock briefly.
      this.db.pragma('busy_timeout = 10000');
      migrate(this.db, path);
    } catch (e) {
      this.db.close();
      throw e;
    }
    const db = this.db;
    this.stmts = {
      insertRun: db.prepare(
        'INSERT INTO runs (id, env_id, instructions, label_budget, config, render_spec, guidelines, created_at) VALUES (@id, @envId, @instructions, @labelBudget, @config, @renderSpec, @guidelines, @createdAt)',
      ),
      getRun: db.prepare('SELECT * FROM runs WHERE id = ?'),
      listRuns: db.prepare('SELECT * FROM runs ORDER BY created_at, id'),
      setEnvSteps: db.prepare('UPDATE runs SET env_steps = ? WHERE id = ?'),
      setProgress: db.prepare('UPDATE runs SET phase = ?, waiting_for = ? WHERE id = ?'),
      setGuidelines: db.prepare('UPDATE runs SET guidelines = ? WHERE id = ?'),
      useLabels: db.prepare('UPDATE runs SET used_label_seq = MAX(used_label_seq, ?) WHERE id = ?'),
      finishRun: db.prepare('UPDATE runs SET finished_at = ? WHERE id = ? AND finished_at IS NULL'),
      insertSegment: db.prepare(`INSERT INTO segments (run_id, ${SEGMENT_COLUMNS.join(', ')}) VALUES (@run_id, ${SEGMENT_COLUMNS.map((c) => `@${c}`).join(', ')})`),
      getSegment: db.prepare('SELECT * FROM segments WHERE run_id = ? AND id = ?'),
      runSegments: db.prepare('SELECT * FROM segments WHERE run_id = ? ORDER BY global_step, id'),
      latestSegment: db.prepare('SELECT * FROM segments WHERE run_id = ? ORDER BY global_step DESC, id DESC LIMIT 1'),
      insertQuery: db.prepare(
        'INSERT INTO queries (run_id, id, left_id, right_id, asked_at_step, kind, gold_answer, created_at) VALUES (@runId, @id, @leftId, @rightId, @askedAtStep, @kind, @goldAnswer, @createdAt)',
      ),
      getQuery: db.prepare('SELECT * FROM queries WHERE run_id = ? AND id = ?'),
      runQueries: db.prepare('SELECT * FROM queries WHERE run_id = ? ORDER BY seq'),
      queryKinds: db.prepare('SELECT id, kind FROM queries WHERE run_id = ?'),
      insertLabel: db.prepare(
        `INSERT INTO labels (run_id, query_id, left_id, right_id, answer, teacher, annotator_id, seconds, received_at_step, client_id, created_at, arm, critique, critique_response)
         VALUES (@runId, @queryId, @leftId, @rightId, @answer, @teacher, @annotatorId, @seconds, @receivedAtStep, @clientId, @createdAt, @arm, @critique, @critiqueResponse)`,
      ),
      labelByClientId: db.prepare('SELECT * FROM labels WHERE run_id = ? AND client_id = ?'),
      labelByAnnotator: db.prepare('SELECT seq FROM labels WHERE run_id = ? AND query_id = ? AND annotator_id = ?'),
      firstLabel: db.prepare('SELECT * FROM labels WHERE run_id = ? AND query_id = ? ORDER BY seq LIMIT 1'),
      labelsSince: db.prepare('SELECT * FROM labels WHERE run_id = ? AND seq > ? ORDER BY seq'),
      anyLabelSince: db.prepare('SELECT 1 FROM labels WHERE run_id = ? AND seq > ? LIMIT 1'),
      withdrawnByClientId: db.prepare('SELECT seq FROM withdrawn_labels WHERE run_id = ? AND client_id = ?'),
      withdraw: db.prepare(
        `INSERT INTO withdrawn_labels (${LABEL_COLUMNS}, withdrawn_at) SELECT ${LABEL_COLUMNS}, ? FROM labels WHERE seq = ?`,
      ),
      deleteLabel: db.prepare('DELETE FROM labels WHERE seq = ?'),
      reopen: db.prepare('UPDATE queries SET answered = 0, assigned_to = ?, assigned_at = ? WHERE run_id = ? AND id = ?'),
      reopenGold: db.prepare('UPDATE queries SET answered = 0 WHERE run_id = ? AND id = ? AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.run_id = queries.run_id AND l.query_id = queries.id)'),
      insertGold: db.prepare(
        `INSERT INTO queries (run_id, id, left_id, right_id, asked_at_step, kind, repeat_of, gold_answer, created_at)
         VALUES (@runId, @id, @leftId, @rightId, @askedAtStep, 'gold', @source, @answer, @now)`,
      ),
      setGoldAnswer: db.prepare("UPDATE queries SET gold_answer = ? WHERE run_id = ? AND id = ? AND kind = 'gold'"),
      goldQueries: db.prepare("SELECT * FROM queries WHERE run_id = ? AND kind = 'gold' ORDER BY seq"),
      goldStats: db.prepare(
        `SELECT COUNT(*) AS answered, COALESCE(SUM(l.answer = q.gold_answer), 0) AS correct FROM labels l JOIN queries q ON q.run_id = l.run_id AND q.id = l.query_id
         WHERE l.run_id = ? AND l.query_id = ?`,
      ),
      // The oldest gold pair this annotator has not answered, nor the pair it was made from (that would test memory).
      goldFor: db.prepare(
        `SELECT * FROM queries q WHERE q.run_id = @runId AND q.kind = 'gold'
           AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.run_id = q.run_id AND l.query_id IN (q.id, q.repeat_of) AND l.annotator_id = @annotatorId)
         ORDER BY q.seq LIMIT 1`,
      ),
      // This annotator's answers to normal pairs since its last gold answer.
      normalSinceGold: db.prepare(
        `SELECT COUNT(*) AS n FROM labels l JOIN queries q ON q.run_id = l.run_id AND q.id = l.query_id
         WHERE l.run_id = @runId AND l.annotator_id = @annotatorId AND q.kind = 'normal'
           AND l.seq > COALESCE((SELECT MAX(g.seq) FROM labels g JOIN queries gq ON gq.run_id = g.run_id AND gq.id = g.query_id
                                 WHERE g.run_id = @runId AND g.annotator_id = @annotatorId AND gq.kind = 'gold'), 0)`,
      ),
      recentPairs: db.prepare("SELECT * FROM queries WHERE run_id = ? AND kind = 'normal' ORDER BY seq DESC LIMIT ?"),
      labelsOfQuery: db.prepare('SELECT teacher, answer FROM labels WHERE run_id = ? AND query_id = ? ORDER BY seq'),
      labelFacts: db.prepare(
        `SELECT l.annotator_id AS annotatorId, l.query_id AS queryId, q.kind AS kind, l.answer AS answer, l.seconds AS seconds, q.gold_answer AS goldAnswer,
           l.arm AS arm, l.critique IS NOT NULL AS critiqued, l.critique_response AS response,
           CASE WHEN q.kind = 'repeat' THEN (SELECT o.answer FROM labels o WHERE o.run_id = q.run_id AND o.query_id = q.repeat_of AND o.annotator_id = l.annotator_id ORDER BY o.seq LIMIT 1) END AS original
         FROM labels l JOIN queries q ON q.run_id = l.run_id AND q.id = l.query_id WHERE l.run_id = ? ORDER BY l.seq`,
      ),
      labelCounts: db.prepare('SELECT a.name AS name, COUNT(*) AS n FROM labels l JOIN annotators a ON a.id = l.annotator_id WHERE l.run_id = ? GROUP BY a.id ORDER BY a.name'),
      markAnswered: db.prepare('UPDATE queries SET answered = 1 WHERE run_id = ? AND id = ?'),
      openCount: db.prepare("SELECT COUNT(*) AS n FROM queries WHERE run_id = ? AND answered = 0 AND kind = 'normal'"),
      // People's answers to the run's own pairs (repeats and gold pairs measure people; they are not new labels).
      // Kept by triggers (schema.ts, migration 8).
      peopleLabels: db.prepare('SELECT COALESCE((SELECT n FROM run_people_labels WHERE run_id = ?), 0) AS n'),
      annotatorNormalLabels: db.prepare("SELECT COUNT(*) AS n FROM labels l JOIN queries q ON q.run_id = l.run_id AND q.id = l.query_id WHERE l.run_id = ? AND l.annotator_id = ? AND q.kind = 'normal'"),
      annotatorLabels: db.prepare('SELECT COUNT(*) AS n FROM labels WHERE run_id = ? AND annotator_id = ?'),
      insertAnnotator: db.prepare('INSERT INTO annotators (name, role, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
      revokeAnnotator: db.prepare('UPDATE annotators SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL'),
      annotatorByHash: db.prepare('SELECT * FROM annotators WHERE token_hash = ?'),
      annotatorByName: db.prepare('SELECT * FROM annotators WHERE name = ?'),
      annotatorById: db.prepare('SELECT * FROM annotators WHERE id = ?'),
      listAnnotators: db.prepare('SELECT * FROM annotators ORDER BY id'),
      assignedOpen: db.prepare('SELECT * FROM queries WHERE run_id = ? AND assigned_to = ? AND answered = 0 ORDER BY seq LIMIT ?'),
      // Unassigned, or assigned to someone else longer ago than the lease, and never answered.
      assignable: db.prepare(
        `SELECT * FROM queries WHERE run_id = @runId AND answered = 0 AND kind = 'normal'
           AND (assigned_to IS NULL OR (assigned_to != @annotatorId AND assigned_at <= @expired))
         ORDER BY seq LIMIT @limit`,
      ),
      assign: db.prepare('UPDATE queries SET assigned_to = ?, assigned_at = ? WHERE run_id = ? AND id = ?'),
      // A normal pair this annotator answered: a repeat measures their consistency.
      randomAnsweredBy: db.prepare(
        `SELECT q.* FROM queries q WHERE q.run_id = @runId AND q.kind = 'normal' AND q.answered = 1
           AND EXISTS (SELECT 1 FROM labels l WHERE l.run_id = q.run_id AND l.query_id = q.id AND l.annotator_id = @annotatorId)
         ORDER BY RANDOM() LIMIT 1`,
      ),
      insertRepeat: db.prepare(
        `INSERT INTO queries (run_id, id, left_id, right_id, asked_at_step, kind, repeat_of, assigned_to, assigned_at, created_at)
         VALUES (@runId, @id, @leftId, @rightId, @askedAtStep, 'repeat', @repeatOf, @annotatorId, @now, @now)`,
      ),
      insertMetrics: db.prepare('INSERT INTO metrics (run_id, env_steps, data) VALUES (?, ?, ?)'),
      metricsSince: db.prepare('SELECT seq, data FROM metrics WHERE run_id = ? AND seq > ? ORDER BY seq'),
      putReport: db.prepare('INSERT INTO run_reports (run_id, kind, created_at, body) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, kind) DO UPDATE SET created_at = excluded.created_at, body = excluded.body'),
      getReport: db.prepare('SELECT kind, created_at, body FROM run_reports WHERE run_id = ? AND kind = ?'),
      listReports: db.prepare('SELECT kind, created_at, length(CAST(body AS BLOB)) AS bytes FROM run_reports WHERE run_id = ? ORDER BY kind'),
      truncateMetrics: db.prepare('DELETE FROM metrics WHERE run_id = ? AND env_steps > ?'),
      insertGame: db.prepare(`INSERT INTO debate_games (${DEBATE_GAME_COLUMNS.join(', ')}) VALUES (${DEBATE_GAME_COLUMNS.map(() => '?').join(', ')})`),
      getGame: db.prepare('SELECT * FROM debate_games WHERE run_id = ? AND id = ?'),
      runGames: db.prepare('SELECT * FROM debate_games WHERE run_id = ? ORDER BY seq'),
    };
  }

  get location(): string {
    return this.path;
  }

  // ---- runs ----

  createRun(run: NewRun): RunRecord {
    checkRunId(run.id);
    if (this.getRun(run.id)) throw new ConflictError(`run ${JSON.stringify(run.id)} already exists in ${this.path}`);
    this.stmts.insertRun.run({
      id: run.id,
      envId: run.envId,
      instructions: run.instructions ?? '',
      labelBudget: run.labelBudget ?? null,
      config: JSON.stringify(run.config ?? {}),
      renderSpec: run.renderSpec ? JSON.stringify(run.renderSpec) : null,
      guidelines: checkGuidelines(run.guidelines ?? ''),
      createdAt: new Date().toISOString(),
    });
    return this.getRun(run.id)!;
  }

  getRun(id: string): RunRecord | null {
    const row = this.stmts.getRun.get(id) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  listRuns(): RunRecord[] {
    return (this.stmts.listRuns.all() as RunRow[]).map(toRun);
  }

  setEnvSteps(runId: string, envSteps: number): void {
    const { changes } = this.stmts.setEnvSteps.run(envSteps, runId);
    if (changes === 0) throw this.noRun(runId);
  }

  setRunState(runId: string, progress: RunProgress): void {
    checkProgress(progress);
    const { changes } = this.stmts.setProgress.run(progress.phase, progress.waitingForLabels, runId);
    if (changes === 0) throw this.noRun(runId);
  }

  setGuidelines(runId: string, guidelines: string): RunRecord {
    const { changes } = this.stmts.setGuidelines.run(checkGuidelines(guidelines), runId);
    if (changes === 0) throw this.noRun(runId);
    return this.getRun(runId)!;
  }

  finishRun(runId: string): RunRecord {
    this.requireRun(runId);
    this.stmts.finishRun.run(new Date().toISOString(), runId);
    return this.getRun(runId)!;
  }

  runStore(runId: string): PreferenceStore {
    this.requireRun(runId);
    return new ProjectRunStore(this, runId);
  }

  importRuns(runs: readonly { run: NewRun; contents: RunContents }[]): void {
    this.db.transaction(() => storeRuns(this, runs, (runId, game) => this.putImportedGame(runId, game))).immediate();
  }

  // ---- segments, queries and labels of one run ----
  // Writes that read first take the write lock at once (IMMEDIATE): a deferred transaction that
  // read before another connection committed could not upgrade to a write.

  putSegments(runId: string, items: readonly { segment: Segment; truth?: SegmentTruth }[]): void {
    this.db.transaction(() => {
      this.requireRun(runId);
      for (const item of items) {
        checkSegment(item.segment, item.truth);
        const stored = this.stmts.getSegment.get(runId, item.segment.id) as SegmentRow | undefined;
        if (stored) {
          if (!sameSegment(segmentFromRow(stored, `segment ${stored.id} of run ${runId}`), item)) throw segmentConflict(item.segment.id, runId);
          continue;
        }
        this.stmts.insertSegment.run({ run_id: runId, ...segmentToRow(item) });
      }
    }).immediate();
  }

  putQueries(runId: string, queries: readonly NewQuery[]): void {
    const createdAt = new Date().toISOString();
    this.db.transaction(() => {
      this.requireRun(runId);
      for (const q of queries) {
        const stored = this.stmts.getQuery.get(runId, q.id) as QueryRow | undefined;
        if (stored) {
          checkSameQuery({ ...toQuery(stored), kind: stored.kind }, q, runId);
          continue;
        }
        for (const id of [q.leftId, q.rightId]) {
          if (!this.stmts.getSegment.get(runId, id)) throw new InvalidInputError(`query ${q.id} names segment ${id}, which is not stored for run ${runId}`);
        }
        if (q.goldAnswer !== undefined && q.goldAnswer !== null) {
          if (q.kind !== 'gold') throw new InvalidInputError(`query ${q.id}: only a gold pair has a known answer`);
          checkAnswer(q.goldAnswer, `gold pair ${q.id}: `);
        }
        this.stmts.insertQuery.run({ runId, id: q.id, leftId: q.leftId, rightId: q.rightId, askedAtStep: q.askedAtStep, kind: q.kind ?? 'normal', goldAnswer: q.goldAnswer ?? null, createdAt });
      }
    }).immediate();
  }

  putLabel(runId: string, label: StoredLabel): StoredLabel {
    checkAnswer(label.answer, `label for ${label.queryId}: `);
    const assistance = checkAssistance(label.assistance, `label for ${label.queryId}: `);
    return this.db.transaction((): StoredLabel => {
      this.requireRun(runId);
      if (label.clientId) {
        const same = this.stmts.labelByClientId.get(runId, label.clientId) as LabelRow | undefined;
        if (same) {
          if (same.query_id !== label.queryId) throw new ConflictError(`client id ${label.clientId} was already used for a label of ${same.query_id}`);
          return toLabel(same);
        }
      }
      const q = this.stmts.getQuery.get(runId, label.queryId) as QueryRow | undefined;
      if (!q) throw new NotFoundError(`label for ${label.queryId}: no such query in run ${runId}`);
      if (q.left_id !== label.leftId || q.right_id !== label.rightId) throw new InvalidInputError(`label for ${label.queryId} names other segments than the query`);
      // A label already stored wins; gold pairs take every person's answer.
      const first = this.stmts.firstLabel.get(runId, label.queryId) as LabelRow | undefined;
      if (first && !(q.kind === 'gold' && label.clientId)) return toLabel(first);
      this.stmts.insertLabel.run({
        runId,
        queryId: label.queryId,
        leftId: label.leftId,
        rightId: label.rightId,
        answer: label.answer,
        teacher: label.teacher,
        annotatorId: null,
        seconds: label.seconds,
        receivedAtStep: label.receivedAtStep,
        clientId: label.clientId ?? null,
        createdAt: label.createdAt,
        ...assistanceColumns(assistance),
      });
      this.stmts.markAnswered.run(runId, label.queryId);
      return storedLabel(label);
    }).immediate();
  }

  getSegment(runId: string, id: string): Segment | null {
    const row = this.stmts.getSegment.get(runId, id) as SegmentRow | undefined;
    return row ? segmentFromRow(row, `segment ${id} of run ${runId}`).segment : null;
  }

  latestSegment(runId: string): Segment | null {
    const row = this.stmts.latestSegment.get(runId) as SegmentRow | undefined;
    return row ? segmentFromRow(row, `segment ${row.id} of run ${runId}`).segment : null;
  }

  loadRun(runId: string): StoreContents {
    const segments = new Map<string, Segment>();
    const truths = new Map<string, SegmentTruth>();
    for (const row of this.stmts.runSegments.all(runId) as SegmentRow[]) {
      const { segment, truth } = segmentFromRow(row, `segment ${row.id} of run ${runId}`);
      segments.set(segment.id, segment);
      if (truth) truths.set(segment.id, truth);
    }
    const queries = (this.stmts.runQueries.all(runId) as QueryRow[]).map(toQuery);
    const labels = (this.stmts.labelsSince.all(runId, 0) as LabelRow[]).map(toLabel);
    return { segments, truths, queries, labels };
  }

  queryKinds(runId: string): Map<string, QueryKind> {
    return new Map((this.stmts.queryKinds.all(runId) as { id: string; kind: QueryKind }[]).map((r) => [r.id, r.kind]));
  }

  // ---- annotators ----

  addAnnotator(name: string, role: Role = 'annotator', options: NewAnnotatorOptions = {}): { annotator: Annotator; token: string } {
    const clean = annotatorName(name);
    const expiresAt = tokenExpiry(options.expiresAt);
    if (this.stmts.annotatorByName.get(clean)) throw new ConflictError(`annotator ${JSON.stringify(clean)} already exists`);
    const token = newToken();
    const { lastInsertRowid } = this.stmts.insertAnnotator.run(clean, role, hashToken(token), new Date().toISOString(), expiresAt);
    const annotator = toAnnotator(this.stmts.annotatorById.get(lastInsertRowid) as AnnotatorRow);
    return { annotator, token };
  }

  annotatorByToken(token: string): Annotator | null {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    const row = this.stmts.annotatorByHash.get(hashToken(token)) as AnnotatorRow | undefined;
    const annotator = row ? toAnnotator(row) : null;
    return annotator && tokenLive(annotator) ? annotator : null;
  }

  revokeAnnotator(name: string): Annotator {
    const clean = typeof name === 'string' ? name.trim() : '';
    this.stmts.revokeAnnotator.run(new Date().toISOString(), clean);
    const row = this.stmts.annotatorByName.get(clean) as AnnotatorRow | undefined;
    if (!row) throw new NotFoundError(`no annotator ${JSON.stringify(clean)} in ${this.path}`);
    return toAnnotator(row);
  }

  listAnnotators(): Annotator[] {
    return (this.stmts.listAnnotators.all() as AnnotatorRow[]).map(toAnnotator);
  }

  // ---- labeling ----

  assignQueries(runId: string, annotatorId: number, n: number, leaseSeconds = DEFAULT_LEASE_SECONDS): AssignedQuery[] {
    if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`ask for at least one query (got ${n})`);
    const run = this.stmts.getRun.get(runId) as RunRow | undefined;
    if (!run) throw this.noRun(runId);
    if (run.finished_at !== null) return [];
    // IMMEDIATE: two annotators asking at once must not both take the same query.
    const assign = this.db.transaction((): QueryRow[] => {
      const now = new Date();
      this.maybeRepeat(runId, annotatorId, now);
      const mine = this.stmts.assignedOpen.all(runId, annotatorId, n) as QueryRow[];
      if (mine.length >= n) return mine;
      const gold = this.dueGold(runId, annotatorId);
      if (gold) mine.push(gold);
      if (mine.length >= n) return mine;
      const expired = new Date(now.getTime() - leaseSeconds * 1000).toISOString();
      const fresh = this.stmts.assignable.all({ runId, annotatorId, expired, limit: n - mine.length }) as QueryRow[];
      for (const q of fresh) this.stmts.assign.run(annotatorId, now.toISOString(), runId, q.id);
      return [...mine, ...fresh];
    });
    // Assignments are leases, not data: one lost in a crash is simply handed out again, so
    // their commits skip the fsync that labels pay for (WAL keeps them ordered before the next synced commit).
    this.db.pragma('synchronous = NORMAL');
    let rows: QueryRow[];
    try {
      rows = assign.immediate();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
    return rows.map((row) => this.assigned(runId, row));
  }

  private assigned(runId: string, row: QueryRow): AssignedQuery {
    return { query: { ...toQuery(row), kind: row.kind }, left: this.getSegment(runId, row.left_id)!, right: this.getSegment(runId, row.right_id)! };
  }

  /** The gold pair due for this annotator now, if any (see `goldDue`). */
  private dueGold(runId: string, annotatorId: number): QueryRow | undefined {
    if (this.goldEvery <= 0) return undefined;
    const since = (this.stmts.normalSinceGold.get({ runId, annotatorId }) as { n: number }).n;
    return goldDue(since, this.goldEvery) ? (this.stmts.goldFor.get({ runId, annotatorId }) as QueryRow | undefined) : undefined;
  }

  /** Every `repeatEvery` labels, hands the annotator a pair it answered again, sides swapped. */
  private maybeRepeat(runId: string, annotatorId: number, now: Date): void {
    const done = (this.stmts.annotatorLabels.get(runId, annotatorId) as { n: number }).n;
    const id = dueRepeatId(annotatorId, done, this.repeatEvery);
    if (id === null || this.stmts.getQuery.get(runId, id)) return;
    const original = this.stmts.randomAnsweredBy.get({ runId, annotatorId }) as QueryRow | undefined;
    if (!original) return;
    this.stmts.insertRepeat.run({ runId, id, leftId: original.right_id, rightId: original.left_id, askedAtStep: original.asked_at_step, repeatOf: original.id, annotatorId, now: now.toISOString() });
  }

  submitLabel(sub: LabelSubmission): SubmitResult {
    checkSubmission(sub);
    const assistance = checkAssistance(sub.assistance, '');
    const submit = this.db.transaction((): SubmitResult => {
      const existing = this.stmts.labelByClientId.get(sub.runId, sub.clientId) as LabelRow | undefined;
      if (existing) {
        if (existing.query_id !== sub.queryId || existing.annotator_id !== sub.annotatorId) {
          throw new ConflictError(`client id ${sub.clientId} was already used for another label`);
        }
        return { label: { ...toLabel(existing), seq: existing.seq, clientId: sub.clientId }, duplicate: true };
      }
      if (this.stmts.withdrawnByClientId.get(sub.runId, sub.clientId)) throw withdrawnConflict(sub.clientId);
      const who = this.stmts.annotatorById.get(sub.annotatorId) as AnnotatorRow | undefined;
      if (!who) throw new ForbiddenError(`no annotator ${sub.annotatorId}`);
      const annotator = toAnnotator(who);
      const run = this.getRun(sub.runId);
      if (!run) throw new NotFoundError(`no run ${JSON.stringify(sub.runId)}`);
      if (run.finishedAt !== null) throw finishedRunConflict(sub.runId);
      const q = this.stmts.getQuery.get(sub.runId, sub.queryId) as QueryRow | undefined;
      if (!q) throw new NotFoundError(`no query ${JSON.stringify(sub.queryId)} in run ${sub.runId}`);
      const goldBefore = q.kind === 'gold' && this.stmts.labelByAnnotator.get(sub.runId, q.id, sub.annotatorId) !== undefined;
      checkAnswerable({ id: q.id, kind: q.kind, assignedTo: q.assigned_to, answered: q.answered === 1 }, sub, annotator.name, goldBefore);
      const row = {
        runId: sub.runId,
        queryId: q.id,
        leftId: q.left_id,
        rightId: q.right_id,
        answer: sub.answer,
        teacher: annotator.name,
        annotatorId: sub.annotatorId,
        seconds: sub.seconds,
        receivedAtStep: run.envSteps,
        clientId: sub.clientId,
        createdAt: new Date().toISOString(),
      };
      const { lastInsertRowid } = this.stmts.insertLabel.run({ ...row, ...assistanceColumns(assistance) });
      this.stmts.markAnswered.run(sub.runId, q.id);
      const { runId: _r, annotatorId: _a, clientId, ...label } = row;
      return { label: { ...label, ...(assistance ? { assistance } : {}), seq: Number(lastInsertRowid), clientId }, duplicate: false };
    });
    return submit.immediate();
  }

  labelsSince(runId: string, afterSeq: number): CommittedLabel[] {
    return (this.stmts.labelsSince.all(runId, afterSeq) as LabelRow[]).map((r) => ({ ...toLabel(r), seq: r.seq, clientId: r.client_id }));
  }

  takeLabels(runId: string, afterSeq: number, settledBefore: Date): CommittedLabel[] {
    const cutoff = settledBefore.toISOString();
    // Polled often: take the write lock only when there is something new.
    if (!this.stmts.anyLabelSince.get(runId, afterSeq)) {
      this.requireRun(runId);
      return [];
    }
    return this.db.transaction((): CommittedLabel[] => {
      this.requireRun(runId);
      const taken: CommittedLabel[] = [];
      for (const r of this.stmts.labelsSince.all(runId, afterSeq) as LabelRow[]) {
        // In order: a person's label still settling holds back the ones after it.
        if (r.annotator_id !== null && r.created_at > cutoff) break;
        taken.push({ ...toLabel(r), seq: r.seq, clientId: r.client_id });
      }
      if (taken.length > 0) this.stmts.useLabels.run(taken[taken.length - 1].seq, runId);
      return taken;
    }).immediate();
  }

  withdrawLabel(runId: string, annotatorId: number, clientId: string): AssignedQuery {
    const row = this.db.transaction((): QueryRow => {
      const run = this.stmts.getRun.get(runId) as RunRow | undefined;
      if (!run) throw this.noRun(runId);
      const label = this.stmts.labelByClientId.get(runId, clientId) as LabelRow | undefined;
      if (!label || label.annotator_id !== annotatorId) throw noAnswerToWithdraw(clientId, runId);
      if (run.finished_at !== null) throw finishedRunConflict(runId);
      if (label.seq <= run.used_label_seq) throw usedLabelConflict(label.query_id);
      this.stmts.withdraw.run(new Date().toISOString(), label.seq);
      this.stmts.deleteLabel.run(label.seq);
      const q = this.stmts.getQuery.get(runId, label.query_id) as QueryRow;
      // Back to the same person, first in their queue (gold pairs are not assigned: answering again is allowed by the label being gone).
      if (q.kind === 'gold') this.stmts.reopenGold.run(runId, q.id);
      else this.stmts.reopen.run(annotatorId, new Date().toISOString(), runId, q.id);
      return this.stmts.getQuery.get(runId, label.query_id) as QueryRow;
    }).immediate();
    return this.assigned(runId, row);
  }

  labelCounts(runId: string): Map<string, number> {
    return new Map((this.stmts.labelCounts.all(runId) as { name: string; n: number }[]).map((r) => [r.name, r.n]));
  }

  peopleLabelCounts(runId: string, annotatorId: number): { labels: number; mine: number } {
    return { labels: (this.stmts.peopleLabels.get(runId) as { n: number }).n, mine: (this.stmts.annotatorNormalLabels.get(runId, annotatorId) as { n: number }).n };
  }

  openQueryCount(runId: string): number {
    return (this.stmts.openCount.get(runId) as { n: number }).n;
  }

  agreement(runId: string): Agreement {
    const facts = (this.stmts.labelFacts.all(runId) as (Omit<LabelFacts, 'critiqued'> & { critiqued: number })[]).map((f) => ({ ...f, critiqued: f.critiqued === 1 }));
    return agreementOf(this.listAnnotators(), facts);
  }

  // ---- gold pairs ----

  setGoldPair(runId: string, sourceQueryId: string, answer: Answer): GoldPair {
    checkAnswer(answer, 'gold pair: ');
    const id = goldIdOf(sourceQueryId);
    this.db.transaction(() => {
      this.requireRun(runId);
      const source = this.stmts.getQuery.get(runId, sourceQueryId) as QueryRow | undefined;
      if (!source) throw new NotFoundError(`no pair ${JSON.stringify(sourceQueryId)} in run ${runId}`);
      if (source.kind !== 'normal') throw new InvalidInputError(`${sourceQueryId} is a ${source.kind} pair; gold pairs are made from the run's own pairs`);
      const taken = this.stmts.getQuery.get(runId, id) as QueryRow | undefined;
      if (taken && taken.kind !== 'gold') throw goldIdTaken(id, taken.kind, runId);
      if (taken) this.stmts.setGoldAnswer.run(answer, runId, id);
      else this.stmts.insertGold.run({ runId, id, leftId: source.left_id, rightId: source.right_id, askedAtStep: source.asked_at_step, source: sourceQueryId, answer, now: new Date().toISOString() });
    }).immediate();
    return this.goldPairs(runId).find((g) => g.id === id)!;
  }

  goldPairs(runId: string): GoldPair[] {
    this.requireRun(runId);
    return (this.stmts.goldQueries.all(runId) as QueryRow[]).map((q) => {
      const { answered, correct } = this.stmts.goldStats.get(runId, q.id) as { answered: number; correct: number };
      return { id: q.id, sourceQueryId: q.repeat_of, answer: q.gold_answer, createdAt: q.created_at, answered, correct: q.gold_answer === null ? 0 : correct };
    });
  }

  loadPair(runId: string, queryId: string): AssignedQuery {
    const row = this.stmts.getQuery.get(runId, queryId) as QueryRow | undefined;
    if (!row) throw new NotFoundError(`no pair ${JSON.stringify(queryId)} in run ${runId}`);
    return this.assigned(runId, row);
  }

  recentPairs(runId: string, limit: number): PairSummary[] {
    this.requireRun(runId);
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidInputError(`limit must be a whole number >= 1 (got ${limit})`);
    return (this.stmts.recentPairs.all(runId, limit) as QueryRow[]).map((q) => ({
      queryId: q.id,
      askedAtStep: q.asked_at_step,
      answers: (this.stmts.labelsOfQuery.all(runId, q.id) as { teacher: string; answer: Answer }[]).map((l) => ({ by: l.teacher, answer: l.answer })),
      goldId: (this.stmts.getQuery.get(runId, goldIdOf(q.id)) as QueryRow | undefined)?.kind === 'gold' ? goldIdOf(q.id) : null,
    }));
  }

  // ---- metrics ----

  appendMetrics(runId: string, row: MetricsRow): void {
    // One commit for the row and the run's progress (labels people submit are stamped with it).
    this.db.transaction(() => {
      this.requireRun(runId);
      this.stmts.insertMetrics.run(runId, row.envSteps, JSON.stringify(row));
      this.stmts.setEnvSteps.run(row.envSteps, runId);
    }).immediate();
  }

  truncateMetrics(runId: string, envSteps: number): void {
    this.db.transaction(() => {
      this.requireRun(runId);
      this.stmts.truncateMetrics.run(runId, envSteps);
      this.stmts.setEnvSteps.run(envSteps, runId);
    }).immediate();
  }

  metricsSince(runId: string, afterSeq: number): { seq: number; row: Record<string, unknown> }[] {
    return (this.stmts.metricsSince.all(runId, afterSeq) as { seq: number; data: string }[]).map((r) => ({ seq: r.seq, row: JSON.parse(r.data) as Record<string, unknown> }));
  }

  // ---- reports ----

  putRunReport(runId: string, kind: string, body: unknown): RunReportInfo {
    const r = reportText(kind, body);
    const createdAt = new Date().toISOString();
    this.db.transaction(() => {
      this.requireRun(runId);
      this.stmts.putReport.run(runId, r.kind, createdAt, r.text);
    }).immediate();
    return { kind: r.kind, createdAt, bytes: r.bytes };
  }

  getRunReport(runId: string, kind: string): RunReport | null {
    this.requireRun(runId);
    const row = this.stmts.getReport.get(runId, kind) as { kind: string; created_at: string; body: string } | undefined;
    return row ? { kind: row.kind, createdAt: row.created_at, bytes: Buffer.byteLength(row.body), body: JSON.parse(row.body) as unknown } : null;
  }

  listRunReports(runId: string): RunReportInfo[] {
    this.requireRun(runId);
    return (this.stmts.listReports.all(runId) as { kind: string; created_at: string; bytes: number }[]).map((r) => ({ kind: r.kind, createdAt: r.created_at, bytes: r.bytes }));
  }

  // ---- debate games ----

  putDebateGame(runId: string, game: NewDebateGame): { game: DebateGame; duplicate: boolean } {
    const g = checkDebateGame(game);
    return this.db.transaction((): { game: DebateGame; duplicate: boolean } => {
      const run = this.stmts.getRun.get(runId) as RunRow | undefined;
      if (!run) throw this.noRun(runId);
      // A resubmission (its response was lost) is answered even after the run has finished.
      const stored = this.stmts.getGame.get(runId, g.id) as DebateGameRow | undefined;
      if (stored) {
        const same = toDebateGame(stored);
        if (!sameDebateGame(same, g)) throw debateGameConflict(g.id, runId);
        return { game: same, duplicate: true };
      }
      const who = g.annotatorId === null ? undefined : (this.stmts.annotatorById.get(g.annotatorId) as AnnotatorRow | undefined);
      if (g.annotatorId !== null && !who) throw new ForbiddenError(`no annotator ${g.annotatorId}`);
      if (run.finished_at !== null) throw finishedRunConflict(runId, `debate game ${g.id}`);
      const createdAt = new Date().toISOString();
      const annotator = who?.name ?? null;
      const { lastInsertRowid } = this.stmts.insertGame.run(...debateGameValues(runId, g, g.annotatorId, annotator, createdAt));
      return { game: { ...g, seq: Number(lastInsertRowid), createdAt, annotator }, duplicate: false };
    }).immediate();
  }

  debateGames(runId: string): DebateGame[] {
    this.requireRun(runId);
    return (this.stmts.runGames.all(runId) as DebateGameRow[]).map(toDebateGame);
  }

  /** An exported game, stored with its person's name and its time (import; inside its transaction). */
  private putImportedGame(runId: string, game: ExportedDebateGame): void {
    const g = checkImportedGame(game);
    if (this.stmts.getGame.get(runId, g.id)) throw debateGameConflict(g.id, runId);
    this.stmts.insertGame.run(...debateGameValues(runId, g, null, g.annotator, g.createdAt));
  }

  // ---- moving a project (move.ts) ----

  rawRows(table: ProjectTable): RawRow[] {
    if (!PROJECT_TABLES.includes(table)) throw new InvalidInputError(`no table ${JSON.stringify(table)}`);
    return this.db.prepare(`SELECT * FROM ${table} ORDER BY ${TABLE_ORDER[table]}`).all() as RawRow[];
  }

  restoreRows(tables: readonly { table: ProjectTable; rows: RawRow[] }[]): void {
    this.db.transaction(() => {
      const used = (this.db.prepare('SELECT (SELECT COUNT(*) FROM runs) + (SELECT COUNT(*) FROM annotators) AS n').get() as { n: number }).n;
      if (used > 0) throw new ConflictError(`${this.path} already holds runs or annotators; move a project into an empty database`);
      for (const { table, rows } of tables) {
        if (!PROJECT_TABLES.includes(table)) throw new InvalidInputError(`no table ${JSON.stringify(table)}`);
        if (rows.length === 0) continue;
        const columns = Object.keys(rows[0]);
        const insert = this.db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
        // Bytes that crossed a thread arrive as Uint8Array; SQLite binds Buffers as BLOBs.
        for (const r of rows) insert.run(Object.fromEntries(columns.map((c) => [c, r[c] instanceof Uint8Array && !Buffer.isBuffer(r[c]) ? Buffer.from(r[c] as Uint8Array) : r[c]])));
      }
    }).immediate();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private noRun(runId: string): NotFoundError {
    return new NotFoundError(`no run ${JSON.stringify(runId)} in ${this.path}`);
  }

  private requireRun(runId: string): void {
    if (!this.stmts.getRun.get(runId)) throw this.noRun(runId);
  }
}

const corrupt = (path: string, what: string) =>
  new CorruptProjectError(`${path} is damaged (${what}); it was not opened. Restore it from a backup, or recover what is readable with sqlite3's .recover`);

/** Opens the file; a file that is not an SQLite database is refused as damaged. */
function openDatabase(path: string): Database.Database {
  try {
    return new Database(path);
  } catch (e) {
    if (isCorruption(e)) throw corrupt(path, (e as Error).message);
    throw e;
  }
}

/** `PRAGMA quick_check` (every page and b-tree, without the index cross-checks): a damaged file is refused before anything reads or writes it. */
function checkIntegrity(db: Database.Database, path: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
  } catch (e) {
    if (isCorruption(e)) throw corrupt(path, (e as Error).message);
    throw e;
  }
  if (problems.length !== 1 || problems[0] !== 'ok') throw corrupt(path, `integrity check: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`);
}

const isCorruption = (e: unknown): boolean => {
  const code = (e as { code?: unknown })?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'));
};

function migrate(db: Database.Database, path: string): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  const check = (version: number) => {
    if (version > SCHEMA_VERSION) throw new Error(`${path} has schema version ${version}, newer than this Overseer knows (${SCHEMA_VERSION}); upgrade Overseer to open it`);
  };
  check(current());
  if (current() === SCHEMA_VERSION) return;
  // Under the write lock, read the version again: another process may have just migrated.
  db.transaction(() => {
    const version = current();
    check(version);
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

