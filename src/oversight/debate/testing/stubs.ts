/** Hand-made images and judges for the debate tests: no trained judge needed. */
import { MNIST_CLASSES, MNIST_PIXELS } from '../judge.js';
import { LinearJudge } from '../sparseJudges.js';
import type { DebateGame, Debater } from '../game.js';

/** An image whose only nonzero pixels are `pixels`, each with value `value`. */
export function handMadeImage(pixels: readonly number[], value = 0.5): Float32Array {
  const image = new Float32Array(MNIST_PIXELS);
  for (const p of pixels) image[p] = value;
  return image;
}

/** A linear judge: `bias` per class and, per pixel, a logit added to one class when it is revealed. */
export function stubJudge(bias: Partial<Record<number, number>>, pixelVotes: Record<number, { digit: number; logit: number }>): LinearJudge {
  const maskW = new Float32Array(MNIST_PIXELS * MNIST_CLASSES);
  const b = new Float32Array(MNIST_CLASSES);
  for (const [c, v] of Object.entries(bias)) b[Number(c)] = v ?? 0;
  for (const [p, { digit, logit }] of Object.entries(pixelVotes)) maskW[Number(p) * MNIST_CLASSES + digit] = logit;
  return new LinearJudge(maskW, new Float32Array(MNIST_PIXELS * MNIST_CLASSES), b);
}

/** Reveals the lowest legal pixel: a scripted player for rule tests. */
export const firstLegal: Debater = { name: 'first-legal', choose: (game: DebateGame) => game.legal()[0] };
