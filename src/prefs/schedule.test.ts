import { describe, expect, it } from 'vitest';
import { LabelSchedule } from './schedule.js';

describe('label schedule', () => {
  it('asks 25% from the initial policy, then at a rate proportional to 2e6 / (T + 2e6), using the whole budget', () => {
    const s = new LabelSchedule({ budget: 700, initialFraction: 0.25, totalSteps: 1_000_000, halfLife: 2e6 });
    expect(s.initial).toBe(175);
    expect(s.dueBy(0)).toBe(175);
    expect(s.dueBy(1_000_000)).toBe(700);
    expect(s.dueBy(5_000_000)).toBe(700);
    let prev = 0;
    for (let t = 0; t <= 1_000_000; t += 10_000) {
      expect(s.dueBy(t)).toBeGreaterThanOrEqual(prev);
      prev = s.dueBy(t);
    }
    // The rate at T is proportional to 2e6 / (T + 2e6): compare two windows.
    const big = new LabelSchedule({ budget: 10_000_000, initialFraction: 0.25, totalSteps: 1e7, halfLife: 2e6 });
    const rate = (t: number) => (big.dueBy(t + 1000) - big.dueBy(t)) / 1000;
    expect(rate(8e6) / rate(0)).toBeCloseTo(2e6 / (8e6 + 2e6), 2);
  });

  it('refuses impossible settings', () => {
    expect(() => new LabelSchedule({ budget: -1, initialFraction: 0.25, totalSteps: 10, halfLife: 2e6 })).toThrow(/budget/);
    expect(() => new LabelSchedule({ budget: 1, initialFraction: 2, totalSteps: 10, halfLife: 2e6 })).toThrow(/fraction/);
  });
});
