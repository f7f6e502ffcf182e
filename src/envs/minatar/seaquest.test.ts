import { describe, expect, it } from 'vitest';
import { DOWN, FIRE, GRID, NOOP, UP } from './game.js';
import { SeaquestGame, type Piece } from './seaquest.js';
import { loadTraces, replayTrace } from './testing.js';

/** The private state the rule tests set up by hand (names as in seaquest.ts). */
interface Inside {
  oxygen: number;
  divers: number;
  subX: number;
  subY: number;
  facingRight: boolean;
  fish: Piece[];
  torpedoes: Piece[];
  spawnTimer: number;
  diverTimer: number;
  spawnInterval: number;
  moveInterval: number;
}

/** A game whose spawn timers are far off, so no random draws or new pieces interfere. */
function quietGame(ramping = true): { game: SeaquestGame; inside: Inside } {
  const game = new SeaquestGame({ ramping });
  const inside = game as unknown as Inside;
  inside.spawnTimer = 100;
  inside.diverTimer = 100;
  return { game, inside };
}

/** Columns of row `row` set in channel `name`. */
function cellsOf(game: SeaquestGame, row: number, name: string): number[] {
  const out = new Float32Array(GRID * GRID * game.channels.length);
  game.state(out);
  const ch = game.channels.indexOf(name);
  const cols: number[] = [];
  for (let c = 0; c < GRID; c++) if (out[(row * GRID + c) * game.channels.length + ch] === 1) cols.push(c);
  return cols;
}

describe('SeaquestGame', () => {
  it('replays every recorded MinAtar trace exactly', () => {
    for (const t of loadTraces('seaquest')) expect(replayTrace(new SeaquestGame(), t)).toBeNull();
  });

  it('pays a tenth of the oxygen left for a full crew, leaves the diver count at -1, and ramps', () => {
    for (const ramping of [true, false]) {
      const { game, inside } = quietGame(ramping);
      inside.divers = 6;
      inside.oxygen = 160;
      expect(game.act(DOWN)).toEqual({ reward: 0, terminal: false });
      expect(inside.oxygen).toBe(159);
      expect(cellsOf(game, 9, 'diver_guage')).toEqual([3, 4, 5, 6, 7, 8]);
      expect(cellsOf(game, 9, 'oxygen_guage')).toEqual([0, 1, 2, 3, 4, 5, 6]);
      // floor(159 * 10 / 200): the oxygen left after the dive, rounded down.
      expect(game.act(UP)).toEqual({ reward: 7, terminal: false });
      expect(inside.divers).toBe(-1);
      expect(inside.oxygen).toBe(200);
      expect(cellsOf(game, 9, 'diver_guage')).toEqual([]);
      expect(cellsOf(game, 9, 'oxygen_guage')).toHaveLength(10);
      // First ramp step: enemies spawn a frame sooner; their speed only changes on odd levels.
      expect(game.difficultyRamp()).toBe(ramping ? 1 : 0);
      expect(inside.spawnInterval).toBe(ramping ? 19 : 20);
      expect(inside.moveInterval).toBe(5);
      // With -1 divers aboard the sub can dive and surface again without dying.
      expect(game.act(DOWN).terminal).toBe(false);
      expect(game.act(UP)).toEqual({ reward: 0, terminal: false });
      expect(inside.divers).toBe(-2);
    }
  });

  it('ends the episode on surfacing empty-handed or one frame after the tank empties', () => {
    const a = quietGame().game;
    expect(a.act(DOWN).terminal).toBe(false);
    expect(a.act(UP)).toEqual({ reward: 0, terminal: true });
    expect(a.act(NOOP)).toEqual({ reward: 0, terminal: true });

    const { game, inside } = quietGame();
    inside.oxygen = 2;
    expect(game.act(DOWN).terminal).toBe(false);
    expect(inside.oxygen).toBe(1);
    expect(game.act(NOOP).terminal).toBe(false);
    expect(inside.oxygen).toBe(0);
    expect(game.act(NOOP).terminal).toBe(true);
  });

  it('sinks a fish that swims into a torpedo, and fish step every moveInterval + 1 frames', () => {
    const { game, inside } = quietGame();
    inside.subX = 3;
    inside.subY = 4;
    inside.facingRight = true;
    inside.fish = [{ x: 5, y: 4, right: false, wait: 0, reload: 0 }];
    // The torpedo leaves the sub and moves to column 4 at once; the fish then steps onto it.
    expect(game.act(FIRE)).toEqual({ reward: 1, terminal: false });
    expect(inside.fish).toEqual([]);
    expect(inside.torpedoes).toEqual([]);

    inside.fish = [{ x: 9, y: 7, right: false, wait: 0, reload: 0 }];
    const columns: number[] = [];
    for (let i = 0; i < 13; i++) {
      game.act(NOOP);
      columns.push(cellsOf(game, 7, 'enemy_fish')[0]!);
    }
    expect(columns).toEqual([8, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7, 6]);
    // The trail marks the cell the fish came from.
    expect(cellsOf(game, 7, 'trail')).toEqual([7]);
  });
});
