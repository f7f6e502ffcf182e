import { encodeFloats } from '../../utils/floats.js';
import type { RngState } from '../../utils/rng.js';
import type { Env, Info } from '../core.js';
import { make, type MakeOptions } from '../registry.js';
import { RecordEpisodeStatistics } from '../wrappers/recordEpisodeStatistics.js';
import type { EpisodeReplay, SubEnvSnapshot } from './snapshot.js';

/** Typed views over the vector env's shared buffers. */
export interface SharedViews {
  actions: Float64Array;
  obs: Float32Array;
  finalObs: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** [numEnvs, renderSize] render states, or null when not recorded. */
  render: Float32Array | null;
}

function isEmpty(info: Info): boolean {
  for (const _ in info) return false;
  return true;
}

/** The entries of `info` named in `keys` (all of it when keys is null). */
function pick(info: Info, keys: readonly string[] | null): Info {
  if (keys === null) return info;
  let out: Info | null = null;
  for (const k of keys) {
    if (k in info) {
      out ??= {};
      out[k] = info[k];
    }
  }
  return out ?? {};
}

/** What replays one sub-env's episode so far (see snapshot.ts): its last reset call and the actions since. */
class EpisodeRecord {
  reset: { seed?: number; options?: Record<string, unknown> } | null = null;
  steps = 0;
  /** Grows by doubling; rows of actionSize. */
  actions: Float64Array;
  readonly obs: Float32Array;

  constructor(
    /** The env generator just before the last reset. */
    public rng: RngState,
    private readonly actionSize: number,
    obsSize: number,
  ) {
    this.actions = new Float64Array(64 * actionSize);
    this.obs = new Float32Array(obsSize);
  }

  startEpisode(rng: RngState, reset: { seed?: number; options?: Record<string, unknown> }, obs: Float32Array): void {
    this.rng = rng;
    this.reset = reset;
    this.steps = 0;
    this.obs.set(obs);
  }

  addStep(actions: Float64Array, offset: number, obs: Float32Array): void {
    const n = this.actionSize;
    if ((this.steps + 1) * n > this.actions.length) {
      const grown = new Float64Array(this.actions.length * 2);
      grown.set(this.actions);
      this.actions = grown;
    }
    this.actions.set(actions.subarray(offset, offset + n), this.steps * n);
    this.steps += 1;
    this.obs.set(obs);
  }

  snapshot(): SubEnvSnapshot {
    const actions = this.actions.subarray(0, this.steps * this.actionSize);
    return { rng: this.rng, reset: this.reset, steps: this.steps, actions: encodeFloats(actions), obs: encodeFloats(this.obs) };
  }
}

/**
 * The sub-envs [first, first + envs.length) of a vector env, stepped by whichever thread owns
 * them (a worker, or the calling thread). Results go straight into the shared buffers; only
 * non-empty infos are returned, as [global index, info].
 */
export class EnvSlice {
  constructor(
    readonly envs: Env[],
    readonly first: number,
    private readonly obsSize: number,
    private readonly actionSize: number,
    private readonly discrete: boolean,
    /** Forward only these info keys (null: all); saves copying infos between threads every step. */
    private readonly infoKeys: readonly string[] | null = null,
    /** Floats per render state to write after every reset and step (0: none). */
    private readonly renderSize = 0,
  ) {
    this.records = envs.map((env) => new EpisodeRecord(env.rngState(), actionSize, obsSize));
  }

  private readonly records: EpisodeRecord[];

  /** Writes env k's render state into row g of `v.render`. */
  private writeRender(v: SharedViews, k: number, g: number): void {
    if (this.renderSize === 0 || v.render === null) return;
    const frame = this.envs[k].renderState();
    if (frame === null || frame.length !== this.renderSize) {
      throw new Error(`sub-env ${g}: render state has ${frame?.length ?? 'no'} values, expected ${this.renderSize}`);
    }
    v.render.set(frame, g * this.renderSize);
  }

  reset(v: SharedViews, seed: number | undefined, options: Record<string, unknown> | undefined): [number, Info][] {
    const infos: [number, Info][] = [];
    this.envs.forEach((env, k) => {
      const g = this.first + k;
      const rng = env.rngState();
      const call = { seed: seed === undefined ? undefined : seed + g, options };
      const r = env.reset(call);
      this.records[k].startEpisode(rng, call, r.obs);
      v.obs.set(r.obs, g * this.obsSize);
      this.writeRender(v, k, g);
      const info = pick(r.info, this.infoKeys);
      if (!isEmpty(info)) infos.push([g, info]);
    });
    return infos;
  }

  /** Steps every env with its row of `v.actions`, autoresetting on the same step. */
  step(v: SharedViews): [number, Info][] {
    const infos: [number, Info][] = [];
    const { obsSize, actionSize } = this;
    for (let k = 0; k < this.envs.length; k++) {
      const g = this.first + k;
      const a = this.discrete ? v.actions[g] : v.actions.slice(g * actionSize, (g + 1) * actionSize);
      let r;
      try {
        r = this.envs[k].step(a);
      } catch (e) {
        throw new Error(`sub-env ${g}: ${e instanceof Error ? e.message : String(e)}`);
      }
      let info = pick(r.info, this.infoKeys);
      if (r.terminated || r.truncated) {
        v.finalObs.set(r.obs, g * obsSize);
        const rng = this.envs[k].rngState();
        const reset = this.envs[k].reset();
        this.records[k].startEpisode(rng, {}, reset.obs);
        if (this.infoKeys === null || this.infoKeys.includes('reset_info')) info = { ...info, reset_info: reset.info };
        v.obs.set(reset.obs, g * obsSize);
      } else {
        this.records[k].addStep(v.actions, g * actionSize, r.obs);
        v.obs.set(r.obs, g * obsSize);
      }
      this.writeRender(v, k, g);
      v.rewards[g] = r.reward;
      v.terminated[g] = r.terminated ? 1 : 0;
      v.truncated[g] = r.truncated ? 1 : 0;
      if (!isEmpty(info)) infos.push([g, info]);
    }
    return infos;
  }

  /** Each sub-env's episode so far, as what replays it. */
  snapshot(): SubEnvSnapshot[] {
    return this.records.map((r) => r.snapshot());
  }

  /**
   * Brings every sub-env to a snapshot's state: the same reset, then the same actions. Throws
   * "env replay diverged" if the replay ends an episode or reaches another observation.
   */
  restore(replays: readonly EpisodeReplay[]): void {
    if (replays.length !== this.envs.length) throw new Error(`restoring ${this.envs.length} sub-envs from ${replays.length} states`);
    const { actionSize } = this;
    replays.forEach((p, k) => {
      const g = this.first + k;
      const env = this.envs[k];
      const rec = this.records[k];
      env.setRngState(p.rng);
      rec.rng = p.rng;
      rec.reset = p.reset;
      rec.steps = 0;
      if (p.reset === null) return;
      let obs = env.reset({ seed: p.reset.seed, options: p.reset.options }).obs;
      rec.startEpisode(p.rng, p.reset, obs);
      const steps = p.actions.length / actionSize;
      for (let t = 0; t < steps; t++) {
        // The same action values as `step` passes: a number for Discrete, else a fresh row.
        const a = this.discrete ? p.actions[t] : p.actions.slice(t * actionSize, (t + 1) * actionSize);
        const r = env.step(a);
        if (r.terminated || r.truncated) {
          throw new Error(`env replay diverged: sub-env ${g}'s episode ended at replayed step ${t + 1} of ${steps}`);
        }
        rec.addStep(p.actions, t * actionSize, r.obs);
        obs = r.obs;
      }
      const j = firstBitDifference(obs, p.obs);
      if (j >= 0) {
        throw new Error(`env replay diverged: sub-env ${g}'s observation after ${steps} replayed steps differs from the saved one at [${j}]: ${obs[j]} vs ${p.obs[j]}`);
      }
    });
  }

  close(): void {
    for (const env of this.envs) env.close();
  }
}

/** The first index where two rows differ (as Object.is: -0 differs from 0, NaN equals NaN), or -1. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Floats per render state of `envId` (from a probe env after reset); throws if it has none. */
export function probeRenderSize(envId: string, makeOptions: MakeOptions): number {
  const env = make(envId, makeOptions);
  try {
    env.reset({ seed: 0 });
    const frame = env.renderState();
    if (frame === null) throw new Error(`${envId} has no render states, so its segments cannot be replayed`);
    return frame.length;
  } finally {
    env.close();
  }
}

/** `count` registered envs, each wrapped in RecordEpisodeStatistics if asked; all closed again on failure. */
export function makeEnvs(envId: string, makeOptions: MakeOptions, recordEpisodeStatistics: boolean, count: number): Env[] {
  const envs: Env[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const env = make(envId, makeOptions);
      envs.push(recordEpisodeStatistics ? new RecordEpisodeStatistics(env) : env);
    }
  } catch (e) {
    for (const env of envs) env.close();
    throw e;
  }
  return envs;
}

/** Views over freshly allocated buffers for `numEnvs` envs. */
export function allocViews(numEnvs: number, obsSize: number, actionSize: number, renderSize = 0): SharedViews {
  return {
    render: renderSize > 0 ? new Float32Array(numEnvs * renderSize) : null,
    actions: new Float64Array(numEnvs * actionSize),
    obs: new Float32Array(numEnvs * obsSize),
    finalObs: new Float32Array(numEnvs * obsSize),
    rewards: new Float64Array(numEnvs),
    terminated: new Uint8Array(numEnvs),
    truncated: new Uint8Array(numEnvs),
  };
}

/** finalObs[i] for every env that ended an episode on this step, else null. */
export function finalObservations(v: SharedViews, numEnvs: number, obsSize: number): (Float32Array | null)[] {
  const out = new Array<Float32Array | null>(numEnvs).fill(null);
  for (let i = 0; i < numEnvs; i++) {
    if (v.terminated[i] || v.truncated[i]) out[i] = v.finalObs.slice(i * obsSize, (i + 1) * obsSize);
  }
  return out;
}
