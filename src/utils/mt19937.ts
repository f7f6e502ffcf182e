/**
 * numpy's legacy `np.random.RandomState`, bit for bit, for the draws MinAtar makes: the Mersenne
 * Twister MT19937 seeded as `RandomState(seed)` seeds it, `rand()` as numpy's 53-bit double, and
 * `randint` as numpy's masked rejection sampling. With it a MinAtar game seeded s here plays out
 * exactly as MinAtar's Python seeded s, which is what the conformance traces check.
 * Written from the published algorithms (Matsumoto & Nishimura 1998; numpy's
 * distributions.c), checked against numpy's outputs in mt19937.test.ts.
 */

const N = 624;
const M = 397;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const MATRIX_A = 0x9908b0df;

/** A generator's position, JSON-safe: the 624 state words and the index into them. */
export interface Mt19937State {
  key: number[];
  pos: number;
}

export class NumpyRandomState {
  private readonly mt = new Uint32Array(N);
  private pos = N;

  /** `np.random.RandomState(seed)` for an integer seed in [0, 2^32). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.mt[i] = s;
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
    this.pos = N;
  }

  /** The next 32-bit output. */
  nextUint32(): number {
    if (this.pos >= N) this.generate();
    let y = this.mt[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `rand()`: a double in [0, 1) from two outputs (27 + 26 bits). */
  rand(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * `randint(high)` in [0, high) or `randint(low, high)` in [low, high): numpy draws 32-bit outputs
   * masked to the next power of two above high - low - 1 until one falls in range.
   */
  randint(lowOrHigh: number, high?: number): number {
    const low = high === undefined ? 0 : lowOrHigh;
    const hi = high === undefined ? lowOrHigh : high;
    if (!Number.isInteger(low) || !Number.isInteger(hi) || hi <= low) throw new RangeError(`randint needs integers low < high, got low=${low}, high=${hi}`);
    const rng = hi - low - 1;
    if (rng > 0xfffffffe) throw new RangeError(`randint range ${hi - low} is wider than 32 bits`);
    if (rng === 0) return low;
    let mask = rng;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    for (;;) {
      const v = (this.nextUint32() & mask) >>> 0;
      if (v <= rng) return low + v;
    }
  }

  getState(): Mt19937State {
    return { key: Array.from(this.mt), pos: this.pos };
  }

  static fromState(state: Mt19937State): NumpyRandomState {
    if (!Array.isArray(state.key) || state.key.length !== N || !Number.isInteger(state.pos) || state.pos < 0 || state.pos > N) {
      throw new Error(`an MT19937 state needs ${N} key words and a position in [0, ${N}]`);
    }
    const r = new NumpyRandomState(0);
    r.mt.set(state.key);
    r.pos = state.pos;
    return r;
  }

  private generate(): void {
    const mt = this.mt;
    let i = 0;
    for (; i < N - M; i++) {
      const y = (mt[i]! & UPPER) | (mt[i + 1]! & LOWER);
      mt[i] = mt[i + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < N - 1; i++) {
      const y = (mt[i]! & UPPER) | (mt[i + 1]! & LOWER);
      mt[i] = mt[i + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1]! & UPPER) | (mt[0]! & LOWER);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }
}
