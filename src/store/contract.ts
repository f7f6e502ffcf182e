/**
 * What every `ProjectStore` must do, as a vitest suite: runs, segments, queries and labels (with
 * the idempotence rules a resumed run relies on), annotators, assignment and leases, repeats,
 * gold pairs, people's labels by client id, metrics, agreement, reports, debate games and export. Each
 * implementation's test file calls `describeProjectStore` with a way to open a fresh, empty
 * store; nothing here depends on how a store keeps its data.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RenderSpec } from '../envs/render.js';
import type { Segment, SegmentTruth } from '../prefs/segments.js';
import { StoreConflictError, type LabelAssistance, type StoredLabel } from '../prefs/store.js';
import { exportLines, importRuns, readExport } from './exchange.js';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, StoreError, type DebateGame, type NewDebateGame, type ProjectStore } from './store.js';

export type OpenStore = (options?: { repeatEvery?: number; goldEvery?: number }) => ProjectStore;

/** A segment with recognisable contents (NaN and -0 included: stored bit for bit). */
export function testSegment(i: number, length = 15): Segment {
  const obs = Float32Array.from({ length: length * 3 }, (_, k) => i + k / 7);
  obs[1] = Number.NaN;
  obs[2] = -0;
  const actions = Float32Array.from({ length: length * 2 }, (_, k) => Math.sin(i + k));
  const render = Float32Array.from({ length: length * 4 }, (_, k) => (k % 4 < 2 ? 0.5 : i));
  return { id: `seg-${i}`, envId: 'Hopper-v5', seed: 7, envIndex: i % 2, globalStep: i * 15, length, obsSize: 3, actionSize: 2, renderSize: 4, render, obs, actions, terminated: i % 3 === 0 };
}
export const testTruth = (s: Segment, scale = 1): SegmentTruth => ({ segmentId: s.id, rewards: Float64Array.from({ length: s.length }, (_, k) => scale / (k + 3)) });

const SPEC: RenderSpec = { kind: 'classic', scene: 'Pendulum', dt: 0.05, fields: ['theta', 'theta_dot'] };

/** The error `f` throws. */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

function expectRefusal(f: () => unknown, kind: new (...args: never[]) => Error, message: RegExp): void {
  const err = thrown(f);
  expect(err).toBeInstanceOf(kind);
  expect(err).toBeInstanceOf(StoreError);
  expect(err.message).toMatch(message);
}

/** A debate game between models on image 7 (a 3, the liar claims 5), k = 4, honest first; `over` changes any field. */
export const testGame = (over: Partial<NewDebateGame> = {}): NewDebateGame => ({
  id: 'g-1',
  annotatorId: null,
  role: 'model',
  imageIndex: 7,
  k: 4,
  precommit: true,
  firstMover: 'honest',
  truth: 3,
  lie: 5,
  reveals: [
    { pixel: 100, by: 'honest' },
    { pixel: 200, by: 'liar' },
    { pixel: 300, by: 'honest' },
    { pixel: 0, by: 'liar' },
  ],
  personPick: null,
  modelPick: 3,
  seconds: null,
  ...over,
});

export function describeProjectStore(name: string, open: OpenStore): void {
  describe(`ProjectStore contract: ${name}`, () => {
    const opened: ProjectStore[] = [];
    const fresh: OpenStore = (options) => {
      const p = open(options);
      opened.push(p);
      return p;
    };
    afterEach(() => {
      for (const p of opened.splice(0)) p.close();
    });

    /** A store with one run holding `nSegments` segments and a query over each consecutive pair (q-0 .. q-(n-2)). */
    function withQueries(nSegments: number, repeatEvery?: number, goldEvery?: number) {
      const p = fresh({ repeatEvery, goldEvery });
      p.createRun({ id: 'run1', envId: 'Hopper-v5', instructions: 'prefer the hopper doing a backflip', labelBudget: 700 });
      const segs = Array.from({ length: nSegments }, (_, i) => testSegment(i));
      p.putSegments('run1', segs.map((segment) => ({ segment })));
      p.putQueries('run1', segs.slice(1).map((s, i) => ({ id: `q-${i}`, leftId: segs[i].id, rightId: s.id, askedAtStep: i })));
      return p;
    }
    const label = (queryId: string, i: number, over: Partial<StoredLabel> = {}): StoredLabel => ({
      queryId,
      leftId: `seg-${i}`,
      rightId: `seg-${i + 1}`,
      answer: 'left',
      teacher: 'oracle',
      seconds: null,
      receivedAtStep: 100 + i,
      createdAt: new Date(0).toISOString(),
      ...over,
    });

    describe('runs', () => {
      it('keeps runs with their instructions, budget, config, render spec and progress; defaults the rest', () => {
        const p = fresh();
        const made = p.createRun({ id: 'r', envId: 'Pendulum-v1', instructions: 'upright <b>please</b>', labelBudget: 900, config: { seed: 3, nested: { a: [1, 2] } }, renderSpec: SPEC });
        expect(made).toMatchObject({ id: 'r', envId: 'Pendulum-v1', instructions: 'upright <b>please</b>', labelBudget: 900, config: { seed: 3, nested: { a: [1, 2] } }, renderSpec: SPEC, envSteps: 0 });
        expect(Number.isNaN(Date.parse(made.createdAt))).toBe(false);
        p.setEnvSteps('r', 12_345);
        expect(p.getRun('r')).toEqual({ ...made, envSteps: 12_345 });
        p.createRun({ id: 's', envId: 'Hopper-v5' });
        expect(p.getRun('s')).toMatchObject({ instructions: '', labelBudget: null, config: {}, renderSpec: null, envSteps: 0, finishedAt: null });
        expect(p.getRun('nope')).toBeNull();
        expect(p.listRuns().map((r) => r.id)).toEqual(['r', 's']);
      });

      it('finishes a run once: it then hands out no pairs and refuses new labels, while a resubmitted client id still returns the stored label', () => {
        const p = withQueries(4); // q-0 .. q-2
        p.putQueries('run1', [{ id: 'gold-1', leftId: 'seg-0', rightId: 'seg-2', askedAtStep: 0, kind: 'gold' }]);
        const a = p.addAnnotator('a').annotator.id;
        expect(p.getRun('run1')!.finishedAt).toBeNull();
        expect(p.assignQueries('run1', a, 2).map((q) => q.query.id)).toEqual(['q-0', 'q-1']);
        const sub = { runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'left' as const, seconds: 1, clientId: 'c-0' };
        const first = p.submitLabel(sub);
        const finished = p.finishRun('run1');
        expect(Number.isNaN(Date.parse(finished.finishedAt!))).toBe(false);
        expect(p.getRun('run1')).toEqual(finished);
        expect(p.listRuns()[0].finishedAt).toBe(finished.finishedAt);
        expect(p.finishRun('run1').finishedAt).toBe(finished.finishedAt);
        expect(p.assignQueries('run1', a, 5)).toEqual([]);
        expectRefusal(() => p.submitLabel({ ...sub, queryId: 'q-1', clientId: 'c-1' }), ConflictError, /run run1 has finished; this label was not stored/);
        expectRefusal(() => p.submitLabel({ ...sub, queryId: 'gold-1', clientId: 'c-2' }), ConflictError, /run run1 has finished/);
        expect(p.submitLabel(sub)).toEqual({ label: first.label, duplicate: true });
        expect(p.labelsSince('run1', 0)).toHaveLength(1);
        expectRefusal(() => p.finishRun('nope'), NotFoundError, /no run "nope"/);
      });

      it('refuses an empty id, a taken id, and progress or a run store for a run that does not exist', () => {
        const p = fresh();
        p.createRun({ id: 'r', envId: 'Hopper-v5' });
        expectRefusal(() => p.createRun({ id: '  ', envId: 'Hopper-v5' }), InvalidInputError, /non-empty id/);
        expectRefusal(() => p.createRun({ id: 'r', envId: 'Hopper-v5' }), ConflictError, /run "r" already exists/);
        expectRefusal(() => p.setEnvSteps('nope', 1), NotFoundError, /no run "nope"/);
        expectRefusal(() => p.runStore('nope'), NotFoundError, /no run "nope"/);
        expectRefusal(() => p.putSegments('nope', [{ segment: testSegment(0) }]), NotFoundError, /no run "nope"/);
        expectRefusal(() => p.appendMetrics('nope', { envSteps: 1 }), NotFoundError, /no run "nope"/);
        expect(p.listRuns()).toHaveLength(1);
      });
    });

    describe('segments', () => {
      it('round-trips segments bit for bit, with true rewards kept apart, ordered by global step', () => {
        const p = fresh();
        p.createRun({ id: 'r', envId: 'Hopper-v5' });
        const store = p.runStore('r');
        const segs = Array.from({ length: 12 }, (_, i) => testSegment(i)).reverse();
        store.putSegments(segs.map((s, i) => ({ segment: s, truth: i % 2 === 0 ? testTruth(s) : undefined })));
        const loaded = store.load();
        expect([...loaded.segments.keys()]).toEqual(segs.map((s) => s.id).reverse());
        for (const s of segs) {
          const got = loaded.segments.get(s.id)!;
          expect(got).toEqual(s);
          expect(got.obs).toBeInstanceOf(Float32Array);
          expect(Object.is(got.obs[2], -0)).toBe(true);
          expect(Number.isNaN(got.obs[1])).toBe(true);
        }
        expect(loaded.truths.size).toBe(6);
        expect(loaded.truths.get('seg-11')).toEqual(testTruth(testSegment(11)));
        expect(loaded.truths.get('seg-11')!.rewards).toBeInstanceOf(Float64Array);
        expect(loaded.truths.has('seg-10')).toBe(false);
        expect(p.getSegment('r', 'seg-4')).toEqual(testSegment(4));
        expect(p.getSegment('r', 'seg-99')).toBeNull();
        expect(p.latestSegment('r')!.id).toBe('seg-11');
        expect(p.latestSegment('nope')).toBeNull();
      });

      it('keeps what was stored, whatever the caller does to its arrays afterwards', () => {
        const p = fresh();
        p.createRun({ id: 'r', envId: 'Hopper-v5' });
        const s = testSegment(1);
        const t = testTruth(s);
        p.putSegments('r', [{ segment: s, truth: t }]);
        s.obs[0] = 1234;
        t.rewards[0] = 1234;
        expect(p.getSegment('r', 'seg-1')).toEqual(testSegment(1));
        expect(p.loadRun('r').truths.get('seg-1')).toEqual(testTruth(testSegment(1)));
      });

      it('skips a segment stored again unchanged; refuses one with other data or truth, storing nothing of that batch', () => {
        const p = fresh();
        p.createRun({ id: 'r', envId: 'Hopper-v5' });
        const store = p.runStore('r');
        const s = testSegment(1);
        store.putSegments([{ segment: s, truth: testTruth(s) }]);
        // A resumed run stores the same segment again: nothing changes.
        store.putSegments([{ segment: testSegment(1), truth: testTruth(testSegment(1)) }]);
        expect(store.load().segments.size).toBe(1);

        const obs = s.obs.slice();
        obs[5] += 1;
        const variants: { segment: Segment; truth?: SegmentTruth }[] = [
          { segment: { ...s, obs }, truth: testTruth(s) },
          { segment: { ...s, terminated: !s.terminated }, truth: testTruth(s) },
          { segment: { ...s, globalStep: s.globalStep + 1 }, truth: testTruth(s) },
          { segment: s, truth: testTruth(s, 2) },
          { segment: s },
        ];
        for (const v of variants) {
          const err = thrown(() => store.putSegments([{ segment: testSegment(2) }, v]));
          expect(err).toBeInstanceOf(ConflictError);
          // The loop catches the port's class, without importing the store.
          expect(err).toBeInstanceOf(StoreConflictError);
          expect(err.message).toMatch(/segment seg-1 is already stored with other data/);
        }
        // Twice in one batch, differently: refused too.
        expect(() => store.putSegments([{ segment: testSegment(4) }, { segment: { ...testSegment(4), terminated: !testSegment(4).terminated } }])).toThrow(ConflictError);
        expect([...store.load().segments.keys()]).toEqual(['seg-1']);
        expect(store.load().truths.get('seg-1')).toEqual(testTruth(s));
      });

      it('refuses segments whose arrays do not match their length and sizes', () => {
        const p = fresh();
        p.createRun({ id: 'r', envId: 'Hopper-v5' });
        const s = testSegment(1);
        expectRefusal(() => p.putSegments('r', [{ segment: { ...s, id: 'bad', length: 14 } }]), InvalidInputError, /obs\/actions do not match/);
        expectRefusal(() => p.putSegments('r', [{ segment: { ...s, render: new Float32Array(3) } }]), InvalidInputError, /render states do not match/);
        expectRefusal(() => p.putSegments('r', [{ segment: s, truth: { segmentId: s.id, rewards: new Float64Array(3) } }]), InvalidInputError, /3 true rewards for 15 steps/);
        expect(p.loadRun('r').segments.size).toBe(0);
      });
    });

    describe('queries and labels of a run', () => {
      it('stores queries and labels in order, refusing ones that name unknown segments or queries', () => {
        const p = withQueries(6);
        const store = p.runStore('run1');
        expect(store.putLabel(label('q-3', 3))).toEqual(label('q-3', 3));
        store.putLabel(label('q-0', 0));
        const { queries, labels } = store.load();
        expect(queries.map((q) => q.id)).toEqual(['q-0', 'q-1', 'q-2', 'q-3', 'q-4']);
        expect(queries[2]).toEqual({ id: 'q-2', leftId: 'seg-2', rightId: 'seg-3', askedAtStep: 2 });
        expect(labels).toEqual([label('q-3', 3), label('q-0', 0)]);
        expect(p.queryKinds('run1')).toEqual(new Map(queries.map((q) => [q.id, 'normal'])));

        expectRefusal(() => store.putQueries([{ id: 'q-x', leftId: 'seg-0', rightId: 'seg-99', askedAtStep: 0 }]), InvalidInputError, /names segment seg-99, which is not stored/);
        expectRefusal(() => store.putLabel(label('q-99', 1)), NotFoundError, /no such query/);
        expectRefusal(() => store.putLabel(label('q-1', 1, { rightId: 'seg-5' })), InvalidInputError, /names other segments than the query/);
        expectRefusal(() => store.putLabel(label('q-1', 1, { answer: 'maybe' as never })), InvalidInputError, /unknown answer "maybe"/);
        expect(store.load().labels).toHaveLength(2);
        // Queries answered by the loop are not open to people.
        expect(p.openQueryCount('run1')).toBe(3);
      });

      it('skips a query stored again unchanged; refuses one with other segments, step or kind', () => {
        const p = withQueries(4);
        const store = p.runStore('run1');
        store.putQueries([{ id: 'q-1', leftId: 'seg-1', rightId: 'seg-2', askedAtStep: 1 }]);
        p.putQueries('run1', [{ id: 'q-1', leftId: 'seg-1', rightId: 'seg-2', askedAtStep: 1, kind: 'normal' }]);
        for (const q of [
          { id: 'q-1', leftId: 'seg-2', rightId: 'seg-1', askedAtStep: 1 },
          { id: 'q-1', leftId: 'seg-1', rightId: 'seg-2', askedAtStep: 7 },
        ]) {
          const err = thrown(() => store.putQueries([{ id: 'q-new', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 9 }, q]));
          expect(err).toBeInstanceOf(StoreConflictError);
          expect(err.message).toMatch(/query q-1 is already stored/);
        }
        expectRefusal(() => p.putQueries('run1', [{ id: 'q-1', leftId: 'seg-1', rightId: 'seg-2', askedAtStep: 1, kind: 'gold' }]), ConflictError, /query q-1 is already stored/);
        expect(store.load().queries.map((q) => q.id)).toEqual(['q-0', 'q-1', 'q-2']);
      });

      it('putLabel returns the label stored for the query: a label already stored wins', () => {
        const p = withQueries(4);
        const store = p.runStore('run1');
        const first = label('q-0', 0, { answer: 'right', receivedAtStep: 5 });
        expect(store.putLabel(first)).toEqual(first);
        // Another answer to the same query (a resumed run asking its teacher again): the stored one comes back.
        expect(store.putLabel(label('q-0', 0, { answer: 'left', teacher: 'mistake', receivedAtStep: 9 }))).toEqual(first);
        expect(store.load().labels).toEqual([first]);
        expect(p.labelsSince('run1', 0)).toHaveLength(1);
      });

      it("putLabel with a person's client id: stored once, returned again, refused for another query", () => {
        const p = withQueries(4);
        const store = p.runStore('run1');
        const mine = label('q-1', 1, { clientId: 'c-1' });
        expect(store.putLabel(mine)).toEqual(mine);
        expect(store.putLabel({ ...mine, answer: 'equal' })).toEqual(mine);
        expectRefusal(() => store.putLabel(label('q-2', 2, { clientId: 'c-1' })), ConflictError, /client id c-1 was already used/);
        expect(p.labelsSince('run1', 0).map((l) => [l.queryId, l.clientId])).toEqual([['q-1', 'c-1']]);
        expect(store.load().labels).toEqual([mine]);
      });

      it('the run store leaves repeats out of what the loop loads', () => {
        const p = withQueries(4, 1);
        const a = p.addAnnotator('a').annotator.id;
        p.assignQueries('run1', a, 1);
        p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'left', seconds: 1, clientId: 'c0' });
        const [rep] = p.assignQueries('run1', a, 1);
        expect(rep.query.kind).toBe('repeat');
        p.submitLabel({ runId: 'run1', queryId: rep.query.id, annotatorId: a, answer: 'right', seconds: 1, clientId: 'c1' });
        const all = p.loadRun('run1');
        expect(all.queries.map((q) => q.id)).toEqual(['q-0', 'q-1', 'q-2', rep.query.id]);
        expect(all.labels.map((l) => l.queryId)).toEqual(['q-0', rep.query.id]);
        expect(all.labels[0]).toMatchObject({ clientId: 'c0', teacher: 'a' });
        const forLoop = p.runStore('run1').load();
        expect(forLoop.queries.map((q) => q.id)).toEqual(['q-0', 'q-1', 'q-2']);
        expect(forLoop.labels.map((l) => l.queryId)).toEqual(['q-0']);
        expect(p.queryKinds('run1').get(rep.query.id)).toBe('repeat');
      });

      it('a resumed run that stores everything again, in the same order, changes nothing', () => {
        const p = withQueries(5);
        const store = p.runStore('run1');
        const segs = Array.from({ length: 5 }, (_, i) => testSegment(i));
        store.putLabel(label('q-0', 0));
        store.putLabel(label('q-2', 2, { answer: 'equal' }));
        const before = store.load();
        store.putSegments(segs.map((segment) => ({ segment })));
        store.putQueries(before.queries);
        for (const l of before.labels) expect(store.putLabel({ ...l, createdAt: new Date(1).toISOString() })).toEqual(l);
        expect(store.load()).toEqual(before);
      });
    });

    describe('annotators', () => {
      it('gives annotators tokens, found again by token only', () => {
        const p = fresh();
        const { annotator, token } = p.addAnnotator('  Ada ');
        const admin = p.addAnnotator('boss', 'admin');
        expect(annotator).toMatchObject({ name: 'Ada', role: 'annotator' });
        expect(admin.annotator.role).toBe('admin');
        expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
        expect(p.annotatorByToken(token)).toEqual(annotator);
        expect(p.annotatorByToken(admin.token)).toEqual(admin.annotator);
        for (const wrong of [`${token}x`, '', 'x'.repeat(10_000), 'Ada']) expect(p.annotatorByToken(wrong)).toBeNull();
        expect(p.listAnnotators()).toEqual([annotator, admin.annotator]);
        expectRefusal(() => p.addAnnotator('Ada'), ConflictError, /annotator "Ada" already exists/);
        expectRefusal(() => p.addAnnotator('   '), InvalidInputError, /non-empty name/);
        expectRefusal(() => p.addAnnotator('x'.repeat(101)), InvalidInputError, /at most 100/);
        expect(p.listAnnotators()).toHaveLength(2);
      });

      it('revokes a token at once, by name, keeping the annotator and its labels; a revoked token finds no one', () => {
        const p = withQueries(3);
        const ada = p.addAnnotator('ada');
        const bob = p.addAnnotator('bob');
        expect(ada.annotator).toMatchObject({ expiresAt: null, revokedAt: null });
        p.assignQueries('run1', ada.annotator.id, 1);
        p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: ada.annotator.id, answer: 'left', seconds: null, clientId: 'c-0' });
        const revoked = p.revokeAnnotator(' ada ');
        expect(Number.isNaN(Date.parse(revoked.revokedAt!))).toBe(false);
        expect(p.annotatorByToken(ada.token)).toBeNull();
        expect(p.annotatorByToken(bob.token)).toEqual(bob.annotator);
        expect(p.revokeAnnotator('ada').revokedAt).toBe(revoked.revokedAt);
        expect(p.listAnnotators().map((a) => [a.name, a.revokedAt])).toEqual([
          ['ada', revoked.revokedAt],
          ['bob', null],
        ]);
        expect(p.labelCounts('run1')).toEqual(new Map([['ada', 1]]));
        expectRefusal(() => p.revokeAnnotator('nobody'), NotFoundError, /no annotator "nobody"/);
      });

      it('lets a token expire: valid before its time, not after; refuses an expiry that is not a future time', async () => {
        const p = fresh();
        const later = new Date(Date.now() + 86_400_000).toISOString();
        const long = p.addAnnotator('long', 'annotator', { expiresAt: later });
        expect(long.annotator.expiresAt).toBe(later);
        expect(p.annotatorByToken(long.token)).toEqual(long.annotator);
        const short = p.addAnnotator('short', 'annotator', { expiresAt: new Date(Date.now() + 40).toISOString() });
        expect(p.annotatorByToken(short.token)?.name).toBe('short');
        await new Promise((r) => setTimeout(r, 60));
        expect(p.annotatorByToken(short.token)).toBeNull();
        expect(p.annotatorByToken(long.token)?.name).toBe('long');
        expectRefusal(() => p.addAnnotator('past', 'annotator', { expiresAt: new Date(Date.now() - 1000).toISOString() }), InvalidInputError, /not in the future/);
        expectRefusal(() => p.addAnnotator('bad', 'annotator', { expiresAt: 'soon' }), InvalidInputError, /"soon" is not a time/);
        expect(p.listAnnotators().map((a) => a.name)).toEqual(['long', 'short']);
      });
    });

    describe('people labeling', () => {
      it('hands each normal query to one annotator, the same ones again until answered, and reassigns stale ones', () => {
        const p = withQueries(9); // 8 queries
        const a = p.addAnnotator('a').annotator.id;
        const b = p.addAnnotator('b').annotator.id;
        const ids = (xs: { query: { id: string } }[]) => xs.map((x) => x.query.id);
        const forA = p.assignQueries('run1', a, 2);
        expect(ids(forA)).toEqual(['q-0', 'q-1']);
        expect(forA[0].query).toEqual({ id: 'q-0', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 0, kind: 'normal' });
        expect(forA[0].left).toEqual(testSegment(0));
        expect(forA[0].right).toEqual(testSegment(1));
        expect(ids(p.assignQueries('run1', b, 3))).toEqual(['q-2', 'q-3', 'q-4']);
        // Asking again (a reload, or the prefetch) returns the same open assignments first.
        expect(ids(p.assignQueries('run1', a, 3))).toEqual(['q-0', 'q-1', 'q-5']);
        p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'right', seconds: 2.5, clientId: 'c-1' });
        expect(ids(p.assignQueries('run1', a, 3))).toEqual(['q-1', 'q-5', 'q-6']);
        expect(p.openQueryCount('run1')).toBe(7);
        // b went away: after the lease its open queries go to whoever asks.
        expect(ids(p.assignQueries('run1', a, 10, 3600))).toEqual(['q-1', 'q-5', 'q-6', 'q-7']);
        expect(ids(p.assignQueries('run1', a, 10, 0))).toEqual(['q-1', 'q-5', 'q-6', 'q-7', 'q-2', 'q-3', 'q-4']);
        expect(ids(p.assignQueries('run1', b, 10))).toEqual([]);
        expectRefusal(() => p.assignQueries('run1', a, 0), InvalidInputError, /at least one/);
        expectRefusal(() => p.assignQueries('nope', a, 1), NotFoundError, /no run "nope"/);
      });

      it('commits a label once per client id; refuses answers to queries that are not yours or already answered', () => {
        const p = withQueries(5); // q-0 .. q-3
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
        expect(p.labelsSince('run1', 0)).toEqual([first.label]);

        expectRefusal(() => p.submitLabel({ ...sub, queryId: 'q-1' }), ConflictError, /client id uuid-1 was already used/);
        expectRefusal(() => p.submitLabel({ ...sub, clientId: 'uuid-2', queryId: 'q-2' }), ConflictError, /not assigned to a/);
        expectRefusal(() => p.submitLabel({ ...sub, clientId: 'uuid-2', annotatorId: b }), ConflictError, /not assigned to b/);
        expectRefusal(() => p.submitLabel({ ...sub, clientId: 'uuid-2' }), ConflictError, /already answered/);
        expectRefusal(() => p.submitLabel({ ...sub, clientId: 'uuid-2', queryId: 'q-9' }), NotFoundError, /no query "q-9"/);
        expectRefusal(() => p.submitLabel({ ...sub, clientId: 'uuid-2', runId: 'x' }), NotFoundError, /no run "x"/);
        expectRefusal(() => p.submitLabel({ ...sub, clientId: 'uuid-2', answer: 'up' as never }), InvalidInputError, /unknown answer "up"/);
        expectRefusal(() => p.submitLabel({ ...sub, clientId: 'uuid-2', seconds: -1 }), InvalidInputError, /seconds must be/);
        expectRefusal(() => p.submitLabel({ ...sub, clientId: '' }), InvalidInputError, /clientId/);
        expectRefusal(() => p.submitLabel({ ...sub, clientId: 'x'.repeat(101) }), InvalidInputError, /clientId/);
        expectRefusal(() => p.submitLabel({ ...sub, clientId: 'uuid-2', annotatorId: 999 }), ForbiddenError, /no annotator 999/);
        expect(p.labelsSince('run1', 0)).toHaveLength(1);

        p.submitLabel({ ...sub, clientId: 'uuid-3', queryId: 'q-1', answer: 'equal', seconds: null });
        p.submitLabel({ ...sub, clientId: 'uuid-4', queryId: 'q-2', annotatorId: b, answer: 'incomparable' });
        const since = p.labelsSince('run1', first.label.seq);
        expect(since.map((l) => [l.queryId, l.answer, l.teacher, l.seconds])).toEqual([
          ['q-1', 'equal', 'a', null],
          ['q-2', 'incomparable', 'b', 1.25],
        ]);
        expect(since[0].seq).toBeGreaterThan(first.label.seq);
        expect(since[1].seq).toBeGreaterThan(since[0].seq);
        expect(p.labelsSince('run1', since[1].seq)).toEqual([]);
        expect(p.labelCounts('run1')).toEqual(new Map([['a', 2], ['b', 1]]));
        expect(p.peopleLabelCounts('run1', a)).toEqual({ labels: 3, mine: 2 });
        expect(p.openQueryCount('run1')).toBe(1);
        // The loop, storing a person's label again by its client id, writes nothing new.
        const { seq: _seq, ...asStored } = first.label;
        expect(p.runStore('run1').putLabel({ ...asStored })).toEqual(asStored);
        expect(p.labelsSince('run1', 0)).toHaveLength(3);
      });

      it("counts only people's labels, and synthetic teachers' labels carry no client id", () => {
        const p = withQueries(4);
        const a = p.addAnnotator('a').annotator.id;
        p.putLabel('run1', label('q-0', 0));
        expect(p.labelsSince('run1', 0)).toEqual([{ ...label('q-0', 0), seq: expect.any(Number), clientId: null }]);
        expect(p.labelCounts('run1')).toEqual(new Map());
        expect(p.peopleLabelCounts('run1', a)).toEqual({ labels: 0, mine: 0 });
        expect(p.agreement('run1')).toEqual({
          annotators: [],
          gold: { pairs: 0, agreeing: 0, answered: 0, correct: 0 },
          arms: { assisted: { answered: 0, correct: 0 }, unassisted: { answered: 0, correct: 0 } },
          critiques: { shown: 0, accepted: 0, dismissed: 0 },
        });
      });

      it('lets several annotators answer a gold pair, never handed out as normal work, and measures their agreement', () => {
        const p = withQueries(3);
        p.putQueries('run1', [{ id: 'gold-1', leftId: 'seg-0', rightId: 'seg-2', askedAtStep: 0, kind: 'gold' }]);
        expect(p.queryKinds('run1').get('gold-1')).toBe('gold');
        const [a, b, c] = ['a', 'b', 'c'].map((n) => p.addAnnotator(n).annotator.id);
        expect(p.assignQueries('run1', a, 5).map((q) => q.query.id)).toEqual(['q-0', 'q-1']);
        p.submitLabel({ runId: 'run1', queryId: 'gold-1', annotatorId: a, answer: 'left', seconds: null, clientId: 'g-a' });
        p.submitLabel({ runId: 'run1', queryId: 'gold-1', annotatorId: b, answer: 'right', seconds: null, clientId: 'g-b' });
        p.submitLabel({ runId: 'run1', queryId: 'gold-1', annotatorId: c, answer: 'left', seconds: null, clientId: 'g-c' });
        expect(p.labelsSince('run1', 0).map((l) => l.teacher)).toEqual(['a', 'b', 'c']);
        // Imported without a known answer: agreement between people only.
        expect(p.agreement('run1').gold).toEqual({ pairs: 3, agreeing: 1, answered: 0, correct: 0 });
        expect(p.openQueryCount('run1')).toBe(2);
        // The loop stores the people's gold labels it polls: each by its client id, none lost.
        const labels = p.labelsSince('run1', 0);
        for (const l of labels) p.runStore('run1').putLabel({ ...l });
        expect(p.labelsSince('run1', 0)).toHaveLength(3);
      });

      it('takes one answer per annotator to a gold pair: a second is a conflict, a resubmitted client id returns the stored label', () => {
        const p = withQueries(3);
        p.putQueries('run1', [{ id: 'gold-1', leftId: 'seg-0', rightId: 'seg-2', askedAtStep: 0, kind: 'gold' }]);
        const [a, b] = ['a', 'b'].map((n) => p.addAnnotator(n).annotator.id);
        const sub = { runId: 'run1', queryId: 'gold-1', annotatorId: a, answer: 'left' as const, seconds: null, clientId: 'g-a' };
        const first = p.submitLabel(sub);
        expect(p.submitLabel(sub)).toEqual({ label: first.label, duplicate: true });
        expectRefusal(() => p.submitLabel({ ...sub, clientId: 'g-a2', answer: 'right' }), ConflictError, /a has already answered gold pair gold-1/);
        p.submitLabel({ ...sub, annotatorId: b, clientId: 'g-b' });
        expectRefusal(() => p.submitLabel({ ...sub, annotatorId: b, clientId: 'g-b2' }), ConflictError, /b has already answered gold pair gold-1/);
        expect(p.labelsSince('run1', 0).map((l) => [l.teacher, l.answer])).toEqual([
          ['a', 'left'],
          ['b', 'left'],
        ]);
        expect(p.agreement('run1').gold).toEqual({ pairs: 1, agreeing: 1, answered: 0, correct: 0 });
        // Gold answers measure people: they are not labels of the run.
        expect(p.agreement('run1').annotators.map((x) => [x.name, x.labels, x.answers.left])).toEqual([
          ['a', 0, 1],
          ['b', 0, 1],
        ]);
        expect(p.peopleLabelCounts('run1', a)).toEqual({ labels: 0, mine: 0 });
      });

      it('leaves gold pairs and their labels out of what the loop loads (they never train the model nor count against the budget)', () => {
        const p = withQueries(3);
        p.putQueries('run1', [{ id: 'gold-1', leftId: 'seg-0', rightId: 'seg-2', askedAtStep: 0, kind: 'gold' }]);
        const people = ['a', 'b', 'c'].map((n) => p.addAnnotator(n).annotator.id);
        people.forEach((id, i) => p.submitLabel({ runId: 'run1', queryId: 'gold-1', annotatorId: id, answer: 'left', seconds: null, clientId: `g-${i}` }));
        p.runStore('run1').putLabel(label('q-0', 0));
        const forLoop = p.runStore('run1').load();
        expect(forLoop.queries.map((q) => q.id)).toEqual(['q-0', 'q-1']);
        expect(forLoop.labels.map((l) => l.queryId)).toEqual(['q-0']);
        expect(p.loadRun('run1').labels).toHaveLength(4);
      });

      it('repeats a pair the annotator answered every N labels, sides swapped, and measures agreement', () => {
        const p = withQueries(8, 2);
        const a = p.addAnnotator('a').annotator.id;
        const answer = (queryId: string, ans: 'left' | 'right' | 'equal', k: string) => p.submitLabel({ runId: 'run1', queryId, annotatorId: a, answer: ans, seconds: 1, clientId: k });
        const next = () => p.assignQueries('run1', a, 1)[0];
        answer(next().query.id, 'left', 'c0'); // q-0
        answer(next().query.id, 'right', 'c1'); // q-1
        // Two labels in: the next pair is one of those two again, left and right swapped.
        const rep = next();
        expect(rep.query).toMatchObject({ id: `repeat-${a}-2`, kind: 'repeat' });
        const original = rep.left.id === 'seg-1' ? { left: 'seg-0', right: 'seg-1', said: 'left', step: 0 } : { left: 'seg-1', right: 'seg-2', said: 'right', step: 1 };
        expect([rep.left.id, rep.right.id]).toEqual([original.right, original.left]);
        expect(rep.query.askedAtStep).toBe(original.step);
        // Consistent: the same segment preferred, now on the other side.
        answer(rep.query.id, original.said === 'left' ? 'right' : 'left', 'c2');
        expect(next().query.id).toBe('q-2');
        expect(p.agreement('run1')).toEqual({
          annotators: [{ name: 'a', labels: 2, repeats: 1, agreeing: 1, medianSeconds: 1, answers: { left: original.said === 'left' ? 1 : 2, right: original.said === 'left' ? 2 : 1, equal: 0, incomparable: 0 }, gold: { answered: 0, correct: 0 } }],
          gold: { pairs: 0, agreeing: 0, answered: 0, correct: 0 },
          arms: { assisted: { answered: 0, correct: 0 }, unassisted: { answered: 0, correct: 0 } },
          critiques: { shown: 0, accepted: 0, dismissed: 0 },
        });
        // The repeat is shown and stored as a repeat: not a new label of the run.
        expect(p.peopleLabelCounts('run1', a)).toEqual({ labels: 2, mine: 2 });
        // Repeats are not open work for anyone else, and not counted as waiting.
        expect(p.openQueryCount('run1')).toBe(5);
      });

      it('repeats only pairs the annotator answered itself', () => {
        const p = withQueries(6, 1);
        const a = p.addAnnotator('a').annotator.id;
        const b = p.addAnnotator('b').annotator.id;
        p.assignQueries('run1', a, 1); // q-0
        p.assignQueries('run1', b, 1); // q-1
        p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'left', seconds: 1, clientId: 'a0' });
        p.submitLabel({ runId: 'run1', queryId: 'q-1', annotatorId: b, answer: 'left', seconds: 1, clientId: 'b0' });
        for (let k = 0; k < 5; k++) {
          const pa = p.assignQueries('run1', a, 1)[0];
          expect(pa.query.kind).toBe('repeat');
          expect([pa.left.id, pa.right.id]).toEqual(['seg-1', 'seg-0']);
        }
        const pb = p.assignQueries('run1', b, 1)[0];
        expect([pb.left.id, pb.right.id]).toEqual(['seg-2', 'seg-1']);
      });

      it('still repeats when the label count skips past a multiple of N (answers in flight while the next pair is fetched)', () => {
        const p = withQueries(10, 2);
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

      it('never repeats with repeatEvery 0', () => {
        const p = withQueries(6, 0);
        const a = p.addAnnotator('a').annotator.id;
        for (let k = 0; k < 5; k++) {
          const [q] = p.assignQueries('run1', a, 1);
          expect(q.query.kind).toBe('normal');
          p.submitLabel({ runId: 'run1', queryId: q.query.id, annotatorId: a, answer: 'left', seconds: 1, clientId: `c${k}` });
        }
        expect(p.assignQueries('run1', a, 1)).toEqual([]);
      });
    });

    describe('what the pages show and people change: run progress, guidelines, undo, gold pairs', () => {
      it('keeps the run progress the loop reports and the admin guidelines, refusing bad values', () => {
        const p = withQueries(3);
        expect(p.getRun('run1')).toMatchObject({ phase: null, waitingForLabels: null, guidelines: '' });
        p.setRunState('run1', { phase: 'pretraining', waitingForLabels: 12 });
        expect(p.getRun('run1')).toMatchObject({ phase: 'pretraining', waitingForLabels: 12 });
        p.setRunState('run1', { phase: 'rl', waitingForLabels: null });
        expect(p.getRun('run1')).toMatchObject({ phase: 'rl', waitingForLabels: null });
        expectRefusal(() => p.setRunState('run1', { phase: 'rl', waitingForLabels: -1 }), InvalidInputError, /waitingForLabels/);
        expectRefusal(() => p.setRunState('run1', { phase: 'done' as never, waitingForLabels: null }), InvalidInputError, /unknown run phase "done"/);
        expectRefusal(() => p.setRunState('nope', { phase: 'rl', waitingForLabels: null }), NotFoundError, /no run "nope"/);
        const text = 'Prefer forward hops.\nA fall is always worse, <b>even</b> a slow one.';
        expect(p.setGuidelines('run1', text).guidelines).toBe(text);
        expect(p.getRun('run1')!.guidelines).toBe(text);
        expectRefusal(() => p.setGuidelines('run1', 'x'.repeat(10_001)), InvalidInputError, /10001 characters long, counting an emoji as 2; at most 10000/);
        expect(p.getRun('run1')!.guidelines).toBe(text);
        expectRefusal(() => p.setGuidelines('nope', 'x'), NotFoundError, /no run "nope"/);
      });

      it('hands the run only settled labels, in order; an answer not yet taken can be undone (its pair comes back to the same person), a taken one cannot', () => {
        const p = withQueries(5); // q-0 .. q-3
        const [a, b] = ['a', 'b'].map((n) => p.addAnnotator(n).annotator.id);
        expect(p.assignQueries('run1', a, 2).map((q) => q.query.id)).toEqual(['q-0', 'q-1']);
        expect(p.assignQueries('run1', b, 1).map((q) => q.query.id)).toEqual(['q-2']);
        const sub = (queryId: string, who: number, clientId: string, answer: 'left' | 'right' = 'left') => p.submitLabel({ runId: 'run1', queryId, annotatorId: who, answer, seconds: 2, clientId });
        const first = sub('q-0', a, 'a0').label;
        // Nothing has settled an hour ago; everything has an hour from now.
        expect(p.takeLabels('run1', 0, new Date(Date.now() - 3_600_000))).toEqual([]);
        const taken = p.takeLabels('run1', 0, new Date(Date.now() + 3_600_000));
        expect(taken.map((l) => [l.queryId, l.clientId])).toEqual([['q-0', 'a0']]);
        expectRefusal(() => p.withdrawLabel('run1', a, 'a0'), ConflictError, /answer to q-0 has already been used for training/);
        sub('q-1', a, 'a1');
        sub('q-2', b, 'b0');
        // Only its own answers: b cannot undo a's, and an unknown client id is not found.
        expectRefusal(() => p.withdrawLabel('run1', b, 'a1'), NotFoundError, /no answer "a1" from you in run run1/);
        expectRefusal(() => p.withdrawLabel('run1', a, 'zz'), NotFoundError, /no answer "zz"/);
        expect(p.peopleLabelCounts('run1', a)).toEqual({ labels: 3, mine: 2 });
        const back = p.withdrawLabel('run1', a, 'a1');
        expect(back.query).toMatchObject({ id: 'q-1', kind: 'normal' });
        expect([back.left.id, back.right.id]).toEqual(['seg-1', 'seg-2']);
        expect(p.labelsSince('run1', 0).map((l) => l.clientId)).toEqual(['a0', 'b0']);
        expect(p.peopleLabelCounts('run1', a)).toEqual({ labels: 2, mine: 1 });
        expect(p.openQueryCount('run1')).toBe(2);
        // The pair is a's again (not b's), and a late retry of the undone answer stays undone.
        expect(p.assignQueries('run1', b, 5).map((q) => q.query.id)).toEqual(['q-3']);
        expect(p.assignQueries('run1', a, 5).map((q) => q.query.id)).toEqual(['q-1']);
        expectRefusal(() => sub('q-1', a, 'a1'), ConflictError, /answer a1 was undone/);
        sub('q-1', a, 'a1-again', 'right');
        const rest = p.takeLabels('run1', taken[0].seq, new Date(Date.now() + 3_600_000));
        expect(rest.map((l) => [l.queryId, l.answer, l.teacher])).toEqual([
          ['q-2', 'left', 'b'],
          ['q-1', 'right', 'a'],
        ]);
        expect(rest[0].seq).toBeGreaterThan(first.seq);
        // Taken: no more undo; and a finished run takes no undo either.
        expectRefusal(() => p.withdrawLabel('run1', a, 'a1-again'), ConflictError, /already been used for training/);
        sub('q-3', b, 'b1');
        p.finishRun('run1');
        expectRefusal(() => p.withdrawLabel('run1', b, 'b1'), ConflictError, /run run1 has finished/);
      });

      it('holds back every label after one still settling, so the run never skips one', () => {
        const p = withQueries(4);
        const a = p.addAnnotator('a').annotator.id;
        p.assignQueries('run1', a, 3);
        p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'left', seconds: 1, clientId: 'c0' });
        const cutoff = new Date(Date.now() + 5);
        // Committed after the cutoff (the clock moves on), so still settling.
        const until = Date.now() + 20;
        while (Date.now() < until) {
          /* wait */
        }
        p.submitLabel({ runId: 'run1', queryId: 'q-1', annotatorId: a, answer: 'left', seconds: 1, clientId: 'c1' });
        expect(p.takeLabels('run1', 0, cutoff).map((l) => l.clientId)).toEqual(['c0']);
        // c1 was not taken: it can still be undone.
        expect(p.withdrawLabel('run1', a, 'c1').query.id).toBe('q-1');
      });

      it('lets the admin make gold pairs from the run pairs with a known answer, hands each to each annotator once after every N answers, and measures accuracy', () => {
        const p = withQueries(8, 0, 2); // q-0 .. q-6; no repeats; gold after every 2 answers
        const [a, b] = ['a', 'b'].map((n) => p.addAnnotator(n).annotator.id);
        expectRefusal(() => p.setGoldPair('run1', 'q-99', 'left'), NotFoundError, /no pair "q-99"/);
        expectRefusal(() => p.setGoldPair('run1', 'q-5', 'up' as never), InvalidInputError, /unknown answer "up"/);
        const g = p.setGoldPair('run1', 'q-5', 'right');
        expect(g).toMatchObject({ id: 'gold-q-5', sourceQueryId: 'q-5', answer: 'right', answered: 0, correct: 0 });
        expect(p.queryKinds('run1').get('gold-q-5')).toBe('gold');
        expectRefusal(() => p.setGoldPair('run1', 'gold-q-5', 'left'), InvalidInputError, /gold-q-5 is a gold pair/);
        // Setting it again changes the answer, still one gold pair.
        expect(p.setGoldPair('run1', 'q-5', 'left').answer).toBe('left');
        expect(p.goldPairs('run1').map((x) => [x.id, x.answer])).toEqual([['gold-q-5', 'left']]);
        const answer = (who: number, queryId: string, ans: 'left' | 'right', clientId: string, seconds: number) => p.submitLabel({ runId: 'run1', queryId, annotatorId: who, answer: ans, seconds, clientId });
        // Not due before 2 answers.
        expect(p.assignQueries('run1', a, 2).map((q) => q.query.id)).toEqual(['q-0', 'q-1']);
        answer(a, 'q-0', 'left', 'a0', 1);
        answer(a, 'q-1', 'right', 'a1', 3);
        const next = p.assignQueries('run1', a, 2);
        expect(next.map((q) => [q.query.id, q.query.kind])).toEqual([
          ['gold-q-5', 'gold'],
          ['q-2', 'normal'],
        ]);
        expect([next[0].left.id, next[0].right.id]).toEqual(['seg-5', 'seg-6']);
        answer(a, 'gold-q-5', 'left', 'ag', 10);
        // Answered once: never handed to a again.
        expect(p.assignQueries('run1', a, 3).map((q) => q.query.id)).toEqual(['q-2', 'q-3', 'q-4']);
        expect(p.assignQueries('run1', b, 1).map((q) => q.query.id)).toEqual(['q-5']);
        answer(b, 'q-5', 'left', 'b0', 2);
        answer(b, 'gold-q-5', 'right', 'bg', 4);
        expect(p.goldPairs('run1')).toEqual([expect.objectContaining({ id: 'gold-q-5', answered: 2, correct: 1 })]);
        const ag = p.agreement('run1');
        expect(ag.gold).toEqual({ pairs: 1, agreeing: 0, answered: 2, correct: 1 });
        expect(ag.annotators).toEqual([
          { name: 'a', labels: 2, repeats: 0, agreeing: 0, medianSeconds: 3, answers: { left: 2, right: 1, equal: 0, incomparable: 0 }, gold: { answered: 1, correct: 1 } },
          { name: 'b', labels: 1, repeats: 0, agreeing: 0, medianSeconds: 3, answers: { left: 1, right: 1, equal: 0, incomparable: 0 }, gold: { answered: 1, correct: 0 } },
        ]);
        // An undone gold answer can be given again.
        p.withdrawLabel('run1', b, 'bg');
        answer(b, 'gold-q-5', 'left', 'bg2', 4);
        expect(p.goldPairs('run1')[0]).toMatchObject({ answered: 2, correct: 2 });
        // Gold answers are not labels of the run: the counters and the loop leave them out.
        expect(p.peopleLabelCounts('run1', a)).toEqual({ labels: 3, mine: 2 });
        expect(p.runStore('run1').load().labels.map((l) => l.queryId)).toEqual(['q-0', 'q-1', 'q-5']);
      });

      it('the labels the loop loads are taken: an answer it has read can no longer be undone', () => {
        const p = withQueries(3);
        const a = p.addAnnotator('a').annotator.id;
        p.assignQueries('run1', a, 2);
        p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'left', seconds: 1, clientId: 'c0' });
        expect(p.runStore('run1').load().labels.map((l) => [l.queryId, l.clientId])).toEqual([['q-0', 'c0']]);
        expectRefusal(() => p.withdrawLabel('run1', a, 'c0'), ConflictError, /already been used for training/);
        // One given after the load is still the person's to undo.
        p.submitLabel({ runId: 'run1', queryId: 'q-1', annotatorId: a, answer: 'left', seconds: 1, clientId: 'c1' });
        expect(p.withdrawLabel('run1', a, 'c1').query.id).toBe('q-1');
      });

      it("scores a repeat against its person's own first answer, not against someone who answered the pair after an undo", () => {
        const p = withQueries(4, 1, 0);
        const [a, b] = ['a', 'b'].map((n) => p.addAnnotator(n).annotator.id);
        expect(p.assignQueries('run1', a, 1).map((q) => q.query.id)).toEqual(['q-0']);
        p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'left', seconds: 1, clientId: 'a0' });
        const [rep] = p.assignQueries('run1', a, 1);
        expect(rep.query).toMatchObject({ kind: 'repeat' });
        p.withdrawLabel('run1', a, 'a0');
        // a's lease on q-0 lapses; b answers it.
        expect(p.assignQueries('run1', b, 1, 0).map((q) => q.query.id)).toEqual(['q-0']);
        p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: b, answer: 'left', seconds: 1, clientId: 'b0' });
        p.submitLabel({ runId: 'run1', queryId: rep.query.id, annotatorId: a, answer: 'left', seconds: 1, clientId: 'a-rep' });
        expect(p.agreement('run1').annotators.find((x) => x.name === 'a')).toMatchObject({ repeats: 0, agreeing: 0 });
      });

      it('refuses a gold pair whose id another query has, and never hands a gold pair to the person who answered the pair it was made from', () => {
        const p = withQueries(5, 0, 1); // q-0 .. q-3; a gold pair after every answer
        p.putQueries('run1', [{ id: 'gold-q-1', leftId: 'seg-1', rightId: 'seg-2', askedAtStep: 0 }]);
        expectRefusal(() => p.setGoldPair('run1', 'q-1', 'left'), ConflictError, /already has a normal query gold-q-1/);
        expect(p.recentPairs('run1', 10).find((x) => x.queryId === 'q-1')!.goldId).toBeNull();
        const [a, b] = ['a', 'b'].map((n) => p.addAnnotator(n).annotator.id);
        p.assignQueries('run1', a, 1);
        p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'left', seconds: 1, clientId: 'a0' });
        p.assignQueries('run1', b, 1);
        p.submitLabel({ runId: 'run1', queryId: 'q-1', annotatorId: b, answer: 'left', seconds: 1, clientId: 'b0' });
        p.setGoldPair('run1', 'q-0', 'left');
        expect(p.assignQueries('run1', a, 2).map((q) => q.query.id)).toEqual(['q-2', 'q-3']);
        // b gets it (then the normal query that took the gold-looking id).
        expect(p.assignQueries('run1', b, 2).map((q) => [q.query.id, q.query.kind])).toEqual([
          ['gold-q-0', 'gold'],
          ['gold-q-1', 'normal'],
        ]);
      });

      it('spaces gold pairs made late: one after every N answers since the last, not all at once', () => {
        const p = withQueries(12, 0, 3); // q-0 .. q-10
        const a = p.addAnnotator('a').annotator.id;
        for (let i = 0; i < 6; i++) {
          p.assignQueries('run1', a, 1);
          p.submitLabel({ runId: 'run1', queryId: `q-${i}`, annotatorId: a, answer: 'left', seconds: 1, clientId: `a${i}` });
        }
        p.setGoldPair('run1', 'q-9', 'left');
        p.setGoldPair('run1', 'q-10', 'left');
        const next = () => p.assignQueries('run1', a, 1)[0].query.id;
        expect(next()).toBe('gold-q-9');
        p.submitLabel({ runId: 'run1', queryId: 'gold-q-9', annotatorId: a, answer: 'left', seconds: 1, clientId: 'g9' });
        // Six answers in, but the second gold pair waits for three more.
        const seen: string[] = [];
        for (let i = 0; i < 4; i++) {
          const id = next();
          seen.push(id);
          p.submitLabel({ runId: 'run1', queryId: id, annotatorId: a, answer: 'left', seconds: 1, clientId: `b${i}` });
        }
        expect(seen).toEqual(['q-6', 'q-7', 'q-8', 'gold-q-10']);
      });

      it('lists the run pairs newest first with their answers and the gold pair made from each', () => {
        const p = withQueries(5); // q-0 .. q-3
        const a = p.addAnnotator('a').annotator.id;
        p.assignQueries('run1', a, 1);
        p.submitLabel({ runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'right', seconds: 1, clientId: 'a0' });
        p.putLabel('run1', label('q-1', 1));
        p.setGoldPair('run1', 'q-1', 'left');
        expect(p.recentPairs('run1', 3)).toEqual([
          { queryId: 'q-3', askedAtStep: 3, answers: [], goldId: null },
          { queryId: 'q-2', askedAtStep: 2, answers: [], goldId: null },
          { queryId: 'q-1', askedAtStep: 1, answers: [{ by: 'oracle', answer: 'left' }], goldId: 'gold-q-1' },
        ]);
        expect(p.recentPairs('run1', 10).at(-1)).toEqual({ queryId: 'q-0', askedAtStep: 0, answers: [{ by: 'a', answer: 'right' }], goldId: null });
        expectRefusal(() => p.recentPairs('run1', 0), InvalidInputError, /limit must be/);
        const pair = p.loadPair('run1', 'q-2');
        expect([pair.query.id, pair.query.kind, pair.left.id, pair.right.id]).toEqual(['q-2', 'normal', 'seg-2', 'seg-3']);
        expect(pair.left.obs).toEqual(testSegment(2).obs);
        expectRefusal(() => p.loadPair('run1', 'q-9'), NotFoundError, /no pair "q-9" in run run1/);
      });
    });

    describe('a trial of assistance: the arm and critique a person labelled with', () => {
      const critique = () => ({ assistant: 'rrm', reason: 'the hopper falls at step 7 on the left', reveals: [{ kind: 'contact', step: 7, cell: 2 }, { kind: 'reward', step: 9 }] });
      const assisted = (response: 'accepted' | 'dismissed' | null = 'accepted'): LabelAssistance => ({ arm: 'assisted', critique: critique(), response });
      const unassisted: LabelAssistance = { arm: 'unassisted', critique: null, response: null };

      it("keeps a label's assistance and reads it back as given (labelsSince, loadRun, takeLabels, the loop's load); a label without one has no assistance key", () => {
        const p = withQueries(5); // q-0 .. q-3
        p.setEnvSteps('run1', 300);
        const a = p.addAnnotator('a').annotator.id;
        p.assignQueries('run1', a, 3);
        const sub = { runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'right' as const, seconds: 4, clientId: 'c0' };
        const given = assisted();
        const first = p.submitLabel({ ...sub, assistance: given });
        expect(first).toEqual({
          label: { queryId: 'q-0', leftId: 'seg-0', rightId: 'seg-1', answer: 'right', teacher: 'a', seconds: 4, receivedAtStep: 300, createdAt: expect.any(String), seq: expect.any(Number), clientId: 'c0', assistance: assisted() },
          duplicate: false,
        });
        // What the caller does to its object afterwards changes nothing stored.
        given.critique!.reveals.push({ kind: 'late', step: 1 });
        const second = p.submitLabel({ ...sub, queryId: 'q-1', clientId: 'c1', assistance: unassisted }).label;
        const third = p.submitLabel({ ...sub, queryId: 'q-2', clientId: 'c2', assistance: null }).label;
        expect(second.assistance).toEqual({ arm: 'unassisted', critique: null, response: null });
        expect('assistance' in third).toBe(false);
        expect(p.labelsSince('run1', 0)).toEqual([first.label, second, third]);
        expect('assistance' in p.labelsSince('run1', 0)[2]).toBe(false);
        const { seq: _s, ...asStored } = first.label;
        expect(p.loadRun('run1').labels).toEqual(p.labelsSince('run1', 0).map(({ seq: _seq, ...l }) => l));
        expect(p.loadRun('run1').labels[0]).toEqual(asStored);
        expect('assistance' in p.loadRun('run1').labels[2]).toBe(false);
        // A resubmission returns the stored label, whatever assistance it carries.
        expect(p.submitLabel({ ...sub, assistance: unassisted })).toEqual({ label: first.label, duplicate: true });
        expect(p.takeLabels('run1', 0, new Date(Date.now() + 3_600_000)).map((l) => l.assistance ?? 'none')).toEqual([assisted(), unassisted, 'none']);
        expect(p.runStore('run1').load().labels[0]).toEqual(asStored);
        // putLabel (the loop's, imports') keeps it too.
        const imported = label('q-3', 3, { clientId: 'imp-1', assistance: assisted('dismissed') });
        expect(p.runStore('run1').putLabel(imported)).toEqual(imported);
        expect(p.labelsSince('run1', third.seq)).toEqual([{ ...imported, seq: expect.any(Number) }]);
      });

      it('refuses assistance that breaks the rules of the trial, naming the problem, and stores nothing', () => {
        const p = withQueries(3);
        const a = p.addAnnotator('a').annotator.id;
        p.assignQueries('run1', a, 1);
        const sub = { runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'left' as const, seconds: 1, clientId: 'c0' };
        const refused = (assistance: unknown, message: RegExp) => expectRefusal(() => p.submitLabel({ ...sub, assistance: assistance as LabelAssistance }), InvalidInputError, message);
        refused({ arm: 'placebo', critique: null, response: null }, /unknown trial arm "placebo"; one of assisted, unassisted/);
        refused({ arm: 'unassisted', critique: critique(), response: null }, /a critique was shown in the unassisted arm; only the assisted arm shows one/);
        refused({ arm: 'assisted', critique: null, response: 'accepted' }, /a critique response \(accepted\) without a critique shown/);
        refused({ arm: 'assisted', critique: critique(), response: 'maybe' }, /unknown critique response "maybe"; one of accepted, dismissed, or null/);
        refused({ arm: 'assisted', critique: { ...critique(), reveals: [{ kind: 'contact', step: -1 }] }, response: null }, /critique\.reveals\[0\] must be/);
        refused({ arm: 'assisted', critique: { ...critique(), assistant: '' }, response: null }, /critique\.assistant must be 1-200 characters/);
        expectRefusal(() => p.runStore('run1').putLabel(label('q-1', 1, { assistance: { arm: 'unassisted', critique: critique(), response: 'dismissed' } })), InvalidInputError, /label for q-1: a critique was shown in the unassisted arm/);
        expect(p.labelsSince('run1', 0)).toEqual([]);
        // The pair is still open to its person, who can answer it properly.
        expect(p.submitLabel({ ...sub, assistance: assisted(null) }).label.assistance).toEqual(assisted(null));
      });

      it('an undone answer takes its assistance aside with it; the pair answered again in the other arm keeps the new one', () => {
        const p = withQueries(3, 0, 0);
        const a = p.addAnnotator('a').annotator.id;
        p.setGoldPair('run1', 'q-1', 'left');
        p.assignQueries('run1', a, 1);
        const sub = { runId: 'run1', queryId: 'q-0', annotatorId: a, answer: 'left' as const, seconds: 1, clientId: 'c0', assistance: assisted() };
        p.submitLabel(sub);
        p.submitLabel({ ...sub, queryId: 'gold-q-1', clientId: 'g0', assistance: assisted('dismissed') });
        expect(p.agreement('run1').critiques).toEqual({ shown: 2, accepted: 1, dismissed: 1 });
        p.withdrawLabel('run1', a, 'c0');
        p.withdrawLabel('run1', a, 'g0');
        expect(p.labelsSince('run1', 0)).toEqual([]);
        expect(p.agreement('run1').critiques).toEqual({ shown: 0, accepted: 0, dismissed: 0 });
        expectRefusal(() => p.submitLabel(sub), ConflictError, /answer c0 was undone/);
        const again = p.submitLabel({ ...sub, clientId: 'c0-again', answer: 'right', assistance: unassisted }).label;
        p.submitLabel({ ...sub, queryId: 'gold-q-1', clientId: 'g0-again', assistance: unassisted });
        expect(again).toMatchObject({ queryId: 'q-0', answer: 'right', assistance: unassisted });
        expect(p.labelsSince('run1', 0).map((l) => [l.clientId, l.assistance])).toEqual([
          ['c0-again', unassisted],
          ['g0-again', unassisted],
        ]);
        expect(p.agreement('run1').arms).toEqual({ assisted: { answered: 0, correct: 0 }, unassisted: { answered: 1, correct: 1 } });
      });

      it('counts gold answers per arm (labels without an arm in neither) and the critiques shown, accepted and dismissed', () => {
        const p = withQueries(4, 0, 0); // q-0 .. q-2
        const [a, b, c] = ['a', 'b', 'c'].map((n) => p.addAnnotator(n).annotator.id);
        p.setGoldPair('run1', 'q-1', 'left');
        p.setGoldPair('run1', 'q-2', 'right');
        const answer = (who: number, queryId: string, ans: 'left' | 'right', clientId: string, assistance?: LabelAssistance) => p.submitLabel({ runId: 'run1', queryId, annotatorId: who, answer: ans, seconds: 1, clientId, assistance });
        answer(a, 'gold-q-1', 'left', 'a1', assisted('accepted')); // assisted, correct
        answer(b, 'gold-q-1', 'right', 'b1', assisted('dismissed')); // assisted, wrong
        answer(c, 'gold-q-1', 'left', 'c1', unassisted); // unassisted, correct
        answer(a, 'gold-q-2', 'right', 'a2'); // no arm: gold only
        expect(p.assignQueries('run1', a, 1).map((q) => q.query.id)).toEqual(['q-0']);
        answer(a, 'q-0', 'left', 'a0', assisted(null)); // a normal pair: a critique shown, no response
        const ag = p.agreement('run1');
        expect(ag.gold).toEqual({ pairs: 3, agreeing: 1, answered: 4, correct: 3 });
        expect(ag.arms).toEqual({ assisted: { answered: 2, correct: 1 }, unassisted: { answered: 1, correct: 1 } });
        expect(ag.critiques).toEqual({ shown: 3, accepted: 1, dismissed: 1 });
      });
    });

    describe('metrics', () => {
      it("keeps a run's metrics in order and moves its env steps", () => {
        const p = withQueries(2);
        p.createRun({ id: 'other', envId: 'Hopper-v5' });
        p.appendMetrics('run1', { envSteps: 2048, labels: 3, heldOutAccuracy: 0.5 });
        p.appendMetrics('other', { envSteps: 7 });
        p.appendMetrics('run1', { envSteps: 4096, labels: 5, heldOutAccuracy: 0.75, nested: { a: null } });
        const all = p.metricsSince('run1', 0);
        expect(all.map((m) => m.row)).toEqual([
          { envSteps: 2048, labels: 3, heldOutAccuracy: 0.5 },
          { envSteps: 4096, labels: 5, heldOutAccuracy: 0.75, nested: { a: null } },
        ]);
        expect(all[1].seq).toBeGreaterThan(all[0].seq);
        expect(p.metricsSince('run1', all[0].seq).map((m) => m.row.envSteps)).toEqual([4096]);
        expect(p.metricsSince('run1', all[1].seq)).toEqual([]);
        expect(p.getRun('run1')!.envSteps).toBe(4096);
        expect(p.getRun('other')!.envSteps).toBe(7);
        expect(p.metricsSince('nope', 0)).toEqual([]);
      });

      it('drops the rows past a step count (a resumed run logs them again), and only that run\'s', () => {
        const p = withQueries(2);
        p.createRun({ id: 'other', envId: 'Hopper-v5' });
        for (const envSteps of [1024, 2048, 3072]) p.appendMetrics('run1', { envSteps });
        p.appendMetrics('other', { envSteps: 4096 });
        p.truncateMetrics('run1', 2048);
        expect(p.metricsSince('run1', 0).map((m) => m.row.envSteps)).toEqual([1024, 2048]);
        expect(p.getRun('run1')!.envSteps).toBe(2048);
        expect(p.metricsSince('other', 0).map((m) => m.row.envSteps)).toEqual([4096]);
        p.appendMetrics('run1', { envSteps: 3072, again: true });
        expect(p.metricsSince('run1', 0).map((m) => m.row)).toEqual([{ envSteps: 1024 }, { envSteps: 2048 }, { envSteps: 3072, again: true }]);
        expectRefusal(() => p.truncateMetrics('nope', 0), NotFoundError, /no run "nope"/);
      });
    });

    describe('reports made from a run', () => {
      it('stores one report per kind, replaces it when made again, and keeps runs apart', () => {
        const p = withQueries(2);
        p.createRun({ id: 'other', envId: 'Hopper-v5' });
        expect(p.getRunReport('run1', 'attention')).toBeNull();
        expect(p.listRunReports('run1')).toEqual([]);
        const body = { format: 'x/1', units: [{ score: 0.81, sentence: 'fires when … é' }], nested: { a: null, b: [1.5, -0] } };
        const info = p.putRunReport('run1', 'attention', body);
        expect(info.kind).toBe('attention');
        expect(info.bytes).toBe(Buffer.byteLength(JSON.stringify(body)));
        expect(Number.isFinite(Date.parse(info.createdAt))).toBe(true);
        const got = p.getRunReport('run1', 'attention')!;
        // JSON keeps -0 as 0: the body comes back as JSON would have it.
        expect(got.body).toEqual(JSON.parse(JSON.stringify(body)));
        expect(got.bytes).toBe(info.bytes);
        p.putRunReport('run1', 'epic-2', [1, 2, 3]);
        p.putRunReport('run1', 'attention', { format: 'x/1', units: [] });
        expect(p.getRunReport('run1', 'attention')!.body).toEqual({ format: 'x/1', units: [] });
        expect(p.listRunReports('run1').map((r) => r.kind)).toEqual(['attention', 'epic-2']);
        expect(p.getRunReport('other', 'attention')).toBeNull();
        expect(p.listRunReports('other')).toEqual([]);
      });

      it('refuses a bad kind, a body JSON cannot hold, and a run that does not exist', () => {
        const p = withQueries(2);
        for (const kind of ['', 'Attention', 'a b', '-x', 'x-', 'x/y', 'a'.repeat(65)]) expectRefusal(() => p.putRunReport('run1', kind, {}), InvalidInputError, /report kind/);
        expectRefusal(() => p.putRunReport('run1', 'attention', undefined), InvalidInputError, /cannot be written as JSON/);
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        expectRefusal(() => p.putRunReport('run1', 'attention', cyclic), InvalidInputError, /cannot be written as JSON/);
        expectRefusal(() => p.putRunReport('nope', 'attention', {}), NotFoundError, /no run "nope"/);
        expectRefusal(() => p.getRunReport('nope', 'attention'), NotFoundError, /no run "nope"/);
        expectRefusal(() => p.listRunReports('nope'), NotFoundError, /no run "nope"/);
        expect(p.listRunReports('run1')).toEqual([]);
      });
    });

    describe('debate games (issue 23)', () => {
      /** A store with a debate session (run `debate`) and a person, ada. */
      function session() {
        const p = fresh();
        p.createRun({ id: 'debate', envId: 'MNIST-debate', config: { debate: { k: 4, precommit: true } } });
        const ada = p.addAnnotator('ada').annotator.id;
        return { p, ada };
      }
      const judged = (ada: number, over: Partial<NewDebateGame> = {}) => testGame({ id: 'j-1', annotatorId: ada, role: 'judge', personPick: 5, seconds: 12.5, ...over });
      const debated = (ada: number, over: Partial<NewDebateGame> = {}) =>
        testGame({ id: 'd-1', annotatorId: ada, role: 'debater', precommit: false, lie: null, firstMover: 'liar', k: 2, reveals: [{ pixel: 783, by: 'liar' }, { pixel: 5, by: 'honest' }], modelPick: 8, seconds: 40, ...over });

      it('stores games in the order they come, with the person, and keeps runs apart', () => {
        const { p, ada } = session();
        p.createRun({ id: 'other', envId: 'MNIST-debate' });
        expect(p.debateGames('debate')).toEqual([]);
        const first = p.putDebateGame('debate', judged(ada));
        expect(first.duplicate).toBe(false);
        expect(first.game).toEqual({ ...judged(ada), seq: expect.any(Number), createdAt: expect.any(String), annotator: 'ada' });
        expect(Number.isFinite(Date.parse(first.game.createdAt))).toBe(true);
        const model = p.putDebateGame('debate', testGame()).game;
        const person = p.putDebateGame('debate', debated(ada)).game;
        expect(model).toMatchObject({ annotatorId: null, annotator: null, role: 'model', personPick: null });
        expect(person).toMatchObject({ annotator: 'ada', lie: null, modelPick: 8, precommit: false });
        expect(first.game.seq < model.seq && model.seq < person.seq).toBe(true);
        expect(p.debateGames('debate')).toEqual([first.game, model, person]);
        // The same client id in another run is another game.
        expect(p.putDebateGame('other', testGame({ truth: 1, lie: 2, modelPick: 2 })).duplicate).toBe(false);
        expect(p.debateGames('other').map((g) => [g.id, g.truth])).toEqual([['g-1', 1]]);
        expect(p.debateGames('debate').map((g) => g.id)).toEqual(['j-1', 'g-1', 'd-1']);
      });

      it('keeps what was stored: later changes to the caller\'s game or to what it was given change nothing', () => {
        const { p, ada } = session();
        const g = judged(ada);
        const { game } = p.putDebateGame('debate', g);
        g.reveals[0].pixel = 99;
        game.reveals[1].pixel = 98;
        p.debateGames('debate')[0].reveals[2].pixel = 97;
        expect(p.debateGames('debate')[0].reveals.map((r) => r.pixel)).toEqual([100, 200, 300, 0]);
      });

      it('recognises a resubmission by its id (even once the run has finished); other content under the same id is a conflict', () => {
        const { p, ada } = session();
        const { game } = p.putDebateGame('debate', judged(ada));
        // A retry as the page would send it (fields in another order: the same game).
        const { reveals, ...rest } = judged(ada);
        expect(p.putDebateGame('debate', { reveals: reveals.map((r) => ({ by: r.by, pixel: r.pixel })), ...rest })).toEqual({ game, duplicate: true });
        for (const other of [{ personPick: 3 }, { seconds: 13 }, { reveals: [...reveals.slice(0, 3), { pixel: 1, by: 'liar' as const }] }, { imageIndex: 8 }]) {
          expectRefusal(() => p.putDebateGame('debate', judged(ada, other)), ConflictError, /debate game j-1 is already stored in run debate with other content/);
        }
        expectRefusal(() => p.putDebateGame('debate', judged(ada, { annotatorId: p.addAnnotator('bob').annotator.id })), ConflictError, /other content/);
        p.finishRun('debate');
        expect(p.putDebateGame('debate', judged(ada))).toEqual({ game, duplicate: true });
        expect(p.debateGames('debate')).toEqual([game]);
      });

      it('takes games without precommit: the liar names its claim at the end, or none', () => {
        const { p, ada } = session();
        // No claim named: the model judge's pick (and a person's) may be any digit.
        expect(p.putDebateGame('debate', debated(ada)).game.lie).toBeNull();
        expect(p.putDebateGame('debate', judged(ada, { id: 'j-2', precommit: false, lie: null, personPick: 0, modelPick: 9 })).game).toMatchObject({ lie: null, personPick: 0, modelPick: 9 });
        // Named at the end: the picks are between the two claims, as with precommit.
        expect(p.putDebateGame('debate', judged(ada, { id: 'j-3', precommit: false, lie: 8, personPick: 8, modelPick: 3 })).game.lie).toBe(8);
        expectRefusal(() => p.putDebateGame('debate', judged(ada, { id: 'j-4', precommit: false, lie: 8, personPick: 5 })), InvalidInputError, /personPick must be truth \(3\) or lie \(8\) \(got 5\)/);
        expect(p.debateGames('debate').map((g) => g.id)).toEqual(['d-1', 'j-2', 'j-3']);
      });

      it('refuses a game that breaks the rules, naming the field', () => {
        const { p, ada } = session();
        const four = testGame().reveals;
        const bad: [NewDebateGame, RegExp][] = [
          [testGame({ id: '' }), /id must be 1-100 characters/],
          [testGame({ id: 'x'.repeat(101) }), /id must be 1-100 characters/],
          [testGame({ role: 'spectator' as never }), /role "spectator" is unknown; one of judge, debater, model/],
          [testGame({ imageIndex: 10_000 }), /imageIndex must be an index into the MNIST test set, 0\.\.9999 \(got 10000\)/],
          [testGame({ imageIndex: -1 }), /imageIndex/],
          [testGame({ imageIndex: 1.5 }), /imageIndex/],
          [testGame({ k: 0, reveals: [] }), /k must be a whole number of pixels in 1\.\.784 \(got 0\)/],
          [testGame({ k: 785 }), /k must be a whole number of pixels in 1\.\.784 \(got 785\)/],
          [testGame({ precommit: 'yes' as never }), /precommit must be true or false/],
          [testGame({ firstMover: 'both' as never }), /firstMover "both" is unknown; one of honest, liar/],
          [testGame({ truth: 10 }), /truth must be a digit 0-9 \(got 10\)/],
          [testGame({ truth: 2.5 }), /truth must be a digit/],
          [testGame({ lie: 12 }), /lie must be a digit 0-9 or null \(got 12\)/],
          [testGame({ lie: 3 }), /lie must be a digit other than truth \(both 3\)/],
          [testGame({ lie: null }), /lie is null, but with precommit the liar names its claim before the first reveal/],
          [testGame({ reveals: four.slice(0, 3) }), /reveals must list exactly k = 4 reveals \(got 3\)/],
          [testGame({ reveals: [...four, { pixel: 5, by: 'honest' }] }), /reveals must list exactly k = 4 reveals \(got 5\)/],
          [testGame({ reveals: [four[0], four[1], { pixel: 100, by: 'honest' }, four[3]] }), /reveals\[2\]\.pixel 100 was already revealed/],
          [testGame({ reveals: [four[0], four[1], four[2], { pixel: 784, by: 'liar' }] }), /reveals\[3\]\.pixel must be a pixel 0\.\.783 \(got 784\)/],
          [testGame({ reveals: [four[0], four[1], four[2], { pixel: -1, by: 'liar' }] }), /reveals\[3\]\.pixel must be a pixel/],
          [testGame({ reveals: [four[0], { pixel: 200, by: 'honest' }, four[2], four[3]] }), /reveals\[1\]\.by must be liar: players alternate, starting with firstMover honest \(got "honest"\)/],
          [testGame({ firstMover: 'liar' }), /reveals\[0\]\.by must be liar: players alternate, starting with firstMover liar/],
          [testGame({ modelPick: 7 }), /modelPick must be truth \(3\) or lie \(5\) \(got 7\)/],
          [testGame({ modelPick: 10, precommit: false, lie: null }), /modelPick must be a digit 0-9 \(got 10\)/],
          [judged(ada, { personPick: 7 }), /personPick must be truth \(3\) or lie \(5\) \(got 7\)/],
          [judged(ada, { personPick: -1, precommit: false, lie: null }), /personPick must be a digit 0-9 or null/],
          [judged(ada, { personPick: null }), /personPick must be set when a person judged \(role judge\)/],
          [judged(ada, { annotatorId: null }), /role judge needs the person who played: annotatorId must be set/],
          [judged(ada, { annotatorId: 0 }), /annotatorId must be an annotator's id or null \(got 0\)/],
          [judged(ada, { annotatorId: 1.5 }), /annotatorId must be an annotator's id or null/],
          [judged(ada, { seconds: -1 }), /seconds must be a non-negative number or null \(got -1\)/],
          [judged(ada, { seconds: Number.NaN }), /seconds must be a non-negative number or null/],
          [judged(ada, { seconds: Number.POSITIVE_INFINITY }), /seconds must be a non-negative number or null/],
          [debated(ada, { annotatorId: null }), /role debater needs the person who played/],
          [debated(ada, { personPick: 3 }), /personPick must be null when the person debated \(role debater\): the model judged/],
          [testGame({ annotatorId: ada }), /a game between models \(role model\) names no person: annotatorId must be null/],
          [testGame({ personPick: 3 }), /personPick must be null in a game between models/],
          [testGame({ seconds: 3 }), /seconds must be null in a game between models/],
        ];
        for (const [g, message] of bad) {
          expectRefusal(() => p.putDebateGame('debate', g), InvalidInputError, message);
          expectRefusal(() => p.putDebateGame('debate', g), InvalidInputError, /^debate game/);
        }
        expect(p.debateGames('debate')).toEqual([]);
      });

      it('refuses a run that does not exist, an annotator that does not, and a finished run', () => {
        const { p, ada } = session();
        expectRefusal(() => p.putDebateGame('nope', testGame()), NotFoundError, /no run "nope"/);
        expectRefusal(() => p.debateGames('nope'), NotFoundError, /no run "nope"/);
        expectRefusal(() => p.putDebateGame('debate', judged(ada + 100)), ForbiddenError, new RegExp(`no annotator ${ada + 100}`));
        p.putDebateGame('debate', judged(ada));
        p.finishRun('debate');
        expectRefusal(() => p.putDebateGame('debate', testGame()), ConflictError, /run debate has finished; debate game g-1 was not stored/);
        expect(p.debateGames('debate').map((g) => g.id)).toEqual(['j-1']);
      });

      it('exports every game after its run\'s labels and imports them: the person by name, the time kept', () => {
        const { p, ada } = session();
        p.putDebateGame('debate', judged(ada));
        p.putDebateGame('debate', testGame());
        p.putDebateGame('debate', debated(ada, { seconds: 0 }));
        const lines = [...exportLines(p)].map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines.map((l) => l.type)).toEqual(['header', 'run', 'debate-game', 'debate-game', 'debate-game']);
        expect(lines[2]).toEqual({ type: 'debate-game', run: 'debate', ...Object.fromEntries(Object.entries(judged(ada)).filter(([k]) => k !== 'annotatorId')), annotator: 'ada', createdAt: p.debateGames('debate')[0].createdAt });
        const file = join(mkdtempSync(join(tmpdir(), 'overseer-contract-')), 'games.jsonl');
        writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
        const [run] = readExport(file);
        const target = fresh();
        expect(importRuns(target, [run], 'copy-')).toEqual({ runs: 1, labels: 0, debateGames: 3 });
        // Annotator ids are the project's own: an imported game keeps the name, as an imported label keeps its teacher.
        const strip = (gs: DebateGame[]) => gs.map(({ seq: _s, annotatorId: _a, ...g }) => g);
        expect(strip(target.debateGames('copy-debate'))).toEqual(strip(p.debateGames('debate')));
        expect(target.debateGames('copy-debate').map((g) => [g.annotatorId, g.annotator])).toEqual([[null, 'ada'], [null, null], [null, 'ada']]);
        // Exported again, the copy reads the same.
        const again = [...exportLines(target, ['copy-debate'])].slice(2).map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(again).toEqual(lines.slice(2).map((l) => ({ ...l, run: 'copy-debate' })));
      });

      it('the export reader refuses a game line that breaks the rules, or a game twice', () => {
        const { p, ada } = session();
        p.putDebateGame('debate', judged(ada));
        const lines = [...exportLines(p)];
        const dir = mkdtempSync(join(tmpdir(), 'overseer-contract-'));
        const read = (game: Record<string, unknown>, extra: string[] = []) => {
          const file = join(dir, 'games.jsonl');
          writeFileSync(file, [...lines.slice(0, 2), JSON.stringify(game), ...extra].join('\n'));
          return () => readExport(file);
        };
        const line = JSON.parse(lines[2]) as Record<string, unknown>;
        expectRefusal(read({ ...line, personPick: 7 }), InvalidInputError, /games\.jsonl:3: record: personPick must be truth \(3\) or lie \(5\) \(got 7\)/);
        expectRefusal(read({ ...line, annotator: null }), InvalidInputError, /games\.jsonl:3: record: role judge needs the person who played/);
        expectRefusal(read({ ...line, reveals: (line.reveals as unknown[]).slice(1) }), InvalidInputError, /:3: record: reveals must list exactly k = 4 reveals/);
        expectRefusal(read({ ...line, truth: 11 }), InvalidInputError, /:3: truth: /);
        expectRefusal(read({ ...line, annotatorId: 1 }), InvalidInputError, /:3: /);
        expectRefusal(read({ ...line, createdAt: 'yesterday' }), InvalidInputError, /:3: createdAt: "yesterday" is not a time/);
        expectRefusal(read({ ...line, run: 'elsewhere' }), InvalidInputError, /:3: names run elsewhere, which has no run record before it/);
        expectRefusal(read(line, [JSON.stringify(line)]), InvalidInputError, /:4: debate game j-1 appears twice in run debate/);
        expect(read(line)()[0].contents.debateGames).toHaveLength(1);
      });
    });

    describe('export and import', () => {
      /** A run with 5 segments, 4 queries (one gold, one never answered) and 4 labels (from the loop, and people). */
      function sourceStore() {
        const p = fresh();
        p.createRun({ id: 'src', envId: 'Pendulum-v1', instructions: 'keep it <up>', labelBudget: 50, renderSpec: SPEC });
        const segs = [0, 1, 2, 3, 4].map((i) => testSegment(i, 3));
        p.putSegments('src', segs.map((s, i) => ({ segment: s, truth: i < 4 ? testTruth(s, -i) : undefined })));
        p.putQueries('src', [
          { id: 'q-0', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 10 },
          { id: 'q-1', leftId: 'seg-2', rightId: 'seg-4', askedAtStep: 20 },
          { id: 'q-2', leftId: 'seg-3', rightId: 'seg-0', askedAtStep: 30 },
          { id: 'gold-1', leftId: 'seg-1', rightId: 'seg-2', askedAtStep: 0, kind: 'gold', goldAnswer: 'left' },
        ]);
        p.setGuidelines('src', 'Upright beats swinging.');
        p.putLabel('src', { queryId: 'q-0', leftId: 'seg-0', rightId: 'seg-1', answer: 'right', teacher: 'oracle', seconds: null, receivedAtStep: 12, createdAt: '2026-01-01T00:00:00.000Z' });
        const ada = p.addAnnotator('ada').annotator.id;
        const bob = p.addAnnotator('bob').annotator.id;
        p.assignQueries('src', ada, 1);
        p.submitLabel({ runId: 'src', queryId: 'q-1', annotatorId: ada, answer: 'equal', seconds: 2, clientId: 'c-1' });
        p.submitLabel({ runId: 'src', queryId: 'gold-1', annotatorId: ada, answer: 'left', seconds: 1, clientId: 'c-2' });
        p.submitLabel({ runId: 'src', queryId: 'gold-1', annotatorId: bob, answer: 'left', seconds: 1, clientId: 'c-3' });
        return p;
      }

      it('exports gold pairs nobody has answered yet, with their known answers', () => {
        const p = withQueries(3);
        p.setGoldPair('run1', 'q-1', 'right');
        const file = join(mkdtempSync(join(tmpdir(), 'overseer-contract-')), 'labels.jsonl');
        writeFileSync(file, [...exportLines(p)].join('\n'));
        const [run] = readExport(file);
        expect(run.contents.queries.map((q) => q.id)).toEqual(['gold-q-1']);
        expect(run.contents.goldAnswers!.get('gold-q-1')).toBe('right');
        expect([...run.contents.segments.keys()].sort()).toEqual(['seg-1', 'seg-2']);
        const target = fresh();
        importRuns(target, [run]);
        expect(target.goldPairs('run1')).toEqual([expect.objectContaining({ id: 'gold-q-1', answer: 'right', answered: 0 })]);
      });

      it('refuses a known answer on anything but a gold pair, and an unknown answer', () => {
        const p = withQueries(3);
        expectRefusal(() => p.putQueries('run1', [{ id: 'q-9', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 0, goldAnswer: 'left' }]), InvalidInputError, /only a gold pair has a known answer/);
        expectRefusal(() => p.putQueries('run1', [{ id: 'g-9', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 0, kind: 'gold', goldAnswer: 'up' as never }]), InvalidInputError, /unknown answer "up"/);
        expect(p.queryKinds('run1').has('q-9')).toBe(false);
      });

      it('exports labelled queries with their segments, true rewards, kinds, client ids and render spec; imports them into a store of the same kind', () => {
        const p = sourceStore();
        const file = join(mkdtempSync(join(tmpdir(), 'overseer-contract-')), 'labels.jsonl');
        writeFileSync(file, [...exportLines(p)].join('\n'));
        const [run] = readExport(file);
        expect(run).toMatchObject({ id: 'src', envId: 'Pendulum-v1', instructions: 'keep it <up>', labelBudget: 50, renderSpec: SPEC });
        expect([...run.contents.segments.keys()].sort()).toEqual(['seg-0', 'seg-1', 'seg-2', 'seg-4']);

        const target = fresh();
        expect(importRuns(target, [run], 'copy-')).toEqual({ runs: 1, labels: 4, debateGames: 0 });
        expect(target.getRun('copy-src')).toMatchObject({ envId: 'Pendulum-v1', instructions: 'keep it <up>', labelBudget: 50, renderSpec: SPEC, guidelines: 'Upright beats swinging.' });
        // The gold pair keeps its known answer, so its accuracy reads the same.
        expect(target.goldPairs('copy-src')).toEqual([expect.objectContaining({ id: 'gold-1', answer: 'left', answered: 2, correct: 2 })]);
        const before = p.loadRun('src');
        const after = target.loadRun('copy-src');
        for (const id of ['seg-0', 'seg-1', 'seg-2', 'seg-4']) expect(after.segments.get(id)).toEqual(before.segments.get(id));
        expect(after.truths.get('seg-2')).toEqual(before.truths.get('seg-2'));
        expect(after.truths.has('seg-4')).toBe(false);
        expect(after.queries.map((q) => q.id)).toEqual(['q-0', 'q-1', 'gold-1']);
        expect(target.queryKinds('copy-src').get('gold-1')).toBe('gold');
        const strip = (ls: { seq: number }[]) => ls.map(({ seq: _s, ...l }) => l);
        expect(strip(target.labelsSince('copy-src', 0))).toEqual(strip(p.labelsSince('src', 0)));
        // The imported run's loop sees its own queries only: the gold pair's two labels are not training labels.
        const forLoop = target.runStore('copy-src').load();
        expect(forLoop.queries.map((q) => q.id)).toEqual(['q-0', 'q-1']);
        expect(forLoop.labels.map((l) => l.queryId)).toEqual(['q-0', 'q-1']);
        expectRefusal(() => importRuns(target, [run], 'copy-'), ConflictError, /run copy-src already exists .*another --prefix/);
        expectRefusal(() => [...exportLines(p, ['nope'])], NotFoundError, /no run "nope"/);
      });

      it("exports a label's assistance (only on labels that have one) and imports it", () => {
        const p = sourceStore();
        const bob = p.listAnnotators().find((x) => x.name === 'bob')!.id;
        expect(p.assignQueries('src', bob, 1).map((q) => q.query.id)).toEqual(['q-2']);
        const assistance: LabelAssistance = { arm: 'assisted', critique: { assistant: 'rrm', reason: 'it swings', reveals: [{ kind: 'angle', step: 2, cell: 0 }, { kind: 'reward', step: 1 }] }, response: 'dismissed' };
        p.submitLabel({ runId: 'src', queryId: 'q-2', annotatorId: bob, answer: 'left', seconds: 3, clientId: 'c-4', assistance });
        const lines = [...exportLines(p)].map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.type === 'label');
        expect(lines.map((l) => [l.clientId, l.assistance ?? 'none'])).toEqual([
          [null, 'none'],
          ['c-1', 'none'],
          ['c-2', 'none'],
          ['c-3', 'none'],
          ['c-4', assistance],
        ]);
        expect(lines.filter((l) => 'assistance' in l)).toHaveLength(1);
        const file = join(mkdtempSync(join(tmpdir(), 'overseer-contract-')), 'labels.jsonl');
        writeFileSync(file, [...exportLines(p)].join('\n'));
        const [run] = readExport(file);
        const target = fresh();
        expect(importRuns(target, [run], 'copy-')).toEqual({ runs: 1, labels: 5, debateGames: 0 });
        const strip = (ls: { seq: number }[]) => ls.map(({ seq: _s, ...l }) => l);
        expect(strip(target.labelsSince('copy-src', 0))).toEqual(strip(p.labelsSince('src', 0)));
        expect(target.labelsSince('copy-src', 0)[4].assistance).toEqual(assistance);
        expect('assistance' in target.labelsSince('copy-src', 0)[0]).toBe(false);
      });

      it('imports all or nothing', () => {
        const p = sourceStore();
        const file = join(mkdtempSync(join(tmpdir(), 'overseer-contract-')), 'labels.jsonl');
        writeFileSync(file, [...exportLines(p)].join('\n'));
        const [run] = readExport(file);
        const broken = { ...run, id: 'broken', contents: { ...run.contents, labels: [...run.contents.labels, { ...run.contents.labels[0], queryId: 'q-missing' }] } };
        const target = fresh();
        expectRefusal(() => target.importRuns([{ run: { id: 'ok', envId: run.envId }, contents: run.contents }, { run: { id: 'broken', envId: run.envId }, contents: broken.contents }]), NotFoundError, /q-missing/);
        expect(target.listRuns()).toEqual([]);
        expect(target.loadRun('ok').segments.size).toBe(0);
        // Two runs of one batch under the same id: refused, nothing stored.
        expectRefusal(() => target.importRuns([{ run: { id: 'twice', envId: 'x' }, contents: run.contents }, { run: { id: 'twice', envId: 'x' }, contents: run.contents }]), ConflictError, /already exists/);
        expect(target.listRuns()).toEqual([]);
      });
    });
  });
}
