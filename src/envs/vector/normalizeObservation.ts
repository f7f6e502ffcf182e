import { RunningMeanStd, type RunningMeanStdState } from '../../utils/runningMeanStd.js';
import { Box } from '../spaces.js';
import { normalizeObservationDefaults, type NormalizeObservationOptions } from '../wrappers/normalizeObservation.js';
import type { VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';
import { VectorWrapper } from './wrapper.js';

/**
 * Normalises a vector env's observations with one running mean/std shared by all
 * sub-envs (SB3's VecNormalize for observations). `finalObs` is normalised with the same
 * statistics, without updating them. Freeze with `update = false` for evaluation.
 * `snapshot`/`restore` pass through: the statistics belong to the agent and are saved with
 * it, and restoring replays below this wrapper, so it does not update them.
 */
export class VecNormalizeObservation extends VectorWrapper {
  readonly rms: RunningMeanStd;
  update = true;
  private readonly space: Box;
  private readonly opts: NormalizeObservationOptions;

  /** Pass `rms` to share statistics with their owner (e.g. the agent that is saved with them). */
  constructor(env: VectorEnv, opts: Partial<NormalizeObservationOptions> = {}, rms: RunningMeanStd = new RunningMeanStd(env.obsSize)) {
    super(env);
    this.opts = { ...normalizeObservationDefaults, ...opts };
    if (rms.size !== env.obsSize) throw new Error(`observation normaliser has size ${rms.size}, the env's observations have ${env.obsSize}`);
    this.rms = rms;
    this.space = new Box(-Infinity, Infinity, env.singleObservationSpace.shape);
  }

  override get singleObservationSpace(): Box {
    return this.space;
  }

  override reset(opts?: VectorResetOptions): VectorResetResult {
    const r = this.env.reset(opts);
    return { ...r, obs: this.normalize(r.obs, this.update) };
  }

  override step(actions: ArrayLike<number>): VectorStepResult {
    const r = this.env.step(actions);
    const finalObs = r.finalObs.map((o) => (o === null ? null : this.normalize(o, false)));
    return { ...r, obs: this.normalize(r.obs, this.update), finalObs };
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
