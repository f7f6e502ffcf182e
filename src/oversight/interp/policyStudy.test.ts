/** How far the policy's action moves when its layer is replaced (the policy's counterpart of preference accuracy). */
import { describe, expect, it } from 'vitest';
import { actionChange } from './policyStudy.js';

const m = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), rows: rows.length, dim: rows[0].length });

describe('actionChange', () => {
  const a = m([
    [1, 0],
    [3, 2],
    [-1, 4],
  ]);
  it('continuous: 0 for the same actions, 1 for every action moved to the mean, the squared change over the spread otherwise', () => {
    expect(actionChange(a, a, false)).toBe(0);
    expect(actionChange(a, m([[1, 2], [1, 2], [1, 2]]), false)).toBeCloseTo(1, 12);
    // Spread: Σ‖a − ā‖² = (0 + 4 + 4) + (4 + 0 + 4) = 16; the change: 1 + 1 = 2.
    expect(actionChange(a, m([[2, 0], [3, 1], [-1, 4]]), false)).toBeCloseTo(2 / 16, 12);
  });
  it('discrete: the mean total variation distance between the softmaxes of the logits', () => {
    expect(actionChange(a, a, true)).toBe(0);
    // Logits shifted by a constant are the same distribution.
    expect(actionChange(a, m([[11, 10], [8, 7], [0, 5]]), true)).toBeCloseTo(0, 12);
    // Row 0 swapped ([1, 0] → [0, 1]): TV = |σ(1) − σ(−1)| = tanh(½); the other rows unchanged.
    expect(actionChange(a, m([[0, 1], [3, 2], [-1, 4]]), true)).toBeCloseTo(Math.tanh(0.5) / 3, 12);
    // Far apart: near 1.
    expect(actionChange(m([[50, 0]]), m([[0, 50]]), true)).toBeCloseTo(1, 12);
  });
});
