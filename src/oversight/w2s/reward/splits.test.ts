import { describe, expect, it } from 'vitest';
import { Rng } from '../../../utils/rng.js';
import { DEFAULT_FRACTIONS, ROLES, assertNoLeak, samplePairs, splitSegments } from './splits.js';

describe('w2s reward splits', () => {
  it('never put a segment in two roles, and pairs stay within their role', () => {
    for (const seed of [1, 2, 3]) {
      const rng = new Rng(seed);
      const returns = Float64Array.from({ length: 500 }, () => rng.normal());
      const split = splitSegments(500, DEFAULT_FRACTIONS, rng);
      const all = ROLES.flatMap((r) => split.segments[r]);
      expect(new Set(all).size).toBe(all.length);
      const pairs = { W: samplePairs(split.segments.W, 100, returns, rng), S: samplePairs(split.segments.S, 1000, returns, rng), V: samplePairs(split.segments.V, 200, returns, rng), T: samplePairs(split.segments.T, 1000, returns, rng) };
      expect(() => assertNoLeak(split, pairs)).not.toThrow();
      for (const r of ROLES) {
        const own = new Set(split.segments[r]);
        for (const p of pairs[r]) {
          expect(own.has(p.left) && own.has(p.right) && p.left !== p.right).toBe(true);
          expect(p.trueMu).toBe(returns[p.left] > returns[p.right] ? 1 : returns[p.left] < returns[p.right] ? 0 : 0.5);
        }
        const keys = pairs[r].map((p) => `${Math.min(p.left, p.right)}-${Math.max(p.left, p.right)}`);
        expect(new Set(keys).size).toBe(keys.length);
      }
    }
  });

  it('a pair across roles, or a segment in two roles, is caught', () => {
    const split = splitSegments(100, DEFAULT_FRACTIONS, new Rng(1));
    const cross = { left: split.segments.S[0], right: split.segments.T[0], trueMu: 1 };
    expect(() => assertNoLeak(split, { S: [cross] })).toThrow(/S pair uses segment .* of role T/);
    const twice = { segments: { ...split.segments, T: [...split.segments.T, split.segments.W[0]] } };
    expect(() => assertNoLeak(twice, {})).toThrow(/in roles W and T/);
  });

  it('pairs are shown in random order (left carries no information)', () => {
    const rng = new Rng(4);
    const returns = Float64Array.from({ length: 300 }, (_, i) => i);
    const pairs = samplePairs(Array.from({ length: 300 }, (_, i) => i), 2000, returns, rng);
    const leftBetter = pairs.filter((p) => p.trueMu === 1).length / pairs.length;
    expect(leftBetter).toBeGreaterThan(0.45);
    expect(leftBetter).toBeLessThan(0.55);
  });
});
