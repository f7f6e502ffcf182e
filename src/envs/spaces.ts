import type { Rng } from '../utils/rng.js';

/** A value an environment accepts as an action: an integer for Discrete, a flat vector for Box. */
export type Action = number | ArrayLike<number>;

/** Gymnasium-style space: a set with membership and seeded sampling. */
export interface Space<T> {
  readonly kind: 'box' | 'discrete';
  /** Shape of one element; `[]` for Discrete. */
  readonly shape: readonly number[];
  contains(x: unknown): boolean;
  sample(rng: Rng): T;
  /** `null` if `x` is a well-formed action for this space, else what was expected. */
  actionError(x: unknown): string | null;
  toString(): string;
  toJSON(): SpaceJson;
}

export type SpaceJson =
  | { kind: 'box'; shape: number[]; low: number[]; high: number[] }
  | { kind: 'discrete'; n: number; start: number };

function isNumberArrayLike(x: unknown): x is ArrayLike<number> {
  if (x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array) return true;
  if (!Array.isArray(x)) return false;
  for (const v of x) if (typeof v !== 'number') return false;
  return true;
}

function fmt(v: number): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return Number.isInteger(v) ? v.toFixed(1) : String(+v.toPrecision(8));
}

/** A (possibly unbounded) box in R^n, stored as float32 like Gymnasium's `Box(..., dtype=float32)`. */
export class Box implements Space<Float32Array> {
  readonly kind = 'box' as const;
  readonly shape: readonly number[];
  readonly size: number;
  readonly low: Float32Array;
  readonly high: Float32Array;

  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    const inferred =
      shape ?? (typeof low !== 'number' ? [low.length] : typeof high !== 'number' ? [high.length] : undefined);
    if (!inferred) throw new Error('Box needs a shape when low and high are both scalars');
    for (const d of inferred) {
      if (!Number.isInteger(d) || d <= 0) throw new Error(`Box shape must hold positive integers, got [${inferred.join(', ')}]`);
    }
    this.shape = [...inferred];
    this.size = inferred.reduce((a, b) => a * b, 1);
    this.low = broadcast(low, this.size, 'low');
    this.high = broadcast(high, this.size, 'high');
    for (let i = 0; i < this.size; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i]) || this.low[i] > this.high[i]) {
        throw new Error(`Box bounds are invalid at index ${i}: low ${this.low[i]}, high ${this.high[i]}`);
      }
    }
  }

  contains(x: unknown): boolean {
    if (!isNumberArrayLike(x) || x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = Math.fround(x[i]);
      if (!(v >= this.low[i] && v <= this.high[i])) return false;
    }
    return true;
  }

  /** Uniform on bounded dims, normal on unbounded, shifted exponential on half-bounded (as Gymnasium). */
  sample(rng: Rng): Float32Array {
    const out = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      const loB = Number.isFinite(lo);
      const hiB = Number.isFinite(hi);
      if (loB && hiB) out[i] = rng.uniform(lo, hi);
      else if (loB) out[i] = lo + rng.exponential();
      else if (hiB) out[i] = hi - rng.exponential();
      else out[i] = rng.normal();
      // float32 rounding may push a uniform draw onto or past `high`.
      if (out[i] > hi) out[i] = hi;
    }
    return out;
  }

  actionError(x: unknown): string | null {
    if (!isNumberArrayLike(x)) {
      return `expected an array of ${this.size} numbers for ${this.toString()}, got ${describeValue(x)}`;
    }
    if (x.length !== this.size) {
      return `expected an action of length ${this.size} for ${this.toString()}, got length ${x.length}`;
    }
    for (let i = 0; i < this.size; i++) {
      if (!Number.isFinite(x[i])) return `action[${i}] is ${x[i]}; every entry of a ${this.toString()} action must be finite`;
    }
    return null;
  }

  toString(): string {
    const lo = uniformValue(this.low);
    const hi = uniformValue(this.high);
    const bounds = lo !== undefined && hi !== undefined ? `${fmt(lo)}, ${fmt(hi)}` : 'low, high';
    return `Box(${bounds}, (${this.shape.join(', ')}${this.shape.length === 1 ? ',' : ''}), float32)`;
  }

  toJSON(): SpaceJson {
    return { kind: 'box', shape: [...this.shape], low: Array.from(this.low), high: Array.from(this.high) };
  }
}

/** The integers {start, ..., start + n - 1}. */
export class Discrete implements Space<number> {
  readonly kind = 'discrete' as const;
  readonly shape: readonly number[] = [];
  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Discrete needs a positive integer n, got ${n}`);
    if (!Number.isInteger(start)) throw new Error(`Discrete start must be an integer, got ${start}`);
  }

  contains(x: unknown): boolean {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  sample(rng: Rng): number {
    return this.start + rng.integer(this.n);
  }

  actionError(x: unknown): string | null {
    if (this.contains(x)) return null;
    const allowed = this.n <= 6 ? `{${Array.from({ length: this.n }, (_, i) => this.start + i).join(', ')}}` : `[${this.start}, ${this.start + this.n - 1}]`;
    return `expected an integer in ${allowed} for ${this.toString()}, got ${describeValue(x)}`;
  }

  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }

  toJSON(): SpaceJson {
    return { kind: 'discrete', n: this.n, start: this.start };
  }
}

export function spaceFromJson(json: SpaceJson): Box | Discrete {
  return json.kind === 'box' ? new Box(json.low, json.high, json.shape) : new Discrete(json.n, json.start);
}

/** Number of floats one action of this space occupies in a flat buffer. */
export function flatActionSize(space: Space<unknown>): number {
  return space instanceof Box ? space.size : 1;
}

function broadcast(v: number | ArrayLike<number>, size: number, name: string): Float32Array {
  if (typeof v === 'number') return new Float32Array(size).fill(v);
  if (v.length !== size) throw new Error(`Box ${name} has length ${v.length}, expected ${size}`);
  return Float32Array.from(v);
}

function uniformValue(a: Float32Array): number | undefined {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return undefined;
  return a[0];
}

export function describeValue(x: unknown): string {
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return JSON.stringify(x);
  if (x === null || x === undefined) return String(x);
  if (ArrayBuffer.isView(x) || Array.isArray(x)) {
    const arr = Array.from(x as ArrayLike<unknown>);
    const shown = arr.slice(0, 8).map((v) => (typeof v === 'number' ? String(v) : typeof v)).join(', ');
    return `[${shown}${arr.length > 8 ? ', ...' : ''}] (length ${arr.length})`;
  }
  return typeof x;
}
