import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A run's saved state can be far larger than one JavaScript string may be (V8 caps a string at
 * ~512 MiB): a preference run from rendered RGB frames keeps 1,000 clips of 25 frames of 4,800
 * floats, ~640 MB as base64. So a state is written in pieces and never held as one string:
 *
 *   OVERSEER-STATE 1\n
 *   [byte length of each blob, in order]\n
 *   the value as JSON, each long string replaced by "\u0000<index>"\n
 *   blob 0, blob 1, ... (UTF-8, back to back)
 *
 * Long strings (the base64 float arrays) are the blobs; any string that itself starts with
 * U+0000 is a blob too, so every such string in the JSON line is a reference. A file that does
 * not start with the magic line is read as plain JSON: states saved before this format.
 */
const MAGIC = 'OVERSEER-STATE 1\n';
/** Strings at least this long go to the blob section. */
const BLOB_MIN = 1024;

/** Writes `value` as a state file, atomically (a sibling temp file, fsynced, renamed over `path`). */
export function writeStateFile(path: string, value: unknown): void {
  const blobs: string[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'string' || (v.length < BLOB_MIN && !v.startsWith('\u0000'))) return v;
    blobs.push(v);
    return `\u0000${blobs.length - 1}`;
  });
  if (json === undefined) throw new Error(`writeStateFile: ${path}: the value has no JSON form`);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${MAGIC}${JSON.stringify(blobs.map((b) => Buffer.byteLength(b, 'utf8')))}\n${json}\n`);
    for (const b of blobs) writeSync(fd, b, null, 'utf8');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Reads a state file written by `writeStateFile`, or a plain JSON file. A damaged file (cut
 * short, extended, or not JSON where JSON belongs) is an error saying what is wrong.
 */
export function readStateFile(path: string): unknown {
  const buf = readFileSync(path);
  if (buf.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return JSON.parse(buf.toString('utf8'));
  const lineEnd = (from: number, what: string): number => {
    const i = buf.indexOf(0x0a, from);
    if (i < 0) throw new Error(`cut short: its ${what} line has no end`);
    return i;
  };
  const lengthsEnd = lineEnd(MAGIC.length, 'blob length');
  const lengths = JSON.parse(buf.toString('utf8', MAGIC.length, lengthsEnd)) as unknown;
  if (!Array.isArray(lengths) || !lengths.every((n) => Number.isInteger(n) && n >= 0)) throw new Error('its blob length line is not a list of byte counts');
  const valueEnd = lineEnd(lengthsEnd + 1, 'value');
  const expected = valueEnd + 1 + (lengths as number[]).reduce((a, n) => a + n, 0);
  if (buf.length !== expected) throw new Error(`${buf.length < expected ? 'cut short' : 'too long'}: ${buf.length} bytes where its header says ${expected}`);
  const starts: number[] = [];
  let at = valueEnd + 1;
  for (const n of lengths as number[]) {
    starts.push(at);
    at += n;
  }
  return JSON.parse(buf.toString('utf8', lengthsEnd + 1, valueEnd), (_key, v: unknown) => {
    if (typeof v !== 'string' || !v.startsWith('\u0000')) return v;
    const i = /^\u0000\d+$/.test(v) ? Number(v.slice(1)) : -1;
    if (i < 0 || i >= lengths.length) throw new Error(`its value refers to blob ${JSON.stringify(v.slice(1))}, which the file does not have`);
    return buf.toString('utf8', starts[i], starts[i] + (lengths[i] as number));
  });
}
