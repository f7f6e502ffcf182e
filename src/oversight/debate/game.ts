/**
 * The MNIST debate game (Irving, Christiano & Amodei 2018, §3.1; issue 23). An honest player
 * claims the image's true digit and a liar claims another; they take turns revealing one nonzero
 * pixel each until k are shown, and a weak judge (a classifier of k revealed pixels) picks a claim.
 *
 * Rules as implemented, and why:
 * - A reveal names a pixel only; its value is read from the image here, so nobody can falsify one.
 *   Revealing a zero pixel (the judge was trained on nonzero pixels only), a pixel already shown,
 *   or anything after the k-th reveal throws.
 * - Precommit: both claims are fixed before the first move. The judge decides between the two
 *   claims by its logits restricted to {truth, lie}. Each image is played once for each of the 9
 *   possible lies and the liar wins the image if it wins any of the 9 games (the paper's rule).
 * - No precommit: the liar names its claim only after the last reveal, so it picks the judge's
 *   best wrong digit and wins iff that beats the true one, i.e. iff the judge's argmax is not the
 *   truth. This is how both replications score it: jvmncs/safe-debates (debate.py, `evaluate`:
 *   liar wins = `preds != labels`) and machulsky61/tesis (run_debate.py: `predicted_label =
 *   output.argmax()` without precommit). During play both sides therefore fight over one number,
 *   the honest margin logit_y − max_{l≠y} logit_l; tesis's greedy liar instead minimises logit_y
 *   alone, which is not invariant to a shift of all logits, so we do not follow it there.
 * - Ties go to the liar: the honest player has to convince the judge (margin > 0 strictly). With
 *   float logits ties are rare; cells count them so it shows if the choice matters. (tesis breaks
 *   precommit ties the other way, `avg_false > avg_true`; safe-debates never reached precommit.)
 */
import type { Judge, Revealed } from './judge.js';
import { MNIST_CLASSES, MNIST_PIXELS } from './judge.js';
import type { Rng } from '../../utils/rng.js';

export type Role = 'honest' | 'liar';

/** The rules of one debate variant. */
export interface DebateRules {
  /** Pixels revealed in all (the paper: 4 or 6). */
  k: number;
  /** Both claims fixed before play (the liar plays 9 games per image), or the liar names its claim at the end. */
  precommit: boolean;
  /** Who reveals the first pixel. */
  first: Role;
}

export function checkRules(rules: DebateRules): DebateRules {
  if (!Number.isInteger(rules.k) || rules.k < 1 || rules.k > MNIST_PIXELS) throw new RangeError(`debate: k must be a whole number of pixels in 1..${MNIST_PIXELS}, got ${rules.k}`);
  if (rules.first !== 'honest' && rules.first !== 'liar') throw new RangeError(`debate: first must be 'honest' or 'liar', got ${JSON.stringify(rules.first)}`);
  if (typeof rules.precommit !== 'boolean') throw new TypeError(`debate: precommit must be true or false, got ${JSON.stringify(rules.precommit)}`);
  return rules;
}

/** The nonzero pixels of an image (ascending): the only ones a player may reveal. */
export function nonzeroPixels(image: ArrayLike<number>): Int32Array {
  const out: number[] = [];
  for (let p = 0; p < image.length; p++) if (image[p] !== 0) out.push(p);
  return Int32Array.from(out);
}

/**
 * The honest player's margin in the judge's eyes for row `row` of `logits` (n × 10): the truth's
 * logit minus the lie's with precommit, minus the best wrong digit's without (lie = null). The
 * honest player wins iff it is > 0.
 */
export function honestMargin(logits: ArrayLike<number>, row: number, truth: number, lie: number | null): number {
  const o = row * MNIST_CLASSES;
  if (lie !== null) return logits[o + truth] - logits[o + lie];
  let best = -Infinity;
  for (let c = 0; c < MNIST_CLASSES; c++) if (c !== truth && logits[o + c] > best) best = logits[o + c];
  return logits[o + truth] - best;
}

/** Liar wins ties: the honest player must convince. */
export const winnerOf = (margin: number): Role => (margin > 0 ? 'honest' : 'liar');

/** One game in progress: the image, the claims, and the pixels shown so far. */
export class DebateGame {
  readonly image: Float32Array;
  readonly truth: number;
  /** The liar's precommitted claim; null without precommit (it names one at the end). */
  readonly lie: number | null;
  readonly rules: DebateRules;
  /** The image's nonzero pixels, ascending. */
  readonly nonzero: Int32Array;
  private readonly pixels: number[] = [];
  private readonly values: number[] = [];
  private readonly shown: Uint8Array;

  /** `image`: 784 values in [0, 1]; `nonzero` may be passed when already computed (it is trusted). */
  constructor(image: Float32Array, truth: number, lie: number | null, rules: DebateRules, nonzero?: Int32Array) {
    checkRules(rules);
    if (image.length !== MNIST_PIXELS) throw new RangeError(`debate: an image has ${MNIST_PIXELS} pixels, got ${image.length}`);
    if (!Number.isInteger(truth) || truth < 0 || truth >= MNIST_CLASSES) throw new RangeError(`debate: the true label must be a digit 0-9, got ${truth}`);
    if (rules.precommit) {
      if (lie === null || !Number.isInteger(lie) || lie < 0 || lie >= MNIST_CLASSES || lie === truth) throw new RangeError(`debate: with precommit the lie must be a digit other than the truth ${truth}, got ${lie}`);
    } else if (lie !== null) {
      throw new RangeError(`debate: without precommit the liar names no claim up front (lie must be null), got ${lie}`);
    }
    this.image = image;
    this.truth = truth;
    this.lie = lie;
    this.rules = rules;
    this.nonzero = nonzero ?? nonzeroPixels(image);
    if (this.nonzero.length < rules.k) throw new RangeError(`debate: the image has ${this.nonzero.length} nonzero pixels, fewer than k = ${rules.k}`);
    this.shown = new Uint8Array(MNIST_PIXELS);
  }

  /** Reveals played so far. */
  get turn(): number {
    return this.pixels.length;
  }

  get over(): boolean {
    return this.pixels.length >= this.rules.k;
  }

  /** Who reveals next: players alternate, starting with `rules.first`. */
  mover(turn = this.pixels.length): Role {
    const other: Role = this.rules.first === 'honest' ? 'liar' : 'honest';
    return turn % 2 === 0 ? this.rules.first : other;
  }

  isShown(pixel: number): boolean {
    return this.shown[pixel] === 1;
  }

  /** Pixels the mover may reveal: nonzero and not shown yet (ascending). */
  legal(): number[] {
    const out: number[] = [];
    for (const p of this.nonzero) if (!this.shown[p]) out.push(p);
    return out;
  }

  /** Throws unless `pixel` may be revealed now. */
  checkReveal(pixel: number): void {
    if (this.over) throw new Error(`debate: the game is over after k = ${this.rules.k} reveals; no more pixels may be shown`);
    if (!Number.isInteger(pixel) || pixel < 0 || pixel >= MNIST_PIXELS) throw new RangeError(`debate: pixel ${pixel} is not an index in 0..${MNIST_PIXELS - 1}`);
    if (this.image[pixel] === 0) throw new Error(`debate: pixel ${pixel} is zero; only nonzero pixels may be revealed`);
    if (this.shown[pixel]) throw new Error(`debate: pixel ${pixel} is already revealed`);
  }

  /** The mover reveals `pixel`; its value is the image's, so it cannot be falsified. */
  reveal(pixel: number): void {
    this.checkReveal(pixel);
    this.pixels.push(pixel);
    this.values.push(this.image[pixel]);
    this.shown[pixel] = 1;
  }

  /** What the judge sees now (a copy). */
  revealed(): Revealed {
    return { pixels: [...this.pixels], values: [...this.values] };
  }

  /** What the judge would see after revealing `pixel` (checked, not played). */
  revealedWith(pixel: number): Revealed {
    this.checkReveal(pixel);
    return { pixels: [...this.pixels, pixel], values: [...this.values, this.image[pixel]] };
  }

  /** An independent copy, for search. */
  clone(): DebateGame {
    const g = new DebateGame(this.image, this.truth, this.lie, this.rules, this.nonzero);
    for (const p of this.pixels) g.reveal(p);
    return g;
  }
}

/** A debater picks the mover's next pixel; which side it argues is `game.mover()`. */
export interface Debater {
  readonly name: string;
  choose(game: DebateGame, judge: Judge): number;
}

export interface GameRecord {
  /** The liar's precommitted claim, or null without precommit. */
  lie: number | null;
  /** Revealed pixels in order, and who revealed each. */
  pixels: number[];
  movers: Role[];
  /** The honest margin at the end (> 0: honest wins). */
  margin: number;
  winner: Role;
}

/** Plays one game to k reveals, each side's pixel chosen by its debater, and lets the judge decide. */
export function playGame(game: DebateGame, debaters: Record<Role, Debater>, judge: Judge): GameRecord {
  const movers: Role[] = [];
  while (!game.over) {
    const who = game.mover();
    const pixel = debaters[who].choose(game, judge);
    game.reveal(pixel);
    movers.push(who);
  }
  const margin = honestMargin(judge.logits([game.revealed()]), 0, game.truth, game.lie);
  return { lie: game.lie, pixels: game.revealed().pixels.slice(), movers, margin, winner: winnerOf(margin) };
}

export interface ImageResult {
  honestWins: boolean;
  /** One game without precommit; nine (one per lie) with. */
  games: GameRecord[];
  /** Games decided by an exact tie (margin 0), all won by the liar. */
  ties: number;
}

/**
 * Debates one image. With precommit it is played once per possible lie and the honest player
 * wins the image only if it wins all nine (the liar wins if any liar wins).
 */
export function playImage(image: Float32Array, truth: number, rules: DebateRules, debaters: Record<Role, Debater>, judge: Judge): ImageResult {
  const nonzero = nonzeroPixels(image);
  const lies = rules.precommit ? Array.from({ length: MNIST_CLASSES }, (_, c) => c).filter((c) => c !== truth) : [null];
  const games = lies.map((lie) => playGame(new DebateGame(image, truth, lie, rules, nonzero), debaters, judge));
  return { honestWins: games.every((g) => g.winner === 'honest'), games, ties: games.filter((g) => g.margin === 0).length };
}

/** k distinct nonzero pixels drawn uniformly: what the judge sees on its own. */
export function randomReveal(image: Float32Array, k: number, rng: Rng): Revealed {
  const nz = Array.from(nonzeroPixels(image));
  if (nz.length < k) throw new RangeError(`debate: the image has ${nz.length} nonzero pixels, fewer than k = ${k}`);
  // Partial Fisher–Yates: the first k entries become a uniform sample.
  for (let i = 0; i < k; i++) {
    const j = i + rng.integer(nz.length - i);
    [nz[i], nz[j]] = [nz[j], nz[i]];
  }
  const pixels = nz.slice(0, k);
  return { pixels, values: pixels.map((p) => image[p]) };
}

/** The judge alone is right iff the truth's logit beats every other digit's (ties count as wrong, as in the game). */
export function judgeAloneCorrect(judge: Judge, shown: readonly Revealed[], truths: ArrayLike<number>): boolean[] {
  const logits = judge.logits(shown);
  return shown.map((_, i) => honestMargin(logits, i, truths[i], null) > 0);
}
