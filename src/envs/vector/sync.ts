import { assertSeed } from '../../utils/rng.js';
import type { Env, Info } from '../core.js';
import { Box, flatActionSize } from '../spaces.js';
import { EnvSlice, allocViews, finalObservations } from './slice.js';
import { decodeSubEnvs, subEnvsIdentity, subEnvsSnapshot, type SubEnvsIdentity } from './snapshot.js';
import type { VecEnvSnapshot, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';

/** Steps its sub-envs one after another in this thread. */
export class SyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace;
  readonly obsSize: number;
  readonly actionSize: number;
  readonly renderSize: number;
  private readonly slice: EnvSlice;
  private readonly identity: SubEnvsIdentity;

  /** `infoKeys`: forward only these info keys (default: all); `recordRender`: return render states with every observation. */
  constructor(envFns: (() => Env)[], infoKeys: string[] | null = null, recordRender = false) {
    if (envFns.length === 0) throw new RangeError('a vector env needs at least one sub-env');
    const envs = envFns.map((f) => f());
    this.numEnvs = envs.length;
    this.singleObservationSpace = envs[0].observationSpace;
    this.singleActionSpace = envs[0].actionSpace;
    this.obsSize = this.singleObservationSpace.size;
    this.actionSize = flatActionSize(this.singleActionSpace);
    this.renderSize = 0;
    if (recordRender) {
      envs[0].reset({ seed: 0 });
      const frame = envs[0].renderState();
      if (frame === null) {
        for (const env of envs) env.close();
        throw new Error(`${envs[0].spec?.id ?? 'env'} has no render states, so its segments cannot be replayed`);
      }
      this.renderSize = frame.length;
    }
    this.slice = new EnvSlice(envs, 0, this.obsSize, this.actionSize, !(this.singleActionSpace instanceof Box), infoKeys, this.renderSize);
    this.identity = subEnvsIdentity(envs[0].spec, this.obsSize, this.actionSize);
  }

  /** The sub-envs, for inspection (e.g. render states). */
  get subEnvs(): readonly Env[] {
    return this.slice.envs;
  }

  reset(opts: VectorResetOptions = {}): VectorResetResult {
    if (opts.seed !== undefined) assertSeed(opts.seed);
    const v = allocViews(this.numEnvs, this.obsSize, this.actionSize, this.renderSize);
    const infos = this.collect(this.slice.reset(v, opts.seed, opts.options));
    return v.render ? { obs: v.obs, infos, render: v.render } : { obs: v.obs, infos };
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    checkActionBatch(actions, this.numEnvs, this.actionSize);
    const v = allocViews(this.numEnvs, this.obsSize, this.actionSize, this.renderSize);
    v.actions.set(actions);
    const infos = this.collect(this.slice.step(v));
    const result: VectorStepResult = {
      obs: v.obs,
      rewards: v.rewards,
      terminated: v.terminated,
      truncated: v.truncated,
      infos,
      finalObs: finalObservations(v, this.numEnvs, this.obsSize),
    };
    if (v.render) result.render = v.render;
    return result;
  }

  snapshot(): VecEnvSnapshot {
    return subEnvsSnapshot(this.identity, this.slice.snapshot());
  }

  restore(snapshot: VecEnvSnapshot): void {
    this.slice.restore(decodeSubEnvs(snapshot, this.identity, this.numEnvs));
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
