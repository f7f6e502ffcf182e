import type { MakeOptions } from '../registry.js';
import type { EpisodeReplay, SubEnvSnapshot } from './snapshot.js';

/** Shared memory and settings handed to one vector-env worker thread. */
export interface WorkerInit {
  envId: string;
  makeOptions: MakeOptions;
  recordEpisodeStatistics: boolean;
  /** Modules to import before `make`, for envs registered outside the built-ins. */
  modules: string[];
  workerIndex: number;
  /** Global indices [first, last) of the sub-envs this worker owns. */
  first: number;
  last: number;
  obsSize: number;
  actionSize: number;
  /** Floats per render state written with every observation (0: none). */
  renderSize: number;
  discrete: boolean;
  /** Info keys to forward (null: all). */
  infoKeys: string[] | null;
  /** Busy-wait this long for the next command before sleeping on Atomics.wait. */
  spinMicros: number;
  buffers: SharedBuffers;
}

export interface SharedBuffers {
  /** Int32 per worker: [commandSeq, doneSeq, command, status]. */
  control: SharedArrayBuffer;
  actions: SharedArrayBuffer;
  obs: SharedArrayBuffer;
  finalObs: SharedArrayBuffer;
  rewards: SharedArrayBuffer;
  terminated: SharedArrayBuffer;
  truncated: SharedArrayBuffer;
  /** Render states, or null when not recorded. */
  render: SharedArrayBuffer | null;
}

export const CONTROL_STRIDE = 4;
export const Slot = { CommandSeq: 0, DoneSeq: 1, Command: 2, Status: 3 } as const;
export const Command = { Reset: 1, Step: 2, Close: 3, Snapshot: 4, Restore: 5 } as const;
export type Command = (typeof Command)[keyof typeof Command];
export const Status = { Ok: 0, Error: 1 } as const;
export type Status = (typeof Status)[keyof typeof Status];

/** Messages a worker posts on its port. */
export type WorkerMessage =
  | { kind: 'infos'; infos: [number, Record<string, unknown>][] }
  | { kind: 'error'; message: string }
  /** Answer to Snapshot: the states of sub-envs [first, first + subEnvs.length). */
  | { kind: 'snapshot'; first: number; subEnvs: SubEnvSnapshot[] };

/** Payload the main thread posts before a Reset command. */
export interface ResetPayload {
  seed?: number;
  options?: Record<string, unknown>;
}

/** Payload the main thread posts before a Restore command: the worker's own sub-envs, checked and decoded. */
export interface RestorePayload {
  replays: EpisodeReplay[];
}
