import { decodeFloats } from '../../utils/floats.js';
import { Rng, type RngState } from '../../utils/rng.js';
import type { EnvSpec } from '../core.js';
import type { VecEnvSnapshot } from './types.js';

/**
 * Vector env snapshots by deterministic replay. A sub-env's episode so far is a function of
 * its last reset call (seed, or the generator's state just before an unseeded reset, plus
 * options) and the actions since, so that is all a snapshot holds; `restore` resets the same
 * way and replays the actions. This is exact for every env, MuJoCo's solver warmstart
 * included, and wrapper counters (TimeLimit, episode statistics) come back with it.
 */

/** One sub-env's episode so far, as what replays it. */
export interface SubEnvSnapshot {
  /** The env generator just before the last reset (now, if never reset). */
  rng: RngState;
  /** That reset's seed and options; null if the sub-env was never reset. */
  reset: { seed?: number; options?: Record<string, unknown> } | null;
  /** Steps since the reset. */
  steps: number;
  /** Their actions: steps x actionSize float64, base64. */
  actions: string;
  /** The current observation (float32, base64), to catch a replay that diverged. */
  obs: string;
}

/** A `SubEnvSnapshot` decoded and checked, ready to replay. */
export interface EpisodeReplay {
  rng: RngState;
  reset: { seed?: number; options?: Record<string, unknown> } | null;
  /** steps x actionSize. */
  actions: Float64Array;
  obs: Float32Array;
}

/** What a snapshot of sub-envs must match: the registered id and options, and the sizes. */
export interface SubEnvsIdentity {
  envId: string | null;
  maxEpisodeSteps: number | null;
  kwargs: Record<string, unknown> | null;
  obsSize: number;
  actionSize: number;
}

/** The `state` of a snapshot of kind 'envs'. */
export interface SubEnvsState extends SubEnvsIdentity {
  subEnvs: SubEnvSnapshot[];
}

export const SUB_ENVS_KIND = 'envs';

export function subEnvsIdentity(spec: EnvSpec | undefined, obsSize: number, actionSize: number): SubEnvsIdentity {
  return { envId: spec?.id ?? null, maxEpisodeSteps: spec?.maxEpisodeSteps ?? null, kwargs: spec?.kwargs ?? null, obsSize, actionSize };
}

export function subEnvsSnapshot(id: SubEnvsIdentity, subEnvs: SubEnvSnapshot[]): VecEnvSnapshot {
  const state: SubEnvsState = { ...id, subEnvs };
  return { format: 'overseer.vecenv', version: 1, kind: SUB_ENVS_KIND, numEnvs: subEnvs.length, state };
}

/** Checks format, version and writer of a snapshot; `where` names the env restoring it. */
export function checkSnapshotKind(s: VecEnvSnapshot, kind: string, where: string): void {
  const x = s as Partial<VecEnvSnapshot> | null;
  if (!x || typeof x !== 'object' || x.format !== 'overseer.vecenv') throw new Error(`${where}: not a vector env snapshot (format is not 'overseer.vecenv')`);
  if (x.version !== 1) throw new Error(`${where}: unsupported vector env snapshot version ${String(x.version)} (this build reads version 1)`);
  if (x.kind !== kind) {
    throw new Error(`${where}: the snapshot is of kind '${String(x.kind)}', not '${kind}' (saved from a differently wrapped vector env?)`);
  }
}

export function checkNumEnvs(s: VecEnvSnapshot, numEnvs: number, where: string): void {
  if (s.numEnvs !== numEnvs) throw new Error(`${where}: the snapshot has ${String(s.numEnvs)} sub-envs, this vector env has ${numEnvs}`);
}

/** Checks a snapshot of kind 'envs' against the sub-envs restoring it and decodes it, before anything changes. */
export function decodeSubEnvs(s: VecEnvSnapshot, id: SubEnvsIdentity, numEnvs: number): EpisodeReplay[] {
  const where = `cannot restore ${id.envId ?? 'vector env'}`;
  checkSnapshotKind(s, SUB_ENVS_KIND, where);
  const st = s.state as Partial<SubEnvsState> | null;
  if (!st || typeof st !== 'object' || !Array.isArray(st.subEnvs)) throw new Error(`${where}: the snapshot has no sub-env states`);
  if (st.envId !== id.envId) throw new Error(`${where}: the snapshot is of ${st.envId ?? 'an unregistered env'}`);
  const options = (x: Partial<SubEnvsIdentity>) => JSON.stringify({ maxEpisodeSteps: x.maxEpisodeSteps, kwargs: x.kwargs });
  if (options(st) !== options(id)) throw new Error(`${where}: the snapshot was made with options ${options(st)}, this env has ${options(id)}`);
  checkNumEnvs(s, numEnvs, where);
  if (st.subEnvs.length !== numEnvs) throw new Error(`${where}: the snapshot holds ${st.subEnvs.length} sub-env states for ${numEnvs} sub-envs`);
  if (st.obsSize !== id.obsSize || st.actionSize !== id.actionSize) {
    throw new Error(`${where}: the snapshot has observations of ${String(st.obsSize)} and actions of ${String(st.actionSize)} values, this env ${id.obsSize} and ${id.actionSize}`);
  }
  return st.subEnvs.map((sub, g) => decodeSubEnv(sub, g, id, where));
}

function decodeSubEnv(sub: SubEnvSnapshot, g: number, id: SubEnvsIdentity, where: string): EpisodeReplay {
  const bad = (what: string): Error => new Error(`${where}: sub-env ${g}'s state ${what}`);
  if (!sub || typeof sub !== 'object') throw bad('is missing');
  try {
    Rng.fromState(sub.rng);
  } catch (e) {
    throw bad(`has a bad generator state: ${e instanceof Error ? e.message : String(e)}`);
  }
  const reset = sub.reset;
  if (reset !== null) {
    if (typeof reset !== 'object') throw bad('has a malformed reset');
    if (reset.seed !== undefined && !(Number.isSafeInteger(reset.seed) && reset.seed >= 0)) throw bad(`has a bad reset seed ${String(reset.seed)}`);
    if (reset.options !== undefined && (typeof reset.options !== 'object' || reset.options === null)) throw bad('has malformed reset options');
  }
  if (!Number.isSafeInteger(sub.steps) || sub.steps < 0) throw bad(`has a bad step count ${String(sub.steps)}`);
  if (reset === null && sub.steps > 0) throw bad('has steps but no reset to replay them from');
  if (typeof sub.actions !== 'string' || typeof sub.obs !== 'string') throw bad('is missing its actions or observation');
  const actions = decodeFloats(sub.actions, 'float64') as Float64Array;
  if (actions.length !== sub.steps * id.actionSize) throw bad(`has ${actions.length} action values for ${sub.steps} steps of ${id.actionSize}`);
  const obs = decodeFloats(sub.obs, 'float32') as Float32Array;
  if (obs.length !== id.obsSize) throw bad(`has an observation of ${obs.length} values, expected ${id.obsSize}`);
  return { rng: sub.rng, reset, actions, obs };
}
