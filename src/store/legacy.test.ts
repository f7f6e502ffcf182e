import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoredLabel } from '../prefs/store.js';
import { testSegment, testTruth } from './contract.js';
import { isLegacyStore, readLegacyRun } from './legacy.js';
import { segmentToRecord } from './segmentCodec.js';
import { InvalidInputError } from './store.js';

const label = (queryId: string, leftId: string, rightId: string, over: Partial<StoredLabel> = {}): StoredLabel => ({ queryId, leftId, rightId, answer: 'right', teacher: 'oracle', seconds: null, receivedAtStep: 3, createdAt: '2025-01-01T00:00:00.000Z', ...over });

/** A file store as runs made before the database wrote it: one JSON record per line, each file ending in a newline. */
function legacyDir() {
  const dir = join(mkdtempSync(join(tmpdir(), 'overseer-legacy-')), 'prefs');
  mkdirSync(dir);
  const segs = [0, 1, 2].map((i) => testSegment(i, 4));
  const lines = (xs: unknown[]) => xs.map((x) => `${JSON.stringify(x)}\n`).join('');
  writeFileSync(join(dir, 'segments.jsonl'), lines(segs.map((segment, i) => segmentToRecord({ segment, truth: i === 1 ? undefined : testTruth(segment) }))));
  writeFileSync(join(dir, 'queries.jsonl'), lines([{ id: 'q-0', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 0 }, { id: 'q-1', leftId: 'seg-1', rightId: 'seg-2', askedAtStep: 5 }]));
  writeFileSync(join(dir, 'labels.jsonl'), lines([label('q-0', 'seg-0', 'seg-1'), label('q-1', 'seg-1', 'seg-2', { clientId: 'c-1', seconds: 1.5 })]));
  return { dir, segs };
}

describe('reading the file store of runs made before the database', () => {
  it('reads segments bit for bit, truths, queries and labels', () => {
    const { dir, segs } = legacyDir();
    expect(isLegacyStore(dir)).toBe(true);
    const c = readLegacyRun(dir);
    expect([...c.segments.values()]).toEqual(segs);
    expect([...c.truths.keys()]).toEqual(['seg-0', 'seg-2']);
    expect(c.truths.get('seg-2')).toEqual(testTruth(segs[2]));
    expect(c.queries.map((q) => q.id)).toEqual(['q-0', 'q-1']);
    expect(c.labels).toEqual([label('q-0', 'seg-0', 'seg-1'), label('q-1', 'seg-1', 'seg-2', { clientId: 'c-1', seconds: 1.5 })]);
  });

  it('skips lines torn by a crash, last or not (a resumed run appended after one), and refuses a damaged line', () => {
    const { dir } = legacyDir();
    appendFileSync(join(dir, 'labels.jsonl'), '{"queryId":"q-2","leftId":"se');
    expect(readLegacyRun(dir).labels).toHaveLength(2);
    // The writer, reopened after the crash, ended the torn line and went on appending.
    appendFileSync(join(dir, 'labels.jsonl'), `\n${JSON.stringify(label('q-2', 'seg-0', 'seg-2'))}\n`);
    expect(readLegacyRun(dir).labels.map((l) => l.queryId)).toEqual(['q-0', 'q-1', 'q-2']);
    appendFileSync(join(dir, 'labels.jsonl'), '{"queryId": q-3}\n');
    expect(() => readLegacyRun(dir)).toThrow(/labels\.jsonl:5: not valid JSON/);
  });

  it('refuses records that do not check out, naming the file and line', () => {
    const broken = (file: string, line: unknown) => {
      const { dir } = legacyDir();
      appendFileSync(join(dir, file), `${JSON.stringify(line)}\n`);
      let err: unknown;
      try {
        readLegacyRun(dir);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidInputError);
      return (err as Error).message;
    };
    const seg = segmentToRecord({ segment: testSegment(3, 4) });
    expect(broken('segments.jsonl', { ...seg, length: 5 })).toMatch(/segments\.jsonl:4: segment seg-3: obs\/actions do not match/);
    expect(broken('segments.jsonl', { ...seg, obs: 'not base64!' })).toMatch(/segments\.jsonl:4 obs: not base64/);
    expect(broken('labels.jsonl', label('q-1', 'seg-1', 'seg-9'))).toMatch(/labels\.jsonl:3: label for q-1 names a segment that is not stored/);
    expect(broken('labels.jsonl', { ...label('q-1', 'seg-1', 'seg-2'), answer: 'maybe' })).toMatch(/labels\.jsonl:3: answer: /);
    expect(broken('queries.jsonl', { id: 'q-9' })).toMatch(/queries\.jsonl:3: leftId: /);
  });

  it('reads a folder without files as empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'overseer-legacy-'));
    expect(isLegacyStore(dir)).toBe(false);
    expect(readLegacyRun(dir)).toEqual({ segments: new Map(), truths: new Map(), queries: [], labels: [] });
  });
});
