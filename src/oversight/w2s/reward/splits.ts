/**
 * Splits of the clip pool by segment, so that no clip plays two roles (Burns et al.'s protocol,
 * for pairs of clips):
 *
 *   W  pairs the weak reward model is trained on (labelled by a B-Pref teacher);
 *   S  pairs the weak model labels and the strong student trains on;
 *   V  pairs with weak labels only, for early stopping;
 *   T  test pairs with true preferences.
 *
 * Pairs are drawn within a role's segments; a pair's true preference comes from the true returns.
 */
import type { Rng } from '../../../utils/rng.js';

export const ROLES = ['W', 'S', 'V', 'T'] as const;
export type Role = (typeof ROLES)[number];

/** Two segments of the pool by index, and the true preference μ = P[left ≻ right] by true return. */
export interface Pair {
  left: number;
  right: number;
  /** 1, 0, or 0.5 when the true returns are equal. */
  trueMu: number;
}

export interface SegmentSplit {
  /** Pool indices of each role's segments (disjoint). */
  segments: Record<Role, number[]>;
}

/** Fractions of the pool's segments per role (summing to at most 1). */
export type RoleFractions = Record<Role, number>;

export const DEFAULT_FRACTIONS: RoleFractions = { W: 0.15, S: 0.45, V: 0.15, T: 0.25 };

/** Shuffles the pool's n segments into disjoint roles. */
export function splitSegments(n: number, fractions: RoleFractions, rng: Rng): SegmentSplit {
  const total = ROLES.reduce((a, r) => a + fractions[r], 0);
  if (!(total > 0 && total <= 1 + 1e-9) || ROLES.some((r) => !(fractions[r] > 0))) throw new RangeError(`role fractions must be positive and sum to at most 1, got ${JSON.stringify(fractions)}`);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const segments = {} as Record<Role, number[]>;
  let at = 0;
  for (const r of ROLES) {
    const k = Math.floor(fractions[r] * n);
    if (k < 2) throw new RangeError(`role ${r} gets ${k} segments of ${n}; a pair needs 2`);
    segments[r] = order.slice(at, at + k);
    at += k;
  }
  return { segments };
}

/** μ of "left ≻ right" from true returns. */
export function truePreference(leftReturn: number, rightReturn: number): number {
  return leftReturn > rightReturn ? 1 : leftReturn < rightReturn ? 0 : 0.5;
}

/**
 * `count` distinct unordered pairs of distinct segments among `indices`, each in a random
 * order (so "left" carries no information), with true preferences from `returns`.
 */
export function samplePairs(indices: readonly number[], count: number, returns: ArrayLike<number>, rng: Rng): Pair[] {
  const n = indices.length;
  const possible = (n * (n - 1)) / 2;
  if (count > possible) throw new RangeError(`${count} pairs asked of ${n} segments (${possible} possible)`);
  const seen = new Set<number>();
  const out: Pair[] = [];
  while (out.length < count) {
    const a = indices[rng.integer(n)];
    const b = indices[rng.integer(n)];
    if (a === b) continue;
    const key = Math.min(a, b) * 1_000_003 + Math.max(a, b);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ left: a, right: b, trueMu: truePreference(returns[a], returns[b]) });
  }
  return out;
}

/** Throws if a segment is in two roles, or a role's pair uses a segment of another role. */
export function assertNoLeak(split: SegmentSplit, pairs: Partial<Record<Role, readonly Pair[]>>): void {
  const owner = new Map<number, Role>();
  for (const r of ROLES) {
    for (const i of split.segments[r]) {
      const o = owner.get(i);
      if (o !== undefined) throw new Error(`segment ${i} is in roles ${o} and ${r}`);
      owner.set(i, r);
    }
  }
  for (const r of ROLES) {
    for (const p of pairs[r] ?? []) {
      for (const i of [p.left, p.right]) {
        if (owner.get(i) !== r) throw new Error(`a ${r} pair uses segment ${i} of role ${owner.get(i) ?? 'none'}`);
      }
    }
  }
}
