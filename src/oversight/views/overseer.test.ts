import { describe, expect, it } from 'vitest';
import type { Segment, SegmentTruth } from '../../prefs/segments.js';
import { SimulatedTeacher, teacherParams, type Query, type Teacher, type TeacherAnswer } from '../../prefs/teachers.js';
import { LimitedOverseer, overseerFor } from './overseer.js';
import { viewFor } from './registry.js';
import { clipOf, randomBox, randomMove, rollout, type Rollout } from './testing.js';

/** Reacher episodes with random actions of different sizes, each one 50-step clip, with its true rewards. */
function reacherClips(n: number, scale: (i: number) => number): { spec: Rollout['spec']; clips: { segment: Segment; truth: SegmentTruth }[] } {
  const rs = Array.from({ length: n }, (_, i) => rollout('Reacher-v5', 100 + i, 50, (t, rng) => randomBox(2)(t, rng).map((a) => a * scale(i))));
  return { spec: rs[0].spec, clips: rs.map((r, i) => ({ segment: clipOf(r, 0, 50, `seg-${i}`), truth: { segmentId: `seg-${i}`, rewards: Float64Array.from(r.rewards) } })) };
}

/** Every pair (i, j), i < j, as queries. */
function allPairs(segments: Segment[]): Query[] {
  const out: Query[] = [];
  for (let i = 0; i < segments.length; i++) for (let j = i + 1; j < segments.length; j++) out.push({ id: `q-${out.length}`, left: segments[i], right: segments[j], askedAtStep: 0 });
  return out;
}

const answersOf = (t: Teacher, qs: Query[]): TeacherAnswer['answer'][] => {
  t.ask(qs);
  return t.poll().map((a) => a.answer);
};

const { spec, clips } = reacherClips(16, (i) => ((i % 4) + 1) * 0.25);
const truths = new Map(clips.map((c) => [c.segment.id, c.truth]));
const queries = allPairs(clips.map((c) => c.segment));

describe('LimitedOverseer', () => {
  it('is a Teacher: replayable, answers at once, under its name', () => {
    const o: Teacher = overseerFor('Reacher-v5', 'projection', teacherParams('oracle'), spec, 50, 1);
    expect(o.replayable).toBe(true);
    o.ask(queries.slice(0, 3));
    expect(o.pending).toBe(0);
    expect(o.poll().map((a) => [a.queryId, a.teacher])).toEqual([
      ['q-0', 'overseer:projection'],
      ['q-1', 'overseer:projection'],
      ['q-2', 'overseer:projection'],
    ]);
    expect(o.poll()).toEqual([]);
  });

  it('with the full view it answers as the oracle on true rewards (Reacher: all but the last step exact; AbsentSupervisor: exact)', () => {
    const full = answersOf(overseerFor('Reacher-v5', 'full', teacherParams('oracle'), spec, 50, 1), queries);
    const oracle = answersOf(new SimulatedTeacher('oracle', teacherParams('oracle'), (id) => truths.get(id), 50, 1), queries);
    const agree = full.filter((a, i) => a === oracle[i]).length / queries.length;
    expect(agree).toBeGreaterThan(0.97);

    const rs = Array.from({ length: 10 }, (_, i) => rollout('AbsentSupervisor-v0', 200 + i, 15, i % 2 ? randomMove : () => 1));
    const segs = rs.map((r, i) => clipOf(r, 0, r.actions.length, `seg-${i}`));
    const hidden = new Map(rs.map((r, i) => [`seg-${i}`, { segmentId: `seg-${i}`, rewards: Float64Array.from(r.hidden) }]));
    const qs = allPairs(segs);
    const stoc = teacherParams('stoc', { epsilon: 0.1 });
    expect(answersOf(overseerFor('AbsentSupervisor-v0', 'full', stoc, rs[0].spec, 15, 9), qs)).toEqual(answersOf(new SimulatedTeacher('oracle', stoc, (id) => hidden.get(id), 15, 9), qs));
  });

  it('through the projection it disagrees with the oracle where y matters', () => {
    // Gentle actions, so that the clips differ mostly in where the fingertip goes.
    const gentle = reacherClips(16, () => 0.1);
    const truth = new Map(gentle.clips.map((c) => [c.segment.id, c.truth]));
    const qs = allPairs(gentle.clips.map((c) => c.segment));
    const proj = answersOf(overseerFor('Reacher-v5', 'projection', teacherParams('oracle'), spec, 50, 1), qs);
    const oracle = answersOf(new SimulatedTeacher('oracle', teacherParams('oracle'), (id) => truth.get(id), 50, 1), qs);
    const full = answersOf(overseerFor('Reacher-v5', 'full', teacherParams('oracle'), spec, 50, 1), qs);
    const disagree = (x: string[]) => x.filter((a, i) => a !== oracle[i]).length / qs.length;
    expect(disagree(proj)).toBeGreaterThan(0.04); // 7 of 120 pairs
    expect(disagree(full)).toBe(0);
  });

  it('is reproducible from its seed, and state()/load() round-trips mid-run', () => {
    const params = teacherParams('stoc', { epsilon: 0.2, equal: 0.05 });
    const make = (seed: number) => new LimitedOverseer('o', viewFor('Reacher-v5', 'sensor-blind'), spec, params, 50, seed);
    const a = answersOf(make(3), queries);
    expect(answersOf(make(3), queries)).toEqual(a);
    expect(answersOf(make(4), queries)).not.toEqual(a);

    const first = make(3);
    first.ask(queries.slice(0, 50));
    const saved = JSON.parse(JSON.stringify(first.state()));
    const resumed = make(99);
    resumed.load(saved);
    resumed.ask(queries.slice(50));
    expect(resumed.poll().map((x) => x.answer)).toEqual(a);
    expect(() => resumed.load({})).toThrow('not a simulated teacher');
  });

  it('refuses a clip its view cannot judge', () => {
    const o = overseerFor('Reacher-v5', 'full', teacherParams('oracle'), spec, 50, 1);
    const blank = { ...queries[0].left, render: null };
    expect(() => o.ask([{ ...queries[0], left: blank }])).toThrow('no render states');
    expect(() => overseerFor('TomatoWatering-v0', 'watched-only', teacherParams('oracle'), spec, 15, 1)).toThrow('allowed: full, observed-board, keyframes[:K]');
  });
});
