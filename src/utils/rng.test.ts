import { describe, expect, it } from 'vitest';
import { Rng, type RngState } from './rng.js';

describe('Rng', () => {
  it('reproduces the same stream for the same seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
    // Seeds above 2^32 are distinct from their low 32 bits.
    expect(new Rng(2 ** 32 + 5).nextUint32()).not.toBe(new Rng(5).nextUint32());
  });

  it('has the right moments for uniform and normal draws', () => {
    const r = new Rng(1);
    const n = 100000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.random();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      su += u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });

  it('draws integers uniformly in range', () => {
    const r = new Rng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[r.integer(3)] += 1;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
    expect(() => r.integer(0)).toThrow(/integer n/);
  });

  it('rejects bad seeds with a message', () => {
    expect(() => new Rng(-1)).toThrow('seed must be a non-negative integer, got -1');
    expect(() => new Rng(1.5)).toThrow(/non-negative integer/);
  });

  it('saves and restores its exact position, including a cached normal deviate', () => {
    const a = new Rng(9);
    for (let i = 0; i < 10; i++) a.random();
    for (let i = 0; i < 3; i++) a.normal(); // odd: the second deviate of a pair is cached
    const saved = JSON.parse(JSON.stringify(a.getState())) as RngState;
    expect(saved.spare).not.toBeNull();
    const draw = (r: Rng) => [r.normal(), r.normal(), r.random(), r.integer(7), r.nextUint32(), r.exponential(), r.normal()];
    const expected = draw(a);
    expect(draw(Rng.fromState(saved))).toEqual(expected);
    const b = new Rng(1);
    b.normal();
    b.setState(saved);
    expect(draw(b)).toEqual(expected);
    // Without a cached deviate, the state says so.
    expect(new Rng(2).getState().spare).toBeNull();
  });

  it('refuses malformed states with a message', () => {
    const r = new Rng(1);
    expect(() => r.setState({ s: [1, 2, 3], spare: null } as never)).toThrow(/four 32-bit integers/);
    expect(() => r.setState({ s: [1, 2, 3, 2 ** 33], spare: null })).toThrow(/four 32-bit integers/);
    expect(() => r.setState({ s: [0, 0, 0, 0], spare: null })).toThrow(/all zeros/);
    expect(() => r.setState({ s: [1, 2, 3, 4], spare: Number.NaN })).toThrow(/spare must be a finite number or null/);
    expect(() => Rng.fromState(null as never)).toThrow(/four 32-bit integers/);
  });
});
