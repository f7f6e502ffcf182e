/**
 * Training and testing the debate judge (Irving et al. 2018, §3.1): a classifier of MNIST from k
 * random nonzero pixels, trained with Adam on a fixed schedule of minibatches, fresh pixels for
 * every image of every batch.
 *
 * Reads top to bottom: options → the split of the 60k training images (train / a held-out
 * validation slice) → minibatches (indices → k nonzero pixels → logits → cross-entropy → backward
 * → Adam) with validation accuracy every `evalEvery` batches → test accuracy, which only
 * `trainAndTestJudge` computes, after training has returned. The trainer is handed the training
 * set alone and refuses any other.
 */
import { z } from 'zod';
import { Adam } from '../../nn/adam.js';
import { ACTIVATIONS } from '../../nn/activations.js';
import { Rng } from '../../utils/rng.js';
import { RngStreams } from '../../utils/streams.js';
import { softCrossEntropy } from '../w2s/confidence.js';
import { MNIST_CLASSES, MNIST_PIXELS } from './judge.js';
import { sampleRevealed, type JudgeImages, type JudgeSplit } from './judgeData.js';
import { MnistJudge } from './judgeModel.js';
import { allocSparseBatch } from './sparseLayer.js';

/** The paper's schedules: 30k batches of 128 at 6 pixels, 50k at 4. */
export const PAPER_BATCHES: Readonly<Record<number, number>> = { 6: 30_000, 4: 50_000 };
/** The judge accuracies to compare with: the paper and the jvmncs/safe-debates replication, in %. */
export const PAPER_ACCURACY: Readonly<Record<number, { paper: number; replication: number }>> = {
  6: { paper: 59.4, replication: 57.4 },
  4: { paper: 48.2, replication: 46.7 },
};

export const JudgeOptionsSchema = z
  .object({
    /** Pixels revealed per image. */
    k: z.number().int().min(1).max(MNIST_PIXELS),
    /** Minibatches to train on (the paper: 30k at k = 6, 50k at k = 4). */
    batches: z.number().int().positive(),
    /** Images per minibatch (the paper: 128). */
    batchSize: z.number().int().positive(),
    /** Adam's learning rate, constant over the run (the paper: 1e-4 for its CNN). */
    lr: z.number().positive().max(1),
    /** Widths: the gather layer's, then the Mlp's hidden layers. */
    hidden: z.array(z.number().int().positive()).min(1).max(4),
    activation: z.enum(ACTIVATIONS),
    /** Seeds the split, init, minibatches and pixel draws (each its own stream). */
    seed: z.number().int().nonnegative(),
    /** Training images held out for choosing lr and size (drawn from the 60k by `seed`). */
    valSize: z.number().int().positive(),
    /** Batches between validation measurements (0: only at the end). */
    evalEvery: z.number().int().nonnegative(),
  })
  .strict();
export type JudgeOptions = z.infer<typeof JudgeOptionsSchema>;

/**
 * Chosen on the validation slice at k = 6 over the full 30k batches (seed 1, 5 draws of 5000
 * images): [256] at lr 1e-3 57.6% [56.7, 58.5], at 3e-3 57.4%; [512, 256] at 1e-3 58.1%
 * [57.2, 59.0], within noise, for 3x the training CPU and ~25x the multiply-adds per judgement
 * (140k vs 5.6k), which MCTS debaters pay at every leaf. The paper's 1e-4 learned slowest in
 * 5k-batch runs (49.3% against 54.0% at 1e-3).
 */
export const judgeDefaults = {
  batchSize: 128,
  lr: 1e-3,
  hidden: [256],
  activation: 'relu',
  seed: 1,
  valSize: 5000,
  evalEvery: 2000,
} satisfies Partial<JudgeOptions>;

/** One point of the learning curve. */
export interface JudgeEvalPoint {
  batch: number;
  /** Mean cross-entropy over the batches since the last point. */
  trainLoss: number;
  /** Accuracy on the validation slice, one fresh draw of k pixels per image. */
  valAccuracy: number;
}

export interface JudgeRun {
  judge: MnistJudge;
  history: JudgeEvalPoint[];
  /** Wall and process CPU seconds of the training loop alone (validation excluded). */
  trainSeconds: number;
  trainCpuSeconds: number;
}

/** Stream names: one consumer each, so adding validation points never changes the training draws. */
const STREAMS = { init: 'judge-init', order: 'judge-order', pixels: 'judge-pixels', val: 'judge-val' } as const;

/**
 * Trains a judge on `split.train` of the training set. `images` must be the training set: the
 * test set is not an argument, so nothing here can read it.
 */
export function trainJudge(opts: JudgeOptions, images: JudgeImages, split: JudgeSplit, log: (line: string) => void = () => {}): JudgeRun {
  if (images.set !== 'train') throw new Error(`trainJudge: given the MNIST ${images.set} set; the judge trains on the training set only`);
  for (const i of [...split.train, ...split.val]) if (!(i >= 0 && i < images.count)) throw new RangeError(`trainJudge: split index ${i} outside the ${images.count} training images`);
  const { k, batchSize: B } = opts;
  if (B > split.train.length) throw new RangeError(`trainJudge: batches of ${B} images from a training split of ${split.train.length}`);
  const streams = new RngStreams(opts.seed);
  const judge = new MnistJudge({ hidden: opts.hidden, activation: opts.activation }).init(streams.get(STREAMS.init), k);
  const adam = new Adam(judge.groups, { lr: opts.lr });
  const order = Int32Array.from(split.train);
  const orderRng = streams.get(STREAMS.order);
  const pixelRng = streams.get(STREAMS.pixels);
  const batch = allocSparseBatch(B, k);
  const labels = new Uint8Array(B);
  const targets = new Float32Array(B * MNIST_CLASSES);
  const grad = new Float32Array(B * MNIST_CLASSES);
  const history: JudgeEvalPoint[] = [];
  let at = order.length; // forces a shuffle before the first batch
  let lossSum = 0;
  let lossCount = 0;
  let trainMs = 0;
  let cpuMicros = 0;

  for (let t = 1; t <= opts.batches; t++) {
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    // Epochs of the training indices in a fresh order, as TF's next_batch (the paper's input pipeline).
    if (at + B > order.length) {
      orderRng.shuffle(order);
      at = 0;
    }
    const idx = order.subarray(at, at + B);
    at += B;
    sampleRevealed(images, idx, k, pixelRng, batch, labels);
    const logits = judge.forward(batch);
    targets.fill(0);
    for (let r = 0; r < B; r++) targets[r * MNIST_CLASSES + labels[r]] = 1;
    lossSum += softCrossEntropy(logits, targets, B, MNIST_CLASSES, grad);
    lossCount++;
    judge.zeroGrad();
    judge.backward(grad);
    adam.step();
    trainMs += performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    cpuMicros += cpu.user + cpu.system;

    if ((opts.evalEvery > 0 && t % opts.evalEvery === 0) || t === opts.batches) {
      const val = judgeAccuracy(judge, images, split.val, k, 1, streams.get(STREAMS.val));
      history.push({ batch: t, trainLoss: lossSum / lossCount, valAccuracy: val.mean });
      log(`batch ${t}/${opts.batches}: train loss ${(lossSum / lossCount).toFixed(4)}, val accuracy ${(100 * val.mean).toFixed(2)}% (${((1000 * trainMs) / t / 1000).toFixed(2)} ms/batch)`);
      lossSum = 0;
      lossCount = 0;
    }
  }
  return { judge, history, trainSeconds: trainMs / 1000, trainCpuSeconds: cpuMicros / 1e6 };
}

/** Accuracy of a judge on images seen through k random nonzero pixels, over `draws` independent draws. */
export interface JudgeAccuracy {
  images: number;
  draws: number;
  /** Accuracy of each draw over all the images. */
  perDraw: number[];
  /** Mean over draws and images. */
  mean: number;
  /**
   * 95% interval of the mean, from the spread of per-image accuracies (each image's share of
   * draws classified right): it counts both which images and which pixels were drawn.
   */
  ci95: [number, number];
}

/** Chunked evaluation: `draws` passes over `indices`, fresh pixels each pass, from `rng`. */
export function judgeAccuracy(judge: MnistJudge, images: JudgeImages, indices: ArrayLike<number>, k: number, draws: number, rng: Rng): JudgeAccuracy {
  if (!Number.isInteger(draws) || draws <= 0) throw new RangeError(`judge accuracy needs a positive whole number of draws, got ${draws}`);
  const n = indices.length;
  if (n === 0) throw new RangeError('judge accuracy over no images');
  const chunk = 1000;
  const batch = allocSparseBatch(chunk, k);
  const labels = new Uint8Array(chunk);
  const idxBuf = new Int32Array(chunk);
  const correct = new Uint16Array(n);
  const perDraw: number[] = [];
  for (let d = 0; d < draws; d++) {
    let right = 0;
    for (let s = 0; s < n; s += chunk) {
      const m = Math.min(chunk, n - s);
      for (let r = 0; r < m; r++) idxBuf[r] = indices[s + r];
      const idx = idxBuf.subarray(0, m);
      sampleRevealed(images, idx, k, rng, batch, labels);
      const logits = judge.forward(batch);
      for (let r = 0; r < idx.length; r++) {
        let best = 0;
        for (let c = 1; c < MNIST_CLASSES; c++) if (logits[r * MNIST_CLASSES + c] > logits[r * MNIST_CLASSES + best]) best = c;
        if (best === labels[r]) {
          right++;
          correct[s + r]++;
        }
      }
    }
    perDraw.push(right / n);
  }
  const mean = perDraw.reduce((a, b) => a + b, 0) / draws;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (correct[i] / draws - mean) ** 2;
  const se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : 0;
  return { images: n, draws, perDraw, mean, ci95: [mean - 1.96 * se, mean + 1.96 * se] };
}

/** What trainAndTestJudge returns: the run, then the test accuracy measured after it. */
export interface JudgeResult extends JudgeRun {
  val: JudgeAccuracy;
  test: JudgeAccuracy | null;
}

/**
 * Trains on the training set, then (unless `testDraws` is 0) measures the test set. The test set
 * is touched only after `trainJudge` has returned, through its own source.
 */
export function trainAndTestJudge(
  opts: JudgeOptions,
  data: { train: JudgeImages; split: JudgeSplit; test: () => JudgeImages },
  eval_: { draws: number; testDraws: number; seed: number },
  log: (line: string) => void = () => {},
): JudgeResult {
  const run = trainJudge(opts, data.train, data.split, log);
  return { ...run, ...evaluateJudge(run.judge, opts.k, data, eval_) };
}

/** Validation and test accuracy of a trained judge; each has its own seeded stream of pixel draws. */
export function evaluateJudge(
  judge: MnistJudge,
  k: number,
  data: { train: JudgeImages; split: JudgeSplit; test: () => JudgeImages },
  eval_: { draws: number; testDraws: number; seed: number },
): { val: JudgeAccuracy; test: JudgeAccuracy | null } {
  const streams = new RngStreams(eval_.seed);
  const val = judgeAccuracy(judge, data.train, data.split.val, k, eval_.draws, streams.get('judge-eval-val'));
  if (eval_.testDraws === 0) return { val, test: null };
  const test = data.test();
  if (test.set !== 'test') throw new Error(`evaluateJudge: the test source is MNIST ${test.set}, not test`);
  const all = Int32Array.from({ length: test.count }, (_, i) => i);
  return { val, test: judgeAccuracy(judge, test, all, k, eval_.testDraws, streams.get('judge-eval-test')) };
}
