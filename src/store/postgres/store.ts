/**
 * The project store on PostgreSQL, for many annotators and several app servers sharing one
 * database (`--db postgres://…`). The rules are the SQLite store's (`rules.ts`, the contract
 * suite); the SQL and the locking are PostgreSQL's (`backend.ts`), run on a thread of their own
 * and called synchronously through `bridge.ts`, so every caller of `ProjectStore` works
 * unchanged.
 */
import type { Segment, SegmentTruth } from '../../prefs/segments.js';
import type { PreferenceStore } from '../../prefs/store.js';
import type { Answer } from '../../prefs/teachers.js';
import {
  CONCURRENT_CALLS,
  NotFoundError,
  type ConcurrentCalls,
  ProjectRunStore,
  type Agreement,
  type Annotator,
  type AssignedQuery,
  type CommittedLabel,
  type DebateGame,
  type GoldPair,
  type LabelSubmission,
  type MetricsRow,
  type NewAnnotatorOptions,
  type NewDebateGame,
  type NewQuery,
  type NewRun,
  type PairSummary,
  type ProjectStore,
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
import { SyncThread } from './bridge.js';
import { reportText } from '../rules.js';
import type { ProjectTable, RawRow, RawTables } from '../move.js';
import type { StoreOptions } from '../sqlite.js';

/** Methods of the store the backend answers (all but the ones the facade answers itself). */
export type BackendMethod = Exclude<keyof ProjectStore, 'location' | 'concurrent' | 'runStore' | 'close'>;

/** The backend: each store method, asynchronous; plus opening (connect, migrate) and closing. */
export type Backend = { [K in BackendMethod]: (...args: Parameters<ProjectStore[K]>) => Promise<ReturnType<ProjectStore[K]>> } & {
  open(): Promise<void>;
  close(): Promise<void>;
};

export interface PgInit {
  url: string;
  repeatEvery?: number;
  goldEvery?: number;
  /** A schema to create if missing and keep everything in (its search_path); default the database's own (public). */
  schema?: string;
  /** How long a call waits for a database that went away after it was opened (reconnect.ts). */
  reconnectMs?: number;
}

/** The store's options, and the schema to use (see `PgInit.schema`). */
export type PgStoreOptions = StoreOptions & { schema?: string };

/** Whether a project names a PostgreSQL database (a postgres:// or postgresql:// URL) rather than a directory. */
export const isPostgresUrl = (target: string) => /^postgres(ql)?:\/\//i.test(target);

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an unreadable PostgreSQL URL';
  }
}

/** Opens (migrating if needed) the project database at a PostgreSQL URL. */
export function openPgProject(url: string, options: StoreOptions = {}): PgProjectStore {
  return new PgProjectStore(url, options);
}

export class PgProjectStore implements ProjectStore, RawTables {
  readonly location: string;
  readonly concurrent: ConcurrentCalls;
  private readonly thread: SyncThread;

  constructor(url: string, options: PgStoreOptions = {}) {
    this.location = redactUrl(url);
    const init: PgInit = { url, repeatEvery: options.repeatEvery, goldEvery: options.goldEvery, ...(options.schema ? { schema: options.schema } : {}) };
    this.thread = new SyncThread(new URL('./worker.js', import.meta.url), init, `the PostgreSQL store at ${this.location}`);
    try {
      this.thread.call('open');
    } catch (e) {
      this.thread.close();
      throw e;
    }
    this.concurrent = Object.fromEntries(CONCURRENT_CALLS.map((m) => [m, (...args: unknown[]) => this.thread.callAsync(m, args)])) as unknown as ConcurrentCalls;
  }

  private call<K extends BackendMethod>(method: K, ...args: Parameters<ProjectStore[K]>): ReturnType<ProjectStore[K]> {
    return this.thread.call(method, args);
  }

  createRun(run: NewRun): RunRecord {
    return this.call('createRun', run);
  }
  getRun(id: string): RunRecord | null {
    return this.call('getRun', id);
  }
  listRuns(): RunRecord[] {
    return this.call('listRuns');
  }
  finishRun(runId: string): RunRecord {
    return this.call('finishRun', runId);
  }
  setEnvSteps(runId: string, envSteps: number): void {
    this.call('setEnvSteps', runId, envSteps);
  }
  setRunState(runId: string, progress: RunProgress): void {
    this.call('setRunState', runId, progress);
  }
  setGuidelines(runId: string, guidelines: string): RunRecord {
    return this.call('setGuidelines', runId, guidelines);
  }
  runStore(runId: string): PreferenceStore {
    if (!this.getRun(runId)) throw new NotFoundError(`no run ${JSON.stringify(runId)} in ${this.location}`);
    return new ProjectRunStore(this, runId);
  }
  importRuns(runs: readonly { run: NewRun; contents: RunContents }[]): void {
    this.call('importRuns', runs);
  }
  putSegments(runId: string, items: readonly { segment: Segment; truth?: SegmentTruth }[]): void {
    this.call('putSegments', runId, items);
  }
  putQueries(runId: string, queries: readonly NewQuery[]): void {
    this.call('putQueries', runId, queries);
  }
  putLabel(runId: string, label: StoredLabel): StoredLabel {
    return this.call('putLabel', runId, label);
  }
  getSegment(runId: string, id: string): Segment | null {
    return this.call('getSegment', runId, id);
  }
  latestSegment(runId: string): Segment | null {
    return this.call('latestSegment', runId);
  }
  loadRun(runId: string): StoreContents {
    return this.call('loadRun', runId);
  }
  queryKinds(runId: string): Map<string, QueryKind> {
    return this.call('queryKinds', runId);
  }
  addAnnotator(name: string, role?: Role, options?: NewAnnotatorOptions): { annotator: Annotator; token: string } {
    return this.call('addAnnotator', name, role, options);
  }
  annotatorByToken(token: string): Annotator | null {
    return this.call('annotatorByToken', token);
  }
  revokeAnnotator(name: string): Annotator {
    return this.call('revokeAnnotator', name);
  }
  listAnnotators(): Annotator[] {
    return this.call('listAnnotators');
  }
  assignQueries(runId: string, annotatorId: number, n: number, leaseSeconds?: number): AssignedQuery[] {
    return this.call('assignQueries', runId, annotatorId, n, leaseSeconds);
  }
  submitLabel(submission: LabelSubmission): SubmitResult {
    return this.call('submitLabel', submission);
  }
  labelsSince(runId: string, afterSeq: number): CommittedLabel[] {
    return this.call('labelsSince', runId, afterSeq);
  }
  takeLabels(runId: string, afterSeq: number, settledBefore: Date): CommittedLabel[] {
    return this.call('takeLabels', runId, afterSeq, settledBefore);
  }
  withdrawLabel(runId: string, annotatorId: number, clientId: string): AssignedQuery {
    return this.call('withdrawLabel', runId, annotatorId, clientId);
  }
  labelCounts(runId: string): Map<string, number> {
    return this.call('labelCounts', runId);
  }
  peopleLabelCounts(runId: string, annotatorId: number): { labels: number; mine: number } {
    return this.call('peopleLabelCounts', runId, annotatorId);
  }
  openQueryCount(runId: string): number {
    return this.call('openQueryCount', runId);
  }
  agreement(runId: string): Agreement {
    return this.call('agreement', runId);
  }
  setGoldPair(runId: string, sourceQueryId: string, answer: Answer): GoldPair {
    return this.call('setGoldPair', runId, sourceQueryId, answer);
  }
  goldPairs(runId: string): GoldPair[] {
    return this.call('goldPairs', runId);
  }
  loadPair(runId: string, queryId: string): AssignedQuery {
    return this.call('loadPair', runId, queryId);
  }
  recentPairs(runId: string, limit: number): PairSummary[] {
    return this.call('recentPairs', runId, limit);
  }
  appendMetrics(runId: string, row: MetricsRow): void {
    this.call('appendMetrics', runId, row);
  }
  metricsSince(runId: string, afterSeq: number): { seq: number; row: Record<string, unknown> }[] {
    return this.call('metricsSince', runId, afterSeq);
  }
  truncateMetrics(runId: string, envSteps: number): void {
    this.call('truncateMetrics', runId, envSteps);
  }
  putRunReport(runId: string, kind: string, body: unknown): RunReportInfo {
    // Made JSON here, as the other stores do (toJSON, functions dropped, refusals on this thread); what crosses to the worker is plain data.
    const r = reportText(kind, body);
    return this.call('putRunReport', runId, r.kind, JSON.parse(r.text) as unknown);
  }
  getRunReport(runId: string, kind: string): RunReport | null {
    return this.call('getRunReport', runId, kind);
  }
  listRunReports(runId: string): RunReportInfo[] {
    return this.call('listRunReports', runId);
  }
  putDebateGame(runId: string, game: NewDebateGame): { game: DebateGame; duplicate: boolean } {
    return this.call('putDebateGame', runId, game);
  }
  debateGames(runId: string): DebateGame[] {
    return this.call('debateGames', runId);
  }
  rawRows(table: ProjectTable): RawRow[] {
    // A whole table of a large project: longer than a call may usually take.
    return this.thread.call('rawRows', [table], 3_600_000);
  }
  restoreRows(tables: readonly { table: ProjectTable; rows: RawRow[] }[]): void {
    // A whole project: minutes for a large one, not the minute a call may take.
    this.thread.call('restoreRows', [tables], 3_600_000);
  }
  close(): void {
    this.thread.close();
  }
}
