import { BaseEnv, assertFiniteOption, resetBounds, type ResetOptions, type ResetResult, type StepResult } from '../core.js';
import { Box, Discrete, type Action } from '../spaces.js';
import type { ClassicRenderSpec } from '../render.js';

export interface MountainCarOptions {
  /** Minimum velocity at the goal for the episode to terminate. */
  goal_velocity: number;
}

export const mountainCarDefaults = { goal_velocity: 0 } satisfies MountainCarOptions;

export const MIN_POSITION = -1.2;
export const MAX_POSITION = 0.6;
export const MAX_SPEED = 0.07;
export const GRAVITY = 0.0025;

/** What both mountain cars share: the track, the reset distribution and the goal check. */
export abstract class MountainCarBase extends BaseEnv {
  /** A 2D viewer draws MountainCar from the physical state. */
  override renderSpec(): ClassicRenderSpec {
    return { kind: 'classic', scene: 'MountainCar', dt: 1 / 30, fields: ['position', 'velocity'] };
  }

  override renderState(): Float32Array {
    return Float32Array.from(this.state);
  }

  readonly observationSpace = new Box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED]);
  /** [position, velocity]. */
  abstract readonly state: Float32Array | Float64Array;
  protected readonly opts: MountainCarOptions;

  constructor(
    opts: Partial<MountainCarOptions>,
    private readonly goalPosition: number,
  ) {
    super();
    this.opts = { ...mountainCarDefaults, ...opts };
    assertFiniteOption('goal_velocity', this.opts.goal_velocity);
  }

  reset({ seed, options }: ResetOptions = {}): ResetResult {
    this.seedRng(seed);
    const [low, high] = resetBounds(options, -0.6, -0.4);
    this.state[0] = this.rng.uniform(low, high);
    this.state[1] = 0;
    return { obs: Float32Array.from(this.state), info: {} };
  }

  /** Applies one push and returns whether the car reached the goal fast enough. */
  protected move(push: number): boolean {
    const [position, velocity] = integrateMountainCar(this.state[0], this.state[1], push);
    this.state[0] = position;
    this.state[1] = velocity;
    // Checked before any float32 rounding of the stored state, as Gymnasium does.
    return position >= this.goalPosition && velocity >= this.opts.goal_velocity;
  }
}

/** MountainCar-v0: an underpowered car must rock back and forth to reach the flag at x = 0.5. */
export class MountainCarEnv extends MountainCarBase {
  static readonly force = 0.001;
  readonly actionSpace = new Discrete(3);
  /** Float64 internally, as Gymnasium. */
  readonly state = new Float64Array(2);

  constructor(opts: Partial<MountainCarOptions> = {}) {
    super(opts, 0.5);
  }

  step(action: Action): StepResult {
    this.checkAction(action);
    const terminated = this.move(((action as number) - 1) * MountainCarEnv.force);
    return { obs: Float32Array.from(this.state), reward: -1, terminated, truncated: false, info: {} };
  }
}

/** One semi-implicit step shared by both mountain cars: velocity first, then position, with the left wall. */
export function integrateMountainCar(position: number, velocity: number, push: number): [number, number] {
  velocity += push - GRAVITY * Math.cos(3 * position);
  velocity = Math.min(Math.max(velocity, -MAX_SPEED), MAX_SPEED);
  position += velocity;
  position = Math.min(Math.max(position, MIN_POSITION), MAX_POSITION);
  if (position === MIN_POSITION && velocity < 0) velocity = 0;
  return [position, velocity];
}
