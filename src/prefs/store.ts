/**
 * Where a preference run keeps what must survive a crash: the clips that were shown, the
 * queries, and every label. The loop talks to the `PreferenceStore` interface only, so a
 * database (the SQLite store of the people-in-the-loop issue, later PostgreSQL) replaces the
 * file-backed default without touching the loop.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFloats, encodeFloats } from '../nn/serialize.js';
import type { Segment, SegmentTruth } from './segments.js';
import { ANSWERS, type Answer } from './teachers.js';

export interface StoredQuery {
  id: string;
  leftId: string;
  rightId: string;
  askedAtStep: number;
}

export interface StoredLabel {
  queryId: string;
  leftId: string;
  rightId: string;
  answer: Answer;
  teacher: string;
  /** Seconds the teacher took, when known. */
  seconds: number | null;
  /** Env steps when the answer was received. */
  receivedAtStep: number;
  createdAt: string;
  /** A person's label: the id the labeling page gave it (storing it again is a no-op). */
  clientId?: string | null;
}

export interface StoreContents {
  segments: Map<string, Segment>;
  truths: Map<string, SegmentTruth>;
  queries: StoredQuery[];
  labels: StoredLabel[];
}

export interface PreferenceStore {
  /** Persists clips (and their true rewards, when known) before they are shown. */
  putSegments(items: readonly { segment: Segment; truth?: SegmentTruth }[]): void;
  putQueries(queries: readonly StoredQuery[]): void;
  /** Durable when it returns: a label is never acknowledged before it is stored. */
  putLabel(label: StoredLabel): void;
  /** Everything stored so far (for resume and for `--labels-from`). */
  load(): StoreContents;
  close(): void;
}

interface SegmentRecord {
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
  /** True rewards (float64, base64), when known. */
  trueRewards: string | null;
}

/**
 * Three append-only JSON-lines files in one directory: segments.jsonl, queries.jsonl and
 * labels.jsonl. Every append is fsynced before returning. A line torn by a crash can only be
 * the last one of a file; it was never acknowledged, so it is skipped when loading.
 */
export class FilePreferenceStore implements PreferenceStore {
  private readonly fds = new Map<string, number>();
  private closed = false;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  static exists(dir: string): boolean {
    return existsSync(join(dir, 'labels.jsonl')) || existsSync(join(dir, 'segments.jsonl'));
  }

  putSegments(items: readonly { segment: Segment; truth?: SegmentTruth }[]): void {
    if (items.length === 0) return;
    const lines = items.map(({ segment: s, truth }) => {
      const rec: SegmentRecord = {
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
        obs: encodeFloats(s.obs),
        actions: encodeFloats(s.actions),
        render: s.render ? encodeFloats(s.render) : null,
        trueRewards: truth ? encodeFloats(truth.rewards) : null,
      };
      return JSON.stringify(rec);
    });
    this.append('segments.jsonl', lines);
  }

  putQueries(queries: readonly StoredQuery[]): void {
    if (queries.length > 0) this.append('queries.jsonl', queries.map((q) => JSON.stringify(q)));
  }

  putLabel(label: StoredLabel): void {
    if (!(ANSWERS as readonly string[]).includes(label.answer)) throw new Error(`label for ${label.queryId}: unknown answer ${JSON.stringify(label.answer)}`);
    this.append('labels.jsonl', [JSON.stringify(label)]);
  }

  load(): StoreContents {
    const segments = new Map<string, Segment>();
    const truths = new Map<string, SegmentTruth>();
    for (const rec of this.readLines<SegmentRecord>('segments.jsonl')) {
      const s: Segment = {
        id: rec.id,
        envId: rec.envId,
        seed: rec.seed,
        envIndex: rec.envIndex,
        globalStep: rec.globalStep,
        length: rec.length,
        obsSize: rec.obsSize,
        actionSize: rec.actionSize,
        renderSize: rec.renderSize,
        terminated: rec.terminated,
        obs: decodeFloats(rec.obs, 'float32') as Float32Array,
        actions: decodeFloats(rec.actions, 'float32') as Float32Array,
        render: rec.render ? (decodeFloats(rec.render, 'float32') as Float32Array) : null,
      };
      if (s.obs.length !== s.length * s.obsSize || s.actions.length !== s.length * s.actionSize) {
        throw new Error(`${join(this.dir, 'segments.jsonl')}: segment ${s.id} has data of the wrong size`);
      }
      segments.set(s.id, s);
      if (rec.trueRewards) truths.set(s.id, { segmentId: s.id, rewards: decodeFloats(rec.trueRewards, 'float64') as Float64Array });
    }
    const queries = this.readLines<StoredQuery>('queries.jsonl');
    const labels = this.readLines<StoredLabel>('labels.jsonl');
    for (const l of labels) {
      if (!segments.has(l.leftId) || !segments.has(l.rightId)) throw new Error(`${join(this.dir, 'labels.jsonl')}: label for ${l.queryId} names a clip that is not stored`);
    }
    return { segments, truths, queries, labels };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private append(file: string, lines: string[]): void {
    if (this.closed) throw new Error(`preference store ${this.dir} is closed`);
    let fd = this.fds.get(file);
    if (fd === undefined) {
      const path = join(this.dir, file);
      fd = openSync(path, 'a');
      this.fds.set(file, fd);
      // A torn last line from a crash must not swallow the next record.
      const last = lastByte(path);
      if (last !== null && last !== 0x0a) writeSync(fd, '\n');
    }
    writeSync(fd, `${lines.join('\n')}\n`);
    fsyncSync(fd);
  }

  private readLines<T>(file: string): T[] {
    const path = join(this.dir, file);
    if (!existsSync(path)) return [];
    const lines = readFileSync(path, 'utf8').split('\n');
    const out: T[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(JSON.parse(line) as T);
      } catch (e) {
        // Only an unacknowledged append can be torn, and only the last line of a file.
        const isLast = lines.slice(i + 1).every((l) => l.trim() === '');
        if (!isLast) throw new Error(`${path}: line ${i + 1} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      }
    });
    return out;
  }
}

/** The last byte of a file, or null if it is empty. */
function lastByte(path: string): number | null {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return null;
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0];
  } finally {
    closeSync(fd);
  }
}
