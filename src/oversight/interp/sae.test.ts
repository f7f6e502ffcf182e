/** The SAE's parts: backward pass against finite differences, unit-norm decoder, Adam resets, resampling, options and metrics. */
import { describe, expect, it } from 'vitest';
import { maxRelativeError, numericGradient } from '../../nn/gradcheck.js';
import { Rng } from '../../utils/rng.js';
import { FlatAdam, Sae, evaluateSae, geometricMedian, parseSaeOptions, resampleDead, trainSae, type Matrix } from './sae.js';

function randomMatrix(rows: number, dim: number, rng: Rng): Matrix {
  return { data: Float64Array.from({ length: rows * dim }, () => rng.normal()), rows, dim };
}

function smallSae(rng: Rng, dim = 5, n = 7): Sae {
  const sae = new Sae(dim, n).init(rng, Float64Array.from({ length: dim }, () => 0.1 * rng.normal()));
  // Positive encoder biases so that most features are active and every path gets checked.
  for (let j = 0; j < n; j++) sae.be[j] = 0.3 + 0.2 * rng.random();
  return sae;
}

describe('Sae backward', () => {
  it('matches central differences for every parameter, with the L1 term', () => {
    const rng = new Rng(3);
    const sae = smallSae(rng);
    const x = randomMatrix(4, sae.dim, rng);
    const lambda = 0.37;
    sae.forward(x.data, x.rows, lambda);
    sae.backward(x.data, x.rows, lambda);
    const analytic = Float64Array.from(sae.grads);
    const numeric = numericGradient(() => sae.forward(x.data, x.rows, lambda).total, sae.params);
    expect(maxRelativeError(analytic, numeric)).toBeLessThan(1e-6);
    // Some features must be off somewhere, or the ReLU's zero branch went unchecked.
    const f = sae.encode(x.data, x.rows);
    expect(f.some((v) => v === 0)).toBe(true);
    expect(f.some((v) => v > 0)).toBe(true);
  });

  it('the projected decoder gradient is orthogonal to its column, and a step keeps columns at unit norm', () => {
    const rng = new Rng(4);
    const sae = smallSae(rng);
    const x = randomMatrix(8, sae.dim, rng);
    sae.forward(x.data, x.rows, 0.1);
    sae.backward(x.data, x.rows, 0.1);
    sae.projectDecoderGrads();
    for (let j = 0; j < sae.n; j++) {
      const col = sae.decoderColumn(j);
      const g = sae.gWdT.subarray(j * sae.dim, (j + 1) * sae.dim);
      expect(Math.abs(col.reduce((s, v, i) => s + v * g[i], 0))).toBeLessThan(1e-12);
    }
    const adam = new FlatAdam(sae.params, sae.grads, { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    adam.step();
    sae.normaliseDecoder();
    for (let j = 0; j < sae.n; j++) expect(Math.hypot(...sae.decoderColumn(j))).toBeCloseTo(1, 12);
  });
});

describe('FlatAdam', () => {
  it('a reset parameter steps like a fresh one (moments zeroed, bias correction restarted)', () => {
    const p = new Float64Array([1, 1]);
    const g = new Float64Array([0.5, 0.5]);
    const adam = new FlatAdam(p, g, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    adam.step();
    adam.step();
    adam.reset(1, 1);
    expect(adam.moments(1)).toEqual({ m: 0, v: 0 });
    const before = p[1];
    adam.step();
    // Adam's first step moves by lr against the gradient's sign.
    expect(before - p[1]).toBeCloseTo(0.1, 6);
  });
});

describe('resampleDead', () => {
  it('sets decoder columns to normalised inputs, encoder rows to 0.2 × mean live norm, biases to 0', () => {
    const rng = new Rng(5);
    const sae = smallSae(rng, 4, 6);
    for (let i = 0; i < sae.We.length; i++) sae.We[i] *= 3; // live encoder norm 3
    const x = randomMatrix(50, 4, rng);
    resampleDead(sae, x, [1, 4], { resamplePool: 50, resampleEncoderScale: 0.2 }, rng);
    for (const j of [1, 4]) {
      const col = Array.from(sae.decoderColumn(j));
      expect(Math.hypot(...col)).toBeCloseTo(1, 12);
      // The column is one of the inputs, normalised.
      const matches = Array.from({ length: x.rows }, (_, r) => {
        const row = Array.from(x.data.subarray(r * 4, r * 4 + 4));
        const nr = Math.hypot(...row);
        return row.every((v, i) => Math.abs(v / nr - col[i]) < 1e-12);
      });
      expect(matches.some(Boolean)).toBe(true);
      const enc = Array.from(sae.We.subarray(j * 4, j * 4 + 4));
      expect(Math.hypot(...enc)).toBeCloseTo(0.2 * 3, 10);
      enc.forEach((v, i) => expect(v).toBeCloseTo(0.6 * col[i], 10));
      expect(sae.be[j]).toBe(0);
    }
  });

  it('draws inputs in proportion to their squared loss: a zero-loss input is never drawn', () => {
    const rng = new Rng(6);
    const sae = new Sae(2, 2);
    // Decoder = identity, encoder = identity, b = 0: inputs in the positive quadrant reconstruct exactly.
    sae.WdT.set([1, 0, 0, 1]);
    sae.We.set([1, 0, 0, 1]);
    const x: Matrix = { data: new Float64Array([1, 2, -3, 0]), rows: 2, dim: 2 };
    for (let k = 0; k < 20; k++) {
      resampleDead(sae, x, [0], { resamplePool: 2, resampleEncoderScale: 0.2 }, rng);
      expect(Array.from(sae.decoderColumn(0))).toEqual([-1, 0]);
      sae.We.set([1, 0], 0);
      sae.WdT.set([1, 0], 0);
    }
  });
});

describe('options and metrics', () => {
  it('fills the paper defaults and rejects bad options with every problem named', () => {
    const o = parseSaeOptions({ dictSize: 64 });
    expect(o).toMatchObject({ deadWindow: 12_500, resampleAt: [25_000, 50_000, 75_000, 100_000], resamplePool: 819_200, resampleEncoderScale: 0.2, decoderBiasInit: 'geometric-median', resample: true });
    expect(() => parseSaeOptions({ dictSize: 0, l1Coefficient: -1, bogus: 1 })).toThrow(/dictSize[\s\S]*l1Coefficient[\s\S]*bogus|dictSize[\s\S]*bogus[\s\S]*l1Coefficient|bogus[\s\S]*dictSize/);
    expect(() => parseSaeOptions({})).toThrow(/dictSize/);
  });

  it('FVU is 0 for a perfect reconstruction and 1 for predicting the mean; L0 and dead count features', () => {
    const sae = new Sae(2, 3);
    sae.WdT.set([1, 0, 0, 1, 0.6, 0.8]);
    sae.We.set([1, 0, 0, 1, 0, 0]);
    sae.be.set([0, 0, -1]); // feature 2 never fires
    const x: Matrix = { data: new Float64Array([1, 2, 3, 0.5, 0, 1]), rows: 3, dim: 2 };
    const m = evaluateSae(sae, x);
    expect(m.fvu).toBeCloseTo(0, 12);
    expect(m.dead).toBe(1);
    expect(m.l0).toBeCloseTo(5 / 3, 12);
    const off = new Sae(2, 1);
    off.be[0] = -1;
    off.bd.set([4 / 3, 3.5 / 3]); // x's column means
    expect(evaluateSae(off, x).fvu).toBeCloseTo(1, 12);
  });

  it('geometric median resists an outlier that drags the mean', () => {
    const x: Matrix = { data: new Float64Array([0, 0, 1, 0, 0, 1, 1, 1, 100, 100]), rows: 5, dim: 2 };
    const med = geometricMedian(x, 200);
    expect(Math.hypot(med[0] - 0.5, med[1] - 0.5)).toBeLessThan(0.6);
  });

  it('trainSae is deterministic for a seed', () => {
    const x = randomMatrix(64, 4, new Rng(7));
    const run = () => Array.from(trainSae(x, { dictSize: 6, steps: 20, batchSize: 8, seed: 3 }).sae.params);
    expect(run()).toEqual(run());
  });
});
