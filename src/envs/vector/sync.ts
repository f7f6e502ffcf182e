import { assertSeed } from '../../utils/rng.js';
import type { Env, Info } from '../core.js';
import { Box, flatActionSize } from '../spaces.js';
import { EnvSlice, allocViews, finalObservations } from './slice.js';
import type { VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';

/** Steps its sub-envs one after another in this thread. */
export class SyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace;
  readonly obsSize: number;
  readonly actionSize: number;
  private readonly slice: EnvSlice;

  /** `infoKeys`: forward only these info keys (default: all). */
  constructor(envFns: (() => Env)[], infoKeys: string[] | null = null) {
    if (envFns.length === 0) throw new RangeError('a vector env needs at least one sub-env');
    const envs = envFns.map((f) => f());
    this.numEnvs = envs.length;
    this.singleObservationSpace = envs[0].observationSpace;
    this.singleActionSpace = envs[0].actionSpace;
    this.obsSize = this.singleObservationSpace.size;
    this.actionSize = flatActionSize(this.singleActionSpace);
    this.slice = new EnvSlice(envs, 0, this.obsSize, this.actionSize, !(this.singleActionSpace instanceof Box), infoKeys);
  }

  /** The sub-envs, for inspection (e.g. render states). */
  get subEnvs(): readonly Env[] {
    return this.slice.envs;
  }

  reset(opts: VectorResetOptions = {}): VectorResetResult {
    if (opts.seed !== undefined) assertSeed(opts.seed);
    const v = allocViews(this.numEnvs, this.obsSize, this.actionSize);
    const infos = this.collect(this.slice.reset(v, opts.seed, opts.options));
    return { obs: v.obs, infos };
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    checkActionBatch(actions, this.numEnvs, this.actionSize);
    const v = allocViews(this.numEnvs, this.obsSize, this.actionSize);
    v.actions.set(actions);
    const infos = this.collect(this.slice.step(v));
    return {
      obs: v.obs,
      rewards: v.rewards,
      terminated: v.terminated,
      truncated: v.truncated,
      infos,
      finalObs: finalObservations(v, this.numEnvs, this.obsSize),
    };
  }

  close(): void {
    this.slice.close();
  }

  private collect(pairs: [number, Info][]): Info[] {
    const infos: Info[] = Array.from({ length: this.numEnvs }, () => ({}));
    for (const [i, info] of pairs) infos[i] = info;
    return infos;
  }
}

export function checkActionBatch(actions: ArrayLike<number>, numEnvs: number, actionSize: number): void {
  if (actions == null || typeof actions.length !== 'number' || actions.length !== numEnvs * actionSize) {
    throw new TypeError(
      `vector env step expects ${numEnvs} x ${actionSize} = ${numEnvs * actionSize} action values, got ${actions?.length ?? String(actions)}`,
    );
  }
}
