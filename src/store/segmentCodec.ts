/**
 * A segment's persisted shape, as the store reads and writes it. Its JSON record is defined once,
 * in `prefs/segments.ts` (run states use it too); here it gets a schema for input from outside
 * (exports, old runs' files), store errors, and its other encoding, the SQL row of the
 * `segments` table (snake_case columns, the arrays raw-deflated).
 *
 * Every reader checks the arrays against the segment's length and sizes.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { SEGMENT_META_KEYS, SegmentDataError, segmentFromRecord as decodeRecord, segmentProblem, segmentToRecord, type Segment, type SegmentRecord, type SegmentTruth, type SegmentWithTruth } from '../prefs/segments.js';
import { bytesToFloats, floatBytes } from '../utils/floats.js';
import { InvalidInputError } from './store.js';

export type { SegmentRecord, SegmentWithTruth };

const count = z.number().int().nonnegative();

/** The JSON record of a segment, checked as input (the type it must give is the prefs layer's). */
export const SegmentRecordSchema = z.strictObject({
  id: z.string().min(1).max(300),
  envId: z.string().min(1).max(300),
  seed: count,
  envIndex: count,
  globalStep: count,
  length: z.number().int().positive(),
  obsSize: count,
  actionSize: count,
  renderSize: count,
  terminated: z.boolean(),
  obs: z.string(),
  actions: z.string(),
  render: z.string().nullable(),
  trueRewards: z.string().nullable(),
}) satisfies z.ZodType<SegmentRecord>;

/** Refuses a segment whose arrays do not match its length and sizes (`InvalidInputError`). */
export function checkSegment(s: Segment, truth?: SegmentTruth): void {
  const problem = segmentProblem(s, truth);
  if (problem) throw new InvalidInputError(problem);
}

/** `segmentToRecord`, for writers in this layer. */
export { segmentToRecord };

/** Decodes and checks a record (already validated against `SegmentRecordSchema`); bad data is an `InvalidInputError` naming `where`. */
export function segmentFromRecord(rec: SegmentRecord, where: string): SegmentWithTruth {
  try {
    return decodeRecord(rec, where);
  } catch (e) {
    if (e instanceof SegmentDataError) throw new InvalidInputError(e.message);
    throw e;
  }
}

// ---- SQL rows ----

/** A row of the `segments` table (besides `run_id`). */
export interface SegmentRow {
  id: string;
  env_id: string;
  seed: number;
  env_index: number;
  global_step: number;
  length: number;
  obs_size: number;
  action_size: number;
  render_size: number;
  terminated: number;
  obs: Buffer;
  actions: Buffer;
  render: Buffer | null;
  true_rewards: Buffer | null;
}

/** The columns of a row, in the table's order (a test checks them against the schema). */
export const SEGMENT_COLUMNS = ['id', 'env_id', 'seed', 'env_index', 'global_step', 'length', 'obs_size', 'action_size', 'render_size', 'terminated', 'obs', 'actions', 'render', 'true_rewards'] as const satisfies readonly (keyof SegmentRow)[];

export function segmentToRow({ segment: s, truth }: SegmentWithTruth): SegmentRow {
  return {
    id: s.id,
    env_id: s.envId,
    seed: s.seed,
    env_index: s.envIndex,
    global_step: s.globalStep,
    length: s.length,
    obs_size: s.obsSize,
    action_size: s.actionSize,
    render_size: s.renderSize,
    terminated: s.terminated ? 1 : 0,
    obs: packFloats(s.obs),
    actions: packFloats(s.actions),
    render: s.render ? packFloats(s.render) : null,
    true_rewards: truth ? packFloats(truth.rewards) : null,
  };
}

/** A stored row back into a segment; a row whose arrays do not match its sizes is a corrupt database (`where` names it). */
export function segmentFromRow(r: SegmentRow, where: string): SegmentWithTruth {
  const segment: Segment = {
    id: r.id,
    envId: r.env_id,
    seed: r.seed,
    envIndex: r.env_index,
    globalStep: r.global_step,
    length: r.length,
    obsSize: r.obs_size,
    actionSize: r.action_size,
    renderSize: r.render_size,
    terminated: r.terminated === 1,
    obs: unpackFloats(r.obs, r.length * r.obs_size, 'float32', `${where} obs`) as Float32Array,
    actions: unpackFloats(r.actions, r.length * r.action_size, 'float32', `${where} actions`) as Float32Array,
    render: r.render ? (unpackFloats(r.render, r.length * r.render_size, 'float32', `${where} render`) as Float32Array) : null,
  };
  if (!r.true_rewards) return { segment };
  return { segment, truth: { segmentId: r.id, rewards: unpackFloats(r.true_rewards, r.length, 'float64', `${where} true rewards`) as Float64Array } };
}

// ---- comparing (storing a segment again is a no-op only if it is the same segment) ----

/** Same metadata, the same bits in every array, and the same truth (both absent, or equal). */
export function sameSegment(a: SegmentWithTruth, b: SegmentWithTruth): boolean {
  const x = a.segment;
  const y = b.segment;
  return (
    SEGMENT_META_KEYS.every((k) => x[k] === y[k]) &&
    sameBits(x.obs, y.obs) &&
    sameBits(x.actions, y.actions) &&
    sameBits(x.render, y.render) &&
    sameBits(a.truth?.rewards ?? null, b.truth?.rewards ?? null)
  );
}

function sameBits(a: Float32Array | Float64Array | null, b: Float32Array | Float64Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.constructor === b.constructor && Buffer.compare(floatBytes(a), floatBytes(b)) === 0;
}

// ---- float arrays ----

function packFloats(a: Float32Array | Float64Array): Buffer {
  return deflateRawSync(floatBytes(a));
}

function unpackFloats(blob: Buffer, n: number, dtype: 'float32' | 'float64', what: string): Float32Array | Float64Array {
  const raw = inflateRawSync(blob);
  const bytes = dtype === 'float32' ? 4 : 8;
  if (raw.byteLength !== n * bytes) throw new Error(`${what}: stored ${raw.byteLength} bytes, expected ${n * bytes}`);
  return bytesToFloats(raw, dtype);
}
