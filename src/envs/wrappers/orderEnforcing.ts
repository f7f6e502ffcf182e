import type { ResetOptions, ResetResult, StepResult } from '../core.js';
import type { Action } from '../spaces.js';
import { Wrapper } from './wrapper.js';

/** Refuses `step` before the first `reset`, with an error instead of undefined behaviour. */
export class OrderEnforcing extends Wrapper {
  private hasReset = false;

  override reset(opts?: ResetOptions): ResetResult {
    this.hasReset = true;
    return this.env.reset(opts);
  }

  override step(action: Action): StepResult {
    if (!this.hasReset) throw new Error(`${this.spec?.id ?? 'env'}: call reset() before step()`);
    return this.env.step(action);
  }
}
