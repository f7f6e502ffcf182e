import { RunningMeanStd, type RunningMeanStdState } from '../../utils/runningMeanStd.js';
import type { Env } from '../core.js';
import { Box } from '../spaces.js';
import { ObservationWrapper } from './wrapper.js';

export interface NormalizeObservationOptions {
  /** Clip normalised values to +-clip (SB3's VecNormalize uses 10). */
  clip: number;
  /** Added to the variance before the square root. */
  epsilon: number;
}

export const normalizeObservationDefaults = { clip: 10, epsilon: 1e-8 } satisfies NormalizeObservationOptions;

/**
 * Normalises observations by a running mean/std. Set `update = false` to freeze the
 * statistics (evaluation); `state()`/`load()` save them with the model.
 */
export class NormalizeObservation extends ObservationWrapper {
  readonly rms: RunningMeanStd;
  update = true;
  private readonly opts: NormalizeObservationOptions;
  private readonly space: Box;

  constructor(env: Env, opts: Partial<NormalizeObservationOptions> = {}) {
    super(env);
    this.opts = { ...normalizeObservationDefaults, ...opts };
    this.rms = new RunningMeanStd(env.observationSpace.size);
    this.space = new Box(-Infinity, Infinity, env.observationSpace.shape);
  }

  override get observationSpace(): Box {
    return this.space;
  }

  observation(obs: Float32Array): Float32Array {
    if (this.update) this.rms.update(obs, 1);
    return this.rms.normalize(obs, new Float32Array(obs.length), this.opts.clip, this.opts.epsilon, 1);
  }

  state(): RunningMeanStdState {
    return this.rms.state();
  }

  load(state: RunningMeanStdState): void {
    this.rms.load(state, 'observation normaliser');
  }
}
