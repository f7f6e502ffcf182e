import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Segment, SegmentTruth } from '../prefs/segments.js';
import type { StoredLabel } from '../prefs/store.js';
import { SCHEMA_VERSION } from './schema.js';
import { PROJECT_DB, SqliteProjectStore, StoreError, openProject } from './sqlite.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'overseer-store-'));
const opened: SqliteProjectStore[] = [];
const open = (dir: string, repeatEvery?: number) => {
  const p = openProject(dir, { repeatEvery });
  opened.push(p);
  return p;
};
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
});

/** A clip with recognisable contents; render states compress well, as real poses do. */
function segment(i: number, length = 15): Segment {
  const obs = Float32Array.from({ length: length * 3 }, (_, k) => i + k / 7);
  const actions = Float32Array.from({ length: length * 2 }, (_, k) => Math.sin(i + k));
  const render = Float32Array.from({ length: length * 40 }, (_, k) => (k % 40 < 20 ? 0.5 : i));
  return { id: `seg-${i}`, envId: 'Hopper-v5', seed: 7, envIndex: i % 2, globalStep: i * 15, length, obsSize: 3, actionSize: 2, renderSize: 40, render, obs, actions, terminated: i % 3 === 0 };
}
const truth = (s: Segment): SegmentTruth => ({ segmentId: s.id, rewards: Float64Array.from({ length: s.length }, (_, k) => 1 / (k + 3)) });

/** A project with one run holding `nClips` clips and a query over each consecutive pair. */
function projectWithQueries(nClips: number, repeatEvery?: number) {
  const p = open(tmp(), repeatEvery);
  p.createRun({ id: 'run1', envId: 'Hopper-v5', instructions: 'prefer the hopper doing a backflip', labelBudget: 700 });
  const segs = Array.from({ length: nClips }, (_, i) => segment(i));
  p.putSegments('run1', segs.map((segment) => ({ segment })));
  p.putQueries('run1', segs.slice(1).map((s, i) => ({ id: `q-${i}`, leftId: segs[i].id, rightId: s.id, askedAtStep: i })));
  return p;
}

describe('SQLite project store', () => {
  it('creates the schema in WAL mode with durable commits, and refuses a database from a newer version', () => {
    const dir = tmp();
    const p = open(dir);
    expect(p.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(p.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(p.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    p.createRun({ id: 'a', envId: 'Hopper-v5' });
    p.close();

    // Reopening applies nothing and keeps the data.
    expect(open(dir).listRuns().map((r) => r.id)).toEqual(['a']);
    opened.pop()!.close();

    const raw = new Database(join(dir, PROJECT_DB));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openProject(dir)).toThrow(/schema version 2, newer than this Overseer knows \(1\)/);
  });

  it('keeps runs with their instructions, budget, config and progress', () => {
    const p = open(tmp());
    p.createRun({ id: 'r', envId: 'Hopper-v5', instructions: 'backflip <b>please</b>', labelBudget: 900, config: { seed: 3 } });
    p.setEnvSteps('r', 12_345);
    expect(p.getRun('r')).toMatchObject({ id: 'r', envId: 'Hopper-v5', instructions: 'backflip <b>please</b>', labelBudget: 900, config: { seed: 3 }, envSteps: 12_345 });
    expect(() => p.createRun({ id: 'r', envId: 'Hopper-v5' })).toThrow(/run "r" already exists/);
    expect(() => p.setEnvSteps('nope', 1)).toThrow(/no run "nope"/);
    expect(() => p.runStore('nope')).toThrow(StoreError);
  });

  it('round-trips clips bit for bit, compressing them, with true rewards kept apart', () => {
    const dir = tmp();
    const p = open(dir);
    p.createRun({ id: 'r', envId: 'Hopper-v5' });
    const store = p.runStore('r');
    const segs = Array.from({ length: 40 }, (_, i) => segment(i));
    store.putSegments(segs.map((s, i) => ({ segment: s, truth: i % 2 === 0 ? truth(s) : undefined })));
    // Putting a clip twice (a resumed run re-stores its pool) changes nothing.
    store.putSegments([{ segment: segs[0], truth: truth(segs[0]) }]);
    const loaded = store.load();
    expect(loaded.segments.size).toBe(40);
    for (const s of segs) {
      const got = loaded.segments.get(s.id)!;
      expect(got).toEqual(s);
      expect(got.obs).toBeInstanceOf(Float32Array);
    }
    expect(loaded.truths.size).toBe(20);
    expect(loaded.truths.get('seg-2')!.rewards).toEqual(truth(segs[2]).rewards);
    expect(loaded.truths.has('seg-1')).toBe(false);

    const stored = p.db.prepare('SELECT SUM(LENGTH(render)) AS n FROM segments').get() as { n: number };
    const rawBytes = segs.reduce((n, s) => n + s.render!.byteLength, 0);
    expect(stored.n).toBeLessThan(rawBytes / 10);

    expect(() => store.putSegments([{ segment: { ...segs[1], id: 'bad', length: 14 } }])).toThrow(/obs\/actions do not match/);
    expect(() => store.putSegments([{ segment: segs[1], truth: { segmentId: 'seg-1', rewards: new Float64Array(3) } }])).toThrow(/3 true rewards for 15 steps/);
  });

  it('stores queries and labels in order for the loop, refusing ones that name unknown clips or queries', () => {
    const p = projectWithQueries(6);
    const store = p.runStore('run1');
    const label = (queryId: string, i: number): StoredLabel => ({ queryId, leftId: `seg-${i}`, rightId: `seg-${i + 1}`, answer: 'left', teacher: 'oracle', seconds: null, receivedAtStep: 100 + i, createdAt: new Date(0).toISOString() });
    store.putLabel(label('q-3', 3));
    store.putLabel(label('q-0', 0));
    const { queries, labels } = store.load();
    expect(queries.map((q) => q.id)).toEqual(['q-0', 'q-1', 'q-2', 'q-3', 'q-4']);
    expect(labels.map((l) => l.queryId)).toEqual(['q-3', 'q-0']);
    expect(labels[0]).toEqual(label('q-3', 3));

    expect(() => store.putQueries([{ id: 'q-x', leftId: 'seg-0', rightId: 'seg-99', askedAtStep: 0 }])).toThrow(/names clip seg-99, which is not stored/);
    expect(() => store.putLabel(label('q-99', 1))).toThrow(/no such query/);
    expect(() => store.putLabel({ ...label('q-1', 1), rightId: 'seg-5' })).toThrow(/names other clips than the query/);
    expect(() => store.putLabel({ ...label('q-1', 1), answer: 'maybe' as never })).toThrow(/unknown answer "maybe"/);
    expect(store.load().labels).toHaveLength(2);
  });

  it('gives annotators tokens it keeps only as hashes', () => {
    const dir = tmp();
    const p = open(dir);
    const { annotator, token } = p.addAnnotator('  Ada ');
    const admin = p.addAnnotator('boss', 'admin');
    expect(annotator).toMatchObject({ name: 'Ada', role: 'annotator' });
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(p.annotatorByToken(token)).toEqual(annotator);
    expect(p.annotatorByToken(admin.token)!.role).toBe('admin');
    expect(p.annotatorByToken(`${token}x`)).toBeNull();
    expect(p.annotatorByToken('')).toBeNull();
    expect(() => p.addAnnotator('Ada')).toThrow(/annotator "Ada" already exists/);
    expect(() => p.addAnnotator('   ')).toThrow(/non-empty name/);
    p.close();
    expect(readFileSync(join(dir, PROJECT_DB)).includes(token)).toBe(false);
  });

  it('hands each normal query to one annotator, the same ones again until answered, and reassigns stale ones', () => {
    const p = projectWithQueries(9); // 8 queries
    const a = p.addAnnotator('a').annotator.id;
    const b = p.addAnnotator('b').annotator.id;
    const ids = (xs: { query: { id: string } }[]) => xs.map((x) => x.query.id);
    const forA = p.assignQueries('run1', a, 2);
    expect(ids(forA)).toEqual(['q-0', 'q-1']);
    expect(forA[0].left).toEqual(segment(0));
    expect(forA[0].right.id).toBe('seg-1');
    expect(ids(p.assignQueries('run1', b, 3))).toEqual(['q-2', 'q-3', 'q-4']);
    // Asking again (a reload, or the prefetch) returns the same open assignments first.
    expect(ids(p.assignQueries('run1', a, 3))).toEqual(['q-0', 'q-1', 'q-5']);
    p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'right', seconds: 2.5, clientId: 'c-1' });
    expect(ids(p.assignQueries('run1', a, 3))).toEqual(['q-1', 'q-5', 'q-6']);
    expect(p.openQueryCount('run1')).toBe(7);
    // b went away: after the lease its open queries go to whoever asks.
    expect(ids(p.assignQueries('run1', a, 10, 3600))).toEqual(['q-1', 'q-5', 'q-6', 'q-7']);
    expect(ids(p.assignQueries('run1', a, 10, 0))).toEqual(['q-1', 'q-5', 'q-6', 'q-7', 'q-2', 'q-3', 'q-4']);
    expect(() => p.assignQueries('run1', a, 0)).toThrow(/at least one/);
    expect(() => p.assignQueries('nope', a, 1)).toThrow(/no run "nope"/);
  });

  it('commits a label once per client id; refuses answers to queries that are not yours or already answered', () => {
    const p = projectWithQueries(5); // q-0 .. q-3
    p.setEnvSteps('run1', 5000);
    const a = p.addAnnotator('a').annotator.id;
    const b = p.addAnnotator('b').annotator.id;
    p.assignQueries('run1', a, 2); // q-0, q-1
    p.assignQueries('run1', b, 1); // q-2
    const sub = { runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'left' as const, seconds: 1.25, clientId: 'uuid-1' };
    const first = p.submitLabel(sub);
    expect(first.duplicate).toBe(false);
    expect(first.label).toMatchObject({ queryId: 'q-0', leftId: 'seg-0', rightId: 'seg-1', answer: 'left', teacher: 'a', seconds: 1.25, receivedAtStep: 5000, clientId: 'uuid-1' });
    const again = p.submitLabel(sub);
    expect(again).toEqual({ label: first.label, duplicate: true });
    expect(p.labelsSince('run1', 0)).toHaveLength(1);

    const refused = (over: Partial<typeof sub>, status: number, message: RegExp) => {
      let err: unknown;
      try {
        p.submitLabel({ ...sub, ...over });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).status).toBe(status);
      expect((err as Error).message).toMatch(message);
    };
    refused({ queryId: 'q-1' }, 409, /client id uuid-1 was already used/);
    refused({ clientId: 'uuid-2', queryId: 'q-2' }, 409, /not assigned to a/);
    refused({ clientId: 'uuid-2', annotatorId: b }, 409, /not assigned to b/);
    refused({ clientId: 'uuid-2', queryId: 'q-9' }, 404, /no query "q-9"/);
    refused({ clientId: 'uuid-2', runId: 'x' }, 404, /no run "x"/);
    refused({ clientId: 'uuid-2', answer: 'up' as never }, 400, /unknown answer "up"/);
    refused({ clientId: 'uuid-2', seconds: -1 }, 400, /seconds must be/);
    refused({ clientId: '' }, 400, /clientId/);
    refused({ clientId: 'uuid-2', annotatorId: 999 }, 403, /no annotator 999/);
    expect(p.labelsSince('run1', 0)).toHaveLength(1);

    p.submitLabel({ ...sub, clientId: 'uuid-3', queryId: 'q-1', answer: 'equal' });
    p.submitLabel({ ...sub, clientId: 'uuid-4', queryId: 'q-2', annotatorId: b, answer: 'incomparable' });
    expect(p.labelsSince('run1', first.label.seq).map((l) => [l.queryId, l.answer, l.teacher])).toEqual([
      ['q-1', 'equal', 'a'],
      ['q-2', 'incomparable', 'b'],
    ]);
    expect(p.labelCounts('run1')).toEqual(new Map([['a', 2], ['b', 1]]));
    // The loop, storing the same label again by its client id, writes nothing new.
    p.runStore('run1').putLabel({ ...first.label });
    expect(p.labelsSince('run1', 0)).toHaveLength(3);
  });

  it('lets several annotators answer a gold or repeat pair', () => {
    const p = projectWithQueries(3);
    p.putQueries('run1', [{ id: 'gold-1', leftId: 'seg-0', rightId: 'seg-2', askedAtStep: 0, kind: 'gold' }]);
    const a = p.addAnnotator('a').annotator.id;
    const b = p.addAnnotator('b').annotator.id;
    // Gold pairs are not handed out as normal work.
    expect(p.assignQueries('run1', a, 5).map((q) => q.query.id)).toEqual(['q-0', 'q-1']);
    p.submitLabel({ runId: 'run1', queryId: 'gold-1', annotatorId: a, answer: 'left', seconds: null, clientId: 'g-a' });
    p.submitLabel({ runId: 'run1', queryId: 'gold-1', annotatorId: b, answer: 'right', seconds: null, clientId: 'g-b' });
    expect(p.labelsSince('run1', 0).map((l) => l.teacher)).toEqual(['a', 'b']);
  });

  it('repeats an answered pair every N labels, sides swapped, and measures agreement; the loop never trains on repeats', () => {
    const p = projectWithQueries(8, 2);
    const a = p.addAnnotator('a').annotator.id;
    const answer = (queryId: string, ans: 'left' | 'right' | 'equal', k: string) => p.submitLabel({ runId: 'run1', queryId, annotatorId: a, answer: ans, seconds: 1, clientId: k });
    const next = () => p.assignQueries('run1', a, 1)[0];
    answer(next().query.id, 'left', 'c0'); // q-0
    answer(next().query.id, 'right', 'c1'); // q-1
    // Two labels in: the next pair is one of those two again, left and right swapped.
    const rep = next();
    expect(rep.query.kind).toBe('repeat');
    const original = rep.left.id === 'seg-1' ? { id: 'q-0', left: 'seg-0', right: 'seg-1', said: 'left' } : { id: 'q-1', left: 'seg-1', right: 'seg-2', said: 'right' };
    expect([rep.left.id, rep.right.id]).toEqual([original.right, original.left]);
    // Consistent: the same clip preferred, now on the other side.
    answer(rep.query.id, original.said === 'left' ? 'right' : 'left', 'c2');
    expect(next().query.id).toBe('q-2');
    expect(p.agreement('run1')).toEqual({ annotators: [{ name: 'a', labels: 3, repeats: 1, agreeing: 1 }], gold: { pairs: 0, agreeing: 0 } });
    const forLoop = p.runStore('run1').load();
    expect(forLoop.labels.map((l) => l.queryId)).toEqual(['q-0', 'q-1']);
    expect(forLoop.queries.map((q) => q.id)).toEqual(['q-0', 'q-1', 'q-2', 'q-3', 'q-4', 'q-5', 'q-6']);
  });

  it('still repeats when the label count skips past a multiple of N (answers in flight while the next pair is fetched)', () => {
    const p = projectWithQueries(10, 2);
    const a = p.addAnnotator('a').annotator.id;
    const answer = (queryId: string, k: string) => p.submitLabel({ runId: 'run1', queryId, annotatorId: a, answer: 'left', seconds: 1, clientId: k });
    // Three pairs taken at once, three answers in: the count goes 0 -> 3 between two requests.
    p.assignQueries('run1', a, 3).forEach((q, i) => answer(q.query.id, `c${i}`));
    const rep = p.assignQueries('run1', a, 1)[0];
    expect(rep.query).toMatchObject({ id: `repeat-${a}-2`, kind: 'repeat' });
    answer(rep.query.id, 'c3');
    // 4 done: the second repeat is due; once answered (5 done), none until 6.
    const rep2 = p.assignQueries('run1', a, 1)[0];
    expect(rep2.query).toMatchObject({ id: `repeat-${a}-4`, kind: 'repeat' });
    answer(rep2.query.id, 'c4');
    expect(p.assignQueries('run1', a, 1)[0].query.kind).toBe('normal');
  });

  it("keeps a run's metrics in order and knows its latest clip", () => {
    const p = projectWithQueries(4);
    p.appendMetrics('run1', { envSteps: 2048, labels: 3, heldOutAccuracy: 0.5 });
    p.appendMetrics('run1', { envSteps: 4096, labels: 5, heldOutAccuracy: 0.75 });
    const all = p.metricsSince('run1', 0);
    expect(all.map((m) => m.row)).toEqual([
      { envSteps: 2048, labels: 3, heldOutAccuracy: 0.5 },
      { envSteps: 4096, labels: 5, heldOutAccuracy: 0.75 },
    ]);
    expect(p.metricsSince('run1', all[0].seq).map((m) => m.row.envSteps)).toEqual([4096]);
    expect(p.getRun('run1')!.envSteps).toBe(4096);
    expect(p.latestSegment('run1')!.id).toBe('seg-3');
  });
});

