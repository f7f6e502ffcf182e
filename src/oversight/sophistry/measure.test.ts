import { describe, expect, it } from 'vitest';
import { Rng } from '../../utils/rng.js';
import { falsePositiveRate, winRate } from './measure.js';

describe('what the sophistry experiment measures', () => {
  it('win rate counts wins over all pairs, ties as half', () => {
    expect(winRate([3, 1], [2])).toBe(0.5);
    expect(winRate([2, 2], [2, 1])).toBe(0.75);
    expect(winRate([], [1])).toBeNaN();
  });

  it('a faithful overseer has no false positives; one blind to the truth has about half; a reversed one has all', () => {
    const rng = () => new Rng(3);
    const truth = Array.from({ length: 50 }, (_, i) => i);
    expect(falsePositiveRate(truth.map((t) => 2 * t + 1), truth, 2000, rng())).toMatchObject({ pairs: 2000, falsePositives: 0, rate: 0 });
    expect(falsePositiveRate(truth.map((t) => -t), truth, 2000, rng()).rate).toBe(1);
    // An overseer that sees nothing (all clips alike) is right half the time by ties.
    expect(falsePositiveRate(truth.map(() => 0), truth, 2000, rng()).rate).toBe(0.5);
    // Random apparent returns over many clips: about half the probes are wrong.
    const noise = new Rng(9);
    const many = Array.from({ length: 2000 }, (_, i) => i);
    const blind = falsePositiveRate(many.map(() => noise.random()), many, 4000, rng());
    expect(blind.rate).toBeGreaterThan(0.45);
    expect(blind.rate).toBeLessThan(0.55);
  });

  it('skips pairs without a right answer and refuses mismatched inputs', () => {
    const r = falsePositiveRate([1, 2, 3], [5, 5, 5], 100, new Rng(1));
    expect(r.pairs).toBe(0);
    expect(r.rate).toBeNaN();
    expect(() => falsePositiveRate([1], [1, 2], 10, new Rng(1))).toThrow(/1 apparent returns for 2 true ones/);
  });
});
