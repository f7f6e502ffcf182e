import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { constants, deflateSync, inflateRawSync, inflateSync } from 'node:zlib';

/**
 * A run's saved state can be far larger than one JavaScript string may be (V8 caps a string at
 * ~512 MiB): a preference run from rendered RGB frames keeps 1,000 clips of 25 frames of 4,800
 * floats, ~640 MB as base64. So a state is written in pieces and never held as one string:
 *
 *   OVERSEER-STATE 3\n
 *   [byte length of each blob, in order]\n
 *   the value as JSON, each long string replaced by "\u0000<index>"\n
 *   blob 0, blob 1, ... (each the string's UTF-8 in a zlib stream; back to back)
 *
 * Long strings (the base64 float arrays) are the blobs; any string that itself starts with
 * U+0000 is a blob too, so every such string in the JSON line is a reference. Deflate at its
 * fastest level shrinks a MinAtar preference state 7-16x (frames and grids repeat) for about a
 * second per 100 MB; zlib's Adler-32 check makes a changed byte an error rather than wrong
 * floats, so a damaged state is caught and the one before it used. Versions 1 (blobs stored as
 * they are) and 2 (raw deflate, no check) still read, and so does a file that does not start
 * with the magic line, as plain JSON: states saved before the format.
 */
const MAGIC_PREFIX = 'OVERSEER-STATE ';
const VERSION = 3;
/** How each version stores a blob's bytes. */
const BLOB_CODING: Record<string, 'plain' | 'raw-deflate' | 'zlib'> = { '1': 'plain', '2': 'raw-deflate', '3': 'zlib' };
/** Strings at least this long go to the blob section. */
const BLOB_MIN = 1024;

/** Writes `value` as a state file, atomically (a sibling temp file, fsynced, renamed over `path`). */
export function writeStateFile(path: string, value: unknown): void {
  const blobs: Buffer[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'string' || (v.length < BLOB_MIN && !v.startsWith('\u0000'))) return v;
    blobs.push(deflateSync(Buffer.from(v, 'utf8'), { level: constants.Z_BEST_SPEED }));
    return `\u0000${blobs.length - 1}`;
  });
  if (json === undefined) throw new Error(`writeStateFile: ${path}: the value has no JSON form`);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${MAGIC_PREFIX}${VERSION}\n${JSON.stringify(blobs.map((b) => b.length))}\n${json}\n`);
    for (const b of blobs) writeSync(fd, b);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Reads a state file written by `writeStateFile` (or by its versions 1 and 2), or a plain JSON
 * file. A damaged file (cut short, extended, a blob that fails its check, or not JSON where JSON
 * belongs) is an error saying what is wrong, and so is a version this build does not know.
 */
export function readStateFile(path: string): unknown {
  const buf = readFileSync(path);
  if (buf.subarray(0, MAGIC_PREFIX.length).toString('latin1') !== MAGIC_PREFIX) return JSON.parse(buf.toString('utf8'));
  const lineEnd = (from: number, what: string): number => {
    const i = buf.indexOf(0x0a, from);
    if (i < 0) throw new Error(`cut short: its ${what} line has no end`);
    return i;
  };
  const magicEnd = lineEnd(0, 'version');
  const version = buf.toString('latin1', MAGIC_PREFIX.length, magicEnd);
  const coding = Object.hasOwn(BLOB_CODING, version) ? BLOB_CODING[version] : undefined;
  if (!coding) throw new Error(`it is state file version ${JSON.stringify(version)}; this build reads versions 1 to ${VERSION} (a newer Overseer wrote it?)`);
  const lengthsEnd = lineEnd(magicEnd + 1, 'blob length');
  const lengths = JSON.parse(buf.toString('utf8', magicEnd + 1, lengthsEnd)) as unknown;
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
  const blob = (i: number): string => {
    const bytes = buf.subarray(starts[i], starts[i] + (lengths[i] as number));
    if (coding === 'plain') return bytes.toString('utf8');
    try {
      return (coding === 'zlib' ? inflateSync(bytes) : inflateRawSync(bytes)).toString('utf8');
    } catch (e) {
      throw new Error(`its blob ${i} is damaged (${(e as Error).message})`);
    }
  };
  return JSON.parse(buf.toString('utf8', lengthsEnd + 1, valueEnd), (_key, v: unknown) => {
    if (typeof v !== 'string' || !v.startsWith('\u0000')) return v;
    const i = /^\u0000\d+$/.test(v) ? Number(v.slice(1)) : -1;
    if (i < 0 || i >= lengths.length) throw new Error(`its value refers to blob ${JSON.stringify(v.slice(1))}, which the file does not have`);
    return blob(i);
  });
}
