/**
 * A limited overseer: a teacher that judges each segment of a query by its apparent rewards
 * under a view, and answers exactly as a B-Pref simulated teacher would on them (beta, gamma,
 * epsilon, skip, equal; the thresholds' scale is the running mean of apparent returns). It is a
 * `SimulatedTeacher` whose "truth" is what the view shows, so queue, state and noise are shared.
 */
import type { RenderSpec } from '../../envs/render.js';
import type { Segment, SegmentTruth } from '../../prefs/segments.js';
import { SimulatedTeacher, type Query, type SimulatedTeacherParams, type SimulatedTeacherState, type Teacher, type TeacherAnswer } from '../../prefs/teachers.js';
import type { Rng } from '../../utils/rng.js';
import { viewFor } from './registry.js';
import type { ClipView } from './view.js';

export class LimitedOverseer implements Teacher {
  readonly replayable = true;
  private readonly judge: SimulatedTeacher;
  /** The segments of the queries being answered, for the judge's lookup (empty between calls). */
  private readonly shown = new Map<string, SegmentTruth>();

  constructor(
    readonly name: string,
    readonly view: ClipView,
    readonly spec: RenderSpec,
    params: SimulatedTeacherParams,
    segmentLength: number,
    seed: number | Rng,
  ) {
    this.judge = new SimulatedTeacher(name, params, (id) => this.shown.get(id), segmentLength, seed);
  }

  get params(): SimulatedTeacherParams {
    return this.judge.params;
  }

  get pending(): number {
    return this.judge.pending;
  }

  /** The per-step rewards the overseer sees in a segment. */
  apparentRewards(segment: Segment): Float64Array {
    const r = this.view.apparentRewards(segment, this.spec);
    if (r.length !== segment.length || !r.every(Number.isFinite)) throw new Error(`overseer ${this.name}: view ${this.view.name} gave no finite apparent reward for every step of ${segment.id}`);
    return r;
  }

  /** The per-step rewards the overseer judges a query's two segments by: what its view shows of each. */
  protected judgeQuery(q: Query): [Float64Array, Float64Array] {
    return [this.apparentRewards(q.left), this.apparentRewards(q.right)];
  }

  ask(queries: readonly Query[]): void {
    try {
      for (const q of queries) {
        const [left, right] = this.judgeQuery(q);
        this.shown.set(q.left.id, { segmentId: q.left.id, rewards: left });
        this.shown.set(q.right.id, { segmentId: q.right.id, rewards: right });
      }
      this.judge.ask(queries);
    } finally {
      this.shown.clear();
    }
  }

  poll(): TeacherAnswer[] {
    return this.judge.poll();
  }

  state(): SimulatedTeacherState {
    return this.judge.state();
  }

  load(state: unknown): void {
    this.judge.load(state);
  }

  close(): void {
    this.judge.close();
  }
}

/**
 * The limited overseer of `envId` through the view `viewName` (e.g. 'projection', 'keyframes:2');
 * throws, naming the allowed views, when the view does not apply to the env.
 */
export function overseerFor(envId: string, viewName: string, params: SimulatedTeacherParams, spec: RenderSpec, segmentLength: number, seed: number | Rng, name = `overseer:${viewName}`): LimitedOverseer {
  return new LimitedOverseer(name, viewFor(envId, viewName), spec, params, segmentLength, seed);
}
