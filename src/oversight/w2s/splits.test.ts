import { describe, expect, it } from 'vitest';
import { SPLIT_ROLES, assertDisjoint, makeSplits, taskLabel } from './splits.js';

describe('splits', () => {
  it('never puts an image in two roles, for any seed, and cover what they claim', () => {
    for (const seed of [0, 1, 2, 3, 99]) {
      const s = makeSplits(seed, 60_000);
      expect(() => assertDisjoint(s)).not.toThrow();
      const seen = new Uint8Array(60_000);
      for (const r of SPLIT_ROLES) for (const i of s[r]) seen[i]++;
      expect(Math.max(...seen)).toBe(1);
      expect([s.weak.length, s.student.length, s.val.length, s.pretrain.length]).toEqual([10_000, 20_000, 5_000, 25_000]);
    }
  });

  it('is the same for a seed and differs between seeds', () => {
    expect(makeSplits(4, 1000, { weak: 100, student: 200, val: 50, pretrain: null }).student).toEqual(makeSplits(4, 1000, { weak: 100, student: 200, val: 50, pretrain: null }).student);
    expect(makeSplits(4, 1000, { weak: 100, student: 200, val: 50, pretrain: null }).weak).not.toEqual(makeSplits(5, 1000, { weak: 100, student: 200, val: 50, pretrain: null }).weak);
  });

  it('assertDisjoint names a leaked image and its roles', () => {
    const s = makeSplits(1, 100, { weak: 10, student: 10, val: 10, pretrain: null });
    s.val[3] = s.student[7];
    expect(() => assertDisjoint(s)).toThrow(new RegExp(`image ${s.student[7]} is in both student and val`));
  });

  it('refuses sizes that do not fit', () => {
    expect(() => makeSplits(1, 100, { weak: 50, student: 50, val: 10, pretrain: null })).toThrow(/do not fit/);
  });

  it('labels the tasks', () => {
    expect([0, 4, 5, 9].map((d) => taskLabel('lt5', d))).toEqual([0, 0, 1, 1]);
    expect([0, 3, 8].map((d) => taskLabel('parity', d))).toEqual([0, 1, 0]);
    expect(taskLabel('digits', 7)).toBe(7);
  });
});
