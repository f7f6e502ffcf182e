import type { Env, ResetOptions, ResetResult, StepResult } from '../core.js';
import type { Action } from '../spaces.js';
import { Wrapper } from './wrapper.js';

/** Truncates an episode after `maxEpisodeSteps` steps (terminated and truncated may both be true). */
export class TimeLimit extends Wrapper {
  private elapsedSteps = 0;

  constructor(
    env: Env,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new RangeError(`TimeLimit needs a positive integer maxEpisodeSteps, got ${maxEpisodeSteps}`);
    }
  }

  get elapsed(): number {
    return this.elapsedSteps;
  }

  override reset(opts?: ResetOptions): ResetResult {
    this.elapsedSteps = 0;
    return this.env.reset(opts);
  }

  override step(action: Action): StepResult {
    const r = this.env.step(action);
    this.elapsedSteps += 1;
    if (this.elapsedSteps >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }
}
