import { BaseEnv, assertFiniteOption, resetBounds, type ResetOptions, type ResetResult, type StepResult } from '../core.js';
import { Box, type Action } from '../spaces.js';
import { MAX_POSITION, MAX_SPEED, MIN_POSITION, integrateMountainCar } from './mountainCar.js';

export interface MountainCarContinuousOptions {
  /** Minimum velocity at the goal for the episode to terminate. */
  goal_velocity: number;
}

export const mountainCarContinuousDefaults = { goal_velocity: 0 } satisfies MountainCarContinuousOptions;

/** MountainCarContinuous-v0: the mountain car with a continuous throttle, +100 at the goal and a quadratic action cost. */
export class MountainCarContinuousEnv extends BaseEnv {
  static readonly power = 0.0015;
  static readonly goalPosition = 0.45;

  readonly observationSpace = new Box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED]);
  readonly actionSpace = new Box(-1, 1, [1]);
  /** [position, velocity], stored as float32 after each step like Gymnasium. */
  readonly state = new Float32Array(2);
  private readonly opts: MountainCarContinuousOptions;

  constructor(opts: Partial<MountainCarContinuousOptions> = {}) {
    super();
    this.opts = { ...mountainCarContinuousDefaults, ...opts };
    assertFiniteOption('goal_velocity', this.opts.goal_velocity);
  }

  reset({ seed, options }: ResetOptions = {}): ResetResult {
    this.seedRng(seed);
    const [low, high] = resetBounds(options, -0.6, -0.4);
    this.state[0] = this.rng.uniform(low, high);
    this.state[1] = 0;
    return { obs: Float32Array.from(this.state), info: {} };
  }

  step(action: Action): StepResult {
    this.checkAction(action);
    const a = (action as ArrayLike<number>)[0];
    const force = Math.min(Math.max(a, -1), 1);
    const [position, velocity] = integrateMountainCar(this.state[0], this.state[1], force * MountainCarContinuousEnv.power);
    this.state[0] = position;
    this.state[1] = velocity;
    const terminated = position >= MountainCarContinuousEnv.goalPosition && velocity >= this.opts.goal_velocity;
    // The action cost uses the raw, unclipped action.
    const reward = (terminated ? 100 : 0) - 0.1 * a * a;
    return { obs: Float32Array.from(this.state), reward, terminated, truncated: false, info: {} };
  }
}
