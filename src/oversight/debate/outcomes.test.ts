import { describe, expect, it } from 'vitest';
import type { Mnist } from '../../data/mnist.js';
import { Rng } from '../../utils/rng.js';
import type { Judge, Revealed } from './judge.js';
import { MNIST_PIXELS } from './judge.js';
import { agreementWith, candidateDigits, debateLabel, gamesPerImage, imageBlock, labelImages, labelSample, pixelMatrix, playTournament, scoreLabelling, testAccuracy, tournamentWinner, trainClassifier } from './outcomes.js';
import { stubJudge } from './testing/stubs.js';

/** Pixels 60d..60d+59 argue for digit d: revealing one adds 1 to d's logit. */
const BAND = 60;
const bandJudge = (bias: Partial<Record<number, number>> = {}) => stubJudge(bias, Object.fromEntries(Array.from({ length: 10 * BAND }, (_, p) => [p, { digit: Math.floor(p / BAND), logit: 1 }])));

/** An image of "digit" d for the band judge: 12 pixels of d's band lit, where in the band set by `variant`. */
function bandImage(d: number, variant: number): Uint8Array {
  const img = new Uint8Array(MNIST_PIXELS);
  for (let j = 0; j < 12; j++) img[d * BAND + ((variant + 5 * j) % BAND)] = 200;
  return img;
}

/** A fake MNIST set whose label array counts its reads. */
function spiedSet(digits: number[], labels: number[]): { set: Mnist; reads: () => number } {
  const images = new Uint8Array(digits.length * MNIST_PIXELS);
  digits.forEach((d, i) => images.set(bandImage(d, i), i * MNIST_PIXELS));
  let reads = 0;
  const raw = Uint8Array.from(labels);
  const spy = new Proxy(raw, {
    get(target, prop, receiver) {
      reads++;
      return Reflect.get(target, prop, receiver);
    },
  });
  return { set: { set: 'train', count: digits.length, rows: 28, cols: 28, images, labels: spy }, reads: () => reads };
}

/** Counts the judge's calls. */
function counting(judge: Judge): Judge & { calls: number } {
  const c = {
    calls: 0,
    logits(batch: readonly Revealed[]) {
      c.calls++;
      return judge.logits(batch);
    },
  };
  return c;
}

describe('debate labels', () => {
  const image = Float32Array.from(bandImage(7, 0), (v) => v / 255);

  it('a round robin over all digits: the digit the judge always favours wins all its 18 games', () => {
    // Bias 5 for digit 3: no 2 revealed pixels can overturn it, whatever the image shows.
    const v = playTournament(image, bandJudge({ 3: 5 }), 2, 'round-robin', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(v.label).toBe(3);
    expect(v.games).toBe(90);
    expect(v.wins[3]).toBe(18);
    expect(v.wins.reduce((a, b) => a + b, 0)).toBe(90);
    // Without the bias, the image's own band wins: 7 beats every digit from both sides.
    const fair = playTournament(image, bandJudge(), 2, 'round-robin', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fair).toMatchObject({ label: 7, games: 90 });
    expect(fair.wins[7]).toBe(18);
    // Both 7-pixels are revealed in each game of 7: its summed margin is 18 games x 2.
    expect(fair.margins[7]).toBe(36);
  });

  it("the open protocol (Lindner et al.): a claim wins iff it is the judge's argmax at the end", () => {
    const v = playTournament(image, bandJudge({ 3: 5 }), 2, 'open', [3, 7, 1]);
    expect(v).toMatchObject({ label: 3, games: 6 });
    expect(v.wins).toEqual([0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
    expect(playTournament(image, bandJudge(), 2, 'open', [3, 7, 1]).label).toBe(7);
  });

  it('ties on wins go to the larger summed margin, then to the lower digit', () => {
    const wins = [2, 0, 2, 0, 0, 0, 0, 0, 0, 2];
    expect(tournamentWinner([0, 2, 9], wins, [1, 0, 3, 0, 0, 0, 0, 0, 0, 3])).toBe(2);
    expect(tournamentWinner([9, 0], wins, [1, 0, 0, 0, 0, 0, 0, 0, 0, 1])).toBe(0);
    expect(gamesPerImage('round-robin', 4)).toBe(12);
    expect(gamesPerImage('open', 10)).toBe(20);
  });

  it("candidates are the judge's top m from random reveals, and a prefix of images keeps its labels", () => {
    expect(candidateDigits(image, bandJudge({ 2: 0.5 }), 2, 3, 4, new Rng(0))).toEqual([7, 2, 0]);
    const v = debateLabel(image, bandJudge(), { k: 2, candidates: 4, protocol: 'round-robin', draws: 4 }, new Rng(0));
    expect(v).toMatchObject({ label: 7, candidates: [7, 0, 1, 2], games: 12 });
    const bytes = new Uint8Array(3 * MNIST_PIXELS);
    [4, 1, 8].forEach((d, i) => bytes.set(bandImage(d, i), i * MNIST_PIXELS));
    const opts = { k: 2, candidates: 3, protocol: 'round-robin', draws: 2 } as const;
    const all = labelImages(bytes, bandJudge(), opts, 5);
    expect(all.map((x) => x.label)).toEqual([4, 1, 8]);
    expect(labelImages(bytes.subarray(0, 2 * MNIST_PIXELS), bandJudge(), opts, 5)).toEqual(all.slice(0, 2));
  });

  it('labelling never reads the true labels; they are read only to score it', () => {
    const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 3];
    // The "true" labels disagree with what the images show on images 8, 10 and 11.
    const labels = [0, 1, 2, 3, 4, 5, 6, 7, 9, 9, 9, 9];
    const { set, reads } = spiedSet(digits, labels);
    const judge = counting(bandJudge());
    const idx = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const lab = labelSample(imageBlock(set, idx), judge, { k: 2, candidates: 4, protocol: 'round-robin', draws: 4 }, 0, 4);
    expect(judge.calls).toBeGreaterThan(0);
    expect(reads()).toBe(0);
    expect(lab.labels).toBe('012345678933');
    expect(lab.games).toBe(12 * 12);
    expect(lab.compare).toMatchObject({ images: 4, fullRoundRobin: '0123', fullOpen: '0123' });

    const truth = Uint8Array.from(idx, (i) => set.labels[i]);
    expect(reads()).toBeGreaterThan(0);
    const x = pixelMatrix(set.images);
    const row = scoreLabelling(lab, truth, x, { x, labels: truth }, { hidden: [], epochs: 1, lr: 1e-3, batch: 4, seed: 0 }, { name: 'band judge', test: null });
    expect(row.debateLabels).toMatchObject({ k: 9, n: 12 });
    // Candidates are the image's band then 0, 1, 2: the "true" 9 is among none of those three.
    expect(row.candidateRecall).toMatchObject({ k: 9, n: 12 });
    expect(row.compare).toMatchObject({ images: 4, topM: { k: 4 }, fullRoundRobin: { k: 4 }, topMAgreesWithFull: { k: 4 }, gamesPerImage: { topM: 12, fullRoundRobin: 90, fullOpen: 20 } });
  });
});

describe('the classifier from debate labels', () => {
  it('learns the debate labels, not the true ones, where they differ', () => {
    // Two kinds of image; debate says 5 and 6 where the truth says 0 and 1.
    const n = 200;
    const bytes = new Uint8Array(n * MNIST_PIXELS);
    const truth = new Uint8Array(n);
    const debate = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const kind = i % 2;
      bytes.set(bandImage(kind, i), i * MNIST_PIXELS);
      truth[i] = kind;
      debate[i] = kind + 5;
    }
    const x = pixelMatrix(bytes);
    const net = trainClassifier(x, debate, { hidden: [16], epochs: 10, lr: 1e-2, batch: 20, seed: 0 });
    expect(testAccuracy(net, x, debate).rate).toBe(1);
    expect(testAccuracy(net, x, truth).rate).toBe(0);
    expect(agreementWith(debate, truth)).toMatchObject({ k: 0, n: 200 });
  });
});
