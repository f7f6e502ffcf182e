/**
 * Asterix on MinAtar's 10x10 grid, following MinAtar's rules (Young & Tian 2019).
 *
 * The player walks in four directions over rows 1..8. Each of those eight rows is a lane that
 * holds at most one object at a time: an enemy or a piece of gold, entering at the left or right
 * edge and crossing the grid one cell per move tick, with a trail cell behind it showing its
 * direction. Touching gold scores +1 and removes it; touching an enemy ends the episode. With
 * ramping on, every ~100 frames objects spawn more often, and every other ramp step they also
 * move more often.
 */
import { NumpyRandomState } from '../../utils/mt19937.js';
import { DOWN, GRID, LEFT, NOOP, RIGHT, UP, gridWriter, type MinAtarGame, type MinAtarGameOptions } from './game.js';

const RAMP_INTERVAL = 100;
const START_SPAWN_INTERVAL = 10;
const START_MOVE_INTERVAL = 5;
const LANES = 8;

const CH_PLAYER = 0;
const CH_ENEMY = 1;
const CH_TRAIL = 2;
const CH_GOLD = 3;

/** A crossing object; its lane is row `y` (lane index y - 1). */
interface Entity {
  x: number;
  y: number;
  /** True if it entered at the left edge and heads right. */
  rightward: boolean;
  gold: boolean;
}

export class AsterixGame implements MinAtarGame {
  readonly channels = ['player', 'enemy', 'trail', 'gold'] as const;
  readonly minimalActionSet = [NOOP, LEFT, UP, RIGHT, DOWN] as const;
  random = new NumpyRandomState(0);
  readonly ramping: boolean;

  playerX = 5;
  playerY = 5;
  /** One slot per lane; null when the lane is empty. */
  entities: (Entity | null)[] = [];
  spawnInterval = START_SPAWN_INTERVAL;
  spawnTimer = START_SPAWN_INTERVAL;
  moveInterval = START_MOVE_INTERVAL;
  moveTimer = START_MOVE_INTERVAL;
  rampTimer = RAMP_INTERVAL;
  rampIndex = 0;
  terminal = false;

  constructor(opts: Partial<MinAtarGameOptions> = {}) {
    this.ramping = opts.ramping ?? true;
    this.reset();
  }

  reset(): void {
    this.playerX = 5;
    this.playerY = 5;
    this.entities = new Array<Entity | null>(LANES).fill(null);
    this.spawnInterval = START_SPAWN_INTERVAL;
    this.spawnTimer = this.spawnInterval;
    this.moveInterval = START_MOVE_INTERVAL;
    this.moveTimer = this.moveInterval;
    this.rampTimer = RAMP_INTERVAL;
    this.rampIndex = 0;
    this.terminal = false;
  }

  act(action: number): { reward: number; terminal: boolean } {
    let reward = 0;
    if (this.terminal) return { reward, terminal: true };

    if (this.spawnTimer === 0) {
      this.spawn();
      this.spawnTimer = this.spawnInterval;
    }

    if (action === LEFT) this.playerX = Math.max(0, this.playerX - 1);
    else if (action === RIGHT) this.playerX = Math.min(GRID - 1, this.playerX + 1);
    else if (action === UP) this.playerY = Math.max(1, this.playerY - 1);
    else if (action === DOWN) this.playerY = Math.min(LANES, this.playerY + 1);

    // The player may have stepped onto an object before anything moves.
    for (let i = 0; i < LANES; i++) reward += this.touch(i);

    if (this.moveTimer === 0) {
      this.moveTimer = this.moveInterval;
      for (let i = 0; i < LANES; i++) {
        const e = this.entities[i];
        if (!e) continue;
        e.x += e.rightward ? 1 : -1;
        if (e.x < 0 || e.x >= GRID) this.entities[i] = null;
        else reward += this.touch(i);
      }
    }

    this.spawnTimer -= 1;
    this.moveTimer -= 1;

    // The ramp waits RAMP_INTERVAL + 1 frames per step (the timer counts down through 0), and
    // stops once both intervals have bottomed out at 1.
    if (this.ramping && (this.spawnInterval > 1 || this.moveInterval > 1)) {
      if (this.rampTimer >= 0) {
        this.rampTimer -= 1;
      } else {
        if (this.moveInterval > 1 && this.rampIndex % 2 === 1) this.moveInterval -= 1;
        if (this.spawnInterval > 1) this.spawnInterval -= 1;
        this.rampIndex += 1;
        this.rampTimer = RAMP_INTERVAL;
      }
    }
    // Contact with an enemy ends the episode but the frame still finishes: gold touched later in
    // the same frame still counts.
    return { reward, terminal: this.terminal };
  }

  /** Resolves the player sharing a cell with lane i's object; returns the reward it gives. */
  private touch(i: number): number {
    const e = this.entities[i];
    if (!e || e.x !== this.playerX || e.y !== this.playerY) return 0;
    if (e.gold) {
      this.entities[i] = null;
      return 1;
    }
    this.terminal = true;
    return 0;
  }

  private spawn(): void {
    // Both coin flips are drawn even when every lane is taken, keeping the generator in step.
    const rightward = this.random.rand() < 1 / 2;
    const gold = this.random.rand() < 1 / 3;
    const free: number[] = [];
    for (let i = 0; i < LANES; i++) if (this.entities[i] === null) free.push(i);
    if (free.length === 0) return;
    const lane = free[this.random.randint(free.length)]!;
    this.entities[lane] = { x: rightward ? 0 : GRID - 1, y: lane + 1, rightward, gold };
  }

  difficultyRamp(): number {
    return this.rampIndex;
  }

  state(out: Float32Array): void {
    const set = gridWriter(out, this.channels.length);
    set(this.playerY, this.playerX, CH_PLAYER);
    for (const e of this.entities) {
      if (!e) continue;
      set(e.y, e.x, e.gold ? CH_GOLD : CH_ENEMY);
      const behind = e.rightward ? e.x - 1 : e.x + 1;
      if (behind >= 0 && behind < GRID) set(e.y, behind, CH_TRAIL);
    }
  }
}
