/** Validation of Gymnasium-style env keyword options, with errors naming the env and option. */

export function finiteOption(env: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${env} option ${name} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

export function nonNegativeOption(env: string, name: string, v: unknown): number {
  const n = finiteOption(env, name, v);
  if (n < 0) throw new RangeError(`${env} option ${name} must be >= 0, got ${n}`);
  return n;
}

export function booleanOption(env: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${env} option ${name} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** A [low, high] pair; null stands for -inf / +inf so ranges survive JSON. */
export function rangeOption(env: string, name: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) throw new TypeError(`${env} option ${name} must be a [low, high] pair, got ${JSON.stringify(v)}`);
  const lo = v[0] === null ? -Infinity : v[0];
  const hi = v[1] === null ? Infinity : v[1];
  if (typeof lo !== 'number' || typeof hi !== 'number' || Number.isNaN(lo) || Number.isNaN(hi)) {
    throw new TypeError(`${env} option ${name} must hold two numbers (null for unbounded), got ${JSON.stringify(v)}`);
  }
  if (lo > hi) throw new RangeError(`${env} option ${name} has low ${lo} > high ${hi}`);
  return [lo, hi];
}

export function frameSkipOption(env: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new TypeError(`${env} option frame_skip must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** Strictly inside (lo, hi), as Hopper's and Walker2d's health checks. */
export function inOpen(v: number, [lo, hi]: [number, number]): boolean {
  return v > lo && v < hi;
}
