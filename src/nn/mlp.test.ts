import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import { ACTIVATIONS } from './activations.js';
import { maxRelativeError, numericGradient } from './gradcheck.js';
import { Mlp } from './mlp.js';

function randomInput(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** L = sum(out * c) for fixed random c, so dL/dout = c. */
function lossOf(net: Mlp, x: ArrayLike<number>, batch: number, c: Float64Array): number {
  const y = net.forward(x, batch);
  let s = 0;
  for (let i = 0; i < c.length; i++) s += y[i] * c[i];
  return s;
}

describe('Mlp', () => {
  for (const activation of ACTIVATIONS) {
    for (const sizes of [[3, 1], [4, 7, 2], [5, 6, 6, 3]]) {
      it(`backward matches finite differences (${activation}, sizes ${sizes.join('-')})`, () => {
        const rng = new Rng(7);
        const net = new Mlp({ sizes, activation, outputActivation: activation === 'tanh' ? 'tanh' : 'identity', dtype: 'float64' });
        net.init(rng, { scheme: 'orthogonal', gain: 1.3 });
        // Non-zero biases so relu kinks are not all at the same place.
        for (let i = 0; i < net.params.length; i++) net.params[i] += 0.1 * rng.normal();
        const batch = 5;
        const x = randomInput(rng, batch * sizes[0]);
        const c = randomInput(rng, batch * sizes[sizes.length - 1]);
        net.zeroGrad();
        net.forward(x, batch);
        const dx = net.backward(c, true)!;
        const analyticParams = Float64Array.from(net.grads);
        const analyticInput = Float64Array.from(dx);
        const numParams = numericGradient(() => lossOf(net, x, batch, c), net.params);
        const numInput = numericGradient(() => lossOf(net, x, batch, c), x);
        expect(maxRelativeError(analyticParams, numParams)).toBeLessThan(1e-5);
        expect(maxRelativeError(analyticInput, numInput)).toBeLessThan(1e-5);
      });
    }
  }

  it('accumulates gradients across backward calls until zeroGrad', () => {
    const net = new Mlp({ sizes: [2, 3, 1], activation: 'tanh', dtype: 'float64' }).init(new Rng(1), { scheme: 'xavier_uniform', gain: 1 });
    const x = [0.3, -0.2];
    net.forward(x, 1);
    net.backward([1]);
    const once = Float64Array.from(net.grads);
    net.forward(x, 1);
    net.backward([1]);
    for (let i = 0; i < once.length; i++) expect(net.grads[i]).toBeCloseTo(2 * once[i], 12);
    net.zeroGrad();
    expect(Math.max(...Array.from(net.grads, Math.abs))).toBe(0);
  });

  it('predict (batch 1) equals the batched forward row by row, in float32', () => {
    const rng = new Rng(3);
    const net = new Mlp({ sizes: [11, 64, 64, 1], activation: 'tanh' }).init(rng, { scheme: 'orthogonal', gain: Math.SQRT2 });
    const x = Float32Array.from(randomInput(rng, 4 * 11));
    const batched = Float32Array.from(net.forward(x, 4));
    for (let b = 0; b < 4; b++) expect(net.predict(x.subarray(b * 11, b * 11 + 11))[0]).toBe(batched[b]);
  });

  it('rejects bad shapes with a message', () => {
    expect(() => new Mlp({ sizes: [3], activation: 'tanh' })).toThrow(/at least two positive integers/);
    expect(() => new Mlp({ sizes: [3, 0], activation: 'tanh' })).toThrow(/positive integers/);
    expect(() => new Mlp({ sizes: [3, 2], activation: 'gelu' as never })).toThrow(/tanh, relu, leaky_relu, identity/);
    const net = new Mlp({ sizes: [3, 2], activation: 'relu' });
    expect(() => net.forward([1, 2], 1)).toThrow(/does not hold 1 rows of 3/);
    expect(() => net.backward([1, 2])).toThrow(/before forward/);
  });

  it('leaky relu passes 1% of negative inputs', () => {
    const net = new Mlp({ sizes: [1, 1], activation: 'identity', outputActivation: 'leaky_relu', dtype: 'float64' });
    net.params[0] = 1; // W
    net.params[1] = 0; // b
    expect(net.forward([-2], 1)[0]).toBeCloseTo(-0.02, 12);
    expect(net.forward([3], 1)[0]).toBe(3);
  });
});

describe('Mlp, WebAssembly SIMD backend', () => {
  // Shapes that exercise every kernel path: narrow outputs (dot kernel), wide ones (4x8 blocks),
  // odd widths and batches (edge blocks), batch 1 (predict) and large batches (heap growth).
  const cases: [number[], number][] = [
    [[11, 64, 64, 1], 64],
    [[11, 64, 64, 3], 7],
    [[5, 9, 13, 2], 33],
    [[105, 64, 64, 8], 300],
    [[3, 4, 1], 1],
  ];
  for (const [sizes, batch] of cases) {
    for (const activation of ['tanh', 'leaky_relu'] as const) {
      it(`matches the float64 reference (${activation}, sizes ${sizes.join('-')}, batch ${batch})`, () => {
        const rng = new Rng(21);
        const ref = new Mlp({ sizes, activation, dtype: 'float64' }).init(rng, { scheme: 'orthogonal', gain: 1.2 });
        for (let i = 0; i < ref.params.length; i++) ref.params[i] += 0.05 * rng.normal();
        const net = new Mlp({ sizes, activation, backend: 'wasm' });
        expect(net.backend).toBe('wasm');
        net.params.set(ref.params);
        const x = Float32Array.from(randomInput(rng, batch * sizes[0]));
        const c = Float32Array.from(randomInput(rng, batch * sizes[sizes.length - 1]));
        const yRef = Float64Array.from(ref.forward(x, batch));
        const y = Float32Array.from(net.forward(x, batch));
        // Errors relative to the largest value: float32 rounding over sums of up to 105 terms.
        const relToMax = (a: ArrayLike<number>, b: ArrayLike<number>) => {
          let scale = 0;
          let worst = 0;
          for (let i = 0; i < b.length; i++) {
            scale = Math.max(scale, Math.abs(b[i]));
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
          }
          return worst / scale;
        };
        expect(relToMax(y, yRef)).toBeLessThan(1e-5);
        ref.zeroGrad();
        net.zeroGrad();
        const dxRef = Float64Array.from(ref.backward(c, true)!);
        const dx = Float32Array.from(net.backward(c, true)!);
        expect(relToMax(net.grads, ref.grads)).toBeLessThan(1e-5);
        expect(relToMax(dx, dxRef)).toBeLessThan(1e-5);
        const p = net.predict(x.subarray(0, sizes[0]));
        for (let o = 0; o < p.length; o++) expect(p[o]).toBeCloseTo(y[o], 5);
      });
    }
  }

  it('keeps parameters and gradients when a larger batch grows the heap', () => {
    const net = new Mlp({ sizes: [4, 16, 2], activation: 'tanh', backend: 'wasm' }).init(new Rng(1), { scheme: 'orthogonal', gain: 1 });
    const before = Float32Array.from(net.params);
    net.forward(new Float32Array(4 * 8), 8);
    net.backward(new Float32Array(2 * 8).fill(1));
    const grads = Float32Array.from(net.grads);
    net.forward(new Float32Array(4 * 5000), 5000);
    expect(Array.from(net.params)).toEqual(Array.from(before));
    expect(Array.from(net.grads)).toEqual(Array.from(grads));
  });
});
