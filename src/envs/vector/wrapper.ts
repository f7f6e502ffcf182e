import type { Box, Discrete } from '../spaces.js';
import type { VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';

/** Passes everything through to the wrapped vector env; subclasses override `reset`/`step`. */
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
  close(): void {
    this.env.close();
  }
}
