import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import { Box, Discrete, spaceFromJson } from './spaces.js';

describe('Box', () => {
  it('contains only right-length vectors within the bounds', () => {
    const box = new Box(-1, 1, [2]);
    expect(box.contains([0, 1])).toBe(true);
    expect(box.contains(Float32Array.of(-1, 0.5))).toBe(true);
    expect(box.contains([0, 1.5])).toBe(false);
    expect(box.contains([0])).toBe(false);
    expect(box.contains([0, Number.NaN])).toBe(false);
    expect(box.contains('ab')).toBe(false);
  });

  it('samples uniform on bounded dims, reproducibly', () => {
    const box = new Box([-2, 0], [2, 0.5]);
    const a = new Rng(1);
    const b = new Rng(1);
    for (let i = 0; i < 1000; i++) {
      const x = box.sample(a);
      expect(box.contains(x)).toBe(true);
      expect(Array.from(box.sample(b))).toEqual(Array.from(x));
    }
  });

  it('samples normal, exponential and shifted exponential on unbounded dims', () => {
    const box = new Box([-Infinity, 3, -Infinity], [Infinity, Infinity, -3]);
    const rng = new Rng(2);
    let mean0 = 0;
    let min1 = Infinity;
    let max2 = -Infinity;
    for (let i = 0; i < 5000; i++) {
      const x = box.sample(rng);
      mean0 += x[0] / 5000;
      min1 = Math.min(min1, x[1]);
      max2 = Math.max(max2, x[2]);
    }
    expect(mean0).toBeCloseTo(0, 1);
    expect(min1).toBeGreaterThanOrEqual(3);
    expect(max2).toBeLessThanOrEqual(-3);
  });

  it('explains bad actions', () => {
    const box = new Box(-2, 2, [1]);
    expect(box.actionError([0.5])).toBeNull();
    expect(box.actionError([5])).toBeNull(); // out-of-bounds values are the env's to clip, as in Gymnasium
    expect(box.actionError([1, 2])).toBe('expected an action of length 1 for Box(-2.0, 2.0, (1,), float32), got length 2');
    expect(box.actionError([Number.NaN])).toMatch(/action\[0\] is NaN; every entry .* must be finite/);
    expect(box.actionError(1)).toMatch(/expected an array of 1 numbers/);
  });

  it('rejects inconsistent bounds', () => {
    expect(() => new Box([1], [0])).toThrow(/invalid at index 0/);
    expect(() => new Box(0, 1)).toThrow(/needs a shape/);
    expect(() => new Box([0, 0], [1])).toThrow(/high has length 1, expected 2/);
  });
});

describe('Discrete', () => {
  it('contains integers in [start, start + n)', () => {
    const d = new Discrete(3, 1);
    expect([1, 2, 3].map((x) => d.contains(x))).toEqual([true, true, true]);
    expect([0, 4, 1.5, '1'].map((x) => d.contains(x))).toEqual([false, false, false, false]);
    const rng = new Rng(0);
    const seen = new Set(Array.from({ length: 200 }, () => d.sample(rng)));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('explains bad actions', () => {
    expect(new Discrete(2).actionError(2)).toBe('expected an integer in {0, 1} for Discrete(2), got 2');
    expect(new Discrete(2).actionError(Number.NaN)).toMatch(/got NaN/);
  });

  it('round-trips through JSON', () => {
    expect(spaceFromJson(new Discrete(4, 2).toJSON())).toEqual(new Discrete(4, 2));
    const box = new Box([-1, -2], [1, 2]);
    expect(spaceFromJson(JSON.parse(JSON.stringify(box.toJSON())))).toEqual(box);
  });
});
