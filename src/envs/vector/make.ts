import type { Env } from '../core.js';
import { make, type MakeOptions } from '../registry.js';
import { RecordEpisodeStatistics } from '../wrappers/recordEpisodeStatistics.js';
import { SyncVectorEnv } from './sync.js';
import type { VectorEnv } from './types.js';
import { WorkerVectorEnv } from './workers.js';

export type VectorizationMode = 'sync' | 'workers';

export interface MakeVecOptions {
  numEnvs: number;
  /** 'sync' steps in this thread; 'workers' spreads sub-envs over worker threads. */
  mode?: VectorizationMode;
  numWorkers?: number;
  makeOptions?: MakeOptions;
  /** Wrap each sub-env in RecordEpisodeStatistics (default true). */
  recordEpisodeStatistics?: boolean;
  /** Forward only these info keys from sub-envs, e.g. ['episode'] (default: all). */
  infoKeys?: string[];
  /** Return the render state of every observation (`VectorStepResult.render`); the env must have render states. */
  recordRender?: boolean;
}

/** `makeVec('CartPole-v1', { numEnvs: 8 })`, Gymnasium's `make_vec`. */
export function makeVec(id: string, opts: MakeVecOptions): VectorEnv {
  const record = opts.recordEpisodeStatistics ?? true;
  if (opts.mode === 'workers') {
    return new WorkerVectorEnv(id, {
      numEnvs: opts.numEnvs,
      numWorkers: opts.numWorkers,
      makeOptions: opts.makeOptions,
      recordEpisodeStatistics: record,
      infoKeys: opts.infoKeys,
      recordRender: opts.recordRender,
    });
  }
  if (opts.mode !== undefined && opts.mode !== 'sync') {
    throw new Error(`vectorization mode must be 'sync' or 'workers', got ${JSON.stringify(opts.mode)}`);
  }
  if (!Number.isInteger(opts.numEnvs) || opts.numEnvs <= 0) throw new RangeError(`numEnvs must be a positive integer, got ${opts.numEnvs}`);
  return new SyncVectorEnv(
    Array.from({ length: opts.numEnvs }, () => (): Env => {
      const env = make(id, opts.makeOptions);
      return record ? new RecordEpisodeStatistics(env) : env;
    }),
    opts.infoKeys ?? null,
    opts.recordRender ?? false,
  );
}
