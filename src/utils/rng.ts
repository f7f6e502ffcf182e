/**
 * Seeded pseudo-random numbers: xoshiro128** seeded through splitmix32.
 *
 * One generator per consumer (env, action space, network init), like NumPy's
 * `Generator`, so that the same seed always reproduces the same trajectory
 * whatever else draws numbers in between.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_NEG_53 = 1 / 9007199254740992;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Checks that a seed is usable and returns it; seeds are non-negative safe integers. */
export function assertSeed(seed: number, what = 'seed'): number {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${String(seed)}`);
  }
  return seed;
}

/** A generator's exact position in its stream, as plain JSON (see `Rng.getState`). */
export interface RngState {
  /** The four 32-bit words of xoshiro128** (as unsigned integers). */
  s: [number, number, number, number];
  /** The cached second normal deviate, or null. */
  spare: number | null;
}

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  /** Second normal deviate of the last Box–Muller pair. */
  private spareNormal = Number.NaN;

  constructor(seed: number = Math.floor(Math.random() * TWO_POW_32)) {
    assertSeed(seed);
    // Mix both 32-bit halves so seeds above 2^32 still give distinct streams.
    const st = { s: (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32), 0x27d4eb2d) };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** A generator continuing exactly where the saved one was. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  /** The exact position in the stream, so that `setState` continues it bit for bit. */
  getState(): RngState {
    return {
      s: [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0],
      spare: Number.isNaN(this.spareNormal) ? null : this.spareNormal,
    };
  }

  /** Continues from a saved state; a malformed state is an error saying what is wrong. */
  setState(state: RngState): void {
    const words = (state as Partial<RngState> | null)?.s;
    if (!Array.isArray(words) || words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= -0x80000000 && w <= 0xffffffff)) {
      throw new TypeError(`Rng state needs s: four 32-bit integers, got ${JSON.stringify(words)}`);
    }
    if ((words[0] | words[1] | words[2] | words[3]) === 0) throw new RangeError('Rng state s is all zeros, which xoshiro128** never reaches');
    const spare = state.spare;
    if (spare !== null && !(typeof spare === 'number' && Number.isFinite(spare))) {
      throw new TypeError(`Rng state spare must be a finite number or null, got ${JSON.stringify(spare)}`);
    }
    this.a = words[0] | 0;
    this.b = words[1] | 0;
    this.c = words[2] | 0;
    this.d = words[3] | 0;
    this.spareNormal = spare ?? Number.NaN;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9);
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_NEG_53;
  }

  /** Uniform double in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [0, n). Rejection sampling keeps it unbiased. */
  integer(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new RangeError(`Rng.integer needs an integer n in [1, 2^32], got ${n}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal deviate (Box–Muller, caching the second value). */
  normal(mean = 0, std = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return mean + std * z;
    }
    let u = this.random();
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * v;
    this.spareNormal = r * Math.sin(theta);
    return mean + std * r * Math.cos(theta);
  }

  /** Exponential deviate with rate 1. */
  exponential(): number {
    let u = this.random();
    while (u === 0) u = this.random();
    return -Math.log(u);
  }

  /** A new generator whose stream is derived from this one's. */
  spawn(): Rng {
    return new Rng(this.nextUint32() * 2097152 + (this.nextUint32() >>> 11));
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number } | unknown[]>(arr: T): T {
    const a = arr as unknown as unknown[];
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return arr;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
