import { describe, expect, it } from 'vitest';
import { FIRE, GRID, NOOP } from './game.js';
import { SpaceInvadersGame } from './spaceInvaders.js';
import { loadTraces, replayTrace } from './testing.js';

const at = (row: number, col: number): number => row * GRID + col;

/** A game with no aliens, bullets or pending timers, to be set up by hand. */
function emptyGame(ramping = true): SpaceInvadersGame {
  const g = new SpaceInvadersGame({ ramping });
  g.aliens.fill(0);
  g.moveTimer = 100;
  g.alienShotTimer = 100;
  return g;
}

describe('SpaceInvadersGame', () => {
  it('replays every recorded MinAtar trace exactly', () => {
    for (const t of loadTraces('space_invaders')) expect(replayTrace(new SpaceInvadersGame(), t)).toBeNull();
  });

  it('a shot from the start reaches the block bottom row on the sixth frame for +1', () => {
    const g = new SpaceInvadersGame();
    const rewards = [g.act(FIRE).reward];
    for (let i = 0; i < 5; i++) rewards.push(g.act(NOOP).reward);
    expect(rewards).toEqual([0, 0, 0, 0, 0, 1]);
    expect(g.aliens[at(3, 5)]).toBe(0);
    expect(g.aliens[at(2, 5)]).toBe(1);
    expect(g.playerShots.every((v) => v === 0)).toBe(true);
    // The 5-frame cooldown has just run out.
    expect(g.shotTimer).toBe(0);
  });

  it('the alien in the nearest column shoots (left on a tie), and its bullet ends the episode at the cannon', () => {
    const g = emptyGame();
    g.pos = 2;
    g.aliens[at(0, 0)] = 1;
    g.aliens[at(1, 4)] = 1;
    g.aliens[at(0, 4)] = 1;
    g.alienShotTimer = 0;
    g.act(NOOP);
    expect(Array.from(g.alienShots.keys()).filter((i) => g.alienShots[i])).toEqual([at(0, 0)]);
    g.pos = 0;
    const terminals: boolean[] = [];
    for (let i = 0; i < 9; i++) terminals.push(g.act(NOOP).terminal);
    expect(terminals).toEqual([false, false, false, false, false, false, false, false, true]);
    expect(g.act(NOOP)).toEqual({ reward: 0, terminal: true });
  });

  it('clearing a wave respawns it and ramps the speed only when ramping', () => {
    for (const ramping of [true, false]) {
      const g = emptyGame(ramping);
      g.aliens[at(5, 5)] = 1;
      g.playerShots[at(6, 5)] = 1;
      expect(g.act(NOOP).reward).toBe(1);
      expect(g.aliens.reduce((a, b) => a + b, 0)).toBe(24);
      expect(g.difficultyRamp()).toBe(ramping ? 1 : 0);
      expect(g.moveInterval).toBe(ramping ? 11 : 12);
    }
  });

  it('a block turning on the bottom row ends the episode, its bottom aliens wrapping to the top', () => {
    const g = emptyGame();
    g.pos = 5;
    g.aliens[at(9, 0)] = 1;
    g.moveTimer = 0;
    expect(g.act(NOOP).terminal).toBe(true);
    expect(g.alienDir).toBe(1);
    expect(g.aliens[at(0, 0)]).toBe(1);
    expect(g.moveTimer).toBe(0); // period min(1 alien, 12) = 1, less this frame
  });
});
