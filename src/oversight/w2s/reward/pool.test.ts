import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evenlySpaced, loadPool, savePool } from './pool.js';
import { syntheticPool } from './testPool.js';

describe('w2s reward pool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'w2s-reward-pool-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips through its file with every clip and true reward', () => {
    const pool = syntheticPool(20);
    const path = join(dir, 'pool.json');
    savePool(path, pool);
    const back = loadPool(path);
    expect(back.segments.length).toBe(20);
    expect(back.segmentLength).toBe(pool.segmentLength);
    back.segments.forEach((s, i) => {
      expect(Array.from(s.segment.obs)).toEqual(Array.from(pool.segments[i].segment.obs));
      expect(Array.from(s.truth.rewards)).toEqual(Array.from(pool.segments[i].truth.rewards));
      expect(s.trueReturn).toBeCloseTo(pool.segments[i].trueReturn, 12);
    });
  });

  it('says which file is not a pool', () => {
    const path = join(dir, 'other.json');
    writeFileSync(path, JSON.stringify({ format: 'overseer.prefs' }));
    expect(() => loadPool(path)).toThrow(/other\.json: not a w2s reward pool/);
    writeFileSync(path, '{');
    expect(() => loadPool(path)).toThrow(/other\.json: not a readable JSON pool/);
  });

  it('keeps clips evenly spread over the recording run', () => {
    expect(evenlySpaced(5, 10)).toEqual([0, 1, 2, 3, 4]);
    const kept = evenlySpaced(1000, 10);
    expect(kept).toEqual([50, 150, 250, 350, 450, 550, 650, 750, 850, 950]);
  });
});
