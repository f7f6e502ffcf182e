import { describe, expect, it } from 'vitest';
import { DebateGame, honestMargin, playGame, playImage, winnerOf } from './game.js';
import { greedyDebater } from './greedy.js';
import type { Judge, Revealed } from './judge.js';
import { MctsDebater, searchRoot, selectPuct } from './mcts.js';
import { handMadeImage, stubJudge } from './testing/stubs.js';

// The first positions below are solved by greedy too (the deciding reveal is also the one-step
// best, as with any additive judge of one reveal at a time); they check that the search and its
// signs work. "Looks ahead" below is the position where one step is not enough.

// 30 nonzero pixels. Truth 1, lie 2; the judge leans to 2 (bias 0.5) and pixels 300..303 each add
// 1 to it, so the liar's two reveals bring it to 2.5. Only pixel 317 is strong evidence for 1 (+5):
// with k = 4 and the honest player first, the honest player wins iff 317 is revealed.
const pixels = Array.from({ length: 30 }, (_, i) => 300 + i);
const votes: Record<number, { digit: number; logit: number }> = { 317: { digit: 1, logit: 5 } };
for (const p of [300, 301, 302, 303]) votes[p] = { digit: 2, logit: 1 };
for (const p of [310, 311]) votes[p] = { digit: 1, logit: 0.5 };
const judge = stubJudge({ 2: 0.5 }, votes);

describe('MCTS debater', () => {
  for (const prior of ['uniform', 'margin'] as const) {
    for (const leaf of ['rollout', 'margin'] as const) {
      it(`finds the one deciding reveal with 200 rollouts (prior ${prior}, leaf ${leaf})`, () => {
        const game = new DebateGame(handMadeImage(pixels), 1, 2, { k: 4, precommit: true, first: 'honest' });
        const mcts = new MctsDebater({ rollouts: 200, prior, leaf, seed: 1 });
        const root = searchRoot(mcts, game, judge);
        expect(root.best).toBe(317);
        expect(root.q[root.moves.indexOf(317)]).toBeGreaterThan(0);
      });
    }
  }

  it('plays the liar too: finds the one reveal that beats the honest reply (no precommit, liar first)', () => {
    // Pixel 320 votes 7 up by 6; the honest reply 317 brings 1 only to 5, so the liar wins iff it opens with 320.
    // 320 is also the liar's one-step best (greedy opens with it too): this checks the search from the liar's side.
    const liarJudge = stubJudge({ 2: 0.5 }, { ...votes, 320: { digit: 7, logit: 6 } });
    const game = new DebateGame(handMadeImage([...pixels, 320]), 1, null, { k: 2, precommit: false, first: 'liar' });
    const root = searchRoot(new MctsDebater({ rollouts: 200, prior: 'margin', seed: 2 }), game, liarJudge);
    expect(root.best).toBe(320);
    expect(root.q[root.moves.indexOf(320)]).toBeGreaterThan(0);
  });

  it('wins the image for the honest player against an MCTS liar, with a whole game of searches', () => {
    const r = playImage(handMadeImage(pixels), 1, { k: 4, precommit: false, first: 'honest' }, { honest: new MctsDebater({ rollouts: 100, seed: 3 }), liar: new MctsDebater({ rollouts: 100, seed: 4 }) }, judge);
    expect(r.games[0].pixels[0]).toBe(317);
    expect(r.honestWins).toBe(true);
  });

  describe('looks ahead where greedy does not', () => {
    // A judge that is not additive (hand-made, not linear): the honest margin (truth 1, lie 2) of a
    // revealed set is a sum of terms over single pixels and pairs. A alone is worth +2 to the
    // honest player, B +1, but B with C or with W is worth +5; the liar's reply D cancels A
    // (A and D together: -2), Z poisons C and V poisons W (-10 each with it). k = 3, honest first:
    // after A the liar plays D and no last reveal wins (B brings it to -1); after B the liar can
    // spoil only one of C and W, and the other wins (+3.5 or more). So B is the only winning
    // opening, while greedy (one step: A +2 > B +1) opens with A and loses.
    const [A, B, C, W, D, Z, V] = [400, 401, 402, 403, 404, 405, 406];
    const image = handMadeImage([A, B, C, W, D, Z, V, 410, 411, 412, 413, 414]);
    const marginOf = (shown: ReadonlySet<number>): number => {
      const has = (p: number) => shown.has(p);
      let m = 0;
      if (has(A)) m += 2;
      if (has(B)) m += 1;
      if (has(D)) m -= 1.5;
      if (has(A) && has(D)) m -= 2.5;
      if (has(B) && has(C)) m += 4;
      if (has(B) && has(W)) m += 4;
      if (has(C) && has(Z)) m -= 10;
      if (has(W) && has(V)) m -= 10;
      return m;
    };
    const pairJudge: Judge = {
      logits(batch: readonly Revealed[]): Float32Array {
        const out = new Float32Array(batch.length * 10);
        batch.forEach((r, i) => (out[i * 10 + 1] = marginOf(new Set(r.pixels))));
        return out;
      },
    };
    const position = () => new DebateGame(image, 1, 2, { k: 3, precommit: true, first: 'honest' });
    /** Exhaustive minimax: does the honest player win from here with best play on both sides? */
    const honestWins = (game: DebateGame): boolean => {
      if (game.over) return winnerOf(honestMargin(pairJudge.logits([game.revealed()]), 0, game.truth, game.lie)) === 'honest';
      const results = game.legal().map((p) => {
        const g = game.clone();
        g.reveal(p);
        return honestWins(g);
      });
      return game.mover() === 'honest' ? results.some(Boolean) : results.every(Boolean);
    };
    const wins = (opening: number) => {
      const g = position();
      g.reveal(opening);
      return honestWins(g);
    };

    it('the position: B is the only winning opening, and greedy opens with A, which loses', () => {
      expect(position().legal().filter(wins)).toEqual([B]);
      expect(greedyDebater.choose(position(), pairJudge)).toBe(A);
      expect(wins(A)).toBe(false);
      // Played out: greedy against greedy loses it; MCTS against greedy or MCTS wins it.
      expect(playGame(position(), { honest: greedyDebater, liar: greedyDebater }, pairJudge).winner).toBe('liar');
      expect(playGame(position(), { honest: new MctsDebater({ rollouts: 200, seed: 1 }), liar: greedyDebater }, pairJudge).winner).toBe('honest');
      expect(playGame(position(), { honest: new MctsDebater({ rollouts: 200, seed: 1 }), liar: new MctsDebater({ rollouts: 200, seed: 2 }) }, pairJudge).winner).toBe('honest');
    });

    for (const leaf of ['margin', 'rollout'] as const) {
      it(`MCTS opens with B with 200 rollouts, whatever the seed (leaf ${leaf})`, () => {
        for (const seed of [1, 2, 3, 4]) {
          const root = searchRoot(new MctsDebater({ rollouts: 200, leaf, seed }), position(), pairJudge);
          expect(root.best, `seed ${seed}`).toBe(B);
          expect(root.q[root.moves.indexOf(B)]).toBeGreaterThan(root.q[root.moves.indexOf(A)]);
        }
      });
    }
  });

  it('PUCT: unvisited edges are picked by prior, then value pulls', () => {
    expect(selectPuct({ prior: [0.2, 0.8], n: [0, 0], w: [0, 0], visits: 0 }, 1)).toBe(1);
    expect(selectPuct({ prior: [0.5, 0.5], n: [10, 10], w: [8, -8], visits: 20 }, 1)).toBe(0);
  });

  it('counts its simulations and judge rows', () => {
    const game = new DebateGame(handMadeImage(pixels), 1, 2, { k: 4, precommit: true, first: 'honest' });
    const mcts = new MctsDebater({ rollouts: 64, batch: 16, prior: 'uniform' });
    mcts.choose(game, judge);
    expect(mcts.stats).toMatchObject({ moves: 1, simulations: 64 });
    expect(mcts.stats.judgeCalls).toBe(4);
    expect(mcts.stats.judgeRows).toBeLessThanOrEqual(64);
  });
});
