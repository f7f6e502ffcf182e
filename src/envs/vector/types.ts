import type { Info } from '../core.js';
import type { Box, Discrete } from '../spaces.js';

/**
 * Several copies of one env stepped together, with flat row-major batches.
 *
 * Autoreset (decided once, for every implementation): SAME_STEP. When sub-env i ends an
 * episode (terminated or truncated), it is reset inside the same `step` call: `obs` row i
 * is the first observation of the next episode, `finalObs[i]` holds the last observation
 * of the finished one (needed to bootstrap truncated episodes), and `infos[i]` is the info
 * of the finishing step (with `episode` statistics when recorded); the new episode's reset
 * info is `infos[i].reset_info`.
 */
export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Box | Discrete;
  /** Floats per observation row. */
  readonly obsSize: number;
  /** Floats per action row (1 for Discrete). */
  readonly actionSize: number;
  /** Floats per render-state row when render states are recorded, else 0. */
  readonly renderSize: number;
  /** Resets every sub-env; with a seed, sub-env i gets seed + i (Gymnasium's convention). */
  reset(opts?: VectorResetOptions): VectorResetResult;
  /** `actions` holds numEnvs rows of actionSize floats (Discrete actions as integer values). */
  step(actions: ArrayLike<number>): VectorStepResult;
  /**
   * Everything that decides later steps, as plain JSON, for checkpoints: after
   * `b.restore(a.snapshot())` on a fresh env `b` of the same id, options and numEnvs (in
   * either mode), `b.step(actions)` returns exactly what `a.step(actions)` would (up to
   * wall-clock times). State that belongs to the agent, such as observation statistics, is
   * saved with the agent instead.
   */
  snapshot(): VecEnvSnapshot;
  /** Continues from a `snapshot()`; a snapshot of another env id, options, numEnvs or wrapping is an error. */
  restore(snapshot: VecEnvSnapshot): void;
  close(): void;
}

/** A vector env's `snapshot()`: plain JSON, opaque to callers. */
export interface VecEnvSnapshot {
  format: 'overseer.vecenv';
  version: 1;
  /** Who wrote it: 'envs' for the sub-envs themselves, else the stateful wrapper (e.g. 'normalizeReward'). */
  kind: string;
  numEnvs: number;
  /** The writer's own state. */
  state: unknown;
  /** The wrapped env's snapshot, when a wrapper wrote this one. */
  inner?: VecEnvSnapshot;
}

export interface VectorResetOptions {
  seed?: number;
  options?: Record<string, unknown>;
}

export interface VectorResetResult {
  /** [numEnvs, obsSize]. */
  obs: Float32Array;
  infos: Info[];
  /** [numEnvs, renderSize] render states matching `obs`, when recorded. */
  render?: Float32Array;
}

export interface VectorStepResult {
  /** [numEnvs, obsSize], after autoreset. */
  obs: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  infos: Info[];
  /** Last observation of each episode that ended on this step, else null. */
  finalObs: (Float32Array | null)[];
  /** [numEnvs, renderSize] render states matching `obs` (after autoreset), when recorded. */
  render?: Float32Array;
}
