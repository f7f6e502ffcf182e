import type { FloatArray, ParamGroup } from './params.js';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  /** CleanRL's PPO uses 1e-5 rather than PyTorch's 1e-8. */
  eps: number;
}

export const adamDefaults = { lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 } satisfies AdamOptions;

/** Kingma & Ba's Adam with bias correction, over one or more flat parameter groups. */
export class Adam {
  readonly opts: AdamOptions;
  /** Mutable so schedules can anneal it. */
  lr: number;
  private t = 0;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];

  constructor(
    readonly groups: readonly ParamGroup[],
    opts: Partial<AdamOptions> = {},
  ) {
    this.opts = { ...adamDefaults, ...opts };
    for (const [k, v] of Object.entries(this.opts)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`Adam ${k} must be a non-negative number, got ${v}`);
    }
    this.lr = this.opts.lr;
    this.m = groups.map((g) => new Float64Array(g.params.length));
    this.v = groups.map((g) => new Float64Array(g.params.length));
  }

  get steps(): number {
    return this.t;
  }

  /** One update from the gradients currently in each group (gradients are not cleared). */
  step(): void {
    this.t += 1;
    const { beta1, beta2, eps } = this.opts;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    const stepSize = this.lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    for (let k = 0; k < this.groups.length; k++) {
      const p: FloatArray = this.groups[k].params;
      const g: FloatArray = this.groups[k].grads;
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtBc2 + eps);
      }
    }
  }
}
