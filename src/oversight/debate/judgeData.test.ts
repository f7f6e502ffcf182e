import { describe, expect, it } from 'vitest';
import type { Mnist } from '../../data/mnist.js';
import { Rng } from '../../utils/rng.js';
import { MNIST_PIXELS } from './judge.js';
import { judgeImages, judgeSplit, pixelStats, sampleRevealed } from './judgeData.js';
import { allocSparseBatch } from './sparseLayer.js';

/** Three synthetic 28x28 images: 20 nonzero pixels, 3 nonzero pixels, 50 nonzero pixels. */
function fakeMnist(): Mnist {
  const images = new Uint8Array(3 * MNIST_PIXELS);
  for (let j = 0; j < 20; j++) images[0 * MNIST_PIXELS + 100 + 7 * j] = 10 + j;
  for (const p of [5, 400, 783]) images[1 * MNIST_PIXELS + p] = 255;
  for (let j = 0; j < 50; j++) images[2 * MNIST_PIXELS + 300 + j] = 1 + j;
  return { set: 'train', count: 3, rows: 28, cols: 28, images, labels: Uint8Array.of(4, 1, 9) };
}

describe('judge data', () => {
  const images = judgeImages(fakeMnist());

  it('indexes each image by its nonzero pixels and their values / 255', () => {
    const a = images.nonzero(0);
    expect(Array.from(a.pixels)).toEqual(Array.from({ length: 20 }, (_, j) => 100 + 7 * j));
    expect(a.values[3]).toBeCloseTo(13 / 255, 7);
    expect(Array.from(images.nonzero(1).pixels)).toEqual([5, 400, 783]);
    expect(images.label(2)).toBe(9);
    expect(() => images.nonzero(3)).toThrow(/image index 3 outside MNIST train \(0..2\)/);
    const stats = pixelStats(images, [0, 1, 2]);
    expect(stats.min).toBe(3);
    expect(stats.fewerThan(6)).toBe(1);
  });

  it('reveals k distinct nonzero pixels with their true values, fresh at every draw', () => {
    const rng = new Rng(1);
    const batch = allocSparseBatch(4, 6);
    const labels = new Uint8Array(4);
    const seen: string[] = [];
    for (let draw = 0; draw < 20; draw++) {
      sampleRevealed(images, [0, 2, 0, 2], 6, rng, batch, labels);
      expect(batch.rows).toBe(4);
      expect(Array.from(labels)).toEqual([4, 9, 4, 9]);
      for (let r = 0; r < 4; r++) {
        const img = r % 2 === 0 ? 0 : 2;
        const { pixels, values } = images.nonzero(img);
        const px = Array.from(batch.pixels.subarray(batch.offsets[r], batch.offsets[r + 1]));
        expect(px).toHaveLength(6);
        expect(new Set(px).size).toBe(6);
        for (let j = 0; j < 6; j++) {
          const at = Array.from(pixels).indexOf(px[j]);
          expect(at).toBeGreaterThanOrEqual(0);
          expect(batch.values[batch.offsets[r] + j]).toBe(values[at]);
        }
        seen.push(px.sort((a, b) => a - b).join(','));
      }
    }
    // 80 draws of 6 of 20 or 50 pixels: a repeated set would be a broken sampler (C(20,6) = 38760).
    expect(new Set(seen).size).toBe(80);
  });

  it('draws each nonzero pixel equally often (uniform subsets)', () => {
    const rng = new Rng(2);
    const batch = allocSparseBatch(1, 6);
    const counts = new Map<number, number>();
    const draws = 20_000;
    for (let d = 0; d < draws; d++) {
      sampleRevealed(images, [0], 6, rng, batch);
      for (let j = 0; j < 6; j++) counts.set(batch.pixels[j], (counts.get(batch.pixels[j]) ?? 0) + 1);
    }
    // Each of the 20 pixels is in a draw with probability 6/20: 6000 of 20000, sd ≈ 65.
    expect(counts.size).toBe(20);
    for (const c of counts.values()) expect(Math.abs(c - 6000)).toBeLessThan(300);
  });

  it('reveals all the pixels of an image with fewer than k', () => {
    const batch = allocSparseBatch(2, 6);
    sampleRevealed(images, [1, 0], 6, new Rng(3), batch);
    expect(Array.from(batch.offsets.subarray(0, 3))).toEqual([0, 3, 9]);
    expect(Array.from(batch.pixels.subarray(0, 3)).sort((a, b) => a - b)).toEqual([5, 400, 783]);
    expect(() => sampleRevealed(images, [0], 0, new Rng(3), batch)).toThrow(/integer in 1..784, got 0/);
    expect(() => sampleRevealed(images, [0, 1, 2], 6, new Rng(3), batch)).toThrow(/holds 2 rows/);
  });

  it('splits the training images into disjoint train and validation parts, fixed by the seed', () => {
    const s = judgeSplit(1, 1000, 100);
    expect(s.val).toHaveLength(100);
    expect(s.train).toHaveLength(900);
    expect(new Set([...s.train, ...s.val]).size).toBe(1000);
    expect(Array.from(judgeSplit(1, 1000, 100).val)).toEqual(Array.from(s.val));
    expect(Array.from(judgeSplit(2, 1000, 100).val)).not.toEqual(Array.from(s.val));
    expect(() => judgeSplit(1, 1000, 1000)).toThrow(/validation slice of 1000 images does not fit in 1000/);
  });
});
