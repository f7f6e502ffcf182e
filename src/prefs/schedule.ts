/**
 * When labels are asked for (Christiano et al. 2017): a fraction (25%) of the budget comes
 * from the initial random policy; after that the label rate is proportional to
 * 2e6 / (T + 2e6) at T env steps. Integrating the rate, the labels due by step T are
 *
 *   initial + (budget - initial) · ln(1 + T / 2e6) / ln(1 + Tmax / 2e6),
 *
 * so the whole budget is used by the end of training.
 */
export interface LabelScheduleOptions {
  /** Total labels. */
  budget: number;
  /** Fraction of the budget collected from the initial policy (paper: 0.25). */
  initialFraction: number;
  /** Env steps of the whole run. */
  totalSteps: number;
  /** The rate's time constant (paper: 2e6). */
  halfLife: number;
}

export class LabelSchedule {
  readonly initial: number;

  constructor(readonly o: LabelScheduleOptions) {
    if (!Number.isInteger(o.budget) || o.budget < 0) throw new RangeError(`label budget must be a non-negative integer, got ${o.budget}`);
    if (!(o.initialFraction >= 0 && o.initialFraction <= 1)) throw new RangeError(`initial label fraction must be in [0, 1], got ${o.initialFraction}`);
    if (!(o.totalSteps > 0)) throw new RangeError(`total steps must be positive, got ${o.totalSteps}`);
    if (!(o.halfLife > 0)) throw new RangeError(`label-rate time constant must be positive, got ${o.halfLife}`);
    this.initial = Math.round(o.budget * o.initialFraction);
  }

  /** Labels that should have been asked for by env step `t` (never above the budget). */
  dueBy(t: number): number {
    const { budget, totalSteps, halfLife } = this.o;
    const frac = Math.log1p(Math.min(t, totalSteps) / halfLife) / Math.log1p(totalSteps / halfLife);
    return Math.min(budget, this.initial + Math.floor((budget - this.initial) * frac + 1e-9));
  }
}
