import type { NumpyRandomState } from '../../utils/mt19937.js';

/**
 * MinAtar (Young & Tian 2019, arXiv:1903.03176): miniature Atari games on a 10x10 grid whose
 * observation is one 0/1 channel per kind of object. Written here from the games' published
 * rules; MinAtar's Python is GPL and none of it is copied. The conformance traces
 * (minatar.test.ts) were recorded by running MinAtar itself.
 */

/** Every game's full action set, by index: no-op, left, up, right, down, fire. */
export const MINATAR_ACTIONS = ['n', 'l', 'u', 'r', 'd', 'f'] as const;
export type MinAtarAction = 0 | 1 | 2 | 3 | 4 | 5;
export const NOOP = 0;
export const LEFT = 1;
export const UP = 2;
export const RIGHT = 3;
export const DOWN = 4;
export const FIRE = 5;

/** Rows and columns of every game's grid. */
export const GRID = 10;

/** One game's rules, as MinAtar's per-game `Env` class has them. */
export interface MinAtarGame {
  /** The observation's channels, in MinAtar's order. */
  readonly channels: readonly string[];
  /** MinAtar's `minimal_action_set()`: indices into MINATAR_ACTIONS (the -v1 envs' actions). */
  readonly minimalActionSet: readonly number[];
  /**
   * The generator every random draw comes from. The env sets it (on seeding) and draws its
   * sticky actions from the same one, as MinAtar's `Environment` shares its RandomState with
   * the game; draws must happen in MinAtar's order for the traces to replay.
   */
  random: NumpyRandomState;
  /** Starts a new episode (MinAtar's `reset()`). */
  reset(): void;
  /** One frame with a full-set action (MinAtar's `act(a)`), after stickiness. */
  act(action: number): { reward: number; terminal: boolean };
  /** Writes the observation into `out` (length GRID * GRID * channels): 0/1, index (row * GRID + column) * channels + channel, as MinAtar's `state()` array flattened. */
  state(out: Float32Array): void;
  /** MinAtar's `difficulty_ramp()`: the ramp's level, or null for a game without one. */
  difficultyRamp(): number | null;
}

/** Options every game's constructor takes (MinAtar's `ramping`); games without a ramp ignore it. */
export interface MinAtarGameOptions {
  ramping: boolean;
}

/** Clears an observation and returns what marks (row, column, channel) in it: the layout every game's `state` writes. */
export function gridWriter(out: Float32Array, channels: number): (row: number, col: number, ch: number) => void {
  out.fill(0);
  return (row, col, ch) => {
    out[(row * GRID + col) * channels + ch] = 1;
  };
}
