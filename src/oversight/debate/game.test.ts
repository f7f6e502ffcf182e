import { describe, expect, it } from 'vitest';
import { DebateGame, honestMargin, playGame, playImage, winnerOf, type DebateRules } from './game.js';
import { firstLegal, handMadeImage, stubJudge } from './testing/stubs.js';

const rules = (over: Partial<DebateRules> = {}): DebateRules => ({ k: 4, precommit: true, first: 'honest', ...over });
const image = () => {
  const img = handMadeImage([10, 20, 30, 40, 50, 60]);
  img[30] = 0.25; // a distinct value, to see it travel into the revealed set
  return img;
};

describe('DebateGame rules', () => {
  it('a reveal takes the image value: no way to pass one', () => {
    const g = new DebateGame(image(), 3, 5, rules());
    g.reveal(30);
    // @ts-expect-error reveal takes a pixel only; a value cannot be passed.
    g.reveal(40, 0.9);
    expect(g.revealed()).toEqual({ pixels: [30, 40], values: [0.25, 0.5] });
  });

  it('refuses zero pixels, repeats, out-of-range pixels and reveals after k', () => {
    const g = new DebateGame(image(), 3, 5, rules({ k: 2 }));
    expect(() => g.reveal(11)).toThrow(/pixel 11 is zero/);
    g.reveal(10);
    expect(() => g.reveal(10)).toThrow(/already revealed/);
    expect(() => g.reveal(784)).toThrow(/not an index/);
    g.reveal(20);
    expect(g.over).toBe(true);
    expect(() => g.reveal(30)).toThrow(/game is over after k = 2/);
    expect(g.legal()).toEqual([30, 40, 50, 60]);
  });

  it('checks the claims: precommit needs a lie other than the truth, no precommit none', () => {
    expect(() => new DebateGame(image(), 3, 3, rules())).toThrow(/lie must be a digit other than the truth/);
    expect(() => new DebateGame(image(), 3, null, rules())).toThrow(/with precommit/);
    expect(() => new DebateGame(image(), 3, 5, rules({ precommit: false }))).toThrow(/lie must be null/);
    expect(() => new DebateGame(image(), 3, 5, rules({ k: 7 }))).toThrow(/6 nonzero pixels, fewer than k = 7/);
  });

  it('ends after exactly k reveals, alternating from the first mover', () => {
    const judge = stubJudge({}, {});
    for (const first of ['honest', 'liar'] as const) {
      for (const k of [1, 4, 5]) {
        const g = playGame(new DebateGame(image(), 3, 5, rules({ k, first })), { honest: firstLegal, liar: firstLegal }, judge);
        expect(g.pixels).toEqual([10, 20, 30, 40, 50].slice(0, k));
        const other = first === 'honest' ? 'liar' : 'honest';
        expect(g.movers).toEqual(Array.from({ length: k }, (_, i) => (i % 2 === 0 ? first : other)));
      }
    }
  });
});

describe('who wins', () => {
  it('precommit: the judge logits restricted to the two claims; no precommit: the best wrong digit', () => {
    const logits = Float32Array.from([0, 1, 2, 3, 0.5, 2.5, 0, 0, 0, 0]);
    expect(honestMargin(logits, 0, 3, 5)).toBeCloseTo(0.5);
    expect(honestMargin(logits, 0, 1, 4)).toBeCloseTo(0.5);
    expect(honestMargin(logits, 0, 3, null)).toBeCloseTo(0.5);
    expect(honestMargin(logits, 0, 2, null)).toBeCloseTo(-1);
  });

  it('the liar wins ties', () => {
    expect(winnerOf(0)).toBe('liar');
    expect(winnerOf(1e-6)).toBe('honest');
    const tied = playImage(image(), 3, rules({ precommit: false }), { honest: firstLegal, liar: firstLegal }, stubJudge({ 3: 1, 8: 1 }, {}));
    expect(tied).toMatchObject({ honestWins: false, ties: 1 });
  });

  it('precommit: 9 games per image, one per lie, and the liar wins the image if any liar wins', () => {
    const both = { honest: firstLegal, liar: firstLegal };
    // The judge leans to 3 over every digit but 7.
    const r = playImage(image(), 3, rules(), both, stubJudge({ 3: 1, 7: 2 }, {}));
    expect(r.games.map((g) => g.lie)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
    expect(r.games.filter((g) => g.winner === 'liar').map((g) => g.lie)).toEqual([7]);
    expect(r.honestWins).toBe(false);
    expect(playImage(image(), 3, rules(), both, stubJudge({ 3: 1, 7: 0.5 }, {})).honestWins).toBe(true);
  });

  it('no precommit: one game, the liar wins iff the judge argmax is not the truth', () => {
    const both = { honest: firstLegal, liar: firstLegal };
    const lost = playImage(image(), 3, rules({ precommit: false }), both, stubJudge({ 3: 1, 5: 1.5 }, {}));
    expect(lost.games).toHaveLength(1);
    expect(lost.games[0]).toMatchObject({ lie: null, winner: 'liar' });
    expect(lost.games[0].margin).toBeCloseTo(-0.5);
    // Pixel 20 (revealed second) votes 3 up by 1: the truth now leads.
    expect(playImage(image(), 3, rules({ precommit: false }), both, stubJudge({ 3: 1, 5: 1.5 }, { 20: { digit: 3, logit: 1 } })).honestWins).toBe(true);
  });
});
