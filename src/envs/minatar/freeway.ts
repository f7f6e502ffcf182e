import { NumpyRandomState } from '../../utils/mt19937.js';
import { DOWN, GRID, UP, gridWriter, type MinAtarGame, type MinAtarGameOptions } from './game.js';

/**
 * Freeway, after MinAtar's rules (Young & Tian 2019). A chicken in column 4 tries to cross eight
 * lanes of traffic (rows 1-8) from the bottom row to the top. It can only step up or down, and at
 * most once every 3 frames. Reaching row 0 scores +1, sends the chicken back to row 9 and
 * re-rolls every car's speed and direction (positions kept). Each car wraps around the screen and
 * moves one cell every 1-5 frames; a car on the chicken's cell sends it back to the bottom with no
 * penalty. A trail cell behind each car shows its direction, and which trail channel is lit shows
 * its speed. The episode ends after 2500 frames have gone by; there is no difficulty ramp.
 */

const PLAYER_COOLDOWN = 3;
const FRAMES = 2500;
const CHICKEN_COLUMN = 4;
const BOTTOM = GRID - 1;
const LANES = 8;

/** One car: column, lane row, frames left until its next move, and signed period (sign is direction). */
interface Car {
  x: number;
  y: number;
  wait: number;
  period: number;
}

export class FreewayGame implements MinAtarGame {
  readonly channels = ['chicken', 'car', 'speed1', 'speed2', 'speed3', 'speed4', 'speed5'] as const;
  /** No-op, up, down. */
  readonly minimalActionSet = [0, 2, 4] as const;
  random = new NumpyRandomState(0);
  readonly opts: MinAtarGameOptions;

  private cars: Car[] = [];
  private row = BOTTOM;
  private cooldown = PLAYER_COOLDOWN;
  private framesLeft = FRAMES;
  private over = false;

  constructor(opts: Partial<MinAtarGameOptions> = {}) {
    this.opts = { ramping: true, ...opts };
    this.reset();
  }

  reset(): void {
    this.rollCars(true);
    this.row = BOTTOM;
    this.cooldown = PLAYER_COOLDOWN;
    this.framesLeft = FRAMES;
    this.over = false;
  }

  act(action: number): { reward: number; terminal: boolean } {
    let reward = 0;
    if (this.over) return { reward, terminal: true };

    if (action === UP && this.cooldown === 0) {
      this.cooldown = PLAYER_COOLDOWN;
      this.row = Math.max(0, this.row - 1);
    } else if (action === DOWN && this.cooldown === 0) {
      this.cooldown = PLAYER_COOLDOWN;
      this.row = Math.min(BOTTOM, this.row + 1);
    }

    // The crossing is scored before the cars move, so the chicken is already back at the bottom.
    if (this.row === 0) {
      reward += 1;
      this.rollCars(false);
      this.row = BOTTOM;
    }

    // A hit is checked both before and after each car's move, against the chicken's row as it
    // stands at that point in the loop (an earlier car may already have sent it home).
    for (const car of this.cars) {
      if (this.hits(car)) this.row = BOTTOM;
      if (car.wait === 0) {
        car.wait = Math.abs(car.period);
        car.x += car.period > 0 ? 1 : -1;
        if (car.x < 0) car.x = GRID - 1;
        else if (car.x > GRID - 1) car.x = 0;
        if (this.hits(car)) this.row = BOTTOM;
      } else {
        car.wait -= 1;
      }
    }

    if (this.cooldown > 0) this.cooldown -= 1;
    this.framesLeft -= 1;
    // The count goes below zero only on the 2501st frame, so an episode lasts 2501 frames.
    if (this.framesLeft < 0) this.over = true;
    return { reward, terminal: this.over };
  }

  state(out: Float32Array): void {
    const set = gridWriter(out, this.channels.length);
    set(this.row, CHICKEN_COLUMN, 0);
    // A car with period 0 (a direction draw of exactly 0.5) has no trail channel of its own; it
    // reuses the previous car's, as a loop variable left over from the last iteration would.
    let trail = 2;
    for (const car of this.cars) {
      set(car.y, car.x, 1);
      let back = car.period > 0 ? car.x - 1 : car.x + 1;
      if (back < 0) back = GRID - 1;
      else if (back > GRID - 1) back = 0;
      const speed = Math.abs(car.period);
      if (speed >= 1 && speed <= 5) trail = 1 + speed;
      set(car.y, back, trail);
    }
  }

  difficultyRamp(): number | null {
    return null;
  }

  /** Whether the car sits on the chicken's cell. */
  private hits(car: Car): boolean {
    return car.x === CHICKEN_COLUMN && car.y === this.row;
  }

  /**
   * New periods 1-5 and directions for all eight cars: all the speed draws first, then all the
   * direction draws. On a fresh episode the cars also start at column 0, one per lane.
   */
  private rollCars(fresh: boolean): void {
    const speeds: number[] = [];
    for (let i = 0; i < LANES; i++) speeds.push(this.random.randint(1, 6));
    const periods = speeds.map((s) => s * Math.sign(this.random.rand() - 0.5));
    if (fresh) {
      this.cars = periods.map((p, i) => ({ x: 0, y: i + 1, wait: Math.abs(p), period: p }));
    } else {
      periods.forEach((p, i) => {
        const car = this.cars[i]!;
        car.wait = Math.abs(p);
        car.period = p;
      });
    }
  }
}
