import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from '../../utils/mt19937.js';
import { AsterixGame } from './asterix.js';
import { LEFT, NOOP } from './game.js';
import { loadTraces, replayTrace } from './testing.js';

/** A game with no spawn due for a long while, so a hand-set situation plays out without draws. */
function quietGame(ramping = true): AsterixGame {
  const g = new AsterixGame({ ramping });
  g.spawnTimer = 1000;
  return g;
}

describe('AsterixGame', () => {
  it('replays every recorded MinAtar trace exactly', () => {
    for (const t of loadTraces('asterix')) expect(replayTrace(new AsterixGame(), t)).toBeNull();
  });

  it('gold moving onto the player scores 1 and vanishes; the move waits for the move timer', () => {
    const g = quietGame();
    g.entities[4] = { x: 4, y: 5, rightward: true, gold: true };
    g.moveTimer = 1;
    expect(g.act(NOOP)).toEqual({ reward: 0, terminal: false });
    expect(g.entities[4]).toEqual({ x: 4, y: 5, rightward: true, gold: true });
    expect(g.act(NOOP)).toEqual({ reward: 1, terminal: false });
    expect(g.entities[4]).toBeNull();
    expect(g.moveTimer).toBe(4); // reset to the interval 5, then counted down this frame
    const obs = new Float32Array(10 * 10 * 4);
    g.state(obs);
    expect([...obs.keys()].filter((i) => obs[i] === 1)).toEqual([(5 * 10 + 5) * 4 + 0]);
  });

  it('stepping onto an enemy ends the episode even though the enemy then moves on', () => {
    const g = quietGame();
    g.entities[4] = { x: 4, y: 5, rightward: true, gold: false };
    g.moveTimer = 0;
    expect(g.act(LEFT)).toEqual({ reward: 0, terminal: true });
    expect(g.playerX).toBe(4);
    expect(g.entities[4]!.x).toBe(5);
    // Once over, frames change nothing.
    expect(g.act(LEFT)).toEqual({ reward: 0, terminal: true });
    expect(g.playerX).toBe(4);
  });

  it('ramps spawning every step and movement every other step, only when ramping', () => {
    const g = quietGame();
    g.rampTimer = 0;
    g.act(NOOP); // timer 0 -> -1: no ramp yet
    expect([g.spawnInterval, g.moveInterval, g.rampIndex]).toEqual([10, 5, 0]);
    g.act(NOOP);
    expect([g.spawnInterval, g.moveInterval, g.rampIndex, g.rampTimer]).toEqual([9, 5, 1, 100]);
    g.rampTimer = -1;
    g.act(NOOP);
    expect([g.spawnInterval, g.moveInterval, g.rampIndex]).toEqual([8, 4, 2]);
    expect(g.difficultyRamp()).toBe(2);

    const flat = quietGame(false);
    flat.rampTimer = -1;
    flat.act(NOOP);
    expect([flat.spawnInterval, flat.moveInterval, flat.difficultyRamp()]).toEqual([10, 5, 0]);
  });

  it('a spawn with every lane taken still draws its two coin flips and adds nothing', () => {
    const g = new AsterixGame();
    g.random = new NumpyRandomState(7);
    for (let i = 0; i < 8; i++) g.entities[i] = { x: 9, y: i + 1, rightward: true, gold: true };
    g.spawnTimer = 0;
    g.moveTimer = 3;
    g.act(NOOP);
    const ref = new NumpyRandomState(7);
    ref.rand();
    ref.rand();
    expect(g.random.rand()).toBe(ref.rand());
    expect(g.entities.every((e) => e !== null && e.x === 9)).toBe(true);
  });
});
