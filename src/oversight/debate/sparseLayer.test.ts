import { describe, expect, it } from 'vitest';
import { maxRelativeError, numericGradient } from '../../nn/gradcheck.js';
import { Mlp } from '../../nn/mlp.js';
import { Rng } from '../../utils/rng.js';
import { MNIST_CLASSES, MNIST_PIXELS } from './judge.js';
import { MnistJudge } from './judgeModel.js';
import { SparseGatherLayer, type SparseBatch } from './sparseLayer.js';
import { softCrossEntropy } from '../w2s/confidence.js';

/** Rows of given sizes, distinct random pixels of `pixels`, values in (0, 1]. */
function randomBatch(rng: Rng, sizes: number[], pixels: number): SparseBatch {
  const offsets = new Int32Array(sizes.length + 1);
  const idx: number[] = [];
  const vals: number[] = [];
  sizes.forEach((n, r) => {
    const order = rng.shuffle(Array.from({ length: pixels }, (_, i) => i));
    for (let j = 0; j < n; j++) {
      idx.push(order[j]);
      vals.push(1 - rng.random());
    }
    offsets[r + 1] = offsets[r] + n;
  });
  return { rows: sizes.length, offsets, pixels: Int32Array.from(idx), values: Float32Array.from(vals) };
}

describe('SparseGatherLayer', () => {
  it('has the gradients of finite differences (float64, rows of 3, 0 and 5 pixels)', () => {
    const rng = new Rng(3);
    const layer = new SparseGatherLayer({ pixels: 12, width: 5, activation: 'tanh', dtype: 'float64' }).init(rng, 3);
    const batch = randomBatch(rng, [3, 0, 5], 12);
    const c = Float64Array.from({ length: 3 * 5 }, () => rng.normal());
    // L = Σ c ⊙ h, so dL/dh = c.
    const loss = () => {
      const h = layer.forward(batch);
      let s = 0;
      for (let i = 0; i < c.length; i++) s += c[i] * h[i];
      return s;
    };
    layer.zeroGrad();
    loss();
    layer.backward(c);
    const numeric = numericGradient(loss, layer.params);
    expect(maxRelativeError(layer.grads, numeric)).toBeLessThan(1e-6);
    // Pixels no row revealed get no gradient, mask or value.
    const revealed = new Set(batch.pixels);
    for (let p = 0; p < 12; p++) {
      if (revealed.has(p)) continue;
      for (let u = 0; u < 5; u++) {
        expect(layer.grads[p * 5 + u]).toBe(0);
        expect(layer.grads[layer.valueOffset + p * 5 + u]).toBe(0);
      }
    }
  });

  it('computes the dense layer on the [mask, values] planes', () => {
    const rng = new Rng(5);
    const width = 16;
    const layer = new SparseGatherLayer({ pixels: MNIST_PIXELS, width, activation: 'relu' }).init(rng, 6);
    const batch = randomBatch(rng, [6, 6, 4, 1, 6], MNIST_PIXELS);
    const dense = new Mlp({ sizes: [2 * MNIST_PIXELS, width], activation: 'relu', outputActivation: 'relu' });
    const { w, b } = layer.denseWeights();
    dense.params.set(w, 0);
    dense.params.set(b, w.length);
    const planes = new Float32Array(batch.rows * 2 * MNIST_PIXELS);
    for (let r = 0; r < batch.rows; r++) {
      for (let j = batch.offsets[r]; j < batch.offsets[r + 1]; j++) {
        planes[r * 2 * MNIST_PIXELS + batch.pixels[j]] = 1;
        planes[r * 2 * MNIST_PIXELS + MNIST_PIXELS + batch.pixels[j]] = batch.values[j];
      }
    }
    const want = Float32Array.from(dense.forward(planes, batch.rows));
    const got = layer.forward(batch);
    expect(got.length).toBe(want.length);
    expect(maxRelativeError(got, want)).toBeLessThan(1e-5);
    // Not vacuous: some units are active.
    expect(want.filter((x) => x > 0).length).toBeGreaterThan(20);
  });

  it('refuses a pixel outside the image, a pixel twice in a row, or backward before forward', () => {
    const layer = new SparseGatherLayer({ pixels: 10, width: 2, activation: 'relu' });
    expect(() => layer.backward(new Float32Array(2))).toThrow(/before forward/);
    const batch = (pixels: number[]): SparseBatch => ({ rows: 1, offsets: Int32Array.of(0, pixels.length), pixels: Int32Array.from(pixels), values: new Float32Array(pixels.length).fill(0.5) });
    expect(() => layer.forward(batch([3, 10]))).toThrow(/row 0 reveals pixel 10, outside 0..9/);
    expect(() => layer.forward(batch([3, 4, 3]))).toThrow(/row 0 reveals pixel 3 twice/);
    // The same pixel in two different rows is fine.
    expect(() => layer.forward({ rows: 2, offsets: Int32Array.of(0, 1, 2), pixels: Int32Array.of(3, 3), values: Float32Array.of(0.1, 0.2) })).not.toThrow();
  });
});

describe('MnistJudge', () => {
  it('passes the gradient through the Mlp into the gather layer (finite differences, cross-entropy)', () => {
    const rng = new Rng(7);
    const judge = new MnistJudge({ hidden: [6, 5], activation: 'tanh', dtype: 'float64' }).init(rng, 4);
    const batch = randomBatch(rng, [4, 4, 2], MNIST_PIXELS);
    const targets = new Float64Array(3 * MNIST_CLASSES);
    [3, 7, 0].forEach((y, r) => (targets[r * MNIST_CLASSES + y] = 1));
    const grad = new Float64Array(3 * MNIST_CLASSES);
    const loss = () => softCrossEntropy(judge.forward(batch), targets, 3, MNIST_CLASSES);
    judge.zeroGrad();
    softCrossEntropy(judge.forward(batch), targets, 3, MNIST_CLASSES, grad);
    judge.backward(grad);
    for (const group of judge.groups) {
      const numeric = numericGradient(loss, group.params);
      expect(maxRelativeError(group.grads, numeric)).toBeLessThan(1e-5);
    }
  });

  it('gives the same logits through the Judge interface as for the packed batch, and checks its input', () => {
    const rng = new Rng(9);
    const judge = new MnistJudge({ hidden: [32], activation: 'relu' }).init(rng, 6);
    const batch = randomBatch(rng, [6, 3, 6], MNIST_PIXELS);
    const packed = Float32Array.from(judge.forward(batch));
    const revealed = [0, 1, 2].map((r) => ({
      pixels: Array.from(batch.pixels.subarray(batch.offsets[r], batch.offsets[r + 1])),
      values: Array.from(batch.values.subarray(batch.offsets[r], batch.offsets[r + 1])),
    }));
    expect(Array.from(judge.logits(revealed))).toEqual(Array.from(packed));
    expect(judge.logits([{ pixels: [], values: [] }])).toHaveLength(MNIST_CLASSES);
    expect(() => judge.logits([{ pixels: [1, 2], values: [0.5] }])).toThrow(/2 pixels but 1 values/);
    expect(() => judge.logits([{ pixels: [1], values: [1.5] }])).toThrow(/value 1.5, outside 0–1/);
    expect(() => judge.logits([{ pixels: [900], values: [0.5] }])).toThrow(/pixel 900, outside 0..783/);
  });
});
