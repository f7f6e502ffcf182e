import type { Box, Discrete } from '../spaces.js';
import { checkNumEnvs, checkSnapshotKind } from './snapshot.js';
import type { VecEnvSnapshot, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';

/**
 * Passes everything through to the wrapped vector env; subclasses override `reset`/`step`.
 * A wrapper with state of its own overrides `snapshot`/`restore` too, nesting the wrapped
 * env's snapshot (see `nestSnapshot`/`unnestSnapshot`).
 */
export class VectorWrapper implements VectorEnv {
  constructor(readonly env: VectorEnv) {}

  get numEnvs(): number {
    return this.env.numEnvs;
  }
  get singleObservationSpace(): Box {
    return this.env.singleObservationSpace;
  }
  get singleActionSpace(): Box | Discrete {
    return this.env.singleActionSpace;
  }
  get obsSize(): number {
    return this.env.obsSize;
  }
  get actionSize(): number {
    return this.env.actionSize;
  }
  get renderSize(): number {
    return this.env.renderSize;
  }
  reset(opts?: VectorResetOptions): VectorResetResult {
    return this.env.reset(opts);
  }
  step(actions: ArrayLike<number>): VectorStepResult {
    return this.env.step(actions);
  }
  snapshot(): VecEnvSnapshot {
    return this.env.snapshot();
  }
  restore(snapshot: VecEnvSnapshot): void {
    this.env.restore(snapshot);
  }
  close(): void {
    this.env.close();
  }

  /** This wrapper's own `state`, written by `kind`, around the wrapped env's snapshot. */
  protected nestSnapshot(kind: string, state: unknown): VecEnvSnapshot {
    return { format: 'overseer.vecenv', version: 1, kind, numEnvs: this.numEnvs, state, inner: this.env.snapshot() };
  }

  /** Checks that `nestSnapshot(kind, ...)` wrote `snapshot` for an env like this one; returns its parts without restoring anything. */
  protected unnestSnapshot(snapshot: VecEnvSnapshot, kind: string): { state: unknown; inner: VecEnvSnapshot } {
    const where = `cannot restore the '${kind}' wrapper`;
    checkSnapshotKind(snapshot, kind, where);
    checkNumEnvs(snapshot, this.numEnvs, where);
    if (!snapshot.inner) throw new Error(`${where}: the snapshot has no wrapped env snapshot`);
    return { state: snapshot.state, inner: snapshot.inner };
  }
}
