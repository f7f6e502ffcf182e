/**
 * Small judges that read the sparse revealed set directly, for tests and for demonstrating
 * `debate play` before the real judge (the paper's CNN, trained by `debate train-judge`) exists.
 * Neither is the paper's judge; results with them say so.
 *
 * - `LinearJudge`: logits = b + Σ_revealed (maskW[p] + value · valueW[p]); hand-made in tests.
 * - `SparseMlpJudge`: a one-hidden-layer MLP on the paper's two planes (mask, values), trained
 *   like the paper's judge (random k nonzero pixels of training images, cross-entropy), but run
 *   sparsely: its first layer sums k columns instead of multiplying 1,568 inputs, so a judge call
 *   costs microseconds and greedy play on all 10,000 test images fits on two cores.
 */
import { Adam } from '../../nn/adam.js';
import { Mlp } from '../../nn/mlp.js';
import { loadMlp, saveMlp, type MlpJson } from '../../nn/serialize.js';
import { Rng } from '../../utils/rng.js';
import type { Mnist } from '../../data/mnist.js';
import { MNIST_CLASSES, MNIST_PIXELS, type Judge, type Revealed } from './judge.js';
import { nonzeroPixels, randomReveal } from './game.js';

function checkRevealed(r: Revealed, i: number): void {
  if (r.pixels.length !== r.values.length) throw new RangeError(`judge: revealed set ${i} has ${r.pixels.length} pixels but ${r.values.length} values`);
  for (const p of r.pixels) if (!(Number.isInteger(p) && p >= 0 && p < MNIST_PIXELS)) throw new RangeError(`judge: revealed set ${i} has pixel ${p}, not an index in 0..${MNIST_PIXELS - 1}`);
}

/** A linear judge on the revealed pixels; weights are [784 × 10] row-major, bias [10]. */
export class LinearJudge implements Judge {
  constructor(
    readonly maskW: Float32Array,
    readonly valueW: Float32Array,
    readonly bias: Float32Array = new Float32Array(MNIST_CLASSES),
  ) {
    if (maskW.length !== MNIST_PIXELS * MNIST_CLASSES || valueW.length !== MNIST_PIXELS * MNIST_CLASSES || bias.length !== MNIST_CLASSES) {
      throw new RangeError(`LinearJudge: weights must be ${MNIST_PIXELS}×${MNIST_CLASSES} and the bias ${MNIST_CLASSES} long`);
    }
  }

  logits(batch: readonly Revealed[]): Float32Array {
    const out = new Float32Array(batch.length * MNIST_CLASSES);
    batch.forEach((r, i) => {
      checkRevealed(r, i);
      const o = i * MNIST_CLASSES;
      for (let c = 0; c < MNIST_CLASSES; c++) out[o + c] = this.bias[c];
      r.pixels.forEach((p, j) => {
        for (let c = 0; c < MNIST_CLASSES; c++) out[o + c] += this.maskW[p * MNIST_CLASSES + c] + r.values[j] * this.valueW[p * MNIST_CLASSES + c];
      });
    });
    return out;
  }
}

/** The paper's judge input: two planes of 784, the 0/1 mask then the revealed values. */
export function judgePlanes(r: Revealed, out: Float32Array, offset = 0): void {
  out.fill(0, offset, offset + 2 * MNIST_PIXELS);
  r.pixels.forEach((p, j) => {
    out[offset + p] = 1;
    out[offset + MNIST_PIXELS + p] = r.values[j];
  });
}

/** A trained 1568-H-10 ReLU MLP judge evaluated sparsely. */
export class SparseMlpJudge implements Judge {
  readonly hidden: number;
  /** First layer transposed: row i (of the 1,568 inputs) holds its H weights, so a reveal adds two rows. */
  private readonly w1t: Float32Array;
  private readonly b1: Float32Array;
  private readonly w2: Float32Array;
  private readonly b2: Float32Array;
  private readonly h: Float32Array;

  constructor(readonly mlp: Mlp) {
    const [inSize, hidden, outSize] = mlp.sizes;
    if (mlp.sizes.length !== 3 || inSize !== 2 * MNIST_PIXELS || outSize !== MNIST_CLASSES || mlp.activation !== 'relu') {
      throw new Error(`SparseMlpJudge: needs a [${2 * MNIST_PIXELS}, H, ${MNIST_CLASSES}] ReLU MLP, got [${mlp.sizes.join(', ')}] ${mlp.activation}`);
    }
    this.hidden = hidden;
    const p = mlp.params;
    const w1 = p.subarray(mlp.offsets[0], mlp.offsets[0] + hidden * inSize);
    this.w1t = new Float32Array(inSize * hidden);
    for (let j = 0; j < hidden; j++) for (let i = 0; i < inSize; i++) this.w1t[i * hidden + j] = w1[j * inSize + i];
    this.b1 = Float32Array.from(p.subarray(mlp.offsets[0] + hidden * inSize, mlp.offsets[1]));
    this.w2 = Float32Array.from(p.subarray(mlp.offsets[1], mlp.offsets[1] + outSize * hidden));
    this.b2 = Float32Array.from(p.subarray(mlp.offsets[1] + outSize * hidden, mlp.offsets[1] + outSize * hidden + outSize));
    this.h = new Float32Array(hidden);
  }

  logits(batch: readonly Revealed[]): Float32Array {
    const H = this.hidden;
    const { w1t, b1, w2, b2, h } = this;
    const out = new Float32Array(batch.length * MNIST_CLASSES);
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      checkRevealed(r, i);
      h.set(b1);
      for (let j = 0; j < r.pixels.length; j++) {
        const m = r.pixels[j] * H;
        const v = (MNIST_PIXELS + r.pixels[j]) * H;
        const val = r.values[j];
        for (let u = 0; u < H; u++) h[u] += w1t[m + u] + val * w1t[v + u];
      }
      const o = i * MNIST_CLASSES;
      for (let c = 0; c < MNIST_CLASSES; c++) {
        let s = b2[c];
        const row = c * H;
        for (let u = 0; u < H; u++) if (h[u] > 0) s += w2[row + u] * h[u];
        out[o + c] = s;
      }
    }
    return out;
  }
}

export interface TinyJudgeOptions {
  /** Pixels revealed per training example (the judge is trained for one k, as in the paper). */
  k: number;
  hidden: number;
  steps: number;
  batch: number;
  lr: number;
  seed: number;
}

/** The saved demo judge. */
export interface TinyJudgeJson {
  format: 'overseer.debate-tiny-judge';
  version: 1;
  /** The k it was trained for. */
  k: number;
  steps: number;
  /** Accuracy on the 10,000 test images with k random nonzero pixels (one draw each, seed 0). */
  testAccuracy: number;
  mlp: MlpJson;
}

/** Trains the demo judge with Adam on softmax cross-entropy over random k-pixel reveals of training images. */
export function trainTinyJudge(train: Mnist, opts: TinyJudgeOptions, log: (line: string) => void = () => {}): SparseMlpJudge {
  const rng = new Rng(opts.seed);
  const mlp = new Mlp({ sizes: [2 * MNIST_PIXELS, opts.hidden, MNIST_CLASSES], activation: 'relu' }).init(rng, { scheme: 'fan_in_uniform' });
  const adam = new Adam([mlp], { lr: opts.lr });
  const x = new Float32Array(opts.batch * 2 * MNIST_PIXELS);
  const y = new Uint8Array(opts.batch);
  const g = new Float32Array(opts.batch * MNIST_CLASSES);
  const image = new Float32Array(MNIST_PIXELS);
  let lossSum = 0;
  for (let step = 1; step <= opts.steps; step++) {
    for (let b = 0; b < opts.batch; b++) {
      const idx = rng.integer(train.count);
      for (let p = 0; p < MNIST_PIXELS; p++) image[p] = train.images[idx * MNIST_PIXELS + p] / 255;
      judgePlanes(randomReveal(image, opts.k, rng), x, b * 2 * MNIST_PIXELS);
      y[b] = train.labels[idx];
    }
    mlp.zeroGrad();
    const logits = mlp.forward(x, opts.batch);
    for (let b = 0; b < opts.batch; b++) {
      const o = b * MNIST_CLASSES;
      let max = -Infinity;
      for (let c = 0; c < MNIST_CLASSES; c++) max = Math.max(max, logits[o + c]);
      let sum = 0;
      for (let c = 0; c < MNIST_CLASSES; c++) sum += Math.exp(logits[o + c] - max);
      lossSum += Math.log(sum) + max - logits[o + y[b]];
      for (let c = 0; c < MNIST_CLASSES; c++) g[o + c] = (Math.exp(logits[o + c] - max) / sum - (c === y[b] ? 1 : 0)) / opts.batch;
    }
    mlp.backward(g);
    adam.step();
    if (step % 500 === 0) {
      log(`tiny judge k=${opts.k}: step ${step}/${opts.steps}, loss ${(lossSum / (500 * opts.batch)).toFixed(3)}`);
      lossSum = 0;
    }
  }
  return new SparseMlpJudge(mlp);
}

/** Accuracy of `judge` from k random nonzero pixels of each test image (seeded). */
export function randomRevealAccuracy(judge: Judge, test: Mnist, k: number, seed = 0): number {
  const rng = new Rng(seed);
  let right = 0;
  const image = new Float32Array(MNIST_PIXELS);
  for (let i = 0; i < test.count; i++) {
    for (let p = 0; p < MNIST_PIXELS; p++) image[p] = test.images[i * MNIST_PIXELS + p] / 255;
    if (nonzeroPixels(image).length < k) continue;
    const logits = judge.logits([randomReveal(image, k, rng)]);
    let arg = 0;
    for (let c = 1; c < MNIST_CLASSES; c++) if (logits[c] > logits[arg]) arg = c;
    if (arg === test.labels[i]) right++;
  }
  return right / test.count;
}

export function saveTinyJudge(judge: SparseMlpJudge, k: number, steps: number, testAccuracy: number): TinyJudgeJson {
  return { format: 'overseer.debate-tiny-judge', version: 1, k, steps, testAccuracy, mlp: saveMlp(judge.mlp) };
}

export function isTinyJudgeJson(json: unknown): json is TinyJudgeJson {
  return typeof json === 'object' && json !== null && (json as { format?: unknown }).format === 'overseer.debate-tiny-judge';
}

export function loadTinyJudge(json: TinyJudgeJson, where: string): SparseMlpJudge {
  if (json.version !== 1) throw new Error(`${where}: tiny judge format version ${String(json.version)}, this build reads 1`);
  return new SparseMlpJudge(loadMlp(json.mlp, `${where} (tiny judge)`));
}
