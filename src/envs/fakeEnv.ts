import type { Rng } from '../utils/rng.js';
import { BaseEnv, type Info, type ResetOptions, type ResetResult, type StepResult } from './core.js';
import { Box, type Action, type Discrete } from './spaces.js';

export interface FakeEnvOptions {
  observationSpace?: Box;
  actionSpace: Box | Discrete;
  /** First observation of an episode. */
  reset?: (rng: Rng, options: Record<string, unknown> | undefined) => ArrayLike<number>;
  /** One transition; `t` counts steps since the last reset, starting at 1. */
  step: (action: Action, t: number, rng: Rng) => { obs: ArrayLike<number>; reward: number; terminated?: boolean; truncated?: boolean; info?: Info };
}

/**
 * An env whose reset and step are injected, for tests of wrappers, vector envs and
 * algorithms. Actions are validated against the action space like any real env.
 */
export class FakeEnv extends BaseEnv {
  readonly observationSpace: Box;
  readonly actionSpace: Box | Discrete;
  /** Steps since the last reset. */
  t = 0;

  constructor(private readonly opts: FakeEnvOptions) {
    super();
    this.observationSpace = opts.observationSpace ?? new Box(-Infinity, Infinity, [1]);
    this.actionSpace = opts.actionSpace;
  }

  reset({ seed, options }: ResetOptions = {}): ResetResult {
    this.seedRng(seed);
    this.t = 0;
    const obs = this.opts.reset?.(this.rng, options) ?? new Float32Array(this.observationSpace.size);
    return { obs: Float32Array.from(obs), info: {} };
  }

  step(action: Action): StepResult {
    this.checkAction(action);
    this.t += 1;
    const r = this.opts.step(action, this.t, this.rng);
    return { obs: Float32Array.from(r.obs), reward: r.reward, terminated: r.terminated ?? false, truncated: r.truncated ?? false, info: r.info ?? {} };
  }
}
