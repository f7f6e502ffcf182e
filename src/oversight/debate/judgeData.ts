/**
 * What the judge learns from and is tested on: MNIST images seen through k random nonzero pixels.
 *
 * The paper's rule: each time an image is used, k distinct pixels are drawn uniformly among its
 * nonzero ones (value > 0), so over training the judge sees many different sparse views of each
 * image. An image with fewer than k nonzero pixels reveals all of them (fewer than k); MNIST has
 * none (its sparsest digits have dozens), and `pixelStats` reports the minimum so a run can say so.
 */
import type { Mnist, MnistSet } from '../../data/mnist.js';
import { Rng } from '../../utils/rng.js';
import { RngStreams } from '../../utils/streams.js';
import { MNIST_PIXELS } from './judge.js';
import type { SparseBatch } from './sparseLayer.js';

/**
 * One MNIST set as the judge's data: each image's nonzero pixels, precomputed once. Training
 * reads images only through `nonzero`, so a spy source can record exactly which images it read.
 */
export interface JudgeImages {
  readonly set: MnistSet;
  readonly count: number;
  label(image: number): number;
  /** The image's nonzero pixels (indices 0..783, ascending) and their values in (0, 1]. */
  nonzero(image: number): { pixels: ArrayLike<number>; values: ArrayLike<number> };
}

/** The nonzero pixels of every image of `mnist`, packed (offsets into one index and one value array). */
export function judgeImages(mnist: Mnist): JudgeImages {
  const d = mnist.rows * mnist.cols;
  if (d !== MNIST_PIXELS) throw new RangeError(`MNIST ${mnist.set}: images of ${mnist.rows}x${mnist.cols}, the judge reads 28x28`);
  const offsets = new Int32Array(mnist.count + 1);
  for (let i = 0; i < mnist.count; i++) {
    let n = 0;
    for (let p = i * d; p < (i + 1) * d; p++) if (mnist.images[p] > 0) n++;
    offsets[i + 1] = offsets[i] + n;
  }
  const pixels = new Uint16Array(offsets[mnist.count]);
  const values = new Float32Array(offsets[mnist.count]);
  for (let i = 0, at = 0; i < mnist.count; i++) {
    for (let p = 0; p < d; p++) {
      const b = mnist.images[i * d + p];
      if (b > 0) {
        pixels[at] = p;
        values[at++] = b / 255;
      }
    }
  }
  return {
    set: mnist.set,
    count: mnist.count,
    label: (i) => mnist.labels[i],
    nonzero: (i) => {
      if (!(Number.isInteger(i) && i >= 0 && i < mnist.count)) throw new RangeError(`image index ${i} outside MNIST ${mnist.set} (0..${mnist.count - 1})`);
      return { pixels: pixels.subarray(offsets[i], offsets[i + 1]), values: values.subarray(offsets[i], offsets[i + 1]) };
    },
  };
}

/** How many nonzero pixels the images have: the minimum says whether any image falls short of k. */
export function pixelStats(images: JudgeImages, indices: ArrayLike<number>): { min: number; mean: number; fewerThan: (k: number) => number } {
  const counts = Array.from(indices, (i) => images.nonzero(i).pixels.length);
  return {
    min: Math.min(...counts),
    mean: counts.reduce((a, b) => a + b, 0) / counts.length,
    fewerThan: (k) => counts.filter((c) => c < k).length,
  };
}

/**
 * Fills `out` with the images at `indices`, each through k distinct pixels drawn uniformly among
 * its nonzero ones (all of them if it has fewer). Labels go to `labels` if given.
 */
export function sampleRevealed(images: JudgeImages, indices: ArrayLike<number>, k: number, rng: Rng, out: SparseBatch, labels?: Uint8Array): SparseBatch {
  if (!Number.isInteger(k) || k <= 0 || k > MNIST_PIXELS) throw new RangeError(`revealed pixels per image must be an integer in 1..${MNIST_PIXELS}, got ${k}`);
  const rows = indices.length;
  if (out.offsets.length < rows + 1 || out.pixels.length < rows * k) throw new RangeError(`sparse batch holds ${out.offsets.length - 1} rows of ${out.pixels.length} pixels, not ${rows} of ${k}`);
  let at = 0;
  out.offsets[0] = 0;
  for (let r = 0; r < rows; r++) {
    const { pixels, values } = images.nonzero(indices[r]);
    const n = pixels.length;
    const start = at;
    if (n <= k) {
      for (let j = 0; j < n; j++) {
        out.pixels[at] = pixels[j];
        out.values[at++] = values[j];
      }
    } else {
      // Floyd's algorithm: a uniform k-subset of the n in exactly k draws (the order within a row does not matter to the judge).
      for (let top = n - k; top < n; top++) {
        let j = rng.integer(top + 1);
        for (let q = start; q < at; q++) {
          if (out.pixels[q] === pixels[j]) {
            j = top;
            break;
          }
        }
        out.pixels[at] = pixels[j];
        out.values[at++] = values[j];
      }
    }
    out.offsets[r + 1] = at;
    if (labels) labels[r] = images.label(indices[r]);
  }
  out.rows = rows;
  return out;
}

/** The judge's split of the 60k training images: `val` held out for choosing lr and size, the rest to train on. */
export interface JudgeSplit {
  seed: number;
  train: Int32Array;
  val: Int32Array;
}

/** A seeded shuffle of 0..total-1, the first `val` held out. The test set is a different set, never split. */
export function judgeSplit(seed: number, total: number, val: number): JudgeSplit {
  if (!Number.isInteger(val) || val <= 0 || val >= total) throw new RangeError(`validation slice of ${val} images does not fit in ${total} training images`);
  const order = Int32Array.from({ length: total }, (_, i) => i);
  // Its own stream, so the split does not move when training draws more or fewer numbers.
  new Rng(RngStreams.seedOf(seed, 'judge-split')).shuffle(order);
  return { seed, val: order.slice(0, val), train: order.slice(val) };
}
