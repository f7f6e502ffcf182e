import type { Env, Info } from '../core.js';
import { make, type MakeOptions } from '../registry.js';
import { RecordEpisodeStatistics } from '../wrappers/recordEpisodeStatistics.js';

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
  ) {}

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
      const r = env.reset({ seed: seed === undefined ? undefined : seed + g, options });
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
        const reset = this.envs[k].reset();
        if (this.infoKeys === null || this.infoKeys.includes('reset_info')) info = { ...info, reset_info: reset.info };
        v.obs.set(reset.obs, g * obsSize);
      } else {
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

  close(): void {
    for (const env of this.envs) env.close();
  }
}

/** Floats per render state of `envId` (from a probe env after reset); throws if it has none. */
export function probeRenderSize(envId: string, makeOptions: MakeOptions): number {
  const env = make(envId, makeOptions);
  try {
    env.reset({ seed: 0 });
    const frame = env.renderState();
    if (frame === null) throw new Error(`${envId} has no render states, so its clips cannot be replayed`);
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
