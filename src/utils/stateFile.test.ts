import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import { readStateFile, writeStateFile } from './stateFile.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'state-file-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('state files', () => {
  const value = {
    format: 'x',
    n: [1, 2.5, -3e-7, null, true],
    short: 'ab',
    long: 'q'.repeat(5000),
    unicode: 'é✓'.repeat(2000),
    nul: '\u00003',
    nested: [{ a: 'z'.repeat(1024), b: 'z'.repeat(1023) }],
  };

  it('read back what was written, long strings kept apart from the JSON and deflated', () => {
    const path = join(tmp(), 's.json');
    writeStateFile(path, value);
    expect(readStateFile(path)).toEqual(value);
    const whole = readFileSync(path);
    const [magic, lengthLine, json] = whole.toString('latin1').split('\n');
    expect(magic).toBe('OVERSEER-STATE 3');
    const lengths = JSON.parse(lengthLine) as number[];
    // long, unicode (4,000 chars, 10,000 bytes), the string that looks like a reference, and nested.a.
    expect(lengths.length).toBe(4);
    let at = magic.length + lengthLine.length + json.length + 3;
    const blobs = lengths.map((n) => whole.subarray(at, (at += n)));
    expect(blobs.map((b) => inflateSync(b).toString('utf8'))).toEqual([value.long, value.unicode, value.nul, value.nested[0].a]);
    // Repeats deflate to almost nothing: 5,000 q's to under 50 bytes.
    expect(lengths[0]).toBeLessThan(50);
    expect(json.length).toBeLessThan(1200);
  });

  it('read version 1 (blobs stored as they are) and version 2 (raw deflate) files; say so of a version it does not know', () => {
    const path = join(tmp(), 'old.json');
    const long = 'ab'.repeat(700);
    writeFileSync(path, `OVERSEER-STATE 1\n[${long.length},2]\n{"x":"\\u00000","y":[1,"\\u00001"]}\n${long}é`);
    expect(readStateFile(path)).toEqual({ x: long, y: [1, 'é'] });
    const [a, b] = [deflateRawSync(Buffer.from(long)), deflateRawSync(Buffer.from('é'))];
    writeFileSync(path, Buffer.concat([Buffer.from(`OVERSEER-STATE 2\n[${a.length},${b.length}]\n{"x":"\\u00000","y":[1,"\\u00001"]}\n`), a, b]));
    expect(readStateFile(path)).toEqual({ x: long, y: [1, 'é'] });
    writeFileSync(path, 'OVERSEER-STATE 9\n[]\n{}\n');
    expect(() => readStateFile(path)).toThrow('it is state file version "9"; this build reads versions 1 to 3');
  });

  it('read a plain JSON file (a state saved before the format) as JSON', () => {
    const path = join(tmp(), 'old.json');
    writeFileSync(path, JSON.stringify(value, null, 2));
    expect(readStateFile(path)).toEqual(value);
  });

  it('say what is wrong with a damaged file', () => {
    const path = join(tmp(), 's.json');
    writeStateFile(path, value);
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, whole.length - 10));
    expect(() => readStateFile(path)).toThrow(`cut short: ${whole.length - 10} bytes where its header says ${whole.length}`);
    writeFileSync(path, Buffer.concat([whole, Buffer.from('xy')]));
    expect(() => readStateFile(path)).toThrow(`too long: ${whole.length + 2} bytes`);
    const lengthsEnd = whole.indexOf(0x0a, 17);
    writeFileSync(path, whole.subarray(0, lengthsEnd - 2));
    expect(() => readStateFile(path)).toThrow('cut short: its blob length line has no end');
    writeFileSync(path, whole.subarray(0, lengthsEnd + 10));
    expect(() => readStateFile(path)).toThrow('cut short: its value line has no end');
    writeFileSync(path, 'OVERSEER-STATE 1\n[]\n{"a":"\\u00007"}\n');
    expect(() => readStateFile(path)).toThrow('its value refers to blob "7", which the file does not have');
    writeFileSync(path, 'OVERSEER-STATE 1\n[-1]\n{}\n');
    expect(() => readStateFile(path)).toThrow('its blob length line is not a list of byte counts');
    // A byte changed in place, anywhere in a blob: the header still adds up, the blob's check does
    // not (raw deflate, version 2, would mostly inflate such a blob to wrong floats).
    const floats = Buffer.from(Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i) * (i % 7)).buffer).toString('base64');
    const good = deflateSync(Buffer.from(floats));
    for (const at of [0, 2, Math.floor(good.length / 3), Math.floor(good.length / 2), good.length - 10, good.length - 1]) {
      const blob = Buffer.from(good);
      blob[at] ^= 0x10;
      writeFileSync(path, Buffer.concat([Buffer.from(`OVERSEER-STATE 3\n[${blob.length}]\n{"a":"\\u00000"}\n`), blob]));
      expect(() => readStateFile(path), `byte ${at}`).toThrow(/^its blob 0 is damaged \(/);
    }
  });

  it('hold a state longer than the longest string JavaScript allows', () => {
    // 520 clips of 1 MiB of base64: 545 M characters, past V8's 536,870,888, so the state has no
    // JSON string form; the state of a preference run from RGB frames is of this kind.
    const clip = (i: number) => String.fromCharCode(65 + (i % 26)).repeat(1 << 20);
    const big = { pool: Array.from({ length: 520 }, (_, i) => ({ id: i, obs: clip(i) })) };
    expect(() => JSON.stringify(big)).toThrow(RangeError);
    const path = join(tmp(), 'big.json');
    writeStateFile(path, big);
    const back = readStateFile(path) as typeof big;
    expect(back.pool.length).toBe(520);
    for (const i of [0, 27, 519]) expect(back.pool[i].id === i && back.pool[i].obs === clip(i)).toBe(true);
  }, 60_000);
});
