import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from '../../utils/mt19937.js';
import { FreewayGame } from './freeway.js';
import { DOWN, GRID, NOOP, UP } from './game.js';
import { loadTraces, replayTrace } from './testing.js';

interface Car {
  x: number;
  y: number;
  wait: number;
  period: number;
}
/** The game's private state, for setting up hand-made situations. */
interface Inside {
  cars: Car[];
  row: number;
  cooldown: number;
  framesLeft: number;
}
const inside = (g: FreewayGame): Inside => g as unknown as Inside;

/** Row of the chicken as the observation shows it. */
function chickenRow(g: FreewayGame): number {
  const out = new Float32Array(GRID * GRID * g.channels.length);
  g.state(out);
  for (let r = 0; r < GRID; r++) if (out[(r * GRID + 4) * g.channels.length] === 1) return r;
  return -1;
}

describe('FreewayGame', () => {
  it('replays every recorded MinAtar trace exactly', () => {
    for (const t of loadTraces('freeway')) expect(replayTrace(new FreewayGame(), t)).toBeNull();
  });

  it('lets the chicken step only once every 3 frames, starting after 3 frames', () => {
    const g = new FreewayGame();
    inside(g).cars = [];
    const rows: number[] = [];
    for (let i = 0; i < 8; i++) {
      g.act(UP);
      rows.push(chickenRow(g));
    }
    expect(rows).toEqual([9, 9, 9, 8, 8, 8, 7, 7]);
    g.act(DOWN);
    expect(chickenRow(g)).toBe(7); // still cooling down from the step at frame 7
  });

  it('scores 1 at the top, sends the chicken home and re-rolls speeds with 8 randints then 8 rands', () => {
    const g = new FreewayGame();
    g.random = new NumpyRandomState(123);
    g.reset();
    const before = inside(g).cars.map((c) => [c.x, c.y]);
    Object.assign(inside(g), { row: 1, cooldown: 0 });
    const mirror = NumpyRandomState.fromState(g.random.getState());
    const { reward, terminal } = g.act(UP);
    expect(reward).toBe(1);
    expect(terminal).toBe(false);
    expect(inside(g).row).toBe(9);
    const speeds = Array.from({ length: 8 }, () => mirror.randint(1, 6));
    const periods = speeds.map((s) => s * Math.sign(mirror.rand() - 0.5));
    expect(inside(g).cars.map((c) => c.period)).toEqual(periods);
    // Positions survive the re-roll; only cars whose new wait was 0 could have moved, and none was.
    expect(inside(g).cars.map((c) => [c.x, c.y])).toEqual(before);
    expect(g.random.getState()).toEqual(mirror.getState());
  });

  it('sends a hit chicken home, and ends the episode after 2501 frames', () => {
    const g = new FreewayGame();
    Object.assign(inside(g), { row: 5, cars: [{ x: 3, y: 5, wait: 0, period: 2 }] });
    g.act(NOOP);
    expect(inside(g).cars[0]).toEqual({ x: 4, y: 5, wait: 2, period: 2 });
    expect(chickenRow(g)).toBe(9);

    const h = new FreewayGame();
    inside(h).cars = [];
    let frames = 0;
    let terminal = false;
    while (!terminal) {
      terminal = h.act(NOOP).terminal;
      frames += 1;
    }
    expect(frames).toBe(2501);
    expect(h.act(UP)).toEqual({ reward: 0, terminal: true });
  });
});
