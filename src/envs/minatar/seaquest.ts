/**
 * Seaquest, following MinAtar's rules (Young & Tian 2019), written anew here.
 *
 * The player steers a two-cell submarine (front and back, so its heading shows) through rows 0-8
 * and fires torpedoes forward. Enemy fish and enemy subs swim across rows 1-8 from either edge;
 * subs also fire bullets. Each enemy torpedoed is worth +1. Divers drift across too; touching one
 * takes it aboard (at most 6). Oxygen drains while submerged. Surfacing (row 0) with divers aboard
 * refills oxygen and drops one diver; surfacing with all 6 aboard empties the sub and pays one
 * point per tenth of oxygen left. The episode ends on touching an enemy or enemy bullet, running
 * out of oxygen, or surfacing with nobody aboard. With ramping, every surfacing makes enemies
 * spawn more often and, every other time, move faster. Bottom-row gauges show oxygen and divers;
 * a trail channel marks the cell each enemy or diver just left.
 */

import { NumpyRandomState } from '../../utils/mt19937.js';
import { GRID, gridWriter, type MinAtarGame, type MinAtarGameOptions } from './game.js';

const MAX_OXYGEN = 200;
const FIRST_SPAWN_INTERVAL = 20;
const DIVER_SPAWN_INTERVAL = 30;
const FIRST_MOVE_INTERVAL = 5;
const RELOAD = 5;
const ENEMY_RELOAD = 10;
const DIVER_MOVE_INTERVAL = 5;
const MAX_DIVERS = 6;

/**
 * Anything that drifts along a row: torpedoes, enemy bullets, fish, enemy subs and divers.
 * `wait` counts frames to the next move (0 for bullets, which move every frame); `reload` counts
 * frames to an enemy sub's next shot (0 for everything else).
 */
export interface Piece {
  x: number;
  y: number;
  right: boolean;
  wait: number;
  reload: number;
}

/**
 * MinAtar keeps these pieces as plain Python lists and removes them with `list.remove`, which
 * drops the first piece *equal by value*, not necessarily the one in hand. Reproducing that (and
 * the index-based reverse iteration below) keeps twin pieces behaving exactly as in MinAtar.
 */
function samePiece(a: Piece, b: Piece): boolean {
  return a.x === b.x && a.y === b.y && a.right === b.right && a.wait === b.wait && a.reload === b.reload;
}

function removeFirstEqual(list: Piece[], piece: Piece): void {
  const i = list.findIndex((p) => samePiece(p, piece));
  if (i >= 0) list.splice(i, 1);
}

/** Visits `list` from its end by index while it may shrink, stopping once the index falls off it. */
function forEachReversed(list: Piece[], visit: (piece: Piece) => void): void {
  for (let i = list.length - 1; i >= 0 && i < list.length; i--) visit(list[i]);
}

export interface SeaquestStatus {
  oxygen: number;
  divers: number;
  subRow: number;
  surfaced: boolean;
}

export class SeaquestGame implements MinAtarGame {
  readonly channels: readonly string[] = [
    'sub_front',
    'sub_back',
    'friendly_bullet',
    'trail',
    'enemy_bullet',
    'enemy_fish',
    'enemy_sub',
    'oxygen_guage',
    'diver_guage',
    'diver',
  ];
  /** Every action matters here. */
  readonly minimalActionSet: readonly number[] = [0, 1, 2, 3, 4, 5];
  random: NumpyRandomState;
  private readonly ramping: boolean;

  private oxygen = MAX_OXYGEN;
  /** Divers aboard. Goes to -1 after a full-crew surfacing (a MinAtar quirk kept for fidelity). */
  private divers = 0;
  private subX = 5;
  private subY = 0;
  private facingRight = false;
  private torpedoes: Piece[] = [];
  private enemyBullets: Piece[] = [];
  private fish: Piece[] = [];
  private enemySubs: Piece[] = [];
  private swimmers: Piece[] = [];
  private spawnInterval = FIRST_SPAWN_INTERVAL;
  private spawnTimer = FIRST_SPAWN_INTERVAL;
  private diverTimer = DIVER_SPAWN_INTERVAL;
  private moveInterval = FIRST_MOVE_INTERVAL;
  private rampLevel = 0;
  private reloadTimer = 0;
  /** True while the sub sits at the top and has already been credited for surfacing. */
  private surfaced = true;
  private over = false;

  constructor(opts: Partial<MinAtarGameOptions> = {}) {
    this.ramping = opts.ramping ?? true;
    this.random = new NumpyRandomState(0);
    this.reset();
  }

  reset(): void {
    this.oxygen = MAX_OXYGEN;
    this.divers = 0;
    this.subX = 5;
    this.subY = 0;
    this.facingRight = false;
    this.torpedoes = [];
    this.enemyBullets = [];
    this.fish = [];
    this.enemySubs = [];
    this.swimmers = [];
    this.spawnInterval = FIRST_SPAWN_INTERVAL;
    this.spawnTimer = this.spawnInterval;
    this.diverTimer = DIVER_SPAWN_INTERVAL;
    this.moveInterval = FIRST_MOVE_INTERVAL;
    this.rampLevel = 0;
    this.reloadTimer = 0;
    this.surfaced = true;
    this.over = false;
  }

  difficultyRamp(): number {
    return this.rampLevel;
  }

  /**
   * The air left (200 down to -1 on the step that ends an empty tank; the gauge shows tenths),
   * the divers aboard (below 0 after a full crew, MinAtar's count), the sub's row (0: the
   * surface) and whether it has surfaced since it last dived: what a study of how episodes end
   * needs, read without touching the game.
   */
  status(): SeaquestStatus {
    return { oxygen: this.oxygen, divers: this.divers, subRow: this.subY, surfaced: this.surfaced };
  }

  act(action: number): { reward: number; terminal: boolean } {
    let reward = 0;
    if (this.over) return { reward, terminal: true };

    if (this.spawnTimer === 0) {
      this.spawnEnemy();
      this.spawnTimer = this.spawnInterval;
    }
    if (this.diverTimer === 0) {
      this.spawnDiver();
      this.diverTimer = DIVER_SPAWN_INTERVAL;
    }

    // Firing takes the frame's action: the sub does not move while it shoots.
    if (action === 5 && this.reloadTimer === 0) {
      this.torpedoes.push({ x: this.subX, y: this.subY, right: this.facingRight, wait: 0, reload: 0 });
      this.reloadTimer = RELOAD;
    } else if (action === 1) {
      this.subX = Math.max(0, this.subX - 1);
      this.facingRight = false;
    } else if (action === 3) {
      this.subX = Math.min(GRID - 1, this.subX + 1);
      this.facingRight = true;
    } else if (action === 2) {
      this.subY = Math.max(0, this.subY - 1);
    } else if (action === 4) {
      this.subY = Math.min(GRID - 2, this.subY + 1);
    }

    reward += this.moveTorpedoes();
    this.moveSwimmers();
    reward += this.moveEnemySubs();
    this.moveEnemyBullets();
    reward += this.moveFish();

    if (this.spawnTimer > 0) this.spawnTimer--;
    if (this.diverTimer > 0) this.diverTimer--;
    if (this.reloadTimer > 0) this.reloadTimer--;
    // Checked before this frame's drain, so the sub lives one frame on an empty tank.
    if (this.oxygen <= 0) this.over = true;
    if (this.subY > 0) {
      this.oxygen--;
      this.surfaced = false;
    } else if (!this.surfaced) {
      if (this.divers === 0) this.over = true;
      else reward += this.surface();
    }
    return { reward, terminal: this.over };
  }

  state(out: Float32Array): void {
    const set = gridWriter(out, this.channels.length);
    set(this.subY, this.subX, 0);
    // numpy wraps a -1 column to the last one; the sub's controls never actually produce it.
    const back = this.facingRight ? this.subX - 1 : this.subX + 1;
    set(this.subY, (back + GRID) % GRID, 1);
    const tenths = Math.floor((Math.max(0, this.oxygen) * 10) / MAX_OXYGEN);
    for (let c = 0; c < Math.min(tenths, GRID); c++) set(GRID - 1, c, 7);
    for (let c = Math.max(0, GRID - 1 - this.divers); c < GRID - 1; c++) set(GRID - 1, c, 8);
    for (const t of this.torpedoes) set(t.y, t.x, 2);
    for (const b of this.enemyBullets) set(b.y, b.x, 4);
    const withTrail = (list: Piece[], ch: number): void => {
      for (const p of list) {
        set(p.y, p.x, ch);
        const tail = p.right ? p.x - 1 : p.x + 1;
        if (tail >= 0 && tail < GRID) set(p.y, tail, 3);
      }
    };
    withTrail(this.fish, 5);
    withTrail(this.enemySubs, 6);
    withTrail(this.swimmers, 9);
  }

  private atSub(p: Piece): boolean {
    return p.x === this.subX && p.y === this.subY;
  }

  /** Torpedoes advance one cell; one that lands on a fish (checked first) or a sub sinks it. */
  private moveTorpedoes(): number {
    let reward = 0;
    forEachReversed(this.torpedoes, (t) => {
      t.x += t.right ? 1 : -1;
      if (t.x < 0 || t.x >= GRID) {
        removeFirstEqual(this.torpedoes, t);
        return;
      }
      for (const target of [this.fish, this.enemySubs]) {
        const hit = target.find((e) => e.x === t.x && e.y === t.y);
        if (hit) {
          removeFirstEqual(target, hit);
          removeFirstEqual(this.torpedoes, t);
          reward += 1;
          return;
        }
      }
    });
    return reward;
  }

  /** Divers are picked up when the sub is on them, before or after their own move. */
  private moveSwimmers(): void {
    forEachReversed(this.swimmers, (d) => {
      if (this.atSub(d) && this.divers < MAX_DIVERS) {
        removeFirstEqual(this.swimmers, d);
        this.divers++;
      } else if (d.wait === 0) {
        d.wait = DIVER_MOVE_INTERVAL;
        d.x += d.right ? 1 : -1;
        if (d.x < 0 || d.x >= GRID) {
          removeFirstEqual(this.swimmers, d);
        } else if (this.atSub(d) && this.divers < MAX_DIVERS) {
          removeFirstEqual(this.swimmers, d);
          this.divers++;
        }
      } else {
        d.wait--;
      }
    });
  }

  /** An enemy steps every `moveInterval + 1` frames; touching the sub, before or after, ends the game. */
  private stepEnemy(list: Piece[], e: Piece): number {
    if (this.atSub(e)) this.over = true;
    if (e.wait !== 0) {
      e.wait--;
      return 0;
    }
    e.wait = this.moveInterval;
    e.x += e.right ? 1 : -1;
    if (e.x < 0 || e.x >= GRID) {
      removeFirstEqual(list, e);
    } else if (this.atSub(e)) {
      this.over = true;
    } else {
      const t = this.torpedoes.find((b) => b.x === e.x && b.y === e.y);
      if (t) {
        removeFirstEqual(list, e);
        removeFirstEqual(this.torpedoes, t);
        return 1;
      }
    }
    return 0;
  }

  private moveEnemySubs(): number {
    let reward = 0;
    forEachReversed(this.enemySubs, (s) => {
      reward += this.stepEnemy(this.enemySubs, s);
      // Even a sub that just left the grid or was sunk this frame still fires if it is due.
      if (s.reload === 0) {
        s.reload = ENEMY_RELOAD;
        this.enemyBullets.push({ x: s.x, y: s.y, right: s.right, wait: 0, reload: 0 });
      } else {
        s.reload--;
      }
    });
    return reward;
  }

  private moveEnemyBullets(): void {
    forEachReversed(this.enemyBullets, (b) => {
      if (this.atSub(b)) this.over = true;
      b.x += b.right ? 1 : -1;
      if (b.x < 0 || b.x >= GRID) removeFirstEqual(this.enemyBullets, b);
      else if (this.atSub(b)) this.over = true;
    });
  }

  private moveFish(): number {
    let reward = 0;
    forEachReversed(this.fish, (f) => {
      reward += this.stepEnemy(this.fish, f);
    });
    return reward;
  }

  /** Refills oxygen and drops one diver (a full crew pays out first); ramps difficulty. */
  private surface(): number {
    this.surfaced = true;
    let reward = 0;
    if (this.divers === MAX_DIVERS) {
      this.divers = 0;
      reward = Math.floor((this.oxygen * 10) / MAX_OXYGEN);
    }
    this.oxygen = MAX_OXYGEN;
    this.divers--;
    if (this.ramping && (this.spawnInterval > 1 || this.moveInterval > 2)) {
      if (this.moveInterval > 2 && this.rampLevel % 2 === 1) this.moveInterval--;
      if (this.spawnInterval > 1) this.spawnInterval--;
      this.rampLevel++;
    }
    return reward;
  }

  /**
   * Three draws every time (side, kind, row), even when the spawn is then refused because the
   * row already holds an enemy heading the other way.
   */
  private spawnEnemy(): void {
    const right = this.random.rand() < 1 / 2;
    const isSub = this.random.rand() < 1 / 3;
    const y = this.random.randint(1, GRID - 1);
    const x = right ? 0 : GRID - 1;
    if ([...this.enemySubs, ...this.fish].some((e) => e.y === y && e.right !== right)) return;
    if (isSub) this.enemySubs.push({ x, y, right, wait: this.moveInterval, reload: ENEMY_RELOAD });
    else this.fish.push({ x, y, right, wait: this.moveInterval, reload: 0 });
  }

  private spawnDiver(): void {
    const right = this.random.rand() < 1 / 2;
    const y = this.random.randint(1, GRID - 1);
    this.swimmers.push({ x: right ? 0 : GRID - 1, y, right, wait: DIVER_MOVE_INTERVAL, reload: 0 });
  }
}
