import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import type { Segment, SegmentTruth } from './segments.js';
import { NAMED_TEACHERS, SimulatedTeacher, simulatedAnswer, teacherParams, type Answer, type Query } from './teachers.js';

const H = 10;
/** A segment's true rewards: `total` spread evenly over H steps. */
const even = (total: number) => Float64Array.from({ length: H }, () => total / H);

function rates(answers: Answer[]): Record<Answer, number> {
  const out: Record<Answer, number> = { left: 0, right: 0, equal: 0, incomparable: 0 };
  for (const a of answers) out[a] += 1;
  for (const k of Object.keys(out) as Answer[]) out[k] /= answers.length;
  return out;
}

function sample(name: keyof typeof NAMED_TEACHERS, left: Float64Array, right: Float64Array, m: number, n = 20_000, seed = 1): Record<Answer, number> {
  const p = teacherParams(name);
  const rng = new Rng(seed);
  return rates(Array.from({ length: n }, () => simulatedAnswer(p, left, right, H, m, rng)));
}

describe('simulated teachers (B-Pref)', () => {
  it('has the six named teachers with B-Pref parameters', () => {
    expect(Object.keys(NAMED_TEACHERS)).toEqual(['oracle', 'stoc', 'mistake', 'skip', 'equal', 'myopic']);
    expect(teacherParams('oracle')).toEqual({ beta: null, gamma: 1, epsilon: 0, skip: 0, equal: 0 });
    expect(teacherParams('stoc').beta).toBe(1);
    expect(teacherParams('mistake').epsilon).toBe(0.1);
    expect(teacherParams('skip').skip).toBe(0.1);
    expect(teacherParams('equal').equal).toBe(0.1);
    expect(teacherParams('myopic').gamma).toBe(0.9);
    expect(() => teacherParams('mistake', { epsilon: 2 })).toThrow();
  });

  it('oracle: the larger true return wins, always; exact ties are equal', () => {
    expect(sample('oracle', even(5), even(4.9), 5, 1000)).toEqual({ left: 1, right: 0, equal: 0, incomparable: 0 });
    expect(sample('oracle', even(-3), even(2), 5, 1000).right).toBe(1);
    expect(sample('oracle', even(2), even(2), 5, 10).equal).toBeCloseTo(1, 12);
  });

  it('stoc (beta = 1): P(left) = sigmoid(R_left - R_right)', () => {
    for (const diff of [-2, -0.5, 0.7, 1.5]) {
      const r = sample('stoc', even(3 + diff), even(3), 5);
      expect(Math.abs(r.left - 1 / (1 + Math.exp(-diff)))).toBeLessThan(0.015);
    }
  });

  it('mistake (epsilon = 0.1): the right answer is flipped 10% of the time', () => {
    const r = sample('mistake', even(8), even(2), 5);
    expect(Math.abs(r.right - 0.1)).toBeLessThan(0.008);
    expect(r.left + r.right).toBeCloseTo(1, 12);
  });

  it('skip (0.1): incomparable when both returns are below 0.1 m', () => {
    // m = 50: threshold 5.
    expect(sample('skip', even(4.9), even(1), 50, 100).incomparable).toBeCloseTo(1, 12);
    expect(sample('skip', even(5.1), even(1), 50, 100).left).toBeCloseTo(1, 12);
  });

  it('equal (0.1): equal when returns differ by less than 0.1 m, even with noise', () => {
    expect(sample('equal', even(10), even(5.1), 50, 100).equal).toBeCloseTo(1, 12);
    expect(sample('equal', even(10), even(4.9), 50, 100).left).toBeCloseTo(1, 12);
  });

  it('myopic (gamma = 0.9): late steps weigh more, so a late reward beats a larger early one', () => {
    const early = new Float64Array(H);
    early[0] = 1.5;
    const late = new Float64Array(H);
    late[H - 1] = 1;
    // Plain sums prefer `early` (1.5 > 1); myopic sums 1.5 * 0.9^9 = 0.58 < 1.
    expect(sample('oracle', early, late, 5, 10).left).toBeCloseTo(1, 12);
    expect(sample('myopic', early, late, 5, 10).right).toBeCloseTo(1, 12);
  });

  it('answers queries through the asynchronous interface and scales thresholds by the mean segment return', () => {
    const truths = new Map<string, SegmentTruth>();
    const seg = (id: string, total: number): Segment => {
      truths.set(id, { segmentId: id, rewards: even(total) });
      return { id, envId: 'T', seed: 0, envIndex: 0, globalStep: 0, length: H, obsSize: 1, actionSize: 1, obs: new Float32Array(H), actions: new Float32Array(H), renderSize: 0, render: null, terminated: false };
    };
    const teacher = new SimulatedTeacher('equal', teacherParams('equal'), (id) => truths.get(id), H, 1);
    const qs: Query[] = [
      { id: 'q-0', left: seg('a', 100), right: seg('b', 96), askedAtStep: 0 },
      { id: 'q-1', left: seg('c', 100), right: seg('d', 80), askedAtStep: 0 },
    ];
    teacher.ask(qs);
    expect(teacher.pending).toBe(0);
    // m is the mean segment return seen so far (~98, then ~94): threshold ~9.8 and ~9.4.
    expect(teacher.poll()).toEqual([
      { queryId: 'q-0', answer: 'equal', teacher: 'equal' },
      { queryId: 'q-1', answer: 'left', teacher: 'equal' },
    ]);
    expect(teacher.poll()).toEqual([]);
    expect(() => teacher.ask([{ id: 'q-2', left: seg('e', 1), right: { ...seg('f', 1), id: 'unknown' }, askedAtStep: 0 }])).toThrow(/no true rewards for segment unknown/);
  });
});
