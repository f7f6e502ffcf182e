/**
 * Labels and the clips they compare, as JSON lines, so that labels gathered in one project
 * (or run) can train another. One record per line, each with a `type`:
 *
 *   {"type":"header","format":"overseer.labels","version":1,"exportedAt":"..."}
 *   {"type":"run","id","envId","instructions","labelBudget"}
 *   {"type":"segment","run","id","envId","seed","envIndex","globalStep","length","obsSize","actionSize","renderSize","terminated",
 *    "obs","actions","render","trueRewards"}   (float32 / float64 little-endian, base64; render and trueRewards may be null)
 *   {"type":"query","run","id","leftId","rightId","askedAtStep","kind"}
 *   {"type":"label","run","queryId","leftId","rightId","answer","teacher","seconds","receivedAtStep","createdAt","clientId"}
 *
 * A run's line comes before its segments, segments before the queries that name them, and
 * queries before their labels. Only labelled queries and their clips are exported.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { decodeFloats, encodeFloats } from '../nn/serialize.js';
import type { Segment, SegmentTruth } from '../prefs/segments.js';
import type { StoreContents, StoredLabel, StoredQuery } from '../prefs/store.js';
import { ANSWERS } from '../prefs/teachers.js';
import { StoreError, type ProjectStore, type QueryKind, type SqliteProjectStore } from './sqlite.js';

export const EXPORT_FORMAT = 'overseer.labels';
export const EXPORT_VERSION = 1;

const id = z.string().min(1).max(300);
const count = z.number().int().nonnegative();
const Header = z.strictObject({ type: z.literal('header'), format: z.literal(EXPORT_FORMAT), version: z.literal(EXPORT_VERSION), exportedAt: z.string() });
const Run = z.strictObject({ type: z.literal('run'), id, envId: id, instructions: z.string(), labelBudget: count.nullable() });
const SegmentLine = z.strictObject({
  type: z.literal('segment'),
  run: id,
  id,
  envId: id,
  seed: count,
  envIndex: count,
  globalStep: count,
  length: z.number().int().positive(),
  obsSize: count,
  actionSize: count,
  renderSize: count,
  terminated: z.boolean(),
  obs: z.string(),
  actions: z.string(),
  render: z.string().nullable(),
  trueRewards: z.string().nullable(),
});
const QueryLine = z.strictObject({ type: z.literal('query'), run: id, id, leftId: id, rightId: id, askedAtStep: count, kind: z.enum(['normal', 'gold', 'repeat']) });
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
});
const Line = z.discriminatedUnion('type', [Header, Run, SegmentLine, QueryLine, LabelLine]);

export interface ExportedRun {
  id: string;
  envId: string;
  instructions: string;
  labelBudget: number | null;
  contents: StoreContents & { kinds: Map<string, QueryKind>; clientIds: Map<number, string> };
}

/** The lines of an export of `runIds` (default: every run in the project). */
export function* exportLines(project: ProjectStore, runIds?: string[]): Generator<string> {
  const runs = runIds ?? project.listRuns().map((r) => r.id);
  yield JSON.stringify({ type: 'header', format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString() });
  for (const runId of runs) {
    const run = project.getRun(runId);
    if (!run) throw new StoreError(`no run ${JSON.stringify(runId)} in the project`, 404);
    yield JSON.stringify({ type: 'run', id: run.id, envId: run.envId, instructions: run.instructions, labelBudget: run.labelBudget });
    const { segments, truths, queries } = project.loadRun(runId);
    const labels = project.labelsSince(runId, 0);
    const labelled = new Set(labels.map((l) => l.queryId));
    const used = queries.filter((q) => labelled.has(q.id));
    const clipIds = new Set(used.flatMap((q) => [q.leftId, q.rightId]));
    for (const s of segments.values()) {
      if (!clipIds.has(s.id)) continue;
      const t = truths.get(s.id);
      const { obs, actions, render, ...meta } = s;
      yield JSON.stringify({ type: 'segment', run: runId, ...meta, obs: encodeFloats(obs), actions: encodeFloats(actions), render: render ? encodeFloats(render) : null, trueRewards: t ? encodeFloats(t.rewards) : null });
    }
    const kinds = project.queryKinds(runId);
    for (const q of used) yield JSON.stringify({ type: 'query', run: runId, ...q, kind: kinds.get(q.id) ?? 'normal' });
    for (const { seq: _seq, ...l } of labels) yield JSON.stringify({ type: 'label', run: runId, ...l, clientId: l.clientId ?? null });
  }
}

/** Reads and checks an export; errors name the file and line. */
export function readExport(path: string): ExportedRun[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new StoreError(`${path}: cannot read (${(e as Error).message})`, 400);
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
      throw new StoreError(`${where}: not valid JSON`, 400);
    }
    const parsed = Line.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new StoreError(`${where}: ${issue.path.join('.') || 'record'}: ${issue.message}`, 400);
    }
    const rec = parsed.data;
    if (!sawHeader && rec.type !== 'header') throw new StoreError(`${where}: the first record must be the ${EXPORT_FORMAT} header`, 400);
    if (rec.type === 'header') {
      sawHeader = true;
      return;
    }
    if (rec.type === 'run') {
      if (runs.has(rec.id)) throw new StoreError(`${where}: run ${rec.id} appears twice`, 400);
      runs.set(rec.id, { id: rec.id, envId: rec.envId, instructions: rec.instructions, labelBudget: rec.labelBudget, contents: { segments: new Map(), truths: new Map(), queries: [], labels: [], kinds: new Map(), clientIds: new Map() } });
      return;
    }
    const run = runs.get(rec.run);
    if (!run) throw new StoreError(`${where}: names run ${rec.run}, which has no run record before it`, 400);
    const c = run.contents;
    if (rec.type === 'segment') {
      const { type: _t, run: _r, obs, actions, render, trueRewards, ...meta } = rec;
      const s: Segment = { ...meta, obs: floats(obs, 'float32', where) as Float32Array, actions: floats(actions, 'float32', where) as Float32Array, render: render === null ? null : (floats(render, 'float32', where) as Float32Array) };
      if (s.obs.length !== s.length * s.obsSize || s.actions.length !== s.length * s.actionSize || (s.render && s.render.length !== s.length * s.renderSize)) {
        throw new StoreError(`${where}: segment ${s.id} has data of the wrong size for its length`, 400);
      }
      c.segments.set(s.id, s);
      if (trueRewards !== null) {
        const rewards = floats(trueRewards, 'float64', where) as Float64Array;
        if (rewards.length !== s.length) throw new StoreError(`${where}: segment ${s.id} has ${rewards.length} true rewards for ${s.length} steps`, 400);
        c.truths.set(s.id, { segmentId: s.id, rewards } satisfies SegmentTruth);
      }
    } else if (rec.type === 'query') {
      for (const clip of [rec.leftId, rec.rightId]) if (!c.segments.has(clip)) throw new StoreError(`${where}: query ${rec.id} names clip ${clip}, not exported before it`, 400);
      const q: StoredQuery = { id: rec.id, leftId: rec.leftId, rightId: rec.rightId, askedAtStep: rec.askedAtStep };
      c.queries.push(q);
      c.kinds.set(q.id, rec.kind);
    } else {
      const q = c.queries.find((x) => x.id === rec.queryId);
      if (!q) throw new StoreError(`${where}: label for ${rec.queryId}, a query not exported before it`, 400);
      if (q.leftId !== rec.leftId || q.rightId !== rec.rightId) throw new StoreError(`${where}: label for ${rec.queryId} names other clips than its query`, 400);
      const { type: _t, run: _r, clientId, ...rest } = rec;
      const label: StoredLabel = { ...rest, ...(clientId ? { clientId } : {}) };
      c.labels.push(label);
    }
  });
  if (!sawHeader) throw new StoreError(`${path}: empty; expected an ${EXPORT_FORMAT} export`, 400);
  return [...runs.values()];
}

/** Stores exported runs in a project, under their own ids or `prefix + id`; refuses ids already taken. */
export function importRuns(project: SqliteProjectStore, runs: ExportedRun[], prefix = ''): { runs: number; labels: number } {
  let labels = 0;
  for (const r of runs) if (project.getRun(prefix + r.id)) throw new StoreError(`run ${prefix + r.id} already exists in ${project.path}; import with another --prefix`, 409);
  project.db.transaction(() => {
    for (const r of runs) {
      const runId = prefix + r.id;
      project.createRun({ id: runId, envId: r.envId, instructions: r.instructions, labelBudget: r.labelBudget });
      const c = r.contents;
      project.putSegments(runId, [...c.segments.values()].map((segment) => ({ segment, truth: c.truths.get(segment.id) })));
      project.putQueries(runId, c.queries.map((q) => ({ ...q, kind: c.kinds.get(q.id) })));
      for (const l of c.labels) project.putLabel(runId, l);
      labels += c.labels.length;
    }
  })();
  return { runs: runs.length, labels };
}

function floats(b64: string, dtype: 'float32' | 'float64', where: string): Float32Array | Float64Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new StoreError(`${where}: float data is not base64`, 400);
  try {
    return decodeFloats(b64, dtype);
  } catch (e) {
    throw new StoreError(`${where}: ${(e as Error).message}`, 400);
  }
}
