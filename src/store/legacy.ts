/**
 * Runs made before the project database kept their segments, queries and labels in three
 * append-only JSON-lines files in the run's `prefs/` folder: segments.jsonl (a segment's record
 * per line, segmentCodec.ts), queries.jsonl and labels.jsonl. Nothing writes them any more;
 * this reads them once, to move a run into a database (`--resume`) or to start another run
 * from its labels (`--labels-from`).
 *
 * Every append was fsynced before it was acknowledged, so a line torn by a crash was never
 * acknowledged, and is skipped. It is usually the last line, but not always: after a crash the
 * writer ended the torn line with a newline and went on appending (a resumed run). A torn line
 * is a record cut short: it starts with '{' but does not end with '}'. Any other line that is
 * not valid JSON is damage, and an error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Segment, SegmentTruth } from '../prefs/segments.js';
import type { StoreContents, StoredLabel, StoredQuery } from '../prefs/store.js';
import { ANSWERS } from '../prefs/teachers.js';
import { SegmentRecordSchema, segmentFromRecord } from './segmentCodec.js';
import { InvalidInputError } from './store.js';

/** The folder inside a run directory that held the files. */
export const LEGACY_DIR = 'prefs';

const QueryRecord = z.object({ id: z.string().min(1), leftId: z.string().min(1), rightId: z.string().min(1), askedAtStep: z.number().int().nonnegative() });
const LabelRecord = z.object({
  queryId: z.string().min(1),
  leftId: z.string().min(1),
  rightId: z.string().min(1),
  answer: z.enum(ANSWERS),
  teacher: z.string(),
  seconds: z.number().nonnegative().nullable(),
  receivedAtStep: z.number().int().nonnegative(),
  createdAt: z.string(),
  clientId: z.string().min(1).nullable().optional(),
});

/** Whether `dir` (a run's `prefs/` folder) holds a file store. */
export function isLegacyStore(dir: string): boolean {
  return existsSync(join(dir, 'labels.jsonl')) || existsSync(join(dir, 'segments.jsonl'));
}

/** Reads and checks a file store; errors name the file and line. Missing files are empty. */
export function readLegacyRun(dir: string): StoreContents {
  const segments = new Map<string, Segment>();
  const truths = new Map<string, SegmentTruth>();
  for (const { value, where } of readLines(join(dir, 'segments.jsonl'), SegmentRecordSchema)) {
    const { segment, truth } = segmentFromRecord(value, where);
    segments.set(segment.id, segment);
    if (truth) truths.set(segment.id, truth);
  }
  const queries: StoredQuery[] = readLines(join(dir, 'queries.jsonl'), QueryRecord).map(({ value }) => value);
  const labels: StoredLabel[] = [];
  for (const { value, where } of readLines(join(dir, 'labels.jsonl'), LabelRecord)) {
    if (!segments.has(value.leftId) || !segments.has(value.rightId)) throw new InvalidInputError(`${where}: label for ${value.queryId} names a segment that is not stored`);
    const { clientId, ...label } = value;
    labels.push(clientId ? { ...label, clientId } : label);
  }
  return { segments, truths, queries, labels };
}

function readLines<T>(path: string, schema: z.ZodType<T>): { value: T; where: string }[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: { value: T; where: string }[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${path}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      const t = line.trim();
      if (t.startsWith('{') && !t.endsWith('}')) return;
      throw new InvalidInputError(`${where}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidInputError(`${where}: ${issue.path.join('.') || 'record'}: ${issue.message}`);
    }
    out.push({ value: parsed.data, where });
  });
  return out;
}
