import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import { Adam, type AdamState } from './adam.js';
import { orthogonal, xavierUniform } from './init.js';
import { mseLoss } from './losses.js';
import { Mlp } from './mlp.js';
import { clipGradNorm, gradNorm, type ParamGroup } from './params.js';
import { maxRelativeError, numericGradient } from './gradcheck.js';

describe('Adam', () => {
  it('first step moves each parameter by lr against the gradient sign (bias-corrected)', () => {
    const g: ParamGroup = { params: Float64Array.of(1, -2, 3), grads: Float64Array.of(0.5, -4, 0) };
    const opt = new Adam([g], { lr: 0.1 });
    opt.step();
    expect(g.params[0]).toBeCloseTo(0.9, 6);
    expect(g.params[1]).toBeCloseTo(-1.9, 6);
    expect(g.params[2]).toBe(3);
  });

  it('second step follows the bias-corrected moment formulas', () => {
    const g: ParamGroup = { params: Float64Array.of(0), grads: Float64Array.of(1) };
    const opt = new Adam([g], { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    opt.step();
    g.grads[0] = 3;
    opt.step();
    const m = 0.9 * 0.1 + 0.1 * 3;
    const v = 0.999 * 0.001 + 0.001 * 9;
    const first = -0.01 / (1 + 1e-8);
    const expected = first - (0.01 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    expect(g.params[0]).toBeCloseTo(expected, 10);
  });

  it('fits a small regression with an MLP', () => {
    const rng = new Rng(0);
    const net = new Mlp({ sizes: [1, 32, 1], activation: 'tanh' }).init(rng, { scheme: 'orthogonal', gain: 1 });
    const opt = new Adam([net], { lr: 1e-2 });
    const xs = Float32Array.from({ length: 64 }, (_, i) => -2 + (4 * i) / 63);
    const ys = xs.map((x) => Math.sin(2 * x));
    const grad = new Float32Array(64);
    let loss = Infinity;
    for (let it = 0; it < 1500; it++) {
      net.zeroGrad();
      const y = net.forward(xs, 64);
      loss = mseLoss(y, ys, 64, grad);
      net.backward(grad);
      opt.step();
    }
    expect(loss).toBeLessThan(2e-3);
  });

  it('saves and restores its state so that later steps are bit-identical', () => {
    const rng = new Rng(4);
    const groups = (): ParamGroup[] => [
      { params: Float64Array.from({ length: 5 }, (_, i) => i / 7), grads: new Float64Array(5) },
      { params: Float32Array.from({ length: 3 }, (_, i) => 1 - i / 3), grads: new Float32Array(3) },
    ];
    const grads = Array.from({ length: 8 }, () => [Array.from({ length: 5 }, () => rng.normal()), Array.from({ length: 3 }, () => rng.normal())]);
    const step = (opt: Adam, g: number[][]) => {
      opt.groups.forEach((p, k) => p.grads.set(g[k]));
      opt.step();
    };
    const a = new Adam(groups(), { lr: 1e-2, eps: 1e-5 });
    for (const g of grads.slice(0, 4)) step(a, g);
    a.lr = 5e-3; // annealed lr is part of the state
    const saved = JSON.parse(JSON.stringify(a.state())) as AdamState;
    const copies = a.groups.map((g) => ({ params: g.params.slice(), grads: g.grads.slice() }));
    const b = new Adam(copies, { lr: 1e-2, eps: 1e-5 });
    b.loadState(saved);
    expect(b.steps).toBe(4);
    expect(b.lr).toBe(5e-3);
    for (const g of grads.slice(4)) {
      step(a, g);
      step(b, g);
    }
    for (let k = 0; k < 2; k++) expect(Array.from(b.groups[k].params)).toEqual(Array.from(a.groups[k].params));
    expect(b.state()).toEqual(a.state());
  });

  it('refuses a state for other parameter groups, naming the mismatch', () => {
    const a = new Adam([{ params: new Float64Array(4), grads: new Float64Array(4) }]);
    const s = a.state();
    expect(() => new Adam([]).loadState(s)).toThrow('Adam state has 1 first and 1 second moment groups, this optimizer has 0 groups');
    expect(() => new Adam([{ params: new Float64Array(3), grads: new Float64Array(3) }]).loadState(s)).toThrow('Adam state m[0] has 4 values, group 0 has 3 parameters');
    expect(() => a.loadState({ ...s, t: -1 })).toThrow(/step count t/);
  });

  it('rejects a negative learning rate', () => {
    expect(() => new Adam([], { lr: -1 })).toThrow(/lr must be a non-negative number/);
  });
});

describe('gradient clipping', () => {
  it('scales the global norm down to maxNorm and reports the norm before', () => {
    const a: ParamGroup = { params: new Float64Array(2), grads: Float64Array.of(3, 0) };
    const b: ParamGroup = { params: new Float64Array(1), grads: Float64Array.of(4) };
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(5, 12);
    expect(gradNorm([a, b])).toBeCloseTo(1, 5);
    expect(a.grads[0] / b.grads[0]).toBeCloseTo(0.75, 12);
  });

  it('leaves small gradients alone', () => {
    const a: ParamGroup = { params: new Float64Array(1), grads: Float64Array.of(0.3) };
    clipGradNorm([a], 0.5);
    expect(a.grads[0]).toBe(0.3);
  });
});

describe('initialisation', () => {
  for (const [rows, cols] of [[64, 11], [11, 64], [8, 8]]) {
    it(`orthogonal ${rows}x${cols} has orthonormal ${rows >= cols ? 'columns' : 'rows'} times the gain`, () => {
      const w = new Float64Array(rows * cols);
      orthogonal(w, rows, cols, 2, new Rng(5));
      const tall = rows >= cols;
      const k = tall ? cols : rows;
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          let d = 0;
          for (let i = 0; i < (tall ? rows : cols); i++) d += tall ? w[i * cols + a] * w[i * cols + b] : w[a * cols + i] * w[b * cols + i];
          expect(d).toBeCloseTo(a === b ? 4 : 0, 8);
        }
      }
    });
  }

  it('xavier uniform stays within its bound and fills it', () => {
    const w = new Float64Array(64 * 32);
    xavierUniform(w, 64, 32, 1, new Rng(2));
    const bound = Math.sqrt(6 / 96);
    const max = Math.max(...Array.from(w, Math.abs));
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.95 * bound);
  });
});

describe('mseLoss', () => {
  it('gradient matches finite differences', () => {
    const pred = Float64Array.of(0.5, -1, 2);
    const target = [1, 1, 1];
    const grad = new Float64Array(3);
    mseLoss(pred, target, 3, grad, 0.5);
    const num = numericGradient(() => 0.5 * mseLoss(pred, target, 3), pred);
    expect(maxRelativeError(grad, num)).toBeLessThan(1e-8);
  });
});
