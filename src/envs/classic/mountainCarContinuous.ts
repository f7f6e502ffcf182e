import type { StepResult } from '../core.js';
import { Box, type Action } from '../spaces.js';
import { MountainCarBase, mountainCarDefaults, type MountainCarOptions } from './mountainCar.js';

export type MountainCarContinuousOptions = MountainCarOptions;
export const mountainCarContinuousDefaults = mountainCarDefaults;

/** MountainCarContinuous-v0: the mountain car with a continuous throttle, +100 at the goal and a quadratic action cost. */
export class MountainCarContinuousEnv extends MountainCarBase {
  static readonly power = 0.0015;
  readonly actionSpace = new Box(-1, 1, [1]);
  /** Stored as float32 after each step, as Gymnasium. */
  readonly state = new Float32Array(2);

  constructor(opts: Partial<MountainCarContinuousOptions> = {}) {
    super(opts, 0.45);
  }

  step(action: Action): StepResult {
    this.checkAction(action);
    const a = (action as ArrayLike<number>)[0];
    const terminated = this.move(Math.min(Math.max(a, -1), 1) * MountainCarContinuousEnv.power);
    // The action cost uses the raw, unclipped action.
    const reward = (terminated ? 100 : 0) - 0.1 * a * a;
    return { obs: Float32Array.from(this.state), reward, terminated, truncated: false, info: {} };
  }
}
