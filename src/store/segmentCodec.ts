/**
 * A clip's persisted shape, in one place: its metadata and four float arrays (observations,
 * actions and render states as float32; true rewards as float64, when known). Two encodings
 * share it:
 *
 * - a JSON record (exports, and the JSON-lines files of runs made before the database), with
 *   the arrays as base64 of their little-endian bytes;
 * - a SQL row (the `segments` table), with snake_case columns and the arrays raw-deflated.
 *
 * Every reader checks the arrays against the clip's length and sizes.
 */
import { endianness } from 'node:os';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import type { Segment, SegmentTruth } from '../prefs/segments.js';
import { InvalidInputError } from './store.js';

/** A clip with its true rewards, when known: what stores take and give back. */
export interface SegmentWithTruth {
  segment: Segment;
  truth?: SegmentTruth;
}

if (endianness() !== 'LE') throw new Error('stored clips are little-endian floats; this machine is big-endian');

const count = z.number().int().nonnegative();

/** The JSON record of a clip. */
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
});
export type SegmentRecord = z.infer<typeof SegmentRecordSchema>;

/** Refuses a clip whose arrays do not match its length and sizes (`InvalidInputError`). */
export function checkSegment(s: Segment, truth?: SegmentTruth): void {
  if (!(Number.isInteger(s.length) && s.length > 0)) throw new InvalidInputError(`segment ${s.id}: length must be a positive integer (got ${s.length})`);
  if (s.obs.length !== s.length * s.obsSize || s.actions.length !== s.length * s.actionSize) {
    throw new InvalidInputError(`segment ${s.id}: obs/actions do not match its length and sizes`);
  }
  if (s.render && s.render.length !== s.length * s.renderSize) throw new InvalidInputError(`segment ${s.id}: render states do not match its length`);
  if (truth && truth.rewards.length !== s.length) throw new InvalidInputError(`segment ${s.id}: ${truth.rewards.length} true rewards for ${s.length} steps`);
}

// ---- JSON records ----

export function segmentToRecord({ segment: s, truth }: SegmentWithTruth): SegmentRecord {
  return {
    id: s.id,
    envId: s.envId,
    seed: s.seed,
    envIndex: s.envIndex,
    globalStep: s.globalStep,
    length: s.length,
    obsSize: s.obsSize,
    actionSize: s.actionSize,
    renderSize: s.renderSize,
    terminated: s.terminated,
    obs: floatsToBase64(s.obs),
    actions: floatsToBase64(s.actions),
    render: s.render ? floatsToBase64(s.render) : null,
    trueRewards: truth ? floatsToBase64(truth.rewards) : null,
  };
}

/** Decodes and checks a record (already validated against `SegmentRecordSchema`); `where` prefixes errors. */
export function segmentFromRecord(rec: SegmentRecord, where: string): SegmentWithTruth {
  const decode = (b64: string, dtype: 'float32' | 'float64') => base64ToFloats(b64, dtype, where);
  const { obs, actions, render, trueRewards, ...meta } = rec;
  const segment: Segment = {
    ...meta,
    obs: decode(obs, 'float32') as Float32Array,
    actions: decode(actions, 'float32') as Float32Array,
    render: render === null ? null : (decode(render, 'float32') as Float32Array),
  };
  const truth = trueRewards === null ? undefined : { segmentId: segment.id, rewards: decode(trueRewards, 'float64') as Float64Array };
  try {
    checkSegment(segment, truth);
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(`${where}: ${e.message}`);
    throw e;
  }
  return truth ? { segment, truth } : { segment };
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

/** A stored row back into a clip; a row whose arrays do not match its sizes is a corrupt database (`where` names it). */
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

// ---- comparing (storing a clip again is a no-op only if it is the same clip) ----

/** Same metadata, the same bits in every array, and the same truth (both absent, or equal). */
export function sameSegment(a: SegmentWithTruth, b: SegmentWithTruth): boolean {
  const x = a.segment;
  const y = b.segment;
  const meta = ['id', 'envId', 'seed', 'envIndex', 'globalStep', 'length', 'obsSize', 'actionSize', 'renderSize', 'terminated'] as const;
  return (
    meta.every((k) => x[k] === y[k]) &&
    sameBits(x.obs, y.obs) &&
    sameBits(x.actions, y.actions) &&
    sameBits(x.render, y.render) &&
    sameBits(a.truth?.rewards ?? null, b.truth?.rewards ?? null)
  );
}

function sameBits(a: Float32Array | Float64Array | null, b: Float32Array | Float64Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.constructor === b.constructor && Buffer.compare(bytesOf(a), bytesOf(b)) === 0;
}

// ---- float arrays ----

const bytesOf = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export function floatsToBase64(a: Float32Array | Float64Array): string {
  return bytesOf(a).toString('base64');
}

/** Decodes base64 little-endian floats; bad input is an `InvalidInputError` prefixed by `where`. */
export function base64ToFloats(b64: string, dtype: 'float32' | 'float64', where: string): Float32Array | Float64Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new InvalidInputError(`${where}: float data is not base64`);
  const raw = Buffer.from(b64, 'base64');
  const bytes = dtype === 'float32' ? 4 : 8;
  if (raw.byteLength % bytes !== 0) throw new InvalidInputError(`${where}: encoded ${dtype} data has ${raw.byteLength} bytes, not a multiple of ${bytes}`);
  return copyFloats(raw, dtype);
}

function packFloats(a: Float32Array | Float64Array): Buffer {
  return deflateRawSync(bytesOf(a));
}

function unpackFloats(blob: Buffer, n: number, dtype: 'float32' | 'float64', what: string): Float32Array | Float64Array {
  const raw = inflateRawSync(blob);
  const bytes = dtype === 'float32' ? 4 : 8;
  if (raw.byteLength !== n * bytes) throw new Error(`${what}: stored ${raw.byteLength} bytes, expected ${n * bytes}`);
  return copyFloats(raw, dtype);
}

/** Copies into a fresh, aligned array (a Buffer's bytes may sit at any offset of a shared pool). */
function copyFloats(raw: Buffer, dtype: 'float32' | 'float64'): Float32Array | Float64Array {
  const out = dtype === 'float32' ? new Float32Array(raw.byteLength / 4) : new Float64Array(raw.byteLength / 8);
  new Uint8Array(out.buffer).set(raw);
  return out;
}
