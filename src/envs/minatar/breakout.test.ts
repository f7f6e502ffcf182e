import { describe, expect, it } from 'vitest';
import type { NumpyRandomState } from '../../utils/mt19937.js';
import { BreakoutGame } from './breakout.js';
import { GRID, LEFT, NOOP, RIGHT } from './game.js';
import { loadTraces, replayTrace } from './testing.js';

/** A game whose ball starts at the left wall (the reset's one draw returns 0). */
function leftStart(): BreakoutGame {
  const game = new BreakoutGame();
  game.random = { randint: () => 0 } as unknown as NumpyRandomState;
  game.reset();
  return game;
}

/** The game's private state, for setting up situations random play rarely reaches. */
interface Internals {
  paddle: number;
  ballX: number;
  ballY: number;
  dx: number;
  dy: number;
  trailX: number;
  trailY: number;
  bricks: Uint8Array;
  struck: boolean;
}

/** The [row, column] cells set in one channel. */
function cells(game: BreakoutGame, channel: string): [number, number][] {
  const n = game.channels.length;
  const obs = new Float32Array(GRID * GRID * n);
  game.state(obs);
  const ch = game.channels.indexOf(channel as (typeof game.channels)[number]);
  const out: [number, number][] = [];
  for (let i = 0; i < GRID * GRID; i++) if (obs[i * n + ch] === 1) out.push([Math.floor(i / GRID), i % GRID]);
  return out;
}

describe('BreakoutGame', () => {
  it('replays every recorded MinAtar trace exactly', () => {
    for (const t of loadTraces('breakout')) expect(replayTrace(new BreakoutGame(), t)).toBeNull();
  });

  it('bounces off the paddle under the ball, reverses off its corner, and ends on a miss', () => {
    // From (3,0) the ball runs down the diagonal and reaches row 8 at column 5 on frame 5.
    const miss = leftStart();
    expect(cells(miss, 'brick')).toHaveLength(30);
    expect(cells(miss, 'paddle')).toEqual([[9, 4]]);
    for (let f = 0; f < 5; f++) expect(miss.act(NOOP)).toEqual({ reward: 0, terminal: false });
    expect(cells(miss, 'ball')).toEqual([[8, 5]]);
    expect(miss.act(LEFT)).toEqual({ reward: 0, terminal: true });
    expect(cells(miss, 'ball')).toEqual([[9, 6]]);
    expect(miss.act(RIGHT)).toEqual({ reward: 0, terminal: true });
    expect(cells(miss, 'paddle')).toEqual([[9, 3]]); // frozen once over

    const centre = leftStart();
    centre.act(RIGHT); // paddle to column 5, under the ball's last cell before the bottom
    for (let f = 0; f < 5; f++) centre.act(NOOP);
    expect(cells(centre, 'ball')).toEqual([[8, 6]]);
    expect(cells(centre, 'trail')).toEqual([[8, 5]]);
    centre.act(NOOP);
    expect(cells(centre, 'ball')).toEqual([[7, 7]]); // up, still heading right

    const corner = leftStart();
    corner.act(RIGHT);
    corner.act(RIGHT); // paddle at column 6, the cell the ball is about to enter
    for (let f = 0; f < 3; f++) corner.act(NOOP);
    expect(corner.act(NOOP).terminal).toBe(false);
    expect(cells(corner, 'ball')).toEqual([[8, 6]]);
    corner.act(NOOP);
    expect(cells(corner, 'ball')).toEqual([[7, 5]]); // up and reversed: heading left
  });

  it('pays 1 per brick, removing it and reflecting the ball off the side wall and the brick', () => {
    const game = leftStart();
    game.act(RIGHT);
    // Up off the paddle on frame 6, to (5,9) on frame 9; the right wall turns it left at (4,9).
    for (let f = 0; f < 9; f++) expect(game.act(NOOP).reward).toBe(0);
    expect(cells(game, 'ball')).toEqual([[4, 9]]);
    expect(game.act(NOOP)).toEqual({ reward: 1, terminal: false });
    expect(cells(game, 'brick')).toHaveLength(29);
    expect(cells(game, 'brick')).not.toContainEqual([3, 8]);
    expect(cells(game, 'ball')).toEqual([[4, 8]]); // stays in row 4, now heading down
    expect(game.act(NOOP)).toEqual({ reward: 0, terminal: false });
    expect(cells(game, 'ball')).toEqual([[5, 7]]);
    expect(game.difficultyRamp()).toBeNull();
  });

  it('lets the ball pass unbroken into a brick right after a strike, and refills the bricks at the bottom', () => {
    const game = leftStart();
    const s = game as unknown as Internals;
    s.bricks.fill(0);
    s.bricks[1 * GRID + 5] = 1;
    s.bricks[3 * GRID + 6] = 1;
    Object.assign(s, { ballX: 4, ballY: 2, dx: 1, dy: -1, struck: false });
    expect(game.act(NOOP)).toEqual({ reward: 1, terminal: false });
    expect(cells(game, 'ball')).toEqual([[2, 5]]);
    // The very next frame runs into (3,6): no reward, no bounce, the brick stays under the ball.
    expect(game.act(NOOP)).toEqual({ reward: 0, terminal: false });
    expect(cells(game, 'ball')).toEqual([[3, 6]]);
    expect(cells(game, 'brick')).toEqual([[3, 6]]);
    expect(game.act(NOOP)).toEqual({ reward: 0, terminal: false });
    expect(cells(game, 'ball')).toEqual([[4, 7]]);

    // With no bricks left, the ball reaching the bottom row brings all three rows back.
    s.bricks.fill(0);
    Object.assign(s, { paddle: 3, ballX: 3, ballY: 8, dx: -1, dy: 1 });
    expect(game.act(NOOP)).toEqual({ reward: 0, terminal: false });
    expect(cells(game, 'brick')).toHaveLength(30);
    expect(cells(game, 'brick')[0]).toEqual([1, 0]);
    expect(cells(game, 'ball')).toEqual([[8, 2]]);
  });
});
