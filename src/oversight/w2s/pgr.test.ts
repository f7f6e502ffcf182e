import { describe, expect, it } from 'vitest';
import { meanCi, pgr } from './pgr.js';

describe('PGR', () => {
  it('is the share of the weak-to-ceiling gap the student recovers', () => {
    expect(pgr(0.6, 0.7, 0.8)).toBeCloseTo(0.5, 12);
    expect(pgr(0.566, 0.607, 0.637)).toBeCloseTo(0.041 / 0.071, 12); // the paper's AlexNet -> DINO ResNet50: 0.58
    expect(pgr(0.6, 0.6, 0.8)).toBe(0);
    expect(pgr(0.6, 0.85, 0.8)).toBeCloseTo(1.25, 12);
    expect(pgr(0.6, 0.55, 0.8)).toBeCloseTo(-0.25, 12);
  });

  it('is undefined without a gap', () => {
    expect(pgr(0.8, 0.9, 0.8)).toBeNull();
    expect(pgr(0.9, 0.9, 0.8)).toBeNull();
  });

  it('averages over seeds with a 95% t interval, dropping undefined seeds', () => {
    const m = meanCi([0.4, 0.5, 0.6])!;
    expect(m.mean).toBeCloseTo(0.5, 12);
    // sd 0.1, t(2) = 4.303: 4.303 * 0.1 / sqrt(3).
    expect(m.halfWidth!).toBeCloseTo((4.303 * 0.1) / Math.sqrt(3), 9);
    expect(meanCi([0.3, null])).toEqual({ mean: 0.3, halfWidth: null, n: 1 });
    expect(meanCi([null])).toBeNull();
  });
});
