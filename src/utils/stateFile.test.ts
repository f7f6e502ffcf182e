import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

  it('read back what was written, long strings kept apart from the JSON', () => {
    const path = join(tmp(), 's.json');
    writeStateFile(path, value);
    expect(readStateFile(path)).toEqual(value);
    const [magic, lengths, json] = readFileSync(path, 'utf8').split('\n');
    expect(magic).toBe('OVERSEER-STATE 1');
    // long, unicode (4,000 chars, 10,000 bytes), the string that looks like a reference, and nested.a.
    expect(JSON.parse(lengths)).toEqual([5000, 10000, 2, 1024]);
    expect(json.length).toBeLessThan(1200);
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
    writeFileSync(path, whole.subarray(0, 30));
    expect(() => readStateFile(path)).toThrow('cut short: its blob length line has no end');
    writeFileSync(path, whole.subarray(0, 40));
    expect(() => readStateFile(path)).toThrow('cut short: its value line has no end');
    writeFileSync(path, 'OVERSEER-STATE 1\n[]\n{"a":"\\u00007"}\n');
    expect(() => readStateFile(path)).toThrow('its value refers to blob "7", which the file does not have');
    writeFileSync(path, 'OVERSEER-STATE 1\n[-1]\n{}\n');
    expect(() => readStateFile(path)).toThrow('its blob length line is not a list of byte counts');
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
