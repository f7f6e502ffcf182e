import type { Env, EnvMetadata, EnvSpec, ResetOptions, ResetResult, StepResult } from '../core.js';
import type { RenderSpec } from '../render.js';
import type { Action, Box, Discrete } from '../spaces.js';
import type { RngState } from '../../utils/rng.js';

/** Passes everything through to the wrapped env; subclasses override one hook. */
export class Wrapper implements Env {
  constructor(readonly env: Env) {}

  get observationSpace(): Box {
    return this.env.observationSpace;
  }
  get actionSpace(): Box | Discrete {
    return this.env.actionSpace;
  }
  get metadata(): EnvMetadata {
    return this.env.metadata;
  }
  get spec(): EnvSpec | undefined {
    return this.env.spec;
  }
  set spec(s: EnvSpec | undefined) {
    this.env.spec = s;
  }
  get unwrapped(): Env {
    return this.env.unwrapped;
  }

  reset(opts?: ResetOptions): ResetResult {
    return this.env.reset(opts);
  }
  step(action: Action): StepResult {
    return this.env.step(action);
  }
  close(): void {
    this.env.close();
  }
  renderSpec(): RenderSpec | null {
    return this.env.renderSpec();
  }
  renderState(): Float32Array | null {
    return this.env.renderState();
  }
  rngState(): RngState {
    return this.env.rngState();
  }
  setRngState(state: RngState): void {
    this.env.setRngState(state);
  }
}

/** Transforms observations only: override `observation`. */
export abstract class ObservationWrapper extends Wrapper {
  abstract observation(obs: Float32Array): Float32Array;

  override reset(opts?: ResetOptions): ResetResult {
    const r = this.env.reset(opts);
    return { obs: this.observation(r.obs), info: r.info };
  }
  override step(action: Action): StepResult {
    const r = this.env.step(action);
    return { ...r, obs: this.observation(r.obs) };
  }
}

/** Finds the first wrapper of a given class in a wrapper stack, or undefined. */
export function findWrapper<T extends Wrapper>(env: Env, cls: abstract new (...args: never[]) => T): T | undefined {
  let e: Env = env;
  while (e instanceof Wrapper) {
    if (e instanceof cls) return e as T;
    e = e.env;
  }
  return undefined;
}
