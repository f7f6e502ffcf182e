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
