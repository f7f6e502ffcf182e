/** The attention page's attribution: a ridge fit over standardised named features. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../utils/rng.js';
import { ridgeFit, standardiseFeatures } from './attention.js';
import type { FeatureSpec, StateFeatures } from './records.js';

const FEATURES: FeatureSpec[] = [
  { name: 'speed', kind: 'number', description: 'forward speed' },
  { name: 'height', kind: 'number', description: 'torso height' },
  { name: 'onFloor', kind: 'boolean', description: 'a foot touches the floor' },
  { name: 'constant', kind: 'number', description: 'never changes' },
];

function states(n: number, seed = 1): StateFeatures[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => ({ speed: 2 + 3 * rng.normal(), height: 1.2 + 0.1 * rng.normal(), onFloor: rng.random() < 0.3, constant: 5 }));
}

describe('attribution over named features', () => {
  it('standardises each feature (booleans as 0/1) and leaves out the constant one', () => {
    const s = states(4000);
    const z = standardiseFeatures(s, FEATURES);
    expect(z.names).toEqual(['speed', 'height', 'onFloor']);
    expect(z.mean[0]).toBeCloseTo(2, 0);
    expect(z.std[0]).toBeCloseTo(3, 0);
    expect(z.mean[2]).toBeCloseTo(0.3, 1);
    for (let j = 0; j < 3; j++) {
      let m = 0;
      let v = 0;
      for (let r = 0; r < s.length; r++) m += z.z[r * 3 + j] / s.length;
      for (let r = 0; r < s.length; r++) v += (z.z[r * 3 + j] - m) ** 2 / s.length;
      expect(m).toBeCloseTo(0, 9);
      expect(v).toBeCloseTo(1, 9);
    }
  });

  it('recovers a linear unit: weights in standardised units, r² near 1, and the feature it does not read near 0', () => {
    const s = states(3000);
    const z = standardiseFeatures(s, FEATURES);
    const rng = new Rng(2);
    // y = 0.5 · speed − 4 · onFloor + 1 + small noise: standardised weights 0.5 · std(speed) and −4 · std(onFloor).
    const y = s.map((st) => 0.5 * Number(st.speed) - 4 * Number(st.onFloor) + 1 + 0.01 * rng.normal());
    const fit = ridgeFit(z, y, 1e-6);
    expect(fit.weights[0]).toBeCloseTo(0.5 * z.std[0], 2);
    expect(fit.weights[2]).toBeCloseTo(-4 * z.std[2], 2);
    expect(Math.abs(fit.weights[1])).toBeLessThan(0.01);
    expect(fit.r2).toBeGreaterThan(0.9999);
    expect(fit.intercept).toBeCloseTo(y.reduce((a, b) => a + b, 0) / y.length, 12);
  });

  it('a unit that no feature explains gets r² near 0; a larger ridge shrinks the weights', () => {
    const s = states(3000);
    const z = standardiseFeatures(s, FEATURES);
    const rng = new Rng(3);
    const noise = s.map(() => rng.normal());
    expect(ridgeFit(z, noise, 1e-6).r2).toBeLessThan(0.01);
    const y = s.map((st) => Number(st.speed));
    const small = ridgeFit(z, y, 1e-6).weights[0];
    const large = ridgeFit(z, y, 1).weights[0];
    // (ZᵀZ + λn) w = Zᵀy with ZᵀZ ≈ n: w ≈ std / (1 + λ).
    expect(large).toBeCloseTo(small / 2, 1);
  });
});
