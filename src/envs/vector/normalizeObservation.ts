import { RunningMeanStd, type RunningMeanStdState } from '../../utils/runningMeanStd.js';
import { Box, type Discrete } from '../spaces.js';
import { normalizeObservationDefaults, type NormalizeObservationOptions } from '../wrappers/normalizeObservation.js';
import type { VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';

/**
 * Normalises a vector env's observations with one running mean/std shared by all
 * sub-envs (SB3's VecNormalize for observations). `finalObs` is normalised with the same
 * statistics, without updating them. Freeze with `update = false` for evaluation.
 */
export class VecNormalizeObservation implements VectorEnv {
  readonly rms: RunningMeanStd;
  update = true;
  readonly singleObservationSpace: Box;
  private readonly opts: NormalizeObservationOptions;

  /** Pass `rms` to share statistics with their owner (e.g. the agent that is saved with them). */
  constructor(
    readonly env: VectorEnv,
    opts: Partial<NormalizeObservationOptions> = {},
    rms: RunningMeanStd = new RunningMeanStd(env.obsSize),
  ) {
    this.opts = { ...normalizeObservationDefaults, ...opts };
    if (rms.size !== env.obsSize) throw new Error(`observation normaliser has size ${rms.size}, the env's observations have ${env.obsSize}`);
    this.rms = rms;
    this.singleObservationSpace = new Box(-Infinity, Infinity, env.singleObservationSpace.shape);
  }

  get numEnvs(): number {
    return this.env.numEnvs;
  }
  get singleActionSpace(): Box | Discrete {
    return this.env.singleActionSpace;
  }
  get obsSize(): number {
    return this.env.obsSize;
  }
  get actionSize(): number {
    return this.env.actionSize;
  }

  reset(opts?: VectorResetOptions): VectorResetResult {
    const r = this.env.reset(opts);
    return { ...r, obs: this.normalize(r.obs, this.update) };
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    const r = this.env.step(actions);
    const finalObs = r.finalObs.map((o) => (o === null ? null : this.normalize(o, false)));
    return { ...r, obs: this.normalize(r.obs, this.update), finalObs };
  }

  close(): void {
    this.env.close();
  }

  /** Normalises [n, obsSize] rows with the current statistics, updating them first if asked. */
  normalize(obs: Float32Array, update: boolean): Float32Array {
    if (update) this.rms.update(obs);
    return this.rms.normalize(obs, new Float32Array(obs.length), this.opts.clip, this.opts.epsilon);
  }

  state(): RunningMeanStdState {
    return this.rms.state();
  }

  load(state: RunningMeanStdState): void {
    this.rms.load(state, 'observation normaliser');
  }
}
