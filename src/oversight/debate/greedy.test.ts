import { describe, expect, it } from 'vitest';
import { DebateGame } from './game.js';
import { greedyDebater, marginsAfterReveal } from './greedy.js';
import { handMadeImage, stubJudge } from './testing/stubs.js';

const pixels = [100, 101, 102, 103, 104, 105, 106, 107];
// Truth 3, lie 5. Pixel 105 is the strongest evidence for 3, 102 for 5, 106 for 8 (the best wrong digit without precommit).
const judge = stubJudge({}, { 101: { digit: 3, logit: 1 }, 105: { digit: 3, logit: 3 }, 102: { digit: 5, logit: 4 }, 104: { digit: 5, logit: 1 }, 106: { digit: 8, logit: 6 } });

describe('greedy debater', () => {
  it('scores every legal reveal in one judge batch', () => {
    let calls = 0;
    const counting = { logits: (b: Parameters<typeof judge.logits>[0]) => (calls++, judge.logits(b)) };
    const g = new DebateGame(handMadeImage(pixels), 3, 5, { k: 4, precommit: true, first: 'honest' });
    const m = marginsAfterReveal(g, counting, g.legal());
    expect(calls).toBe(1);
    expect(Array.from(m)).toEqual([0, 1, -4, 0, -1, 3, 0, 0]);
  });

  it('the honest player picks the max-margin pixel, the liar the min-margin one', () => {
    const g = new DebateGame(handMadeImage(pixels), 3, 5, { k: 4, precommit: true, first: 'honest' });
    expect(greedyDebater.choose(g, judge)).toBe(105);
    g.reveal(105);
    expect(greedyDebater.choose(g, judge)).toBe(102);
  });

  it('without precommit the liar pushes the best wrong digit, whatever it is', () => {
    const g = new DebateGame(handMadeImage(pixels), 3, null, { k: 4, precommit: false, first: 'liar' });
    expect(greedyDebater.choose(g, judge)).toBe(106);
  });
});
