/**
 * A `ProjectStore` in memory, for unit tests of the loop, the server and the CLI plumbing: the
 * same rules as the database (the contract suite runs on both), nothing kept after the
 * process. Stored arrays are copies, so a caller changing its own afterwards changes nothing
 * stored, as with a database.
 */
import { segmentMeta, type Segment, type SegmentTruth } from '../prefs/segments.js';
import type { PreferenceStore } from '../prefs/store.js';
import type { Answer } from '../prefs/teachers.js';
import { agreementOf, annotatorName, checkAnswer, checkAnswerable, checkAssistance, checkDebateGame, checkGuidelines, checkImportedGame, checkProgress, debateGameConflict, sameDebateGame, tokenExpiry, tokenLive, finishedRunConflict, goldDue, goldIdOf, goldIdTaken, checkRunId, checkSameQuery, checkSubmission, dueRepeatId, hashToken, MAX_TOKEN_LENGTH, newToken, noAnswerToWithdraw, reportText, segmentConflict, storedLabel, storeRuns, usedLabelConflict, withdrawnConflict } from './rules.js';
import { checkSegment, sameSegment, type SegmentWithTruth } from './segmentCodec.js';
import {
  ConflictError,
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
  type StoredQuery,
  type SubmitResult,
} from './store.js';

interface QueryState extends StoredQuery {
  seq: number;
  kind: QueryKind;
  assignedTo: number | null;
  /** Milliseconds since the epoch. */
  assignedAt: number | null;
  answered: boolean;
  /** A repeat's original, or the pair a gold pair was made from. */
  repeatOf: string | null;
  goldAnswer: Answer | null;
  createdAt: string;
}

interface LabelState extends StoredLabel {
  seq: number;
  annotatorId: number | null;
  clientId: string | null;
}

interface RunState {
  record: RunRecord;
  segments: Map<string, SegmentWithTruth>;
  queries: Map<string, QueryState>;
  labels: LabelState[];
  /** Answers people undid (kept, not counted). */
  withdrawn: (LabelState & { withdrawnAt: string })[];
  /** The last label the run has taken for training. */
  usedLabelSeq: number;
  metrics: { seq: number; row: Record<string, unknown> }[];
  /** Reports by kind, as JSON text. */
  reports: Map<string, { createdAt: string; text: string }>;
  /** Debate games in the order stored. */
  games: DebateGame[];
}

export class MemoryProjectStore implements ProjectStore {
  readonly location = 'memory';
  private readonly runs = new Map<string, RunState>();
  private readonly annotators: (Annotator & { tokenHash: string })[] = [];
  /** One sequence per table over all runs, as in the database. */
  private seq = { query: 0, label: 0, metrics: 0, debateGame: 0 };

  /**
   * @param repeatEvery every this many labels an annotator sees an answered pair again (0: never).
   * @param goldEvery after every this many answers to the run's pairs an annotator is handed a gold pair (0: never).
   */
  constructor(
    readonly repeatEvery = DEFAULT_REPEAT_EVERY,
    readonly goldEvery = DEFAULT_GOLD_EVERY,
  ) {}

  // ---- runs ----

  createRun(run: NewRun): RunRecord {
    checkRunId(run.id);
    if (this.runs.has(run.id)) throw new ConflictError(`run ${JSON.stringify(run.id)} already exists in ${this.location}`);
    const record: RunRecord = {
      id: run.id,
      envId: run.envId,
      instructions: run.instructions ?? '',
      labelBudget: run.labelBudget ?? null,
      config: structuredClone(run.config ?? {}),
      renderSpec: run.renderSpec ? structuredClone(run.renderSpec) : null,
      envSteps: 0,
      createdAt: new Date().toISOString(),
      finishedAt: null,
      guidelines: checkGuidelines(run.guidelines ?? ''),
      phase: null,
      waitingForLabels: null,
    };
    this.runs.set(run.id, { record, segments: new Map(), queries: new Map(), labels: [], withdrawn: [], usedLabelSeq: 0, metrics: [], reports: new Map(), games: [] });
    return this.getRun(run.id)!;
  }

  getRun(id: string): RunRecord | null {
    const r = this.runs.get(id);
    return r ? structuredClone(r.record) : null;
  }

  listRuns(): RunRecord[] {
    return [...this.runs.values()]
      .map((r) => structuredClone(r.record))
      .sort((a, b) => (a.createdAt === b.createdAt ? compare(a.id, b.id) : compare(a.createdAt, b.createdAt)));
  }

  setEnvSteps(runId: string, envSteps: number): void {
    this.run(runId).record.envSteps = envSteps;
  }

  setRunState(runId: string, progress: RunProgress): void {
    checkProgress(progress);
    const { record } = this.run(runId);
    record.phase = progress.phase;
    record.waitingForLabels = progress.waitingForLabels;
  }

  setGuidelines(runId: string, guidelines: string): RunRecord {
    const text = checkGuidelines(guidelines);
    const { record } = this.run(runId);
    record.guidelines = text;
    return structuredClone(record);
  }

  finishRun(runId: string): RunRecord {
    const run = this.run(runId);
    run.record.finishedAt ??= new Date().toISOString();
    return structuredClone(run.record);
  }

  runStore(runId: string): PreferenceStore {
    this.run(runId);
    return new ProjectRunStore(this, runId);
  }

  importRuns(runs: readonly { run: NewRun; contents: RunContents }[]): void {
    for (const { run } of runs) if (this.runs.has(run.id)) throw new ConflictError(`run ${JSON.stringify(run.id)} already exists in ${this.location}`);
    // All or nothing: a rehearsal in an empty store meets any problem in the data before anything is stored here.
    const rehearsal = new MemoryProjectStore(0, 0);
    storeRuns(rehearsal, runs, (runId, game) => rehearsal.putImportedGame(runId, game));
    storeRuns(this, runs, (runId, game) => this.putImportedGame(runId, game));
  }

  // ---- segments, queries and labels of one run ----

  putSegments(runId: string, items: readonly { segment: Segment; truth?: SegmentTruth }[]): void {
    const run = this.run(runId);
    const fresh = new Map<string, SegmentWithTruth>();
    for (const item of items) {
      checkSegment(item.segment, item.truth);
      const stored = run.segments.get(item.segment.id) ?? fresh.get(item.segment.id);
      if (stored) {
        if (!sameSegment(stored, item)) throw segmentConflict(item.segment.id, runId);
        continue;
      }
      fresh.set(item.segment.id, copySegment(item));
    }
    for (const [id, s] of fresh) run.segments.set(id, s);
  }

  putQueries(runId: string, queries: readonly NewQuery[]): void {
    const run = this.run(runId);
    const fresh = new Map<string, QueryState>();
    for (const q of queries) {
      const stored = run.queries.get(q.id) ?? fresh.get(q.id);
      if (stored) {
        checkSameQuery(stored, q, runId);
        continue;
      }
      for (const id of [q.leftId, q.rightId]) {
        if (!run.segments.has(id)) throw new InvalidInputError(`query ${q.id} names segment ${id}, which is not stored for run ${runId}`);
      }
      if (q.goldAnswer !== undefined && q.goldAnswer !== null) {
        if (q.kind !== 'gold') throw new InvalidInputError(`query ${q.id}: only a gold pair has a known answer`);
        checkAnswer(q.goldAnswer, `gold pair ${q.id}: `);
      }
      fresh.set(q.id, { id: q.id, leftId: q.leftId, rightId: q.rightId, askedAtStep: q.askedAtStep, kind: q.kind ?? 'normal', seq: 0, assignedTo: null, assignedAt: null, answered: false, repeatOf: null, goldAnswer: q.goldAnswer ?? null, createdAt: new Date().toISOString() });
    }
    for (const [id, q] of fresh) run.queries.set(id, { ...q, seq: ++this.seq.query });
  }

  putLabel(runId: string, label: StoredLabel): StoredLabel {
    checkAnswer(label.answer, `label for ${label.queryId}: `);
    checkAssistance(label.assistance, `label for ${label.queryId}: `);
    const run = this.run(runId);
    if (label.clientId) {
      const same = run.labels.find((l) => l.clientId === label.clientId);
      if (same) {
        if (same.queryId !== label.queryId) throw new ConflictError(`client id ${label.clientId} was already used for a label of ${same.queryId}`);
        return storedLabel(same);
      }
    }
    const q = run.queries.get(label.queryId);
    if (!q) throw new NotFoundError(`label for ${label.queryId}: no such query in run ${runId}`);
    if (q.leftId !== label.leftId || q.rightId !== label.rightId) throw new InvalidInputError(`label for ${label.queryId} names other segments than the query`);
    // A label already stored wins; gold pairs take every person's answer.
    const first = run.labels.find((l) => l.queryId === label.queryId);
    if (first && !(q.kind === 'gold' && label.clientId)) return storedLabel(first);
    const stored = storedLabel(label);
    run.labels.push({ ...stored, seq: ++this.seq.label, annotatorId: null, clientId: label.clientId ?? null });
    q.answered = true;
    return stored;
  }

  getSegment(runId: string, id: string): Segment | null {
    const stored = this.runs.get(runId)?.segments.get(id);
    return stored ? copySegment(stored).segment : null;
  }

  latestSegment(runId: string): Segment | null {
    const sorted = this.sortedSegments(runId);
    return sorted.length > 0 ? copySegment(sorted[sorted.length - 1]).segment : null;
  }

  loadRun(runId: string): StoreContents {
    const segments = new Map<string, Segment>();
    const truths = new Map<string, SegmentTruth>();
    for (const stored of this.sortedSegments(runId)) {
      const { segment, truth } = copySegment(stored);
      segments.set(segment.id, segment);
      if (truth) truths.set(segment.id, truth);
    }
    const run = this.runs.get(runId);
    const queries = run ? this.sortedQueries(run).map(({ id, leftId, rightId, askedAtStep }) => ({ id, leftId, rightId, askedAtStep })) : [];
    const labels = run ? run.labels.map(storedLabel) : [];
    return { segments, truths, queries, labels };
  }

  queryKinds(runId: string): Map<string, QueryKind> {
    return new Map([...(this.runs.get(runId)?.queries.values() ?? [])].map((q) => [q.id, q.kind]));
  }

  // ---- annotators ----

  addAnnotator(name: string, role: Role = 'annotator', options: NewAnnotatorOptions = {}): { annotator: Annotator; token: string } {
    const clean = annotatorName(name);
    const expiresAt = tokenExpiry(options.expiresAt);
    if (this.annotators.some((a) => a.name === clean)) throw new ConflictError(`annotator ${JSON.stringify(clean)} already exists`);
    const token = newToken();
    const annotator: Annotator = { id: this.annotators.length + 1, name: clean, role, createdAt: new Date().toISOString(), expiresAt, revokedAt: null };
    this.annotators.push({ ...annotator, tokenHash: hashToken(token) });
    return { annotator, token };
  }

  annotatorByToken(token: string): Annotator | null {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    const hash = hashToken(token);
    const found = this.annotators.find((a) => a.tokenHash === hash);
    return found && tokenLive(found) ? toAnnotator(found) : null;
  }

  revokeAnnotator(name: string): Annotator {
    const clean = typeof name === 'string' ? name.trim() : '';
    const found = this.annotators.find((a) => a.name === clean);
    if (!found) throw new NotFoundError(`no annotator ${JSON.stringify(clean)} in ${this.location}`);
    found.revokedAt ??= new Date().toISOString();
    return toAnnotator(found);
  }

  listAnnotators(): Annotator[] {
    return this.annotators.map(toAnnotator);
  }

  // ---- labeling ----

  assignQueries(runId: string, annotatorId: number, n: number, leaseSeconds = DEFAULT_LEASE_SECONDS): AssignedQuery[] {
    if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`ask for at least one query (got ${n})`);
    const run = this.run(runId);
    if (run.record.finishedAt !== null) return [];
    const now = Date.now();
    this.maybeRepeat(run, annotatorId, now);
    const open = this.sortedQueries(run).filter((q) => !q.answered);
    const mine = open.filter((q) => q.assignedTo === annotatorId).slice(0, n);
    const gold = mine.length < n ? this.dueGold(run, annotatorId) : undefined;
    if (gold) mine.push(gold);
    const expired = now - leaseSeconds * 1000;
    const fresh = mine.length >= n ? [] : open.filter((q) => q.kind === 'normal' && (q.assignedTo === null || (q.assignedTo !== annotatorId && q.assignedAt! <= expired))).slice(0, n - mine.length);
    for (const q of fresh) {
      q.assignedTo = annotatorId;
      q.assignedAt = now;
    }
    return [...mine, ...fresh].map((q) => this.assigned(runId, q));
  }

  private assigned(runId: string, q: QueryState): AssignedQuery {
    return { query: { id: q.id, leftId: q.leftId, rightId: q.rightId, askedAtStep: q.askedAtStep, kind: q.kind }, left: this.getSegment(runId, q.leftId)!, right: this.getSegment(runId, q.rightId)! };
  }

  /** The oldest gold pair this annotator has not answered, when one is due (see `goldDue`). */
  private dueGold(run: RunState, annotatorId: number): QueryState | undefined {
    if (this.goldEvery <= 0) return undefined;
    const mine = run.labels.filter((l) => l.annotatorId === annotatorId);
    const kindOf = (l: LabelState) => run.queries.get(l.queryId)!.kind;
    const lastGold = Math.max(0, ...mine.filter((l) => kindOf(l) === 'gold').map((l) => l.seq));
    if (!goldDue(mine.filter((l) => kindOf(l) === 'normal' && l.seq > lastGold).length, this.goldEvery)) return undefined;
    const answered = new Set(mine.map((l) => l.queryId));
    // Not one made from a pair this person answered: that would test memory.
    return this.sortedQueries(run).find((q) => q.kind === 'gold' && !answered.has(q.id) && !(q.repeatOf !== null && answered.has(q.repeatOf)));
  }

  private maybeRepeat(run: RunState, annotatorId: number, now: number): void {
    const done = run.labels.filter((l) => l.annotatorId === annotatorId).length;
    const id = dueRepeatId(annotatorId, done, this.repeatEvery);
    if (id === null || run.queries.has(id)) return;
    const mine = new Set(run.labels.filter((l) => l.annotatorId === annotatorId).map((l) => l.queryId));
    const answered = [...run.queries.values()].filter((q) => q.kind === 'normal' && q.answered && mine.has(q.id));
    if (answered.length === 0) return;
    const original = answered[Math.floor(Math.random() * answered.length)];
    run.queries.set(id, {
      id,
      leftId: original.rightId,
      rightId: original.leftId,
      askedAtStep: original.askedAtStep,
      kind: 'repeat',
      seq: ++this.seq.query,
      assignedTo: annotatorId,
      assignedAt: now,
      answered: false,
      repeatOf: original.id,
      goldAnswer: null,
      createdAt: new Date(now).toISOString(),
    });
  }

  submitLabel(sub: LabelSubmission): SubmitResult {
    checkSubmission(sub);
    const assistance = checkAssistance(sub.assistance, '');
    const existing = this.runs.get(sub.runId)?.labels.find((l) => l.clientId === sub.clientId);
    if (existing) {
      if (existing.queryId !== sub.queryId || existing.annotatorId !== sub.annotatorId) throw new ConflictError(`client id ${sub.clientId} was already used for another label`);
      return { label: { ...storedLabel(existing), seq: existing.seq, clientId: sub.clientId }, duplicate: true };
    }
    if (this.runs.get(sub.runId)?.withdrawn.some((l) => l.clientId === sub.clientId)) throw withdrawnConflict(sub.clientId);
    const annotator = this.annotators.find((a) => a.id === sub.annotatorId);
    if (!annotator) throw new ForbiddenError(`no annotator ${sub.annotatorId}`);
    const run = this.runs.get(sub.runId);
    if (!run) throw new NotFoundError(`no run ${JSON.stringify(sub.runId)}`);
    if (run.record.finishedAt !== null) throw finishedRunConflict(sub.runId);
    const q = run.queries.get(sub.queryId);
    if (!q) throw new NotFoundError(`no query ${JSON.stringify(sub.queryId)} in run ${sub.runId}`);
    const goldBefore = q.kind === 'gold' && run.labels.some((l) => l.queryId === q.id && l.annotatorId === sub.annotatorId);
    checkAnswerable({ id: q.id, kind: q.kind, assignedTo: q.assignedTo, answered: Boolean(q.answered) }, sub, annotator.name, goldBefore);
    const label = {
      queryId: q.id,
      leftId: q.leftId,
      rightId: q.rightId,
      answer: sub.answer,
      teacher: annotator.name,
      seconds: sub.seconds,
      receivedAtStep: run.record.envSteps,
      createdAt: new Date().toISOString(),
      ...(assistance ? { assistance } : {}),
      seq: ++this.seq.label,
      clientId: sub.clientId,
    };
    run.labels.push({ ...label, annotatorId: sub.annotatorId });
    q.answered = true;
    return { label: { ...storedLabel(label), seq: label.seq, clientId: label.clientId }, duplicate: false };
  }

  labelsSince(runId: string, afterSeq: number): CommittedLabel[] {
    return (this.runs.get(runId)?.labels ?? []).filter((l) => l.seq > afterSeq).map((l) => ({ ...storedLabel(l), seq: l.seq, clientId: l.clientId }));
  }

  takeLabels(runId: string, afterSeq: number, settledBefore: Date): CommittedLabel[] {
    const run = this.run(runId);
    const cutoff = settledBefore.toISOString();
    const taken: CommittedLabel[] = [];
    for (const l of run.labels) {
      if (l.seq <= afterSeq) continue;
      // In order: a person's label still settling holds back the ones after it.
      if (l.annotatorId !== null && l.createdAt > cutoff) break;
      taken.push({ ...storedLabel(l), seq: l.seq, clientId: l.clientId });
    }
    if (taken.length > 0) run.usedLabelSeq = Math.max(run.usedLabelSeq, taken[taken.length - 1].seq);
    return taken;
  }

  withdrawLabel(runId: string, annotatorId: number, clientId: string): AssignedQuery {
    const run = this.run(runId);
    const i = run.labels.findIndex((l) => l.clientId === clientId);
    const label = run.labels[i];
    if (!label || label.annotatorId !== annotatorId) throw noAnswerToWithdraw(clientId, runId);
    if (run.record.finishedAt !== null) throw finishedRunConflict(runId);
    if (label.seq <= run.usedLabelSeq) throw usedLabelConflict(label.queryId);
    run.labels.splice(i, 1);
    run.withdrawn.push({ ...label, withdrawnAt: new Date().toISOString() });
    const q = run.queries.get(label.queryId)!;
    if (q.kind === 'gold') q.answered = run.labels.some((l) => l.queryId === q.id);
    else Object.assign(q, { answered: false, assignedTo: annotatorId, assignedAt: Date.now() });
    return this.assigned(runId, q);
  }

  labelCounts(runId: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const a of [...this.annotators].sort((x, y) => compare(x.name, y.name))) {
      const n = this.labelsBy(runId, a.id);
      if (n > 0) counts.set(a.name, n);
    }
    return counts;
  }

  peopleLabelCounts(runId: string, annotatorId: number): { labels: number; mine: number } {
    const run = this.runs.get(runId);
    // Repeats and gold pairs measure people; they are not new labels.
    const normal = (run?.labels ?? []).filter((l) => l.annotatorId !== null && run!.queries.get(l.queryId)!.kind === 'normal');
    return { labels: normal.length, mine: normal.filter((l) => l.annotatorId === annotatorId).length };
  }

  openQueryCount(runId: string): number {
    return [...(this.runs.get(runId)?.queries.values() ?? [])].filter((q) => q.kind === 'normal' && !q.answered).length;
  }

  agreement(runId: string): Agreement {
    const run = this.runs.get(runId);
    const labels = run?.labels ?? [];
    return agreementOf(
      this.annotators,
      labels.map((l) => {
        const q = run!.queries.get(l.queryId)!;
        // A repeat measures its person against their own first answer (after an undo, the original may have gone to someone else).
        const original = q.kind === 'repeat' ? (labels.find((o) => o.queryId === q.repeatOf && o.annotatorId === l.annotatorId)?.answer ?? null) : null;
        const assistance = l.assistance ?? null;
        return { annotatorId: l.annotatorId, queryId: l.queryId, kind: q.kind, answer: l.answer, seconds: l.seconds, original, goldAnswer: q.goldAnswer, arm: assistance?.arm ?? null, critiqued: (assistance?.critique ?? null) !== null, response: assistance?.response ?? null };
      }),
    );
  }

  // ---- gold pairs ----

  setGoldPair(runId: string, sourceQueryId: string, answer: Answer): GoldPair {
    checkAnswer(answer, 'gold pair: ');
    const run = this.run(runId);
    const source = run.queries.get(sourceQueryId);
    if (!source) throw new NotFoundError(`no pair ${JSON.stringify(sourceQueryId)} in run ${runId}`);
    if (source.kind !== 'normal') throw new InvalidInputError(`${sourceQueryId} is a ${source.kind} pair; gold pairs are made from the run's own pairs`);
    const id = goldIdOf(sourceQueryId);
    const stored = run.queries.get(id);
    if (stored && stored.kind !== 'gold') throw goldIdTaken(id, stored.kind, runId);
    if (stored) stored.goldAnswer = answer;
    else {
      const { leftId, rightId, askedAtStep } = source;
      run.queries.set(id, { id, leftId, rightId, askedAtStep, kind: 'gold', seq: ++this.seq.query, assignedTo: null, assignedAt: null, answered: false, repeatOf: sourceQueryId, goldAnswer: answer, createdAt: new Date().toISOString() });
    }
    return this.goldPairs(runId).find((g) => g.id === id)!;
  }

  goldPairs(runId: string): GoldPair[] {
    const run = this.run(runId);
    return this.sortedQueries(run)
      .filter((q) => q.kind === 'gold')
      .map((q) => {
        const answers = run.labels.filter((l) => l.queryId === q.id);
        return { id: q.id, sourceQueryId: q.repeatOf, answer: q.goldAnswer, createdAt: q.createdAt, answered: answers.length, correct: q.goldAnswer === null ? 0 : answers.filter((l) => l.answer === q.goldAnswer).length };
      });
  }

  loadPair(runId: string, queryId: string): AssignedQuery {
    const q = this.run(runId).queries.get(queryId);
    if (!q) throw new NotFoundError(`no pair ${JSON.stringify(queryId)} in run ${runId}`);
    return this.assigned(runId, q);
  }

  recentPairs(runId: string, limit: number): PairSummary[] {
    const run = this.run(runId);
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidInputError(`limit must be a whole number >= 1 (got ${limit})`);
    return this.sortedQueries(run)
      .filter((q) => q.kind === 'normal')
      .reverse()
      .slice(0, limit)
      .map((q) => ({
        queryId: q.id,
        askedAtStep: q.askedAtStep,
        answers: run.labels.filter((l) => l.queryId === q.id).map((l) => ({ by: l.teacher, answer: l.answer })),
        goldId: run.queries.get(goldIdOf(q.id))?.kind === 'gold' ? goldIdOf(q.id) : null,
      }));
  }

  // ---- metrics ----

  appendMetrics(runId: string, row: MetricsRow): void {
    const run = this.run(runId);
    run.metrics.push({ seq: ++this.seq.metrics, row: structuredClone(row) });
    run.record.envSteps = row.envSteps;
  }

  truncateMetrics(runId: string, envSteps: number): void {
    const run = this.run(runId);
    run.metrics = run.metrics.filter((m) => (m.row as MetricsRow).envSteps <= envSteps);
    run.record.envSteps = envSteps;
  }

  metricsSince(runId: string, afterSeq: number): { seq: number; row: Record<string, unknown> }[] {
    return (this.runs.get(runId)?.metrics ?? []).filter((m) => m.seq > afterSeq).map((m) => structuredClone(m));
  }

  // ---- reports ----

  putRunReport(runId: string, kind: string, body: unknown): RunReportInfo {
    const run = this.run(runId);
    const r = reportText(kind, body);
    const createdAt = new Date().toISOString();
    run.reports.set(r.kind, { createdAt, text: r.text });
    return { kind: r.kind, createdAt, bytes: r.bytes };
  }

  getRunReport(runId: string, kind: string): RunReport | null {
    const r = this.run(runId).reports.get(kind);
    return r ? { kind, createdAt: r.createdAt, bytes: Buffer.byteLength(r.text), body: JSON.parse(r.text) as unknown } : null;
  }

  listRunReports(runId: string): RunReportInfo[] {
    return [...this.run(runId).reports]
      .sort(([a], [b]) => compare(a, b))
      .map(([kind, r]) => ({ kind, createdAt: r.createdAt, bytes: Buffer.byteLength(r.text) }));
  }

  // ---- debate games ----

  putDebateGame(runId: string, game: NewDebateGame): { game: DebateGame; duplicate: boolean } {
    const g = checkDebateGame(game);
    const run = this.run(runId);
    // A resubmission (its response was lost) is answered even after the run has finished.
    const stored = run.games.find((x) => x.id === g.id);
    if (stored) {
      if (!sameDebateGame(stored, g)) throw debateGameConflict(g.id, runId);
      return { game: structuredClone(stored), duplicate: true };
    }
    const who = g.annotatorId === null ? undefined : this.annotators.find((a) => a.id === g.annotatorId);
    if (g.annotatorId !== null && !who) throw new ForbiddenError(`no annotator ${g.annotatorId}`);
    if (run.record.finishedAt !== null) throw finishedRunConflict(runId, `debate game ${g.id}`);
    const added: DebateGame = { ...g, seq: ++this.seq.debateGame, createdAt: new Date().toISOString(), annotator: who?.name ?? null };
    run.games.push(added);
    return { game: structuredClone(added), duplicate: false };
  }

  debateGames(runId: string): DebateGame[] {
    return structuredClone(this.run(runId).games);
  }

  /** An exported game, stored with its person's name and its time (import). */
  private putImportedGame(runId: string, game: ExportedDebateGame): void {
    const g = checkImportedGame(game);
    const run = this.run(runId);
    if (run.games.some((x) => x.id === g.id)) throw debateGameConflict(g.id, runId);
    run.games.push({ ...g, annotatorId: null, seq: ++this.seq.debateGame });
  }

  close(): void {}

  private run(runId: string): RunState {
    const run = this.runs.get(runId);
    if (!run) throw new NotFoundError(`no run ${JSON.stringify(runId)} in ${this.location}`);
    return run;
  }

  private labelsBy(runId: string, annotatorId: number): number {
    return (this.runs.get(runId)?.labels ?? []).filter((l) => l.annotatorId === annotatorId).length;
  }

  /** By global step, then id, as the database orders them. */
  private sortedSegments(runId: string): SegmentWithTruth[] {
    return [...(this.runs.get(runId)?.segments.values() ?? [])].sort((a, b) => a.segment.globalStep - b.segment.globalStep || compare(a.segment.id, b.segment.id));
  }

  private sortedQueries(run: RunState): QueryState[] {
    return [...run.queries.values()].sort((a, b) => a.seq - b.seq);
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const toAnnotator = (a: Annotator): Annotator => ({ id: a.id, name: a.name, role: a.role, createdAt: a.createdAt, expiresAt: a.expiresAt, revokedAt: a.revokedAt });

/** A copy with the segment's fields only, sharing no arrays with the caller's. */
function copySegment({ segment: s, truth }: SegmentWithTruth): SegmentWithTruth {
  const segment: Segment = {
    ...segmentMeta(s),
    obs: s.obs.slice(),
    actions: s.actions.slice(),
    render: s.render ? s.render.slice() : null,
  };
  return truth ? { segment, truth: { segmentId: truth.segmentId, rewards: truth.rewards.slice() } } : { segment };
}
