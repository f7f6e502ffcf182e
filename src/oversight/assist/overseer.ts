/**
 * The assisted overseer: a limited overseer that, for each pair, is handed a critique, looks at
 * the evidence it reveals (recorded data only) and judges the pair again with it. Everything
 * else (the view, the B-Pref noise, the queue, the state) is the limited overseer's.
 */
import type { RenderSpec } from '../../envs/render.js';
import type { Query, SimulatedTeacherParams, SimulatedTeacherState } from '../../prefs/teachers.js';
import type { Rng } from '../../utils/rng.js';
import { LimitedOverseer } from '../views/overseer.js';
import type { ClipView } from '../views/view.js';
import { checkCritique, seenWithCritique, type Assistant, type Critique } from './critique.js';

export type AssistedOverseerState = SimulatedTeacherState & { assistant: unknown };

export class AssistedOverseer extends LimitedOverseer {
  constructor(
    name: string,
    view: ClipView,
    spec: RenderSpec,
    params: SimulatedTeacherParams,
    segmentLength: number,
    seed: number | Rng,
    readonly assistant: Assistant,
    /** Reveals per label. */
    readonly budget: number,
    /** Called with each critique as it is used, e.g. to store it with the label. */
    private readonly onCritique: (queryId: string, critique: Critique) => void = () => {},
  ) {
    super(name, view, spec, params, segmentLength, seed);
    if (!Number.isInteger(budget) || budget < 0) throw new RangeError(`reveal budget must be a whole number >= 0, got ${budget}`);
  }

  protected override judgeQuery(q: Query): [Float64Array, Float64Array] {
    if (this.budget === 0) return super.judgeQuery(q);
    const ctx = { view: this.view, spec: this.spec, budget: this.budget };
    const critique = this.assistant.critique(q, ctx);
    checkCritique(critique, q, ctx);
    this.onCritique(q.id, critique);
    const seen = seenWithCritique(q, critique, ctx);
    const judged = (s: 'left' | 'right') => {
      const r = this.view.judge(seen[s], this.spec);
      if (!r.every(Number.isFinite)) throw new Error(`overseer ${this.name}: view ${this.view.name} gave no finite judgment for every step of ${q[s].id} with the critique's evidence`);
      return r;
    };
    return [judged('left'), judged('right')];
  }

  override state(): AssistedOverseerState {
    // The overseer's own fields at the top level, so its state reads like a limited overseer's.
    return { ...super.state(), assistant: this.assistant.state?.() ?? null };
  }

  override load(state: unknown): void {
    super.load(state);
    const a = (state as Partial<AssistedOverseerState>).assistant;
    if (a !== undefined && a !== null) this.assistant.load?.(a);
  }
}
