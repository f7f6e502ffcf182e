/**
 * Segments (the paper's trajectory segments): short runs of consecutive steps from
 * one episode of one sub-env. A segment carries what a reward model and a viewer may see
 * (observations, actions, render states); the true rewards live apart, in `SegmentTruth`,
 * which only synthetic teachers and diagnostics receive. The labeling page plays a segment as a
 * short looping clip.
 */
import { FloatCodecError, decodeFloats, encodeFloats } from '../utils/floats.js';

/** What the reward model, query selection and a human viewer may see of a segment. */
export interface Segment {
  /** Unique within a run: `seg-<n>`. */
  readonly id: string;
  readonly envId: string;
  /** Seed of the run that produced it. */
  readonly seed: number;
  /** Sub-env of the vector env it came from. */
  readonly envIndex: number;
  /** Env steps (over all sub-envs) taken before the segment's first step. */
  readonly globalStep: number;
  /** Steps in the segment; shorter than the configured length only when the episode terminated. */
  readonly length: number;
  readonly obsSize: number;
  readonly actionSize: number;
  /** [length, obsSize]: o_t, the observation each action was chosen from. */
  readonly obs: Float32Array;
  /** [length, actionSize]: a_t as the env received it (clipped to the action space). */
  readonly actions: Float32Array;
  /** Floats per render frame (0 when the env has none). */
  readonly renderSize: number;
  /** [length, renderSize]: the render state of o_t, so the segment can be replayed. */
  readonly render: Float32Array | null;
  /** The episode terminated at the segment's last step (after it the agent is absorbed: reward 0). */
  readonly terminated: boolean;
}

/** The hidden part of a segment: true per-step rewards. */
export interface SegmentTruth {
  readonly segmentId: string;
  /** [length] true rewards r_t of the env. */
  readonly rewards: Float64Array;
}

/** Looks up the truth of a segment; given only to synthetic teachers and diagnostics. */
export type TruthLookup = (segmentId: string) => SegmentTruth | undefined;

/** Sum of a segment's true rewards. */
export function trueReturn(truth: SegmentTruth): number {
  let s = 0;
  for (let i = 0; i < truth.rewards.length; i++) s += truth.rewards[i];
  return s;
}

/**
 * The paper's segment length: 1.5 s of simulated time, kept within its stated 15-60 steps and
 * within one episode.
 */
export function defaultSegmentLength(dt: number, maxEpisodeSteps: number | undefined): number {
  const steps = Math.min(60, Math.max(15, Math.round(1.5 / dt)));
  return maxEpisodeSteps === undefined ? steps : Math.min(steps, maxEpisodeSteps);
}

/**
 * A segment's persisted shape as JSON, the one every JSON writer uses (exports, run states, the
 * files of runs made before the database): its fields, with the float arrays as base64
 * little-endian bytes (`utils/floats.ts`), and its true rewards (float64) when known.
 */
export interface SegmentRecord {
  id: string;
  envId: string;
  seed: number;
  envIndex: number;
  globalStep: number;
  length: number;
  obsSize: number;
  actionSize: number;
  renderSize: number;
  terminated: boolean;
  obs: string;
  actions: string;
  render: string | null;
  trueRewards: string | null;
}

/** A segment with its true rewards, when known. */
export interface SegmentWithTruth {
  segment: Segment;
  truth?: SegmentTruth;
}

/** Why a segment's data does not fit its length and sizes (null when it does). */
export function segmentProblem(s: Segment, truth?: SegmentTruth): string | null {
  if (!(Number.isInteger(s.length) && s.length > 0)) return `segment ${s.id}: length must be a positive integer (got ${s.length})`;
  if (s.obs.length !== s.length * s.obsSize || s.actions.length !== s.length * s.actionSize) return `segment ${s.id}: obs/actions do not match its length and sizes`;
  if (s.render && s.render.length !== s.length * s.renderSize) return `segment ${s.id}: render states do not match its length`;
  if (truth && truth.rewards.length !== s.length) return `segment ${s.id}: ${truth.rewards.length} true rewards for ${s.length} steps`;
  return null;
}

/** The scalar fields of a segment (everything but its arrays). */
export const SEGMENT_META_KEYS = ['id', 'envId', 'seed', 'envIndex', 'globalStep', 'length', 'obsSize', 'actionSize', 'renderSize', 'terminated'] as const;
export type SegmentMeta = Pick<Segment, (typeof SEGMENT_META_KEYS)[number]>;

/** Just the scalar fields of a segment or of its record (no arrays, nothing extra). */
export function segmentMeta(s: SegmentMeta): SegmentMeta {
  const { id, envId, seed, envIndex, globalStep, length, obsSize, actionSize, renderSize, terminated } = s;
  return { id, envId, seed, envIndex, globalStep, length, obsSize, actionSize, renderSize, terminated };
}

export function segmentToRecord({ segment: s, truth }: SegmentWithTruth): SegmentRecord {
  return {
    ...segmentMeta(s),
    obs: encodeFloats(s.obs),
    actions: encodeFloats(s.actions),
    render: s.render ? encodeFloats(s.render) : null,
    trueRewards: truth ? encodeFloats(truth.rewards) : null,
  };
}

/** A segment record whose data cannot be read or does not fit its sizes. */
export class SegmentDataError extends Error {
  override name = 'SegmentDataError';
}

/** Decodes a record (its fields already type-checked) and checks its sizes; a `SegmentDataError` names `where`. */
export function segmentFromRecord(rec: SegmentRecord, where: string): SegmentWithTruth {
  const read = <T>(decode: () => T): T => {
    try {
      return decode();
    } catch (e) {
      throw e instanceof FloatCodecError ? new SegmentDataError(e.message) : e;
    }
  };
  const { render, trueRewards } = rec;
  const segment: Segment = {
    ...segmentMeta(rec),
    obs: read(() => decodeFloats(rec.obs, 'float32', `${where} obs`)),
    actions: read(() => decodeFloats(rec.actions, 'float32', `${where} actions`)),
    render: render === null ? null : read(() => decodeFloats(render, 'float32', `${where} render`)),
  };
  const truth = trueRewards === null ? undefined : { segmentId: segment.id, rewards: read(() => decodeFloats(trueRewards, 'float64', `${where} true rewards`)) };
  const problem = segmentProblem(segment, truth);
  if (problem) throw new SegmentDataError(`${where}: ${problem}`);
  return truth ? { segment, truth } : { segment };
}

/** The segments a recorder has begun but not finished, and its id counter (for resume). */
export interface SegmentRecorderState {
  nextId: number;
  open: { len: number; start: number; obs: string; actions: string; render: string | null; rewards: string }[];
}

export interface SegmentRecorderOptions {
  envId: string;
  seed: number;
  numEnvs: number;
  obsSize: number;
  actionSize: number;
  renderSize: number;
  /** Steps per segment. */
  segmentLength: number;
}

/**
 * Cuts the step streams of a vector env into consecutive non-overlapping segments, one stream
 * per sub-env. A segment cut short by termination is kept (the fall is informative); one cut
 * short by a time limit is dropped, because its continuation is unknown.
 */
export class SegmentRecorder {
  private readonly len: Int32Array;
  private readonly start: Float64Array;
  private readonly obs: Float32Array[];
  private readonly actions: Float32Array[];
  private readonly render: (Float32Array | null)[];
  private readonly rewards: Float64Array[];
  private nextId: number;

  constructor(private readonly o: SegmentRecorderOptions) {
    if (!Number.isInteger(o.segmentLength) || o.segmentLength <= 0) throw new RangeError(`segment length must be a positive integer, got ${o.segmentLength}`);
    const L = o.segmentLength;
    this.len = new Int32Array(o.numEnvs);
    this.start = new Float64Array(o.numEnvs);
    this.obs = Array.from({ length: o.numEnvs }, () => new Float32Array(L * o.obsSize));
    this.actions = Array.from({ length: o.numEnvs }, () => new Float32Array(L * o.actionSize));
    this.render = Array.from({ length: o.numEnvs }, () => (o.renderSize > 0 ? new Float32Array(L * o.renderSize) : null));
    this.rewards = Array.from({ length: o.numEnvs }, () => new Float64Array(L));
    this.nextId = 0;
  }

  /** Steps recorded so far in sub-env e's unfinished segment (0: its next step starts a segment). */
  openLength(e: number): number {
    return this.len[e];
  }

  /** Drops unfinished segments (after a reset, the streams start over). */
  discardOpen(): void {
    this.len.fill(0);
  }

  /** Skips ids up to `n` (a resumed run whose segments may differ from those stored under earlier ids). */
  skipIdsTo(n: number): void {
    this.nextId = Math.max(this.nextId, n);
  }

  state(): SegmentRecorderState {
    const { obsSize, actionSize, renderSize } = this.o;
    return {
      nextId: this.nextId,
      open: Array.from(this.len, (n, e) => ({
        len: n,
        start: this.start[e],
        obs: encodeFloats(this.obs[e].subarray(0, n * obsSize)),
        actions: encodeFloats(this.actions[e].subarray(0, n * actionSize)),
        render: this.render[e] ? encodeFloats(this.render[e]!.subarray(0, n * renderSize)) : null,
        rewards: encodeFloats(this.rewards[e].subarray(0, n)),
      })),
    };
  }

  load(s: SegmentRecorderState): void {
    if (s.open.length !== this.o.numEnvs) throw new Error(`segment recorder state has ${s.open.length} streams, the env has ${this.o.numEnvs}`);
    this.nextId = s.nextId;
    s.open.forEach((o, e) => {
      this.len[e] = o.len;
      this.start[e] = o.start;
      this.obs[e].set(decodeFloats(o.obs, 'float32'));
      this.actions[e].set(decodeFloats(o.actions, 'float32'));
      if (o.render !== null) this.render[e]?.set(decodeFloats(o.render, 'float32'));
      this.rewards[e].set(decodeFloats(o.rewards, 'float64'));
    });
  }

  /**
   * Records one vector step: `obs`/`render` are the rows the actions were chosen from,
   * `rewards` the true rewards, and the flags those of the step. Returns the segments completed.
   */
  record(
    globalStep: number,
    obs: Float32Array,
    render: Float32Array | undefined,
    actions: ArrayLike<number>,
    rewards: ArrayLike<number>,
    terminated: ArrayLike<number>,
    truncated: ArrayLike<number>,
  ): { segment: Segment; truth: SegmentTruth }[] {
    const { numEnvs, obsSize, actionSize, renderSize, segmentLength } = this.o;
    const done: { segment: Segment; truth: SegmentTruth }[] = [];
    for (let e = 0; e < numEnvs; e++) {
      const t = this.len[e];
      if (t === 0) this.start[e] = globalStep;
      this.obs[e].set(obs.subarray(e * obsSize, (e + 1) * obsSize), t * obsSize);
      for (let j = 0; j < actionSize; j++) this.actions[e][t * actionSize + j] = actions[e * actionSize + j];
      const r = this.render[e];
      if (r && render) r.set(render.subarray(e * renderSize, (e + 1) * renderSize), t * renderSize);
      this.rewards[e][t] = rewards[e];
      this.len[e] = t + 1;
      const term = terminated[e] === 1;
      const trunc = truncated[e] === 1;
      if (this.len[e] === segmentLength || term) done.push(this.emit(e, term));
      else if (trunc) this.len[e] = 0;
    }
    return done;
  }

  private emit(e: number, terminated: boolean): { segment: Segment; truth: SegmentTruth } {
    const { obsSize, actionSize, renderSize } = this.o;
    const n = this.len[e];
    const id = `seg-${this.nextId++}`;
    const r = this.render[e];
    const segment: Segment = {
      id,
      envId: this.o.envId,
      seed: this.o.seed,
      envIndex: e,
      globalStep: this.start[e],
      length: n,
      obsSize,
      actionSize,
      obs: this.obs[e].slice(0, n * obsSize),
      actions: this.actions[e].slice(0, n * actionSize),
      renderSize,
      render: r ? r.slice(0, n * renderSize) : null,
      terminated,
    };
    this.len[e] = 0;
    return { segment, truth: { segmentId: id, rewards: this.rewards[e].slice(0, n) } };
  }
}
