/**
 * Space Invaders on MinAtar's 10x10 grid, following MinAtar's rules (Young & Tian 2019).
 *
 * The player is a cannon on the bottom row that slides left and right and fires shots straight
 * up (one every few frames). A 4x6 block of aliens marches sideways; when one of them reaches
 * the wall in its direction the whole block steps down a row and turns round. The block speeds
 * up as it thins out (its move period is capped by how many aliens remain), and the alien in the
 * column nearest the cannon drops a bullet at a fixed interval. Each alien shot down is worth +1.
 * Clearing the block brings a fresh one; with ramping on, each new block moves one frame faster
 * per step (down to a period of 6), and the ramp level counts those speed-ups. The episode ends
 * when an alien bullet or an alien reaches the cannon, or the block tries to step down past the
 * bottom row. The game itself draws nothing random: only the env's sticky actions do.
 */
import { NumpyRandomState } from '../../utils/mt19937.js';
import { FIRE, GRID, LEFT, RIGHT, type MinAtarGame, type MinAtarGameOptions } from './game.js';

/** Frames between two of the cannon's shots. */
const SHOT_COOLDOWN = 5;
/** The block's move period at the start of an episode. */
const START_MOVE_INTERVAL = 12;
/** The fastest a ramped-up block's period gets (it only ramps while above this). */
const MIN_MOVE_INTERVAL = 6;
/** Frames between two alien bullets. */
const ALIEN_SHOT_INTERVAL = 10;

const CELLS = GRID * GRID;
const BOTTOM = GRID - 1;

/** Row-major index of a cell. */
const at = (row: number, col: number): number => row * GRID + col;

export class SpaceInvadersGame implements MinAtarGame {
  readonly channels = ['cannon', 'alien', 'alien_left', 'alien_right', 'friendly_bullet', 'enemy_bullet'] as const;
  /** No-op, left, right, fire. */
  readonly minimalActionSet = [0, 1, 3, 5] as const;
  random: NumpyRandomState;
  readonly ramping: boolean;

  /** The cannon's column (always on the bottom row). */
  pos = 5;
  /** 0/1 grids, row-major. */
  aliens = new Uint8Array(CELLS);
  playerShots = new Uint8Array(CELLS);
  alienShots = new Uint8Array(CELLS);
  /** -1 marching left, +1 marching right. */
  alienDir = -1;
  /** The current wave's move period, lowered by the ramp. */
  moveInterval = START_MOVE_INTERVAL;
  moveTimer = START_MOVE_INTERVAL;
  alienShotTimer = ALIEN_SHOT_INTERVAL;
  shotTimer = 0;
  rampIndex = 0;
  terminal = false;

  constructor(opts: Partial<MinAtarGameOptions> = {}) {
    this.ramping = opts.ramping ?? true;
    this.random = new NumpyRandomState(0);
    this.reset();
  }

  reset(): void {
    this.pos = 5;
    this.playerShots.fill(0);
    this.alienShots.fill(0);
    this.aliens.fill(0);
    this.spawnWave();
    this.alienDir = -1;
    this.moveInterval = START_MOVE_INTERVAL;
    this.moveTimer = this.moveInterval;
    this.alienShotTimer = ALIEN_SHOT_INTERVAL;
    this.rampIndex = 0;
    this.shotTimer = 0;
    this.terminal = false;
  }

  act(action: number): { reward: number; terminal: boolean } {
    if (this.terminal) return { reward: 0, terminal: true };

    // Firing takes the frame's move: a fire press that is still cooling down does nothing at all.
    if (action === FIRE && this.shotTimer === 0) {
      this.playerShots[at(BOTTOM, this.pos)] = 1;
      this.shotTimer = SHOT_COOLDOWN;
    } else if (action === LEFT) {
      this.pos = Math.max(0, this.pos - 1);
    } else if (action === RIGHT) {
      this.pos = Math.min(BOTTOM, this.pos + 1);
    }

    // Shots fly one row per frame, so a new shot is already on row 8 when hits are checked.
    shiftRows(this.playerShots, -1);
    shiftRows(this.alienShots, 1);
    if (this.alienShots[at(BOTTOM, this.pos)]) this.terminal = true;

    if (this.aliens[at(BOTTOM, this.pos)]) this.terminal = true;
    if (this.moveTimer === 0) {
      // Fewer aliens, shorter period: the count is taken before this frame's hits are removed.
      this.moveTimer = Math.min(this.alienCount(), this.moveInterval);
      if ((this.alienDir < 0 && this.columnHasAlien(0)) || (this.alienDir > 0 && this.columnHasAlien(BOTTOM))) {
        this.alienDir = -this.alienDir;
        if (this.rowHasAlien(BOTTOM)) this.terminal = true;
        // MinAtar rolls the grid, so a bottom-row alien wraps to the top on the ending frame.
        rollDown(this.aliens);
      } else {
        shiftCols(this.aliens, this.alienDir);
      }
      if (this.aliens[at(BOTTOM, this.pos)]) this.terminal = true;
    }
    if (this.alienShotTimer === 0) {
      this.alienShotTimer = ALIEN_SHOT_INTERVAL;
      const shooter = this.nearestAlien();
      if (shooter >= 0) this.alienShots[shooter] = 1;
    }

    // Only exact overlaps count: a shot and an alien that swap rows pass through each other.
    let reward = 0;
    for (let i = 0; i < CELLS; i++) {
      if (this.aliens[i] && this.playerShots[i]) {
        this.aliens[i] = 0;
        this.playerShots[i] = 0;
        reward += 1;
      }
    }

    if (this.shotTimer > 0) this.shotTimer -= 1;
    this.moveTimer -= 1;
    this.alienShotTimer -= 1;
    if (this.alienCount() === 0) {
      if (this.ramping && this.moveInterval > MIN_MOVE_INTERVAL) {
        this.moveInterval -= 1;
        this.rampIndex += 1;
      }
      this.spawnWave();
    }
    return { reward, terminal: this.terminal };
  }

  state(out: Float32Array): void {
    const n = this.channels.length;
    out.fill(0);
    out[at(BOTTOM, this.pos) * n + 0] = 1;
    const dirChannel = this.alienDir < 0 ? 2 : 3;
    for (let i = 0; i < CELLS; i++) {
      if (this.aliens[i]) {
        out[i * n + 1] = 1;
        out[i * n + dirChannel] = 1;
      }
      if (this.playerShots[i]) out[i * n + 4] = 1;
      if (this.alienShots[i]) out[i * n + 5] = 1;
    }
  }

  difficultyRamp(): number | null {
    return this.rampIndex;
  }

  /** Fills rows 0-3, columns 2-7 with aliens. */
  private spawnWave(): void {
    for (let r = 0; r < 4; r++) for (let c = 2; c < 8; c++) this.aliens[at(r, c)] = 1;
  }

  private alienCount(): number {
    let n = 0;
    for (let i = 0; i < CELLS; i++) n += this.aliens[i]!;
    return n;
  }

  private columnHasAlien(col: number): boolean {
    for (let r = 0; r < GRID; r++) if (this.aliens[at(r, col)]) return true;
    return false;
  }

  private rowHasAlien(row: number): boolean {
    for (let c = 0; c < GRID; c++) if (this.aliens[at(row, c)]) return true;
    return false;
  }

  /**
   * The lowest alien of the occupied column closest to the cannon, as a cell index (-1 if none).
   * Columns are tried by distance, the left one first on a tie.
   */
  private nearestAlien(): number {
    for (let d = 0; d < GRID; d++) {
      for (const col of d === 0 ? [this.pos] : [this.pos - d, this.pos + d]) {
        if (col < 0 || col >= GRID) continue;
        for (let r = BOTTOM; r >= 0; r--) if (this.aliens[at(r, col)]) return at(r, col);
      }
    }
    return -1;
  }
}

/** Moves every row by `by` (+1 down, -1 up); rows pushed off the grid are lost and the vacated row is cleared. */
function shiftRows(grid: Uint8Array, by: 1 | -1): void {
  if (by > 0) {
    grid.copyWithin(GRID, 0, CELLS - GRID);
    grid.fill(0, 0, GRID);
  } else {
    grid.copyWithin(0, GRID, CELLS);
    grid.fill(0, CELLS - GRID, CELLS);
  }
}

/** Moves every row down one, the bottom row wrapping round to the top. */
function rollDown(grid: Uint8Array): void {
  const bottom = grid.slice(CELLS - GRID);
  grid.copyWithin(GRID, 0, CELLS - GRID);
  grid.set(bottom, 0);
}

/** Moves every column by `by` with wrap-around (callers only shift when the leading edge is empty). */
function shiftCols(grid: Uint8Array, by: number): void {
  const row = new Uint8Array(GRID);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) row[(((c + by) % GRID) + GRID) % GRID] = grid[at(r, c)]!;
    grid.set(row, r * GRID);
  }
}
