/**
 * Teachers answer queries: "which of these two segments is better?". A teacher is an
 * asynchronous interface (ask now, poll for answers later) so that a person answering
 * through a web page plugs in exactly where the simulated teachers do.
 *
 * Simulated teachers follow B-Pref (Lee et al. 2021): rationality beta, myopia gamma,
 * mistake epsilon, skip and equal thresholds, and its six named teachers.
 */
import { z } from 'zod';
import { Rng, type RngState } from '../utils/rng.js';
import type { Segment, SegmentTruth, TruthLookup } from './segments.js';

/** left / right preferred, equal (target 0.5), or incomparable ("can't tell": dropped). */
export const ANSWERS = ['left', 'right', 'equal', 'incomparable'] as const;
export type Answer = (typeof ANSWERS)[number];

export interface Query {
  /** Unique within a run: `q-<n>`. */
  readonly id: string;
  readonly left: Segment;
  readonly right: Segment;
  /** Env steps when the query was asked. */
  readonly askedAtStep: number;
}

export interface TeacherAnswer {
  queryId: string;
  answer: Answer;
  /** Who answered (teacher name or annotator). */
  teacher: string;
  /** Seconds the answer took, when known (people). */
  seconds?: number;
  /** Set when the answer is already stored under this id (a person's, committed by the server). */
  clientId?: string;
}

export interface Teacher {
  readonly name: string;
  /** Hands queries over; answers come back through `poll`, possibly much later or never. */
  ask(queries: readonly Query[]): void;
  /** The answers available now. Never blocks. */
  poll(): TeacherAnswer[];
  /** Queries asked but not answered yet. */
  readonly pending: number;
  /**
   * Whether the answers are a function of the queries asked and `state()` alone (simulated
   * teachers). A resumed run then replays exactly what it did before a crash; with people it
   * adopts what was asked and answered after its checkpoint instead.
   */
  readonly replayable?: boolean;
  /** What the teacher needs to continue after a resume (JSON-able). */
  state?(): unknown;
  load?(state: unknown): void;
  close(): void;
}

/** B-Pref's teacher parameters, each field's validator without its default. */
const teacherFields = {
  /** Rationality: P(left) = sigmoid(beta (R_left - R_right)); null means perfectly rational. */
  beta: z.number().positive().nullable(),
  /** Myopia: step t of H counts gamma^(H - 1 - t); 1 is not myopic. */
  gamma: z.number().gt(0).max(1),
  /** Probability that the answer is flipped. */
  epsilon: z.number().min(0).max(1),
  /** Skip (answer incomparable) when both segments' returns are below skip x m. */
  skip: z.number().min(0),
  /** Answer equal when the returns differ by less than equal x m. */
  equal: z.number().min(0),
};

/** B-Pref's teacher parameters; the defaults are the oracle's. */
export const SimulatedTeacherSchema = z.strictObject({
  beta: teacherFields.beta.default(null),
  gamma: teacherFields.gamma.default(1),
  epsilon: teacherFields.epsilon.default(0),
  skip: teacherFields.skip.default(0),
  equal: teacherFields.equal.default(0),
});

/**
 * Overrides of a named teacher's parameters: only the fields given. (A `.partial()` of the
 * schema above would fill in the oracle's defaults, and those would override the named
 * teacher's own values: a 'mistake' teacher would never err.)
 */
export const TeacherOverridesSchema = z.strictObject({
  beta: teacherFields.beta.optional(),
  gamma: teacherFields.gamma.optional(),
  epsilon: teacherFields.epsilon.optional(),
  skip: teacherFields.skip.optional(),
  equal: teacherFields.equal.optional(),
});
export type SimulatedTeacherParams = z.infer<typeof SimulatedTeacherSchema>;

/** B-Pref's six named teachers; every other parameter keeps its oracle value. */
export const NAMED_TEACHERS = {
  oracle: {},
  stoc: { beta: 1 },
  mistake: { epsilon: 0.1 },
  skip: { skip: 0.1 },
  equal: { equal: 0.1 },
  myopic: { gamma: 0.9 },
} as const satisfies Record<string, Partial<SimulatedTeacherParams>>;
export type TeacherName = keyof typeof NAMED_TEACHERS;
export const TEACHER_NAMES = Object.keys(NAMED_TEACHERS) as TeacherName[];

/** Parameters of a named teacher, optionally overridden (e.g. a mistake teacher with epsilon 0.2). */
export function teacherParams(name: TeacherName, overrides: Partial<SimulatedTeacherParams> = {}): SimulatedTeacherParams {
  if (!(name in NAMED_TEACHERS)) throw new Error(`unknown teacher ${JSON.stringify(name)}; known: ${TEACHER_NAMES.join(', ')}, human`);
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return SimulatedTeacherSchema.parse({ ...NAMED_TEACHERS[name], ...given });
}

/**
 * One simulated answer, in B-Pref's order: skip and equal are judged on the plain segment
 * returns; the myopic, possibly noisy comparison decides the rest; a mistake flips it;
 * equal overrides everything else. `m` is the average return of a segment (the thresholds'
 * scale), `H` the segment length used for myopic weights.
 */
export function simulatedAnswer(p: SimulatedTeacherParams, left: ArrayLike<number>, right: ArrayLike<number>, H: number, m: number, rng: Rng): Answer {
  const r1 = sum(left);
  const r2 = sum(right);
  if (p.skip > 0 && Math.max(r1, r2) < p.skip * m) return 'incomparable';
  const isEqual = p.equal > 0 && Math.abs(r1 - r2) < p.equal * m;
  const w1 = p.gamma === 1 ? r1 : myopicSum(left, H, p.gamma);
  const w2 = p.gamma === 1 ? r2 : myopicSum(right, H, p.gamma);
  let answer: 'left' | 'right' | 'equal';
  if (p.beta === null) {
    answer = w1 > w2 ? 'left' : w1 < w2 ? 'right' : 'equal';
  } else {
    const pLeft = 1 / (1 + Math.exp(-p.beta * (w1 - w2)));
    answer = rng.random() < pLeft ? 'left' : 'right';
  }
  if (p.epsilon > 0 && answer !== 'equal' && rng.random() < p.epsilon) answer = answer === 'left' ? 'right' : 'left';
  return isEqual ? 'equal' : answer;
}

/** sum_t gamma^(H - 1 - t) r_t: the last step of a full segment weighs 1. */
function myopicSum(r: ArrayLike<number>, H: number, gamma: number): number {
  let s = 0;
  for (let t = 0; t < r.length; t++) s += gamma ** (H - 1 - t) * r[t];
  return s;
}

function sum(r: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < r.length; t++) s += r[t];
  return s;
}

export interface SimulatedTeacherState {
  rng: RngState;
  returnSum: number;
  returnCount: number;
  /** Answers given but not polled yet. */
  queue: TeacherAnswer[];
}

/**
 * A simulated teacher that sees the true rewards. It answers at once; the thresholds' scale
 * m is the running mean of the returns of the segments it has been shown, scaled to full
 * length (our reading of B-Pref's "average return of a segment").
 */
export class SimulatedTeacher implements Teacher {
  readonly params: SimulatedTeacherParams;
  readonly replayable = true;
  private queue: TeacherAnswer[] = [];
  private readonly rng: Rng;
  private returnSum = 0;
  private returnCount = 0;

  constructor(
    readonly name: string,
    params: Partial<SimulatedTeacherParams>,
    private readonly truth: TruthLookup,
    private readonly segmentLength: number,
    seed: number | Rng,
  ) {
    this.params = SimulatedTeacherSchema.parse(params);
    this.rng = typeof seed === 'number' ? new Rng(seed) : seed;
  }

  get pending(): number {
    return 0;
  }

  ask(queries: readonly Query[]): void {
    for (const q of queries) {
      const a = this.lookup(q.left);
      const b = this.lookup(q.right);
      for (const t of [a, b]) {
        this.returnSum += (sum(t.rewards) * this.segmentLength) / Math.max(1, t.rewards.length);
        this.returnCount += 1;
      }
      const m = this.returnSum / this.returnCount;
      const answer = simulatedAnswer(this.params, a.rewards, b.rewards, this.segmentLength, Math.abs(m), this.rng);
      this.queue.push({ queryId: q.id, answer, teacher: this.name });
    }
  }

  poll(): TeacherAnswer[] {
    return this.queue.splice(0, this.queue.length);
  }

  state(): SimulatedTeacherState {
    return { rng: this.rng.getState(), returnSum: this.returnSum, returnCount: this.returnCount, queue: this.queue.map((a) => ({ ...a })) };
  }

  load(state: unknown): void {
    const s = state as SimulatedTeacherState;
    if (!s || !Array.isArray(s.queue) || typeof s.returnSum !== 'number') throw new Error(`teacher ${this.name}: not a simulated teacher's state`);
    this.rng.setState(s.rng);
    this.returnSum = s.returnSum;
    this.returnCount = s.returnCount;
    this.queue = s.queue.map((a) => ({ ...a }));
  }

  close(): void {}

  private lookup(s: Segment): SegmentTruth {
    const t = this.truth(s.id);
    if (!t) throw new Error(`teacher ${this.name}: no true rewards for segment ${s.id}`);
    return t;
  }
}
