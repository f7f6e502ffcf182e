/**
 * The PostgreSQL store's SQL: SQLite's store (sqlite.ts) method by method, asynchronous, on a
 * `pg.Pool`. It runs on the store's own thread (worker.ts) and is called one method at a time
 * through bridge.ts; the rules it shares with the other stores live in rules.ts.
 *
 * Locking: several app servers may share the database. Every transaction that reads a run's
 * data and then writes it first locks the run's row (`lockRun`, FOR NO KEY UPDATE, which
 * conflicts with itself but not with foreign-key checks), so a run's writers take turns across
 * processes the way SQLite's IMMEDIATE transactions do (handing out pairs is the exception: see
 * `assignQueries`). Holding that lock from before a label's
 * INSERT until COMMIT is what makes `labels.seq` follow commit order within a run, which readers
 * polling `labelsSince(runId, afterSeq)` rely on; metrics rows likewise. Annotators are global:
 * their UNIQUE name decides, and a unique violation is the same `ConflictError` as SQLite's.
 */
import pg from 'pg';
import type { Segment, SegmentTruth } from '../../prefs/segments.js';
import type { Answer } from '../../prefs/teachers.js';
import {
  agreementOf,
  checkAnswerable,
  annotatorName,
  checkAnswer,
  checkAssistance,
  checkDebateGame,
  checkGuidelines,
  checkImportedGame,
  checkProgress,
  checkRunId,
  checkSameQuery,
  checkSubmission,
  debateGameConflict,
  dueRepeatId,
  finishedRunConflict,
  goldDue,
  goldIdOf,
  goldIdTaken,
  hashToken,
  MAX_TOKEN_LENGTH,
  newToken,
  noAnswerToWithdraw,
  reportText,
  sameDebateGame,
  segmentConflict,
  storedLabel,
  tokenExpiry,
  tokenLive,
  usedLabelConflict,
  withdrawnConflict,
  type LabelFacts,
} from '../rules.js';
import { SEGMENT_COLUMNS, checkSegment, sameSegment, segmentFromRow, segmentToRow, type SegmentRow } from '../segmentCodec.js';
import {
  ConflictError,
  DEFAULT_GOLD_EVERY,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_REPEAT_EVERY,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  type Agreement,
  type Annotator,
  type AssignedQuery,
  type CommittedLabel,
  type DebateGame,
  type ExportedDebateGame,
  type GoldPair,
  type LabelSubmission,
  type MetricsRow,
  type NewAnnotatorOptions,
  type NewDebateGame,
  type NewQuery,
  type NewRun,
  type PairSummary,
  type QueryKind,
  type Role,
  type RunContents,
  type RunProgress,
  type RunRecord,
  type RunReport,
  type RunReportInfo,
  type StoreContents,
  type StoredLabel,
  type SubmitResult,
} from '../store.js';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION, VERSION_TABLE } from './schema.js';
import { assistanceColumns, DEBATE_GAME_COLUMNS, debateGameValues, toAnnotator, toCommitted, toDebateGame, toLabel, toQuery, toRun, type AnnotatorRow, type DebateGameRow, type LabelRow, type QueryRow, type RunRow } from '../rows.js';
import { PROJECT_TABLES, TABLE_ORDER, type ProjectTable, type RawRow } from '../move.js';

/** Tables whose key is an identity column (kept as copied when a project moves, then continued). */
const IDENTITY_TABLES: readonly ProjectTable[] = ['annotators', 'queries', 'labels', 'metrics', 'debate_games'];
import { redactUrl, type Backend, type PgInit } from './store.js';

const LABEL_COLUMNS = 'seq, run_id, query_id, left_id, right_id, answer, teacher, annotator_id, seconds, received_at_step, client_id, created_at, arm, critique, critique_response';
const INSERT_LABEL = `INSERT INTO labels (run_id, query_id, left_id, right_id, answer, teacher, annotator_id, seconds, received_at_step, client_id, created_at, arm, critique, critique_response)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING seq`;
const INSERT_GAME = `INSERT INTO debate_games (${DEBATE_GAME_COLUMNS.join(', ')}) VALUES (${DEBATE_GAME_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING seq`;
const INSERT_SEGMENT = `INSERT INTO segments (run_id, ${SEGMENT_COLUMNS.join(', ')}) VALUES (${['run_id', ...SEGMENT_COLUMNS].map((_, i) => `$${i + 1}`).join(', ')})`;

/** PostgreSQL's code for a unique violation. */
const UNIQUE_VIOLATION = '23505';
const DUPLICATE_SCHEMA = '42P06';
/** A schema name used unquoted in `search_path` (tests and deployments name it; nothing else is accepted). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** int8 (BIGINT, COUNT(*)) read as a number, not a string: ids, seqs, steps and counts stay far below 2^53. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'],
};

type Db = pg.Pool | pg.PoolClient;

async function rows<T>(db: Db, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, params)).rows as T[];
}
async function row<T>(db: Db, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await db.query(sql, params)).rows[0] as T | undefined;
}
async function changes(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  return (await db.query(sql, params)).rowCount ?? 0;
}

export class PgBackend implements Backend {
  private readonly pool: pg.Pool;
  private readonly location: string;
  private readonly repeatEvery: number;
  private readonly goldEvery: number;

  constructor(private readonly init: PgInit) {
    this.repeatEvery = init.repeatEvery ?? DEFAULT_REPEAT_EVERY;
    this.goldEvery = init.goldEvery ?? DEFAULT_GOLD_EVERY;
    this.location = redactUrl(init.url) + (init.schema ? ` (schema ${init.schema})` : '');
    if (init.schema !== undefined && !SCHEMA_NAME.test(init.schema)) throw new InvalidInputError(`schema ${JSON.stringify(init.schema)}: use lower-case letters, digits and _ (at most 63)`);
    this.pool = new pg.Pool({
      connectionString: init.url,
      // Blocking calls come one at a time; a server's calls that do not block (bridge.ts) come
      // side by side, each on a connection of its own.
      max: 6,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 60_000,
      keepAlive: true,
      types: TYPES,
      // A session that died in a transaction (its client gone) lets go of its locks within a minute.
      options: `-c idle_in_transaction_session_timeout=60000${init.schema ? ` -c search_path=${init.schema}` : ''}`,
    });
    // An idle connection that dies (the server restarted) is dropped from the pool and replaced
    // on the next call; it must not take the thread down.
    this.pool.on('error', () => {});
  }

  // ---- opening ----

  async open(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw new Error(`cannot reach PostgreSQL at ${redactUrl(this.init.url)}: ${(e as Error).message || String(e)}`);
    }
    client.release();
    if (this.init.schema) {
      // Concurrent CREATE SCHEMA IF NOT EXISTS can still collide; the loser finds it made.
      try {
        await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${this.init.schema}`);
      } catch (e) {
        if (![UNIQUE_VIOLATION, DUPLICATE_SCHEMA].includes((e as { code?: string }).code ?? '')) throw e;
      }
    }
    await this.migrate();
  }

  /** Applies the migrations the database lacks, one transaction each, under an advisory lock; refuses a newer database. */
  private async migrate(): Promise<void> {
    for (;;) {
      const done = await this.tx(async (c) => {
        await c.query("SELECT pg_advisory_xact_lock(hashtext('overseer.migrate.' || current_schema()))");
        await c.query(VERSION_TABLE);
        const { version } = (await row<{ version: number }>(c, 'SELECT version FROM schema_version WHERE id = 1'))!;
        if (version > PG_SCHEMA_VERSION) throw new Error(`${this.location} has schema version ${version}, newer than this Overseer knows (${PG_SCHEMA_VERSION}); upgrade Overseer to open it`);
        if (version === PG_SCHEMA_VERSION) return true;
        await c.query(PG_MIGRATIONS[version]);
        await c.query('UPDATE schema_version SET version = $1 WHERE id = 1', [version + 1]);
        return false;
      });
      if (done) return;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  // ---- moving a project (move.ts) ----

  async rawRows(table: ProjectTable): Promise<RawRow[]> {
    if (!PROJECT_TABLES.includes(table)) throw new InvalidInputError(`no table ${JSON.stringify(table)}`);
    return rows<RawRow>(this.pool, `SELECT * FROM ${table} ORDER BY ${TABLE_ORDER[table]}`);
  }

  async restoreRows(tables: readonly { table: ProjectTable; rows: RawRow[] }[]): Promise<void> {
    await this.tx(async (c) => {
      // No one else may add runs or annotators meanwhile: the check and the copy are one.
      await c.query('LOCK TABLE runs, annotators IN EXCLUSIVE MODE');
      const used = (await row<{ n: number }>(c, 'SELECT (SELECT COUNT(*) FROM runs) + (SELECT COUNT(*) FROM annotators) AS n'))!.n;
      if (used > 0) throw new ConflictError(`${this.location} already holds runs or annotators; move a project into an empty database`);
      for (const { table, rows: all } of tables) {
        if (!PROJECT_TABLES.includes(table)) throw new InvalidInputError(`no table ${JSON.stringify(table)}`);
        if (all.length === 0) continue;
        const columns = Object.keys(all[0]);
        // Sequence numbers are kept as they are (labels are read in their order).
        const overriding = IDENTITY_TABLES.includes(table) ? ' OVERRIDING SYSTEM VALUE' : '';
        // Reports run to megabytes each: one per statement keeps a statement far below PostgreSQL's 1 GB message limit.
        const per = table === 'run_reports' ? 1 : 200;
        for (let at = 0; at < all.length; at += per) {
          const batch = all.slice(at, at + per);
          const values: unknown[] = [];
          const tuples = batch.map((r) => `(${columns.map((col) => {
            const v = r[col];
            // Bytes that crossed a thread arrive as Uint8Array; pg sends Buffers as bytea.
            values.push(v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v);
            return `$${values.length}`;
          }).join(', ')})`);
          await c.query(`INSERT INTO ${table} (${columns.join(', ')})${overriding} VALUES ${tuples.join(', ')}`, values);
        }
      }
      // The runs' counts of people's answers, from the copied labels.
      await c.query(`INSERT INTO run_people_labels (run_id, n)
        SELECT r.id, (SELECT COUNT(*) FROM labels l JOIN queries q ON q.run_id = l.run_id AND q.id = l.query_id
                      WHERE l.run_id = r.id AND l.annotator_id IS NOT NULL AND q.kind = 'normal') FROM runs r
        ON CONFLICT (run_id) DO UPDATE SET n = EXCLUDED.n`);
      // New rows continue after the copied ones.
      for (const table of IDENTITY_TABLES) {
        const key = table === 'annotators' ? 'id' : 'seq';
        await c.query(`SELECT setval(pg_get_serial_sequence('${table}', '${key}'), COALESCE((SELECT MAX(${key}) FROM ${table}), 0) + 1, false)`);
      }
    });
  }

  /** Runs `f` in a transaction on one connection; a connection that fails to roll back is discarded. */
  private async tx<T>(f: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const c = await this.pool.connect();
    // The pool listens for errors only on idle connections: one that drops while checked out
    // fails the query awaited here, and must not also throw as an unhandled 'error' event.
    const ignore = () => {};
    c.on('error', ignore);
    let broken: Error | undefined;
    try {
      await c.query(begin);
      const result = await f(c);
      try {
        await c.query('COMMIT');
      } catch (e) {
        // The connection may have dropped after the server committed: it cannot be known, so
        // this call must not be tried again blindly (reconnect.ts).
        throw Object.assign(e as Error, { commitUnknown: true });
      }
      return result;
    } catch (e) {
      try {
        await c.query('ROLLBACK');
      } catch (e2) {
        broken = e2 as Error;
      }
      throw e;
    } finally {
      c.removeListener('error', ignore);
      c.release(broken);
    }
  }

  /** Locks the run's row until the transaction ends (see the top of this file); its row as locked, or undefined. */
  private lockRun(c: pg.PoolClient, runId: string): Promise<RunRow | undefined> {
    return row<RunRow>(c, 'SELECT * FROM runs WHERE id = $1 FOR NO KEY UPDATE', [runId]);
  }

  private async requireLockedRun(c: pg.PoolClient, runId: string): Promise<RunRow> {
    const run = await this.lockRun(c, runId);
    if (!run) throw this.noRun(runId);
    return run;
  }

  private async requireRun(db: Db, runId: string): Promise<void> {
    if (!(await row(db, 'SELECT 1 FROM runs WHERE id = $1', [runId]))) throw this.noRun(runId);
  }

  private noRun(runId: string): NotFoundError {
    return new NotFoundError(`no run ${JSON.stringify(runId)} in ${this.location}`);
  }

  // ---- runs ----

  async createRun(run: NewRun): Promise<RunRecord> {
    return this.createRunOn(this.pool, run);
  }

  private async createRunOn(db: Db, run: NewRun): Promise<RunRecord> {
    checkRunId(run.id);
    const guidelines = checkGuidelines(run.guidelines ?? '');
    const inserted = await row<RunRow>(
      db,
      `INSERT INTO runs (id, env_id, instructions, label_budget, config, render_spec, guidelines, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [run.id, run.envId, run.instructions ?? '', run.labelBudget ?? null, JSON.stringify(run.config ?? {}), run.renderSpec ? JSON.stringify(run.renderSpec) : null, guidelines, new Date().toISOString()],
    );
    if (!inserted) throw new ConflictError(`run ${JSON.stringify(run.id)} already exists in ${this.location}`);
    return toRun(inserted);
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const r = await row<RunRow>(this.pool, 'SELECT * FROM runs WHERE id = $1', [id]);
    return r ? toRun(r) : null;
  }

  async listRuns(): Promise<RunRecord[]> {
    return (await rows<RunRow>(this.pool, 'SELECT * FROM runs ORDER BY created_at, id')).map(toRun);
  }

  async finishRun(runId: string): Promise<RunRecord> {
    await this.pool.query('UPDATE runs SET finished_at = $1 WHERE id = $2 AND finished_at IS NULL', [new Date().toISOString(), runId]);
    const run = await this.getRun(runId);
    if (!run) throw this.noRun(runId);
    return run;
  }

  async setEnvSteps(runId: string, envSteps: number): Promise<void> {
    if ((await changes(this.pool, 'UPDATE runs SET env_steps = $1 WHERE id = $2', [envSteps, runId])) === 0) throw this.noRun(runId);
  }

  async setRunState(runId: string, progress: RunProgress): Promise<void> {
    checkProgress(progress);
    if ((await changes(this.pool, 'UPDATE runs SET phase = $1, waiting_for = $2 WHERE id = $3', [progress.phase, progress.waitingForLabels, runId])) === 0) throw this.noRun(runId);
  }

  async setGuidelines(runId: string, guidelines: string): Promise<RunRecord> {
    const r = await row<RunRow>(this.pool, 'UPDATE runs SET guidelines = $1 WHERE id = $2 RETURNING *', [checkGuidelines(guidelines), runId]);
    if (!r) throw this.noRun(runId);
    return toRun(r);
  }

  /** All or nothing: one transaction, through the same steps as each method (rules.ts `storeRuns`, asynchronous). */
  async importRuns(runs: readonly { run: NewRun; contents: RunContents }[]): Promise<void> {
    await this.tx(async (c) => {
      for (const { run, contents: x } of runs) {
        await this.createRunOn(c, run);
        await this.putSegmentsOn(c, run.id, [...x.segments.values()].map((segment) => ({ segment, truth: x.truths.get(segment.id) })));
        await this.putQueriesOn(c, run.id, x.queries.map((q) => ({ ...q, kind: x.kinds.get(q.id), goldAnswer: x.goldAnswers?.get(q.id) ?? null })));
        for (const l of x.labels) await this.putLabelOn(c, run.id, l);
        for (const g of x.debateGames ?? []) await this.putImportedGameOn(c, run.id, g);
      }
    });
  }

  // ---- segments, queries and labels of one run ----

  async putSegments(runId: string, items: readonly { segment: Segment; truth?: SegmentTruth }[]): Promise<void> {
    await this.tx((c) => this.putSegmentsOn(c, runId, items));
  }

  private async putSegmentsOn(c: pg.PoolClient, runId: string, items: readonly { segment: Segment; truth?: SegmentTruth }[]): Promise<void> {
    await this.requireLockedRun(c, runId);
    for (const item of items) {
      checkSegment(item.segment, item.truth);
      const stored = await row<SegmentRow>(c, 'SELECT * FROM segments WHERE run_id = $1 AND id = $2', [runId, item.segment.id]);
      if (stored) {
        if (!sameSegment(segmentFromRow(stored, `segment ${stored.id} of run ${runId}`), item)) throw segmentConflict(item.segment.id, runId);
        continue;
      }
      const r = segmentToRow(item);
      await c.query(INSERT_SEGMENT, [runId, ...SEGMENT_COLUMNS.map((k) => r[k])]);
    }
  }

  async putQueries(runId: string, queries: readonly NewQuery[]): Promise<void> {
    await this.tx((c) => this.putQueriesOn(c, runId, queries));
  }

  private async putQueriesOn(c: pg.PoolClient, runId: string, queries: readonly NewQuery[]): Promise<void> {
    const createdAt = new Date().toISOString();
    await this.requireLockedRun(c, runId);
    for (const q of queries) {
      const stored = await this.getQuery(c, runId, q.id);
      if (stored) {
        checkSameQuery({ ...toQuery(stored), kind: stored.kind }, q, runId);
        continue;
      }
      for (const id of [q.leftId, q.rightId]) {
        if (!(await row(c, 'SELECT 1 FROM segments WHERE run_id = $1 AND id = $2', [runId, id]))) throw new InvalidInputError(`query ${q.id} names segment ${id}, which is not stored for run ${runId}`);
      }
      if (q.goldAnswer !== undefined && q.goldAnswer !== null) {
        if (q.kind !== 'gold') throw new InvalidInputError(`query ${q.id}: only a gold pair has a known answer`);
        checkAnswer(q.goldAnswer, `gold pair ${q.id}: `);
      }
      await c.query('INSERT INTO queries (run_id, id, left_id, right_id, asked_at_step, kind, gold_answer, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        runId,
        q.id,
        q.leftId,
        q.rightId,
        q.askedAtStep,
        q.kind ?? 'normal',
        q.goldAnswer ?? null,
        createdAt,
      ]);
    }
  }

  async putLabel(runId: string, label: StoredLabel): Promise<StoredLabel> {
    return this.tx((c) => this.putLabelOn(c, runId, label));
  }

  private async putLabelOn(c: pg.PoolClient, runId: string, label: StoredLabel): Promise<StoredLabel> {
    checkAnswer(label.answer, `label for ${label.queryId}: `);
    const assistance = checkAssistance(label.assistance, `label for ${label.queryId}: `);
    await this.requireLockedRun(c, runId);
    if (label.clientId) {
      const same = await row<LabelRow>(c, 'SELECT * FROM labels WHERE run_id = $1 AND client_id = $2', [runId, label.clientId]);
      if (same) {
        if (same.query_id !== label.queryId) throw new ConflictError(`client id ${label.clientId} was already used for a label of ${same.query_id}`);
        return toLabel(same);
      }
    }
    const q = await this.getQuery(c, runId, label.queryId);
    if (!q) throw new NotFoundError(`label for ${label.queryId}: no such query in run ${runId}`);
    if (q.left_id !== label.leftId || q.right_id !== label.rightId) throw new InvalidInputError(`label for ${label.queryId} names other segments than the query`);
    // A label already stored wins; gold pairs take every person's answer.
    const first = await row<LabelRow>(c, 'SELECT * FROM labels WHERE run_id = $1 AND query_id = $2 ORDER BY seq LIMIT 1', [runId, label.queryId]);
    if (first && !(q.kind === 'gold' && label.clientId)) return toLabel(first);
    const a = assistanceColumns(assistance);
    await c.query(INSERT_LABEL, [
      runId,
      label.queryId,
      label.leftId,
      label.rightId,
      label.answer,
      label.teacher,
      null,
      label.seconds,
      label.receivedAtStep,
      label.clientId ?? null,
      label.createdAt,
      a.arm,
      a.critique,
      a.critiqueResponse,
    ]);
    await c.query('UPDATE queries SET answered = 1 WHERE run_id = $1 AND id = $2', [runId, label.queryId]);
    return storedLabel(label);
  }

  async getSegment(runId: string, id: string): Promise<Segment | null> {
    const r = await row<SegmentRow>(this.pool, 'SELECT * FROM segments WHERE run_id = $1 AND id = $2', [runId, id]);
    return r ? segmentFromRow(r, `segment ${id} of run ${runId}`).segment : null;
  }

  async latestSegment(runId: string): Promise<Segment | null> {
    const r = await row<SegmentRow>(this.pool, 'SELECT * FROM segments WHERE run_id = $1 ORDER BY global_step DESC, id DESC LIMIT 1', [runId]);
    return r ? segmentFromRow(r, `segment ${r.id} of run ${runId}`).segment : null;
  }

  async loadRun(runId: string): Promise<StoreContents> {
    // One snapshot: segments, queries and labels as of the same moment.
    return this.tx(async (c) => {
      const segments = new Map<string, Segment>();
      const truths = new Map<string, SegmentTruth>();
      for (const r of await rows<SegmentRow>(c, 'SELECT * FROM segments WHERE run_id = $1 ORDER BY global_step, id', [runId])) {
        const { segment, truth } = segmentFromRow(r, `segment ${r.id} of run ${runId}`);
        segments.set(segment.id, segment);
        if (truth) truths.set(segment.id, truth);
      }
      const queries = (await rows<QueryRow>(c, 'SELECT * FROM queries WHERE run_id = $1 ORDER BY seq', [runId])).map(toQuery);
      const labels = (await rows<LabelRow>(c, 'SELECT * FROM labels WHERE run_id = $1 ORDER BY seq', [runId])).map(toLabel);
      return { segments, truths, queries, labels };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async queryKinds(runId: string): Promise<Map<string, QueryKind>> {
    return new Map((await rows<{ id: string; kind: QueryKind }>(this.pool, 'SELECT id, kind FROM queries WHERE run_id = $1', [runId])).map((r) => [r.id, r.kind]));
  }

  // ---- annotators ----

  async addAnnotator(name: string, role: Role = 'annotator', options: NewAnnotatorOptions = {}): Promise<{ annotator: Annotator; token: string }> {
    const clean = annotatorName(name);
    const expiresAt = tokenExpiry(options.expiresAt);
    const token = newToken();
    try {
      const r = await row<AnnotatorRow>(this.pool, 'INSERT INTO annotators (name, role, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
        clean,
        role,
        hashToken(token),
        new Date().toISOString(),
        expiresAt,
      ]);
      return { annotator: toAnnotator(r!), token };
    } catch (e) {
      const err = e as { code?: string; constraint?: string };
      if (err.code === UNIQUE_VIOLATION && err.constraint === 'annotators_name_key') throw new ConflictError(`annotator ${JSON.stringify(clean)} already exists`);
      throw e;
    }
  }

  async annotatorByToken(token: string): Promise<Annotator | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    const r = await row<AnnotatorRow>(this.pool, 'SELECT * FROM annotators WHERE token_hash = $1', [hashToken(token)]);
    const annotator = r ? toAnnotator(r) : null;
    return annotator && tokenLive(annotator) ? annotator : null;
  }

  async revokeAnnotator(name: string): Promise<Annotator> {
    const clean = typeof name === 'string' ? name.trim() : '';
    await this.pool.query('UPDATE annotators SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL', [new Date().toISOString(), clean]);
    const r = await row<AnnotatorRow>(this.pool, 'SELECT * FROM annotators WHERE name = $1', [clean]);
    if (!r) throw new NotFoundError(`no annotator ${JSON.stringify(clean)} in ${this.location}`);
    return toAnnotator(r);
  }

  async listAnnotators(): Promise<Annotator[]> {
    return (await rows<AnnotatorRow>(this.pool, 'SELECT * FROM annotators ORDER BY id')).map(toAnnotator);
  }

  // ---- labeling ----

  async assignQueries(runId: string, annotatorId: number, n: number, leaseSeconds = DEFAULT_LEASE_SECONDS): Promise<AssignedQuery[]> {
    if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`ask for at least one query (got ${n})`);
    const picked = await this.tx(async (c): Promise<QueryRow[]> => {
      // Assignments are leases, not data: one lost in a crash is simply handed out again, so
      // their commits need not wait for the WAL flush that labels wait for.
      await c.query('SET LOCAL synchronous_commit = off');
      // Handing out pairs does not take the run's lock, so people asking at once (on any app
      // server) are served side by side: the run's row only for reading (KEY SHARE conflicts with
      // no writer but one deleting it), one person's requests in turn (their repeats and gold
      // pairs), and the free pairs taken with SKIP LOCKED, so two people never take the same one.
      const run = await row<RunRow>(c, 'SELECT * FROM runs WHERE id = $1 FOR KEY SHARE', [runId]);
      if (!run) throw this.noRun(runId);
      if (run.finished_at !== null) return [];
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1), $2::int)', [`overseer.assign.${runId}`, annotatorId]);
      const now = new Date();
      await this.maybeRepeat(c, runId, annotatorId, now);
      const mine = await rows<QueryRow>(c, 'SELECT * FROM queries WHERE run_id = $1 AND assigned_to = $2 AND answered = 0 ORDER BY seq LIMIT $3', [runId, annotatorId, n]);
      if (mine.length >= n) return mine;
      const gold = await this.dueGold(c, runId, annotatorId);
      if (gold) mine.push(gold);
      if (mine.length >= n) return mine;
      const expired = new Date(now.getTime() - leaseSeconds * 1000).toISOString();
      // Unassigned, or assigned to someone else longer ago than the lease, and never answered.
      const fresh = await rows<QueryRow>(
        c,
        `UPDATE queries SET assigned_to = $2, assigned_at = $5 WHERE seq IN (
           SELECT seq FROM queries WHERE run_id = $1 AND answered = 0 AND kind = 'normal'
             AND (assigned_to IS NULL OR (assigned_to != $2 AND assigned_at <= $3))
           ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [runId, annotatorId, expired, n - mine.length, now.toISOString()],
      );
      fresh.sort((a, b) => a.seq - b.seq);
      return [...mine, ...fresh];
    });
    const out: AssignedQuery[] = [];
    for (const r of picked) out.push(await this.assigned(this.pool, runId, r));
    return out;
  }

  private async assigned(db: Db, runId: string, r: QueryRow): Promise<AssignedQuery> {
    const segs = await rows<SegmentRow>(db, 'SELECT * FROM segments WHERE run_id = $1 AND id IN ($2, $3)', [runId, r.left_id, r.right_id]);
    const seg = (id: string) => segmentFromRow(segs.find((s) => s.id === id)!, `segment ${id} of run ${runId}`).segment;
    return { query: { ...toQuery(r), kind: r.kind }, left: seg(r.left_id), right: seg(r.right_id) };
  }

  /** The gold pair due for this annotator now, if any (see `goldDue`): the oldest it has not answered, nor the pair it was made from. */
  private async dueGold(c: pg.PoolClient, runId: string, annotatorId: number): Promise<QueryRow | undefined> {
    if (this.goldEvery <= 0) return undefined;
    // This annotator's answers to normal pairs since its last gold answer.
    const { n } = (await row<{ n: number }>(
      c,
      `SELECT COUNT(*) AS n FROM labels l JOIN queries q ON q.run_id = l.run_id AND q.id = l.query_id
       WHERE l.run_id = $1 AND l.annotator_id = $2 AND q.kind = 'normal'
         AND l.seq > COALESCE((SELECT MAX(g.seq) FROM labels g JOIN queries gq ON gq.run_id = g.run_id AND gq.id = g.query_id
                               WHERE g.run_id = $1 AND g.annotator_id = $2 AND gq.kind = 'gold'), 0)`,
      [runId, annotatorId],
    ))!;
    if (!goldDue(n, this.goldEvery)) return undefined;
    return row<QueryRow>(
      c,
      `SELECT * FROM queries q WHERE q.run_id = $1 AND q.kind = 'gold'
         AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.run_id = q.run_id AND l.query_id IN (q.id, q.repeat_of) AND l.annotator_id = $2)
       ORDER BY q.seq LIMIT 1`,
      [runId, annotatorId],
    );
  }

  /** Every `repeatEvery` labels, hands the annotator a pair it answered again, sides swapped. */
  private async maybeRepeat(c: pg.PoolClient, runId: string, annotatorId: number, now: Date): Promise<void> {
    const { n: done } = (await row<{ n: number }>(c, 'SELECT COUNT(*) AS n FROM labels WHERE run_id = $1 AND annotator_id = $2', [runId, annotatorId]))!;
    const id = dueRepeatId(annotatorId, done, this.repeatEvery);
    if (id === null || (await this.getQuery(c, runId, id))) return;
    const original = await row<QueryRow>(
      c,
      `SELECT q.* FROM queries q WHERE q.run_id = $1 AND q.kind = 'normal' AND q.answered = 1
         AND EXISTS (SELECT 1 FROM labels l WHERE l.run_id = q.run_id AND l.query_id = q.id AND l.annotator_id = $2)
       ORDER BY random() LIMIT 1`,
      [runId, annotatorId],
    );
    if (!original) return;
    await c.query(
      `INSERT INTO queries (run_id, id, left_id, right_id, asked_at_step, kind, repeat_of, assigned_to, assigned_at, created_at)
       VALUES ($1, $2, $3, $4, $5, 'repeat', $6, $7, $8, $8)`,
      [runId, id, original.right_id, original.left_id, original.asked_at_step, original.id, annotatorId, now.toISOString()],
    );
  }

  async submitLabel(sub: LabelSubmission): Promise<SubmitResult> {
    checkSubmission(sub);
    const assistance = checkAssistance(sub.assistance, '');
    return this.tx(async (c): Promise<SubmitResult> => {
      // Locked first (a run that does not exist is refused below, in SQLite's order).
      const run = await this.lockRun(c, sub.runId);
      const existing = await row<LabelRow>(c, 'SELECT * FROM labels WHERE run_id = $1 AND client_id = $2', [sub.runId, sub.clientId]);
      if (existing) {
        if (existing.query_id !== sub.queryId || existing.annotator_id !== sub.annotatorId) throw new ConflictError(`client id ${sub.clientId} was already used for another label`);
        return { label: { ...toLabel(existing), seq: existing.seq, clientId: sub.clientId }, duplicate: true };
      }
      if (await row(c, 'SELECT 1 FROM withdrawn_labels WHERE run_id = $1 AND client_id = $2', [sub.runId, sub.clientId])) throw withdrawnConflict(sub.clientId);
      const who = await row<AnnotatorRow>(c, 'SELECT * FROM annotators WHERE id = $1', [sub.annotatorId]);
      if (!who) throw new ForbiddenError(`no annotator ${sub.annotatorId}`);
      const annotator = toAnnotator(who);
      if (!run) throw new NotFoundError(`no run ${JSON.stringify(sub.runId)}`);
      if (run.finished_at !== null) throw finishedRunConflict(sub.runId);
      // The pair's row locked: a lease expiring meanwhile cannot hand it to someone else while this answer is stored.
      const q = await row<QueryRow>(c, 'SELECT * FROM queries WHERE run_id = $1 AND id = $2 FOR NO KEY UPDATE', [sub.runId, sub.queryId]);
      if (!q) throw new NotFoundError(`no query ${JSON.stringify(sub.queryId)} in run ${sub.runId}`);
      const goldBefore = q.kind === 'gold' && (await row(c, 'SELECT seq FROM labels WHERE run_id = $1 AND query_id = $2 AND annotator_id = $3', [sub.runId, q.id, sub.annotatorId])) !== undefined;
      checkAnswerable({ id: q.id, kind: q.kind, assignedTo: q.assigned_to, answered: q.answered === 1 }, sub, annotator.name, goldBefore);
      const label = {
        queryId: q.id,
        leftId: q.left_id,
        rightId: q.right_id,
        answer: sub.answer,
        teacher: annotator.name,
        seconds: sub.seconds,
        receivedAtStep: run.env_steps,
        createdAt: new Date().toISOString(),
      };
      const a = assistanceColumns(assistance);
      const { seq } = (await row<{ seq: number }>(c, INSERT_LABEL, [
        sub.runId,
        label.queryId,
        label.leftId,
        label.rightId,
        label.answer,
        label.teacher,
        sub.annotatorId,
        label.seconds,
        label.receivedAtStep,
        sub.clientId,
        label.createdAt,
        a.arm,
        a.critique,
        a.critiqueResponse,
      ]))!;
      await c.query('UPDATE queries SET answered = 1 WHERE run_id = $1 AND id = $2', [sub.runId, q.id]);
      if (q.kind === 'normal') await this.countPeople(c, sub.runId, 1);
      return { label: { ...label, ...(assistance ? { assistance } : {}), seq, clientId: sub.clientId }, duplicate: false };
    });
  }

  async labelsSince(runId: string, afterSeq: number): Promise<CommittedLabel[]> {
    return (await rows<LabelRow>(this.pool, 'SELECT * FROM labels WHERE run_id = $1 AND seq > $2 ORDER BY seq', [runId, afterSeq])).map(toCommitted);
  }

  async takeLabels(runId: string, afterSeq: number, settledBefore: Date): Promise<CommittedLabel[]> {
    const cutoff = settledBefore.toISOString();
    // Polled often: take the run's lock only when there is something new.
    if (!(await row(this.pool, 'SELECT 1 FROM labels WHERE run_id = $1 AND seq > $2 LIMIT 1', [runId, afterSeq]))) {
      await this.requireRun(this.pool, runId);
      return [];
    }
    return this.tx(async (c) => {
      await this.requireLockedRun(c, runId);
      const taken: CommittedLabel[] = [];
      for (const r of await rows<LabelRow>(c, 'SELECT * FROM labels WHERE run_id = $1 AND seq > $2 ORDER BY seq', [runId, afterSeq])) {
        // In order: a person's label still settling holds back the ones after it.
        if (r.annotator_id !== null && r.created_at > cutoff) break;
        taken.push(toCommitted(r));
      }
      if (taken.length > 0) await c.query('UPDATE runs SET used_label_seq = GREATEST(used_label_seq, $1) WHERE id = $2', [taken[taken.length - 1].seq, runId]);
      return taken;
    });
  }

  async withdrawLabel(runId: string, annotatorId: number, clientId: string): Promise<AssignedQuery> {
    const q = await this.tx(async (c): Promise<AssignedQuery> => {
      const run = await this.requireLockedRun(c, runId);
      const label = await row<LabelRow>(c, 'SELECT * FROM labels WHERE run_id = $1 AND client_id = $2', [runId, clientId]);
      if (!label || label.annotator_id !== annotatorId) throw noAnswerToWithdraw(clientId, runId);
      if (run.finished_at !== null) throw finishedRunConflict(runId);
      if (label.seq <= run.used_label_seq) throw usedLabelConflict(label.query_id);
      const now = new Date().toISOString();
      await c.query(`INSERT INTO withdrawn_labels (${LABEL_COLUMNS}, withdrawn_at) SELECT ${LABEL_COLUMNS}, $1 FROM labels WHERE seq = $2`, [now, label.seq]);
      await c.query('DELETE FROM labels WHERE seq = $1', [label.seq]);
      const stored = (await this.getQuery(c, runId, label.query_id))!;
      if (stored.kind === 'normal') await this.countPeople(c, runId, -1);
      // Back to the same person, first in their queue (gold pairs are not assigned: answering again is allowed by the label being gone).
      if (stored.kind === 'gold') {
        await c.query('UPDATE queries SET answered = 0 WHERE run_id = $1 AND id = $2 AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.run_id = queries.run_id AND l.query_id = queries.id)', [runId, stored.id]);
      } else {
        await c.query('UPDATE queries SET answered = 0, assigned_to = $1, assigned_at = $2 WHERE run_id = $3 AND id = $4', [annotatorId, now, runId, stored.id]);
      }
      // Read in the same transaction: a call whose undo committed must not fail afterwards (and be tried again).
      return this.assigned(c, runId, (await this.getQuery(c, runId, label.query_id))!);
    });
    return q;
  }

  async labelCounts(runId: string): Promise<Map<string, number>> {
    const counts = await rows<{ name: string; n: number }>(
      this.pool,
      'SELECT a.name AS name, COUNT(*) AS n FROM labels l JOIN annotators a ON a.id = l.annotator_id WHERE l.run_id = $1 GROUP BY a.id ORDER BY a.name',
      [runId],
    );
    return new Map(counts.map((r) => [r.name, r.n]));
  }

  async peopleLabelCounts(runId: string, annotatorId: number): Promise<{ labels: number; mine: number }> {
    // People's answers to the run's own pairs (repeats and gold pairs measure people; they are not
    // new labels): all of them from the run's counter (schema.ts, migration 2), this person's counted.
    const r = await row<{ labels: number; mine: number }>(
      this.pool,
      `SELECT COALESCE((SELECT n FROM run_people_labels WHERE run_id = $1), 0) AS labels,
              (SELECT COUNT(*) FROM labels l JOIN queries q ON q.run_id = l.run_id AND q.id = l.query_id
               WHERE l.run_id = $1 AND l.annotator_id = $2 AND q.kind = 'normal') AS mine`,
      [runId, annotatorId],
    );
    return { labels: r!.labels, mine: r!.mine };
  }

  /** Moves the run's count of people's answers to its own pairs (under the run's lock). */
  private async countPeople(c: pg.PoolClient, runId: string, delta: number): Promise<void> {
    await c.query('INSERT INTO run_people_labels (run_id, n) VALUES ($1, $2) ON CONFLICT (run_id) DO UPDATE SET n = run_people_labels.n + $2', [runId, delta]);
  }

  async openQueryCount(runId: string): Promise<number> {
    return (await row<{ n: number }>(this.pool, "SELECT COUNT(*) AS n FROM queries WHERE run_id = $1 AND answered = 0 AND kind = 'normal'", [runId]))!.n;
  }

  async agreement(runId: string): Promise<Agreement> {
    const facts = await rows<LabelFacts>(
      this.pool,
      `SELECT l.annotator_id AS "annotatorId", l.query_id AS "queryId", q.kind AS kind, l.answer AS answer, l.seconds AS seconds, q.gold_answer AS "goldAnswer",
         l.arm AS arm, l.critique IS NOT NULL AS critiqued, l.critique_response AS response,
         CASE WHEN q.kind = 'repeat' THEN (SELECT o.answer FROM labels o WHERE o.run_id = q.run_id AND o.query_id = q.repeat_of AND o.annotator_id = l.annotator_id ORDER BY o.seq LIMIT 1) END AS original
       FROM labels l JOIN queries q ON q.run_id = l.run_id AND q.id = l.query_id WHERE l.run_id = $1 ORDER BY l.seq`,
      [runId],
    );
    return agreementOf(await this.listAnnotators(), facts);
  }

  // ---- gold pairs ----

  async setGoldPair(runId: string, sourceQueryId: string, answer: Answer): Promise<GoldPair> {
    checkAnswer(answer, 'gold pair: ');
    const id = goldIdOf(sourceQueryId);
    await this.tx(async (c) => {
      await this.requireLockedRun(c, runId);
      const source = await this.getQuery(c, runId, sourceQueryId);
      if (!source) throw new NotFoundError(`no pair ${JSON.stringify(sourceQueryId)} in run ${runId}`);
      if (source.kind !== 'normal') throw new InvalidInputError(`${sourceQueryId} is a ${source.kind} pair; gold pairs are made from the run's own pairs`);
      const taken = await this.getQuery(c, runId, id);
      if (taken && taken.kind !== 'gold') throw goldIdTaken(id, taken.kind, runId);
      if (taken) await c.query("UPDATE queries SET gold_answer = $1 WHERE run_id = $2 AND id = $3 AND kind = 'gold'", [answer, runId, id]);
      else {
        const now = new Date().toISOString();
        await c.query(
          `INSERT INTO queries (run_id, id, left_id, right_id, asked_at_step, kind, repeat_of, gold_answer, created_at)
           VALUES ($1, $2, $3, $4, $5, 'gold', $6, $7, $8)`,
          [runId, id, source.left_id, source.right_id, source.asked_at_step, sourceQueryId, answer, now],
        );
      }
    });
    return (await this.goldPairs(runId)).find((g) => g.id === id)!;
  }

  async goldPairs(runId: string): Promise<GoldPair[]> {
    await this.requireRun(this.pool, runId);
    const gold = await rows<QueryRow & { n_answered: number; n_correct: number }>(
      this.pool,
      `SELECT q.*,
         (SELECT COUNT(*) FROM labels l WHERE l.run_id = q.run_id AND l.query_id = q.id) AS n_answered,
         (SELECT COUNT(*) FROM labels l WHERE l.run_id = q.run_id AND l.query_id = q.id AND l.answer = q.gold_answer) AS n_correct
       FROM queries q WHERE q.run_id = $1 AND q.kind = 'gold' ORDER BY q.seq`,
      [runId],
    );
    return gold.map((q) => ({ id: q.id, sourceQueryId: q.repeat_of, answer: q.gold_answer, createdAt: q.created_at, answered: q.n_answered, correct: q.gold_answer === null ? 0 : q.n_correct }));
  }

  async loadPair(runId: string, queryId: string): Promise<AssignedQuery> {
    const r = await this.getQuery(this.pool, runId, queryId);
    if (!r) throw new NotFoundError(`no pair ${JSON.stringify(queryId)} in run ${runId}`);
    return this.assigned(this.pool, runId, r);
  }

  async recentPairs(runId: string, limit: number): Promise<PairSummary[]> {
    await this.requireRun(this.pool, runId);
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidInputError(`limit must be a whole number >= 1 (got ${limit})`);
    const pairs = await rows<QueryRow & { answers: { by: string; answer: Answer }[]; is_gold: boolean }>(
      this.pool,
      `SELECT q.*,
         COALESCE((SELECT json_agg(json_build_object('by', l.teacher, 'answer', l.answer) ORDER BY l.seq) FROM labels l WHERE l.run_id = q.run_id AND l.query_id = q.id), '[]') AS answers,
         EXISTS (SELECT 1 FROM queries g WHERE g.run_id = q.run_id AND g.id = $3 || q.id AND g.kind = 'gold') AS is_gold
       FROM queries q WHERE q.run_id = $1 AND q.kind = 'normal' ORDER BY q.seq DESC LIMIT $2`,
      [runId, limit, goldIdOf('')],
    );
    return pairs.map((q) => ({ queryId: q.id, askedAtStep: q.asked_at_step, answers: q.answers, goldId: q.is_gold ? goldIdOf(q.id) : null }));
  }

  // ---- metrics ----

  async appendMetrics(runId: string, metrics: MetricsRow): Promise<void> {
    // One commit for the row and the run's progress (labels people submit are stamped with it);
    // under the run's lock, so metrics' seq follows commit order like labels'.
    await this.tx(async (c) => {
      await this.requireLockedRun(c, runId);
      await c.query('INSERT INTO metrics (run_id, env_steps, data) VALUES ($1, $2, $3)', [runId, metrics.envSteps, JSON.stringify(metrics)]);
      await c.query('UPDATE runs SET env_steps = $1 WHERE id = $2', [metrics.envSteps, runId]);
    });
  }

  async truncateMetrics(runId: string, envSteps: number): Promise<void> {
    await this.tx(async (c) => {
      await this.requireLockedRun(c, runId);
      await c.query('DELETE FROM metrics WHERE run_id = $1 AND env_steps > $2', [runId, envSteps]);
      await c.query('UPDATE runs SET env_steps = $1 WHERE id = $2', [envSteps, runId]);
    });
  }

  async metricsSince(runId: string, afterSeq: number): Promise<{ seq: number; row: Record<string, unknown> }[]> {
    const found = await rows<{ seq: number; data: string }>(this.pool, 'SELECT seq, data FROM metrics WHERE run_id = $1 AND seq > $2 ORDER BY seq', [runId, afterSeq]);
    return found.map((r) => ({ seq: r.seq, row: JSON.parse(r.data) as Record<string, unknown> }));
  }

  // ---- reports ----

  async putRunReport(runId: string, kind: string, body: unknown): Promise<RunReportInfo> {
    const r = reportText(kind, body);
    const createdAt = new Date().toISOString();
    await this.requireRun(this.pool, runId);
    await this.pool.query(
      'INSERT INTO run_reports (run_id, kind, created_at, body) VALUES ($1, $2, $3, $4) ON CONFLICT (run_id, kind) DO UPDATE SET created_at = EXCLUDED.created_at, body = EXCLUDED.body',
      [runId, r.kind, createdAt, r.text],
    );
    return { kind: r.kind, createdAt, bytes: r.bytes };
  }

  async getRunReport(runId: string, kind: string): Promise<RunReport | null> {
    await this.requireRun(this.pool, runId);
    const r = await row<{ kind: string; created_at: string; body: string }>(this.pool, 'SELECT kind, created_at, body FROM run_reports WHERE run_id = $1 AND kind = $2', [runId, kind]);
    return r ? { kind: r.kind, createdAt: r.created_at, bytes: Buffer.byteLength(r.body), body: JSON.parse(r.body) as unknown } : null;
  }

  async listRunReports(runId: string): Promise<RunReportInfo[]> {
    await this.requireRun(this.pool, runId);
    const found = await rows<{ kind: string; created_at: string; bytes: number }>(this.pool, 'SELECT kind, created_at, octet_length(body)::int AS bytes FROM run_reports WHERE run_id = $1 ORDER BY kind', [runId]);
    return found.map((r) => ({ kind: r.kind, createdAt: r.created_at, bytes: r.bytes }));
  }

  // ---- debate games ----

  async putDebateGame(runId: string, game: NewDebateGame): Promise<{ game: DebateGame; duplicate: boolean }> {
    const g = checkDebateGame(game);
    return this.tx(async (c) => {
      // Under the run's lock: games' seq follows commit order, and one id is stored once.
      const run = await this.requireLockedRun(c, runId);
      // A resubmission (its response was lost) is answered even after the run has finished.
      const stored = await row<DebateGameRow>(c, 'SELECT * FROM debate_games WHERE run_id = $1 AND id = $2', [runId, g.id]);
      if (stored) {
        const same = toDebateGame(stored);
        if (!sameDebateGame(same, g)) throw debateGameConflict(g.id, runId);
        return { game: same, duplicate: true };
      }
      const who = g.annotatorId === null ? undefined : await row<AnnotatorRow>(c, 'SELECT * FROM annotators WHERE id = $1', [g.annotatorId]);
      if (g.annotatorId !== null && !who) throw new ForbiddenError(`no annotator ${g.annotatorId}`);
      if (run.finished_at !== null) throw finishedRunConflict(runId, `debate game ${g.id}`);
      const createdAt = new Date().toISOString();
      const annotator = who?.name ?? null;
      const { seq } = (await row<{ seq: number }>(c, INSERT_GAME, debateGameValues(runId, g, g.annotatorId, annotator, createdAt)))!;
      return { game: { ...g, seq, createdAt, annotator }, duplicate: false };
    });
  }

  async debateGames(runId: string): Promise<DebateGame[]> {
    await this.requireRun(this.pool, runId);
    return (await rows<DebateGameRow>(this.pool, 'SELECT * FROM debate_games WHERE run_id = $1 ORDER BY seq', [runId])).map(toDebateGame);
  }

  /** An exported game, stored with its person's name and its time (import; inside its transaction, the run locked). */
  private async putImportedGameOn(c: pg.PoolClient, runId: string, game: ExportedDebateGame): Promise<void> {
    const g = checkImportedGame(game);
    if (await row(c, 'SELECT 1 FROM debate_games WHERE run_id = $1 AND id = $2', [runId, g.id])) throw debateGameConflict(g.id, runId);
    await c.query(INSERT_GAME, debateGameValues(runId, g, null, g.annotator, g.createdAt));
  }

  private getQuery(db: Db, runId: string, id: string): Promise<QueryRow | undefined> {
    return row<QueryRow>(db, 'SELECT * FROM queries WHERE run_id = $1 AND id = $2', [runId, id]);
  }
}

