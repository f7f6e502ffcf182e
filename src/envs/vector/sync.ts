import { assertSeed } from '../../utils/rng.js';
import type { Env, Info } from '../core.js';
import { Box, flatActionSize, type Action } from '../spaces.js';
import type { VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';

/** Steps its sub-envs one after another in this thread. */
export class SyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace;
  readonly obsSize: number;
  readonly actionSize: number;
  private readonly envs: Env[];

  constructor(envFns: (() => Env)[]) {
    if (envFns.length === 0) throw new RangeError('a vector env needs at least one sub-env');
    this.envs = envFns.map((f) => f());
    this.numEnvs = this.envs.length;
    this.singleObservationSpace = this.envs[0].observationSpace;
    this.singleActionSpace = this.envs[0].actionSpace;
    this.obsSize = this.singleObservationSpace.size;
    this.actionSize = flatActionSize(this.singleActionSpace);
  }

  /** The sub-envs, for inspection (e.g. render states). */
  get subEnvs(): readonly Env[] {
    return this.envs;
  }

  reset(opts: VectorResetOptions = {}): VectorResetResult {
    if (opts.seed !== undefined) assertSeed(opts.seed);
    const obs = new Float32Array(this.numEnvs * this.obsSize);
    const infos: Info[] = [];
    this.envs.forEach((env, i) => {
      const r = env.reset({ seed: opts.seed === undefined ? undefined : opts.seed + i, options: opts.options });
      obs.set(r.obs, i * this.obsSize);
      infos.push(r.info);
    });
    return { obs, infos };
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    const n = this.numEnvs;
    checkActionBatch(actions, n, this.actionSize);
    const out: VectorStepResult = {
      obs: new Float32Array(n * this.obsSize),
      rewards: new Float64Array(n),
      terminated: new Uint8Array(n),
      truncated: new Uint8Array(n),
      infos: new Array<Info>(n),
      finalObs: new Array<Float32Array | null>(n).fill(null),
    };
    for (let i = 0; i < n; i++) {
      const r = this.envs[i].step(actionRow(this.singleActionSpace, actions, i, this.actionSize));
      let obs = r.obs;
      let info = r.info;
      if (r.terminated || r.truncated) {
        out.finalObs[i] = obs;
        const reset = this.envs[i].reset();
        obs = reset.obs;
        info = { ...info, reset_info: reset.info };
      }
      out.obs.set(obs, i * this.obsSize);
      out.rewards[i] = r.reward;
      out.terminated[i] = r.terminated ? 1 : 0;
      out.truncated[i] = r.truncated ? 1 : 0;
      out.infos[i] = info;
    }
    return out;
  }

  close(): void {
    for (const env of this.envs) env.close();
  }
}

/** Row i of a flat action batch, as the sub-env expects it (a number for Discrete). */
export function actionRow(space: Env['actionSpace'], actions: ArrayLike<number>, i: number, actionSize: number): Action {
  if (!(space instanceof Box)) return actions[i];
  const row = new Float64Array(actionSize);
  for (let j = 0; j < actionSize; j++) row[j] = actions[i * actionSize + j];
  return row;
}

export function checkActionBatch(actions: ArrayLike<number>, numEnvs: number, actionSize: number): void {
  if (actions == null || typeof actions.length !== 'number' || actions.length !== numEnvs * actionSize) {
    throw new TypeError(
      `vector env step expects ${numEnvs} x ${actionSize} = ${numEnvs * actionSize} action values, got ${actions?.length ?? String(actions)}`,
    );
  }
}
