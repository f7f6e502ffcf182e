import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from './mt19937.js';

// Expected values printed by numpy 2.4.6 (np.random.RandomState), e.g.
//   r = np.random.RandomState(42); [r.randint(n) for n in (2, 3, 10, 1, 7, 100, 8)], r.randint(1, 6, 8), ...
describe('NumpyRandomState (numpy legacy RandomState)', () => {
  it('gives MT19937 outputs as numpy seeds them', () => {
    const r = new NumpyRandomState(0);
    expect(Array.from({ length: 5 }, () => r.nextUint32())).toEqual([2357136044, 2546248239, 3071714933, 3626093760, 2588848963]);
  });

  it('rand() is numpy 53-bit double, across seeds and past the first 624 words', () => {
    const a = new NumpyRandomState(5489);
    expect(Array.from({ length: 4 }, () => a.rand())).toEqual([0.8147236863931789, 0.9057919370756192, 0.12698681629350606, 0.9133758561390194]);
    const b = new NumpyRandomState(4294967295);
    expect([b.rand(), b.rand()]).toEqual([0.0976320289940138, 0.9123828453026218]);
    const c = new NumpyRandomState(7);
    for (let i = 0; i < 700; i++) c.rand();
    expect([c.rand(), c.randint(5)]).toEqual([0.059200845313875594, 4]);
  });

  it('randint draws as numpy: masked rejection, none for a range of one, arrays element by element', () => {
    const r = new NumpyRandomState(42);
    const seq: unknown[] = [2, 3, 10, 1, 7, 100, 8].map((n) => r.randint(n));
    seq.push(Array.from({ length: 8 }, () => r.randint(1, 6)));
    seq.push(r.randint(1, 9));
    seq.push(r.rand());
    seq.push([r.rand(), r.rand(), r.rand()]);
    expect(seq).toEqual([0, 0, 7, 0, 4, 20, 6, [2, 3, 3, 3, 5, 4, 3, 5], 2, 0.7219987722668247, [0.9385527090157502, 0.0007787658410143283, 0.9922115592912175]]);
  });

  it('continues from a saved state', () => {
    const r = new NumpyRandomState(3);
    for (let i = 0; i < 400; i++) r.rand();
    const copy = NumpyRandomState.fromState(JSON.parse(JSON.stringify(r.getState())));
    expect(Array.from({ length: 600 }, () => copy.randint(1000))).toEqual(Array.from({ length: 600 }, () => r.randint(1000)));
  });

  it('refuses seeds and ranges numpy refuses', () => {
    expect(() => new NumpyRandomState(-1)).toThrow('seed must be an integer in [0, 2^32 - 1], got -1');
    expect(() => new NumpyRandomState(2 ** 32)).toThrow('seed must be an integer in [0, 2^32 - 1]');
    expect(() => new NumpyRandomState(0).randint(0)).toThrow('randint needs integers low < high, got low=0, high=0');
    expect(() => NumpyRandomState.fromState({ key: [1, 2], pos: 0 })).toThrow('an MT19937 state needs 624 key words');
  });
});
