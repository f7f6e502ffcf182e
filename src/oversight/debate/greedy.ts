/**
 * The greedy debater (as in the machulsky61/tesis replication): reveal the pixel that moves the
 * judge most toward the mover's claim right now. Every legal reveal is scored by the judge in one
 * batch; the honest player maximises the honest margin (game.ts), the liar minimises it.
 */
import { honestMargin, type DebateGame, type Debater } from './game.js';
import type { Judge } from './judge.js';

/** The honest margin after each candidate reveal, in `candidates` order: one judge call. */
export function marginsAfterReveal(game: DebateGame, judge: Judge, candidates: readonly number[]): Float64Array {
  const logits = judge.logits(candidates.map((p) => game.revealedWith(p)));
  const out = new Float64Array(candidates.length);
  for (let i = 0; i < candidates.length; i++) out[i] = honestMargin(logits, i, game.truth, game.lie);
  return out;
}

export const greedyDebater: Debater = {
  name: 'greedy',
  choose(game: DebateGame, judge: Judge): number {
    const legal = game.legal();
    const margins = marginsAfterReveal(game, judge, legal);
    const sign = game.mover() === 'honest' ? 1 : -1;
    // Ties keep the lowest pixel index, so a game is a pure function of image, judge and rules.
    let best = 0;
    for (let i = 1; i < legal.length; i++) if (sign * margins[i] > sign * margins[best]) best = i;
    return legal[best];
  },
};
