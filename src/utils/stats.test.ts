import { describe, expect, it } from 'vitest';
import { auroc, proportionDifference, wilson } from './stats.js';

describe('interval statistics', () => {
  it("Wilson's interval matches published values and stays inside [0, 1]", () => {
    // Newcombe 1998, table I: 81/263 -> 0.2553 to 0.3662; 15/148 -> 0.0624 to 0.1605; 0/10 -> 0 to 0.2775.
    const a = wilson(81, 263);
    expect(a.lo).toBeCloseTo(0.2553, 4);
    expect(a.hi).toBeCloseTo(0.3662, 4);
    const b = wilson(15, 148);
    expect(b.lo).toBeCloseTo(0.0624, 4);
    expect(b.hi).toBeCloseTo(0.1605, 4);
    const c = wilson(0, 10);
    expect(c.lo).toBe(0);
    expect(c.hi).toBeCloseTo(0.2775, 4);
    expect(Number.isNaN(wilson(0, 0).rate)).toBe(true);
    expect(() => wilson(3, 2)).toThrow('need whole 0 <= k <= n');
  });

  it("Newcombe's difference interval matches his worked example", () => {
    // Newcombe 1998 (Stat Med 17:873), method 10, 56/70 - 48/80: 0.2000, 0.0524 to 0.3339.
    const d = proportionDifference(wilson(56, 70), wilson(48, 80));
    expect(d.diff).toBeCloseTo(0.2, 9);
    expect(d.lo).toBeCloseTo(0.0524, 4);
    expect(d.hi).toBeCloseTo(0.3339, 4);
  });

  it('AUROC counts wins of positives over negatives, ties half', () => {
    expect(auroc([3, 4], [1, 2])).toBe(1);
    expect(auroc([1], [1])).toBe(0.5);
    expect(auroc([1, 3], [2])).toBe(0.5);
    expect(Number.isNaN(auroc([], [1]))).toBe(true);
  });
});
