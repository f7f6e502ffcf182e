import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import { STATE_ENTROPY_C, STATE_ENTROPY_K, StateEntropy, kthNearestDistance } from './stateEntropy.js';

describe("PEBBLE's state-entropy reward", () => {
  it('kthNearestDistance is the k-th smallest distance, as sorting every distance finds it', () => {
    const rng = new Rng(1);
    const dim = 4;
    for (const count of [0, 1, 3, 5, 6, 40]) {
      const refs = Float32Array.from({ length: count * dim }, () => rng.normal());
      const x = Float32Array.from({ length: dim }, () => rng.normal());
      const sorted = Array.from({ length: count }, (_, r) => Math.hypot(...Array.from({ length: dim }, (_, j) => x[j] - refs[r * dim + j]))).sort((a, b) => a - b);
      const want = count === 0 ? 0 : sorted[Math.min(5, count) - 1];
      expect(kthNearestDistance(x, refs, count, dim, 5)).toBeCloseTo(want, 5);
    }
  });

  it('pays log(c + distance to the 5th nearest of the states before), with the states of one rollout remembered', () => {
    expect([STATE_ENTROPY_K, STATE_ENTROPY_C]).toEqual([5, 1]);
    // 1-D states 0, 1, ..., 6 seen one at a time, then -1: its 5th nearest among the last 6 (1..6) is 5, at distance 6.
    const e = new StateEntropy(1, 6);
    const out = Array.from({ length: 7 }, (_, i) => e.reward(Float32Array.of(i), 1)[0]);
    expect(out[0]).toBe(0); // nothing seen yet: log(1 + 0)
    expect(out[6]).toBeCloseTo(Math.log(1 + 5), 12); // 5th nearest of 0..5 from 6 is 1
    expect(e.reward(Float32Array.of(-1), 1)[0]).toBeCloseTo(Math.log(1 + 6), 12); // 0 has left the ring (else 4, at distance 5)
    // A state where the others are is paid less than one away from them.
    const near = e.reward(Float32Array.of(6.5, 100), 2);
    expect(near[0]).toBeLessThan(near[1]);
  });

  it('state() and load() continue the reward exactly', () => {
    const rng = new Rng(2);
    const a = new StateEntropy(3, 50);
    const batch = () => Float32Array.from({ length: 6 }, () => rng.normal());
    for (let i = 0; i < 40; i++) a.reward(batch(), 2); // the ring has wrapped
    const b = new StateEntropy(3, 50);
    b.load(JSON.parse(JSON.stringify(a.state())));
    for (let i = 0; i < 10; i++) {
      const x = batch();
      expect([...b.reward(x, 2)]).toEqual([...a.reward(x, 2)]);
    }
  });
});
