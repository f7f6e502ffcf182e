/**
 * The models of the MNIST weak-to-strong lab.
 *
 * - Weak supervisors: small classifiers on downsampled pixels, some trained on few labels.
 * - Strong students: a frozen encoder with a linear probe on its features. The encoder's
 *   strength is latent, as with DINO: a denoising autoencoder pretrained without labels on P
 *   (its width sets the size), or random ReLU features (Medvedev et al.'s 2-layer random-feature
 *   networks, no pretraining at all).
 */
import { Adam, Mlp, mseLoss } from '../../nn/index.js';
import { Rng } from '../../utils/rng.js';
import { softCrossEntropy, softmaxRows } from './confidence.js';

/** A matrix of n rows of d floats, row-major. */
export interface Matrix {
  n: number;
  d: number;
  data: Float32Array;
}

/** Average-pools 28x28 images [n, 784] by `factor` (e.g. 4: 7x7 pixels). */
export function downsample(images: Matrix, side: number, factor: number): Matrix {
  if (side % factor !== 0) throw new RangeError(`cannot pool ${side}x${side} images by ${factor}`);
  const s = side / factor;
  const d = s * s;
  const out = new Float32Array(images.n * d);
  const scale = 1 / (factor * factor);
  for (let r = 0; r < images.n; r++) {
    const src = r * images.d;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) out[r * d + Math.floor(y / factor) * s + Math.floor(x / factor)] += images.data[src + y * side + x] * scale;
    }
  }
  return { n: images.n, d, data: out };
}

export function rows(m: Matrix, indices: ArrayLike<number>, into?: Float32Array): Float32Array {
  const out = into ?? new Float32Array(indices.length * m.d);
  for (let r = 0; r < indices.length; r++) out.set(m.data.subarray(indices[r] * m.d, (indices[r] + 1) * m.d), r * m.d);
  return out;
}

/** One-hot rows [n, k] of integer labels. */
export function oneHot(labels: ArrayLike<number>, k: number): Float32Array {
  const out = new Float32Array(labels.length * k);
  for (let i = 0; i < labels.length; i++) out[i * k + labels[i]] = 1;
  return out;
}

/** The network's outputs on every row of `x`, in chunks (softmax applied if `softmax`). */
export function forwardAll(net: Mlp, x: Matrix, softmax: boolean): Matrix {
  if (x.d !== net.inputSize) throw new RangeError(`network takes ${net.inputSize} inputs, rows have ${x.d}`);
  const k = net.outputSize;
  const out = new Float32Array(x.n * k);
  const chunk = 512;
  for (let at = 0; at < x.n; at += chunk) {
    const b = Math.min(chunk, x.n - at);
    const y = net.forward(x.data.subarray(at * x.d, (at + b) * x.d), b);
    out.set(y.subarray(0, b * k), at * k);
  }
  // In place: softmaxRows reads each row's logits before writing it.
  if (softmax) softmaxRows(out, x.n, k, out);
  return { n: x.n, d: k, data: out };
}

/** Share of rows whose argmax is `labels`. */
export function accuracy(scores: Matrix, labels: ArrayLike<number>): number {
  let hit = 0;
  for (let i = 0; i < scores.n; i++) if (argmaxRow(scores, i) === labels[i]) hit++;
  return hit / scores.n;
}

export function argmaxRow(m: Matrix, i: number): number {
  let best = 0;
  for (let j = 1; j < m.d; j++) if (m.data[i * m.d + j] > m.data[i * m.d + best]) best = j;
  return best;
}

export function argmaxRows(m: Matrix): Uint8Array {
  const out = new Uint8Array(m.n);
  for (let i = 0; i < m.n; i++) out[i] = argmaxRow(m, i);
  return out;
}

// ---------------------------------------------------------------- weak supervisors

export interface WeakSpec {
  about: string;
  /** Average-pooling factor of the 28x28 pixels. */
  pool: number;
  /** Hidden widths (none: logistic regression). */
  hidden: number[];
  /** Ground-truth labels it trains on: the first n of W. */
  labels: number;
  /** Epochs at least; few labels get more, about 20k examples seen in all. */
  epochs: number;
  /** A k-nearest-neighbour vote with this k instead of a trained network (hidden and epochs unused). */
  neighbours?: number;
}

/**
 * Sizes and label counts were fixed during development runs on seed 1 that printed test accuracy
 * (see the report's "How the settings were chosen"); the report gives their accuracies per seed.
 */
export const WEAK_MODELS = {
  'lr-4x4': { about: 'logistic regression on 4x4 average-pooled pixels, 10k labels', pool: 7, hidden: [], labels: 10_000, epochs: 10 },
  'lr-7x7-300': { about: 'logistic regression on 7x7 average-pooled pixels, 300 labels', pool: 4, hidden: [], labels: 300, epochs: 10 },
  'mlp-7x7-300': { about: 'MLP 49-32-k (ReLU) on 7x7 average-pooled pixels, 300 labels', pool: 4, hidden: [32], labels: 300, epochs: 10 },
  'knn-14x14-100': { about: '5-nearest-neighbour vote among 100 labelled images at 14x14 pixels: not a linear function of pixels, unlike the others', pool: 2, hidden: [], labels: 100, epochs: 0, neighbours: 5 },
} as const satisfies Record<string, WeakSpec>;
export type WeakName = keyof typeof WEAK_MODELS;
export const WEAK_NAMES = Object.keys(WEAK_MODELS) as WeakName[];

export interface FitOptions {
  hidden: readonly number[];
  epochs: number;
  lr: number;
  batch: number;
}

/** A classifier fitted to soft targets [n, k] by Adam on mean cross-entropy (the weak models' training). */
export function fitClassifier(x: Matrix, targets: Matrix, opts: FitOptions, rng: Rng): Mlp {
  const k = targets.d;
  const net = new Mlp({ sizes: [x.d, ...opts.hidden, k], activation: 'relu' }).init(rng, { scheme: 'fan_in_uniform' });
  const adam = new Adam([net], { lr: opts.lr });
  const order = Int32Array.from({ length: x.n }, (_, i) => i);
  const xb = new Float32Array(opts.batch * x.d);
  const tb = new Float32Array(opts.batch * k);
  const grad = new Float32Array(opts.batch * k);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    rng.shuffle(order);
    for (let at = 0; at < x.n; at += opts.batch) {
      const idx = order.subarray(at, Math.min(x.n, at + opts.batch));
      const b = idx.length;
      rows(x, idx, xb);
      rows(targets, idx, tb);
      const logits = net.forward(xb, b);
      softCrossEntropy(logits, tb, b, k, grad);
      net.zeroGrad();
      net.backward(grad);
      adam.step();
    }
  }
  return net;
}

/**
 * Soft labels [q.n, classes] of a k-nearest-neighbour vote (squared Euclidean distance) among
 * labelled reference rows, smoothed as 0.9 * votes + 0.1 / classes so no class has probability 0.
 */
export function knnVotes(ref: Matrix, refLabels: ArrayLike<number>, k: number, q: Matrix, classes: number): Matrix {
  if (ref.d !== q.d || ref.n !== refLabels.length || k > ref.n) throw new RangeError(`kNN: ${ref.n} references of ${ref.d} with ${refLabels.length} labels, k ${k}, queries of ${q.d}`);
  const out = new Float32Array(q.n * classes);
  const dist = new Float64Array(ref.n);
  const nearest = new Int32Array(k);
  for (let i = 0; i < q.n; i++) {
    for (let r = 0; r < ref.n; r++) {
      let s = 0;
      for (let j = 0; j < q.d; j++) {
        const t = q.data[i * q.d + j] - ref.data[r * ref.d + j];
        s += t * t;
      }
      dist[r] = s;
    }
    // k smallest by repeated selection (k is small); ties go to the lower index.
    for (let m = 0; m < k; m++) {
      let best = -1;
      for (let r = 0; r < ref.n; r++) if ((best < 0 || dist[r] < dist[best]) && !nearest.subarray(0, m).includes(r)) best = r;
      nearest[m] = best;
    }
    for (let j = 0; j < classes; j++) out[i * classes + j] = 0.1 / classes;
    for (let m = 0; m < k; m++) out[i * classes + refLabels[nearest[m]]] += 0.9 / k;
  }
  return { n: q.n, d: classes, data: out };
}

// ---------------------------------------------------------------- strong encoders

export const STRONG_FAMILIES = ['dae', 'rf'] as const;
export type StrongFamily = (typeof STRONG_FAMILIES)[number];

export interface StrongSpec {
  family: StrongFamily;
  /** Features the linear probe sees (the encoder's width). */
  width: number;
}

/** Strong students by name, e.g. dae-256: the width is the size. */
export function parseStrong(name: string): StrongSpec {
  const m = /^(dae|rf)-(\d+)$/.exec(name);
  if (!m || Number(m[2]) <= 0) throw new Error(`strong student ${JSON.stringify(name)}: expected dae-<width> or rf-<width>, e.g. dae-256`);
  return { family: m[1] as StrongFamily, width: Number(m[2]) };
}

export interface DaeOptions {
  width: number;
  epochs: number;
  /** Share of pixels zeroed in each corrupted input (masking noise, Vincent et al. 2008). */
  maskNoise: number;
  lr: number;
  batch: number;
}

/**
 * Pretrains a denoising autoencoder 784-width-784 (ReLU code, linear decoder, MSE to the clean
 * image) on unlabelled images and returns the encoder, 784-width with ReLU output.
 */
export function pretrainDae(images: Matrix, opts: DaeOptions, rng: Rng, onEpoch?: (epoch: number, loss: number) => void): Mlp {
  const d = images.d;
  const ae = new Mlp({ sizes: [d, opts.width, d], activation: 'relu' }).init(rng, { scheme: 'xavier_uniform', gain: Math.SQRT2 }, { scheme: 'xavier_uniform', gain: 1 });
  const adam = new Adam([ae], { lr: opts.lr });
  const order = Int32Array.from({ length: images.n }, (_, i) => i);
  const clean = new Float32Array(opts.batch * d);
  const noisy = new Float32Array(opts.batch * d);
  const grad = new Float32Array(opts.batch * d);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    rng.shuffle(order);
    let total = 0;
    let batches = 0;
    for (let at = 0; at < images.n; at += opts.batch) {
      const idx = order.subarray(at, Math.min(images.n, at + opts.batch));
      const b = idx.length;
      rows(images, idx, clean);
      for (let i = 0; i < b * d; i++) noisy[i] = rng.random() < opts.maskNoise ? 0 : clean[i];
      const recon = ae.forward(noisy, b);
      // Sum over pixels, mean over the batch: mseLoss averages over all b*d values, so scale by d.
      total += mseLoss(recon, clean, b * d, grad, d);
      batches++;
      ae.zeroGrad();
      ae.backward(grad);
      adam.step();
    }
    onEpoch?.(epoch, total / batches);
  }
  return encoderOf(ae);
}

/** The first layer of an autoencoder as a network of its own, with the ReLU as its output. */
export function encoderOf(ae: Mlp): Mlp {
  const [d, width] = ae.sizes;
  const enc = new Mlp({ sizes: [d, width], activation: 'relu', outputActivation: 'relu' });
  enc.params.set(ae.params.subarray(0, d * width + width));
  return enc;
}

/** Random ReLU features relu(W x + b), W ~ N(0, 1/d) and b ~ N(0, 0.1²): never trained. */
export function randomFeatures(d: number, width: number, rng: Rng): Mlp {
  const enc = new Mlp({ sizes: [d, width], activation: 'relu', outputActivation: 'relu' });
  const p = enc.params;
  for (let i = 0; i < d * width; i++) p[i] = rng.normal(0, 1 / Math.sqrt(d));
  for (let i = d * width; i < p.length; i++) p[i] = rng.normal(0, 0.1);
  return enc;
}

/** Per-feature mean and standard deviation, for standardising a probe's inputs (from unlabelled images). */
export interface FeatureScale {
  mean: Float32Array;
  std: Float32Array;
}

export function featureScale(features: Matrix): FeatureScale {
  const { n, d, data } = features;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j];
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  const std = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    mean[j] /= n;
    std[j] = Math.sqrt(Math.max(0, sq[j] / n - mean[j] * mean[j])) + 1e-3;
  }
  return { mean: Float32Array.from(mean), std };
}

/** The encoder's standardised features of `images` (in place on the returned matrix). */
export function encode(encoder: Mlp, images: Matrix, scale?: FeatureScale): Matrix {
  const f = forwardAll(encoder, images, false);
  if (scale) {
    for (let i = 0; i < f.n; i++) for (let j = 0; j < f.d; j++) f.data[i * f.d + j] = (f.data[i * f.d + j] - scale.mean[j]) / scale.std[j];
  }
  return f;
}
