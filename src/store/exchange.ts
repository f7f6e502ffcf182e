/**
 * Labels and the segments they compare, as JSON lines, so that labels gathered in one project
 * (or run) can train another. One record per line, each with a `type`:
 *
 *   {"type":"header","format":"overseer.labels","version":1,"exportedAt":"..."}
 *   {"type":"run","id","envId","instructions","labelBudget","renderSpec","guidelines"}   (renderSpec: optional, null when unknown; guidelines: optional)
 *   {"type":"segment","run", ...a segment's record (segmentCodec.ts): "id","envId","seed","envIndex","globalStep","length",
 *    "obsSize","actionSize","renderSize","terminated","obs","actions","render","trueRewards"}
 *                              (float32 / float64 little-endian, base64; render and trueRewards may be null)
 *   {"type":"query","run","id","leftId","rightId","askedAtStep","kind","goldAnswer"}   (goldAnswer: a gold pair's known answer; optional)
 *   {"type":"label","run","queryId","leftId","rightId","answer","teacher","seconds","receivedAtStep","createdAt","clientId","assistance"}
 *                              (assistance: only on a label given in a trial of assistance:
 *                               {"arm":"assisted"|"unassisted","critique":{"assistant","reason","reveals":[{"kind","step","cell"?}]}|null,
 *                                "response":"accepted"|"dismissed"|null}; a critique only in the assisted arm, a response only to a critique)
 *   {"type":"debate-game","run","id","annotator","role","imageIndex","k","precommit","firstMover","truth","lie","reveals","personPick","modelPick","seconds","createdAt"}
 *                              (a debate game, issue 23: the fields and rules of store.ts's NewDebateGame, but the person by
 *                               name ("annotator", null in a game between models), since annotator ids are a project's own;
 *                               reveals: [{"pixel","by":"honest"|"liar"}]; imported with their time, without an annotator id)
 *
 * A run's line comes before its segments, segments before the queries that name them, and
 * queries before their labels; a run's debate games come after its labels, in the order stored.
 * Only labelled queries and gold pairs, and their segments, are exported; every debate game is.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RenderSpec } from '../envs/render.js';
import { ARMS, CRITIQUE_RESPONSES, type StoredLabel, type StoredQuery } from '../prefs/store.js';
import { ANSWERS } from '../prefs/teachers.js';
import { assistanceProblem, debateGameProblem, MAX_ASSISTANT, MAX_REASON, MAX_REVEALS } from './rules.js';
import { SegmentRecordSchema, segmentFromRecord, segmentToRecord } from './segmentCodec.js';
import { ConflictError, DEBATE_ROLES, DEBATE_SIDES, InvalidInputError, MAX_GUIDELINES, NotFoundError, type ExportedDebateGame, type ProjectStore, type RunContents } from './store.js';

export const EXPORT_FORMAT = 'overseer.labels';
export const EXPORT_VERSION = 1;

const id = z.string().min(1).max(300);
const count = z.number().int().nonnegative();
const Header = z.strictObject({ type: z.literal('header'), format: z.literal(EXPORT_FORMAT), version: z.literal(EXPORT_VERSION), exportedAt: z.string() });
// A render spec is checked for its kind only: the page draws what it knows and says so otherwise.
const RenderSpecJson = z.looseObject({ kind: z.enum(['mujoco', 'classic', 'grid', 'channels']), dt: z.number().positive() });
const Run = z.strictObject({ type: z.literal('run'), id, envId: id, instructions: z.string(), labelBudget: count.nullable(), renderSpec: RenderSpecJson.nullable().optional(), guidelines: z.string().max(MAX_GUIDELINES).optional() });
const SegmentLine = SegmentRecordSchema.extend({ type: z.literal('segment'), run: id });
const QueryLine = z.strictObject({ type: z.literal('query'), run: id, id, leftId: id, rightId: id, askedAtStep: count, kind: z.enum(['normal', 'gold', 'repeat']), goldAnswer: z.enum(ANSWERS).nullable().optional() });
// The shape here, the rules across fields (a critique only in the assisted arm, ...) shared with submitLabel.
const Assistance = z
  .strictObject({
    arm: z.enum(ARMS),
    critique: z
      .strictObject({
        assistant: z.string().min(1).max(MAX_ASSISTANT),
        reason: z.string().max(MAX_REASON),
        reveals: z.array(z.strictObject({ kind: z.string().min(1), step: count, cell: count.optional() })).max(MAX_REVEALS),
      })
      .nullable(),
    response: z.enum(CRITIQUE_RESPONSES).nullable(),
  })
  .superRefine((a, ctx) => {
    const problem = assistanceProblem(a);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const LabelLine = z.strictObject({
  type: z.literal('label'),
  run: id,
  queryId: id,
  leftId: id,
  rightId: id,
  answer: z.enum(ANSWERS),
  teacher: z.string().min(1).max(200),
  seconds: z.number().nonnegative().nullable(),
  receivedAtStep: count,
  createdAt: z.string(),
  clientId: z.string().min(1).max(100).nullable(),
  assistance: Assistance.optional(),
});
// The shape here, the rules across fields (k reveals, alternating, picks among the claims, ...) shared with putDebateGame.
const digit = z.number().int().min(0).max(9);
const DebateGameLine = z
  .strictObject({
    type: z.literal('debate-game'),
    run: id,
    id: z.string().min(1).max(100),
    annotator: z.string().min(1).max(100).nullable(),
    role: z.enum(DEBATE_ROLES),
    imageIndex: count,
    k: count,
    precommit: z.boolean(),
    firstMover: z.enum(DEBATE_SIDES),
    truth: digit,
    lie: digit.nullable(),
    reveals: z.array(z.strictObject({ pixel: count, by: z.enum(DEBATE_SIDES) })),
    personPick: digit.nullable(),
    modelPick: digit,
    seconds: z.number().nonnegative().nullable(),
    createdAt: z.string(),
  })
  .superRefine((g, ctx) => {
    const problem = debateGameProblem(g, g.annotator !== null);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    if (Number.isNaN(Date.parse(g.createdAt))) ctx.addIssue({ code: 'custom', path: ['createdAt'], message: `${JSON.stringify(g.createdAt)} is not a time` });
  });
const Line = z.discriminatedUnion('type', [Header, Run, SegmentLine, QueryLine, LabelLine, DebateGameLine]);

export interface ExportedRun {
  id: string;
  envId: string;
  instructions: string;
  labelBudget: number | null;
  renderSpec: RenderSpec | null;
  guidelines: string;
  contents: RunContents;
}

/** The lines of an export of `runIds` (default: every run in the project). */
export function* exportLines(project: ProjectStore, runIds?: string[]): Generator<string> {
  const runs = runIds ?? project.listRuns().map((r) => r.id);
  yield JSON.stringify({ type: 'header', format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString() });
  for (const runId of runs) {
    const run = project.getRun(runId);
    if (!run) throw new NotFoundError(`no run ${JSON.stringify(runId)} in the project`);
    yield JSON.stringify({ type: 'run', id: run.id, envId: run.envId, instructions: run.instructions, labelBudget: run.labelBudget, renderSpec: run.renderSpec, guidelines: run.guidelines });
    const { segments, truths, queries } = project.loadRun(runId);
    const labels = project.labelsSince(runId, 0);
    const labelled = new Set(labels.map((l) => l.queryId));
    const kinds = project.queryKinds(runId);
    // Gold pairs go along answered or not: the admin authored them.
    const used = queries.filter((q) => labelled.has(q.id) || kinds.get(q.id) === 'gold');
    const segmentIds = new Set(used.flatMap((q) => [q.leftId, q.rightId]));
    for (const segment of segments.values()) {
      if (segmentIds.has(segment.id)) yield JSON.stringify({ type: 'segment', run: runId, ...segmentToRecord({ segment, truth: truths.get(segment.id) }) });
    }
    const goldAnswers = new Map(project.goldPairs(runId).map((g) => [g.id, g.answer]));
    for (const q of used) {
      const kind = kinds.get(q.id) ?? 'normal';
      yield JSON.stringify({ type: 'query', run: runId, ...q, kind, ...(kind === 'gold' ? { goldAnswer: goldAnswers.get(q.id) ?? null } : {}) });
    }
    for (const { seq: _seq, ...l } of labels) yield JSON.stringify({ type: 'label', run: runId, ...l, clientId: l.clientId ?? null });
    for (const g of project.debateGames(runId)) {
      const game: ExportedDebateGame = { id: g.id, annotator: g.annotator, role: g.role, imageIndex: g.imageIndex, k: g.k, precommit: g.precommit, firstMover: g.firstMover, truth: g.truth, lie: g.lie, reveals: g.reveals, personPick: g.personPick, modelPick: g.modelPick, seconds: g.seconds, createdAt: g.createdAt };
      yield JSON.stringify({ type: 'debate-game', run: runId, ...game });
    }
  }
}

/** Reads and checks an export; errors name the file and line. */
export function readExport(path: string): ExportedRun[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`${path}: cannot read (${(e as Error).message})`);
  }
  const runs = new Map<string, ExportedRun>();
  let sawHeader = false;
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${path}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new InvalidInputError(`${where}: not valid JSON`);
    }
    const parsed = Line.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidInputError(`${where}: ${issue.path.join('.') || 'record'}: ${issue.message}`);
    }
    const rec = parsed.data;
    if (!sawHeader && rec.type !== 'header') throw new InvalidInputError(`${where}: the first record must be the ${EXPORT_FORMAT} header`);
    if (rec.type === 'header') {
      sawHeader = true;
      return;
    }
    if (rec.type === 'run') {
      if (runs.has(rec.id)) throw new InvalidInputError(`${where}: run ${rec.id} appears twice`);
      const renderSpec = (rec.renderSpec ?? null) as RenderSpec | null;
      runs.set(rec.id, { id: rec.id, envId: rec.envId, instructions: rec.instructions, labelBudget: rec.labelBudget, renderSpec, guidelines: rec.guidelines ?? '', contents: { segments: new Map(), truths: new Map(), queries: [], labels: [], kinds: new Map(), goldAnswers: new Map(), debateGames: [] } });
      return;
    }
    const run = runs.get(rec.run);
    if (!run) throw new InvalidInputError(`${where}: names run ${rec.run}, which has no run record before it`);
    const c = run.contents;
    if (rec.type === 'segment') {
      const { type: _t, run: _r, ...record } = rec;
      const { segment, truth } = segmentFromRecord(record, where);
      c.segments.set(segment.id, segment);
      if (truth) c.truths.set(segment.id, truth);
    } else if (rec.type === 'query') {
      for (const id of [rec.leftId, rec.rightId]) if (!c.segments.has(id)) throw new InvalidInputError(`${where}: query ${rec.id} names segment ${id}, not exported before it`);
      const q: StoredQuery = { id: rec.id, leftId: rec.leftId, rightId: rec.rightId, askedAtStep: rec.askedAtStep };
      c.queries.push(q);
      c.kinds.set(q.id, rec.kind);
      if (rec.goldAnswer) {
        if (rec.kind !== 'gold') throw new InvalidInputError(`${where}: query ${rec.id} is ${rec.kind}; only a gold pair has a goldAnswer`);
        c.goldAnswers!.set(q.id, rec.goldAnswer);
      }
    } else if (rec.type === 'debate-game') {
      if (c.debateGames!.some((g) => g.id === rec.id)) throw new InvalidInputError(`${where}: debate game ${rec.id} appears twice in run ${rec.run}`);
      const { type: _t, run: _r, ...game } = rec;
      c.debateGames!.push(game);
    } else {
      const q = c.queries.find((x) => x.id === rec.queryId);
      if (!q) throw new InvalidInputError(`${where}: label for ${rec.queryId}, a query not exported before it`);
      if (q.leftId !== rec.leftId || q.rightId !== rec.rightId) throw new InvalidInputError(`${where}: label for ${rec.queryId} names other segments than its query`);
      const { type: _t, run: _r, clientId, ...rest } = rec;
      const label: StoredLabel = { ...rest, ...(clientId ? { clientId } : {}) };
      c.labels.push(label);
    }
  });
  if (!sawHeader) throw new InvalidInputError(`${path}: empty; expected an ${EXPORT_FORMAT} export`);
  return [...runs.values()];
}

/** Stores exported runs in a project, under their own ids or `prefix + id`, all or nothing; refuses ids already taken. */
export function importRuns(project: ProjectStore, runs: ExportedRun[], prefix = ''): { runs: number; labels: number; debateGames: number } {
  for (const r of runs) if (project.getRun(prefix + r.id)) throw new ConflictError(`run ${prefix + r.id} already exists in ${project.location}; import with another --prefix`);
  project.importRuns(runs.map((r) => ({ run: { id: prefix + r.id, envId: r.envId, instructions: r.instructions, labelBudget: r.labelBudget, renderSpec: r.renderSpec, guidelines: r.guidelines }, contents: r.contents })));
  return { runs: runs.length, labels: runs.reduce((n, r) => n + r.contents.labels.length, 0), debateGames: runs.reduce((n, r) => n + (r.contents.debateGames?.length ?? 0), 0) };
}
