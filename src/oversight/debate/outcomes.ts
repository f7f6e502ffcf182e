/**
 * A classifier trained from debate outcomes alone (issue 23, deliverable 6, "beyond the paper").
 * Each training image gets a *debate label* with no ground truth: debaters argue for digits, the
 * weak judge (k revealed pixels) decides, and the digit that wins the tournament is the label. A
 * classifier on the full 784 pixels then learns those labels; the true labels are read only after
 * all labelling, to score it and to train the same classifier on them as the baseline.
 *
 * Protocols (a tournament per image among candidate digits, greedy debaters on both sides):
 * - 'round-robin' (ours): every pair {a, b} plays one precommit game (a claims a, b claims b) twice,
 *   each digit moving first once. Ties in the game go to the second mover (game.ts gives them to the
 *   "liar" role, so each digit holds the "honest" role once and the rule stays symmetric). The label
 *   is the digit with the most wins; ties by summed margins, then the lower digit.
 * - 'open' (david-lindner/ai-safety-debate, precompute_debate_results.py): every candidate c
 *   precommits and plays an opponent that names its claim only at the end (game.ts without
 *   precommit), with each side moving first once; c wins iff the judge's argmax is c at the end.
 *   Lindner et al. train the classifier by sampling its own guess and keeping it when that debate
 *   is won (weight 1, else 0); we take the label with the most wins (same tie rule) and train on it.
 *
 * Candidates: all 10 digits, or the judge's top m from `draws` random reveals of k pixels (mean
 * softmax), which costs no label and cuts the round robin from 90 games to m(m − 1).
 */
import { z } from 'zod';
import { Mlp } from '../../nn/index.js';
import type { Mnist } from '../../data/mnist.js';
import { Rng } from '../../utils/rng.js';
import { wilson, type Proportion } from '../../utils/stats.js';
import { softmaxRows } from '../w2s/confidence.js';
import { accuracy, fitClassifier, forwardAll, oneHot, type Matrix } from '../w2s/models.js';
import { DebateGame, nonzeroPixels, playGame, randomReveal, type DebateRules } from './game.js';
import { greedyDebater } from './greedy.js';
import { MNIST_CLASSES, MNIST_PIXELS, type Judge, type Revealed } from './judge.js';

export const PROTOCOLS = ['round-robin', 'open'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** How one image is labelled by debate. */
export const LabelOptionsSchema = z.object({
  /** Pixels revealed per debate (the judge's k). */
  k: z.number().int().min(1).max(MNIST_PIXELS),
  /** Candidate digits per image: the judge's top m from random reveals (10: all digits). */
  candidates: z.number().int().min(2).max(MNIST_CLASSES).default(4),
  /** The tournament among candidates. */
  protocol: z.enum(PROTOCOLS).default('round-robin'),
  /** Random reveals of k pixels whose mean judge softmax ranks the candidates. */
  draws: z.number().int().min(1).max(256).default(8),
});
export type LabelOptions = z.infer<typeof LabelOptionsSchema>;

/** The tournament on one image. */
export interface DebateVerdict {
  /** The debate label: the tournament's winner. */
  label: number;
  /** The candidate digits, best first by the judge's mean softmax over random reveals. */
  candidates: number[];
  /** Games won per digit (0 for non-candidates). */
  wins: number[];
  /** Summed margins per digit from its own side (round robin: its logit minus the opponent's). */
  margins: number[];
  games: number;
}

const digits = () => Array.from({ length: MNIST_CLASSES }, (_, c) => c);

/** The judge's top-m digits from `draws` random reveals of k pixels (mean softmax; ties to the lower digit). */
export function candidateDigits(image: Float32Array, judge: Judge, k: number, m: number, draws: number, rng: Rng): number[] {
  if (m >= MNIST_CLASSES) return digits();
  const shown: Revealed[] = Array.from({ length: draws }, () => randomReveal(image, k, rng));
  const probs = softmaxRows(judge.logits(shown), draws, MNIST_CLASSES);
  const mean = new Float64Array(MNIST_CLASSES);
  for (let i = 0; i < draws; i++) for (let c = 0; c < MNIST_CLASSES; c++) mean[c] += probs[i * MNIST_CLASSES + c] / draws;
  return digits()
    .sort((a, b) => mean[b] - mean[a] || a - b)
    .slice(0, m);
}

/** The digit with the most wins; ties by summed margins, then the lower digit. */
export function tournamentWinner(candidates: readonly number[], wins: readonly number[], margins: readonly number[]): number {
  let best = candidates[0];
  for (const c of candidates) {
    if (wins[c] > wins[best] || (wins[c] === wins[best] && (margins[c] > margins[best] || (margins[c] === margins[best] && c < best)))) best = c;
  }
  return best;
}

/**
 * The tournament among `candidates` on one image. The DebateGame's `truth` is only the claim of
 * the player in the honest role; no label is involved.
 */
export function playTournament(image: Float32Array, judge: Judge, k: number, protocol: Protocol, candidates: readonly number[]): DebateVerdict {
  const nonzero = nonzeroPixels(image);
  const wins = new Array<number>(MNIST_CLASSES).fill(0);
  const margins = new Array<number>(MNIST_CLASSES).fill(0);
  const debaters = { honest: greedyDebater, liar: greedyDebater };
  let games = 0;
  if (protocol === 'round-robin') {
    const rules: DebateRules = { k, precommit: true, first: 'honest' };
    for (let i = 0; i < candidates.length; i++) {
      for (let j = i + 1; j < candidates.length; j++) {
        // Each digit takes the honest role (and so moves first) once.
        for (const [a, b] of [
          [candidates[i], candidates[j]],
          [candidates[j], candidates[i]],
        ]) {
          const g = playGame(new DebateGame(image, a, b, rules, nonzero), debaters, judge);
          wins[g.winner === 'honest' ? a : b]++;
          margins[a] += g.margin;
          margins[b] -= g.margin;
          games++;
        }
      }
    }
  } else {
    for (const c of candidates) {
      for (const first of ['honest', 'liar'] as const) {
        const g = playGame(new DebateGame(image, c, null, { k, precommit: false, first }, nonzero), debaters, judge);
        if (g.winner === 'honest') wins[c]++;
        margins[c] += g.margin;
        games++;
      }
    }
  }
  return { label: tournamentWinner(candidates, wins, margins), candidates: [...candidates], wins, margins, games };
}

/** One image (784 values in [0, 1]) labelled by debate; `rng` draws the candidate reveals. */
export function debateLabel(image: Float32Array, judge: Judge, opts: LabelOptions, rng: Rng): DebateVerdict {
  const candidates = candidateDigits(image, judge, opts.k, opts.candidates, opts.draws, rng);
  return playTournament(image, judge, opts.k, opts.protocol, candidates);
}

/** Image `i` of a byte block [n, 784] as floats in [0, 1]. */
export function imageOf(images: Uint8Array, i: number): Float32Array {
  const out = new Float32Array(MNIST_PIXELS);
  for (let p = 0; p < MNIST_PIXELS; p++) out[p] = images[i * MNIST_PIXELS + p] / 255;
  return out;
}

/**
 * Debate labels of n images given as bytes [n, 784], the only input: no labels can be read here.
 * Image i's candidate reveals are seeded by (seed, i), so a prefix of the images gets the same labels.
 */
export function labelImages(images: Uint8Array, judge: Judge, opts: LabelOptions, seed: number, onImage?: (done: number, n: number) => void): DebateVerdict[] {
  if (images.length % MNIST_PIXELS !== 0) throw new RangeError(`debate labels: ${images.length} bytes is not a whole number of ${MNIST_PIXELS}-pixel images`);
  const n = images.length / MNIST_PIXELS;
  const out: DebateVerdict[] = [];
  for (let i = 0; i < n; i++) {
    out.push(debateLabel(imageOf(images, i), judge, opts, new Rng(seed * 1_000_003 + i)));
    onImage?.(i + 1, n);
  }
  return out;
}

/** The judge alone: its argmax from one random reveal of k pixels per image (a no-debate labeller, also label-free). */
export function judgeAloneLabels(images: Uint8Array, judge: Judge, k: number, seed: number): Uint8Array {
  const n = images.length / MNIST_PIXELS;
  const shown = Array.from({ length: n }, (_, i) => randomReveal(imageOf(images, i), k, new Rng(seed * 1_000_003 + i + 500_000)));
  const out = new Uint8Array(n);
  const chunk = 1024;
  for (let at = 0; at < n; at += chunk) {
    const logits = judge.logits(shown.slice(at, at + chunk));
    for (let r = 0; r < Math.min(chunk, n - at); r++) {
      let best = 0;
      for (let c = 1; c < MNIST_CLASSES; c++) if (logits[r * MNIST_CLASSES + c] > logits[r * MNIST_CLASSES + best]) best = c;
      out[at + r] = best;
    }
  }
  return out;
}

// ---------------------------------------------------------------- the classifier

/** The classifier trained on each set of labels: the same model and schedule for all. */
export const ClassifierOptionsSchema = z.object({
  /** Hidden widths of the MLP on the 784 pixels ([]: logistic regression). */
  hidden: z.array(z.number().int().positive()).default([128]),
  /** Epochs over the labelled images (a fixed schedule: no clean labels to stop on). */
  epochs: z.number().int().positive().default(10),
  /** Adam learning rate. */
  lr: z.number().positive().default(1e-3),
  /** Minibatch size. */
  batch: z.number().int().positive().default(64),
  /** Seeds the init and the minibatch order (the same for every label set). */
  seed: z.number().int().nonnegative().default(0),
});
export type ClassifierOptions = z.infer<typeof ClassifierOptionsSchema>;

/** Images [n, 784] bytes as a float matrix in [0, 1]. */
export function pixelMatrix(images: Uint8Array): Matrix {
  const data = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) data[i] = images[i] / 255;
  return { n: images.length / MNIST_PIXELS, d: MNIST_PIXELS, data };
}

/** An MLP on the full pixels fitted to hard labels by cross-entropy (w2s's fitClassifier). */
export function trainClassifier(x: Matrix, labels: ArrayLike<number>, opts: ClassifierOptions): Mlp {
  if (labels.length !== x.n) throw new RangeError(`classifier: ${x.n} images but ${labels.length} labels`);
  const targets: Matrix = { n: x.n, d: MNIST_CLASSES, data: oneHot(labels, MNIST_CLASSES) };
  return fitClassifier(x, targets, { hidden: opts.hidden, epochs: opts.epochs, lr: opts.lr, batch: opts.batch }, new Rng(opts.seed));
}

/** Accuracy on labelled images, with its Wilson 95% interval. */
export function testAccuracy(net: Mlp, x: Matrix, labels: ArrayLike<number>): Proportion {
  const right = Math.round(accuracy(forwardAll(net, x, false), labels) * x.n);
  return wilson(right, x.n);
}

/** Share of `labels` equal to `truth`, with its Wilson interval. */
export function agreementWith(labels: ArrayLike<number>, truth: ArrayLike<number>): Proportion {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === truth[i]) right++;
  return wilson(right, labels.length);
}

// ---------------------------------------------------------------- the experiment for one judge

/** A seeded sample of `n` training indices (a prefix of one shuffle of all of them). */
export function sampleIndices(count: number, n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 1 || n > count) throw new RangeError(`sample: need 1..${count} images, got ${n}`);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  new Rng(seed).shuffle(order);
  return order.subarray(0, n);
}

/** The pixels of the images at `indices`, [n, 784] bytes: what the labelling sees. */
export function imageBlock(set: Mnist, indices: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(indices.length * MNIST_PIXELS);
  for (let r = 0; r < indices.length; r++) out.set(set.images.subarray(indices[r] * MNIST_PIXELS, (indices[r] + 1) * MNIST_PIXELS), r * MNIST_PIXELS);
  return out;
}

/** The debate work for one judge: label-free, so it can be saved and reused. */
export interface Labelling {
  k: number;
  options: LabelOptions;
  /** Debate labels of the sample, one digit per image ("0"–"9"). */
  labels: string;
  /** Candidate digits per image, m digits each, best first. */
  candidates: string;
  /** Judge alone (one random reveal) per image. */
  judgeAlone: string;
  games: number;
  seconds: number;
  /** The first `images` of the sample labelled by the full 10-digit round robin and the full open protocol, to price the candidate cut. */
  compare: { images: number; fullRoundRobin: string; fullOpen: string; seconds: { fullRoundRobin: number; fullOpen: number } } | null;
}

/** Labels the sample (and the comparison prefix) with one judge; reads images only. */
export function labelSample(images: Uint8Array, judge: Judge, opts: LabelOptions, seed: number, compareImages: number, log?: (line: string) => void): Labelling {
  const n = images.length / MNIST_PIXELS;
  const t0 = performance.now();
  let last = t0;
  const verdicts = labelImages(images, judge, opts, seed, (done) => {
    if (log && performance.now() - last > 30_000) {
      last = performance.now();
      log(`k=${opts.k}: ${done}/${n} images labelled, ${((last - t0) / 1000).toFixed(0)} s`);
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  const digitsOf = (vs: readonly DebateVerdict[]) => vs.map((v) => v.label).join('');
  let compare: Labelling['compare'] = null;
  if (compareImages > 0) {
    const prefix = images.subarray(0, Math.min(compareImages, n) * MNIST_PIXELS);
    const t1 = performance.now();
    const rr = labelImages(prefix, judge, { ...opts, candidates: MNIST_CLASSES, protocol: 'round-robin' }, seed);
    const t2 = performance.now();
    const open = labelImages(prefix, judge, { ...opts, candidates: MNIST_CLASSES, protocol: 'open' }, seed);
    const t3 = performance.now();
    compare = { images: prefix.length / MNIST_PIXELS, fullRoundRobin: digitsOf(rr), fullOpen: digitsOf(open), seconds: { fullRoundRobin: (t2 - t1) / 1000, fullOpen: (t3 - t2) / 1000 } };
  }
  return {
    k: opts.k,
    options: opts,
    labels: digitsOf(verdicts),
    candidates: verdicts.map((v) => v.candidates.join('')).join(','),
    judgeAlone: Array.from(judgeAloneLabels(images, judge, opts.k, seed)).join(''),
    games: verdicts.reduce((s, v) => s + v.games, 0),
    seconds,
    compare,
  };
}

export const digitsFrom = (s: string): Uint8Array => Uint8Array.from(s, (ch) => Number(ch));

/** What one judge's debate labels are worth, scored against the truth after labelling. */
export interface OutcomeRow {
  k: number;
  judge: string;
  /** The judge's own test accuracy from k random pixels (its train-judge summary), if known. */
  judgeTest: { mean: number; ci95: [number, number] } | null;
  images: number;
  options: LabelOptions;
  /** Debate labels against the true labels of the sample. */
  debateLabels: Proportion;
  /** The true digit is among the m candidates. */
  candidateRecall: Proportion;
  /** The judge alone (one random reveal) on the sample: the no-debate labeller. */
  judgeAloneLabels: Proportion;
  /** Test accuracy of the classifier trained on the debate labels. */
  classifier: Proportion;
  /** The same classifier trained on the judge-alone labels: what debate adds. */
  judgeAloneClassifier: Proportion;
  /** Label accuracy on the comparison prefix: top-m round robin (as run), full round robin, full open. */
  compare: { images: number; topM: Proportion; fullRoundRobin: Proportion; fullOpen: Proportion; topMAgreesWithFull: Proportion; gamesPerImage: { topM: number; fullRoundRobin: number; fullOpen: number }; seconds: { fullRoundRobin: number; fullOpen: number } } | null;
  labelling: { games: number; seconds: number; gamesPerSecond: number };
  trainSeconds: number;
}

/** Games per image of a protocol over m candidates. */
export const gamesPerImage = (protocol: Protocol, m: number): number => (protocol === 'round-robin' ? m * (m - 1) : 2 * m);

/**
 * Scores a labelling and trains the classifier on it. The truth is an argument here, read only
 * after the labelling it scores was made.
 */
export function scoreLabelling(lab: Labelling, truth: Uint8Array, x: Matrix, test: { x: Matrix; labels: Uint8Array }, clf: ClassifierOptions, judge: { name: string; test: OutcomeRow['judgeTest'] }): OutcomeRow {
  const labels = digitsFrom(lab.labels);
  const alone = digitsFrom(lab.judgeAlone);
  const cands = lab.candidates.split(',');
  let recalled = 0;
  cands.forEach((c, i) => (recalled += c.includes(String(truth[i])) ? 1 : 0));
  const t0 = performance.now();
  const classifier = testAccuracy(trainClassifier(x, labels, clf), test.x, test.labels);
  const judgeAloneClassifier = testAccuracy(trainClassifier(x, alone, clf), test.x, test.labels);
  const trainSeconds = (performance.now() - t0) / 1000;
  let compare: OutcomeRow['compare'] = null;
  if (lab.compare) {
    const m = lab.compare.images;
    const t = truth.subarray(0, m);
    compare = {
      images: m,
      topM: agreementWith(labels.subarray(0, m), t),
      fullRoundRobin: agreementWith(digitsFrom(lab.compare.fullRoundRobin), t),
      fullOpen: agreementWith(digitsFrom(lab.compare.fullOpen), t),
      topMAgreesWithFull: agreementWith(labels.subarray(0, m), digitsFrom(lab.compare.fullRoundRobin)),
      gamesPerImage: { topM: gamesPerImage(lab.options.protocol, lab.options.candidates), fullRoundRobin: gamesPerImage('round-robin', MNIST_CLASSES), fullOpen: gamesPerImage('open', MNIST_CLASSES) },
      seconds: lab.compare.seconds,
    };
  }
  return {
    k: lab.k,
    judge: judge.name,
    judgeTest: judge.test,
    images: labels.length,
    options: lab.options,
    debateLabels: agreementWith(labels, truth),
    candidateRecall: wilson(recalled, cands.length),
    judgeAloneLabels: agreementWith(alone, truth),
    classifier,
    judgeAloneClassifier,
    compare,
    labelling: { games: lab.games, seconds: lab.seconds, gamesPerSecond: lab.games / lab.seconds },
    trainSeconds,
  };
}
