import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { seedRange } from './parse.js';
import { w2sOptions } from './w2s.js';
import { QUICK_OPTIONS } from '../oversight/w2s/grid.js';

describe('overseer w2s options', () => {
  it('parses seed ranges and lists', () => {
    expect(seedRange('1-3')).toEqual([1, 2, 3]);
    expect(seedRange('1,4,6-7')).toEqual([1, 4, 6, 7]);
    expect(() => seedRange('3-1')).toThrow(/runs backwards/);
    expect(() => seedRange('a')).toThrow(/--seeds/);
  });

  it('fills defaults from the schema and applies --quick', () => {
    const o = w2sOptions({ out: 'x' });
    expect(o.seeds).toEqual([1, 2, 3]);
    expect(o.tasks).toEqual(['digits', 'lt5']);
    expect(w2sOptions({ out: 'x', quick: true, seeds: '2' })).toMatchObject({ ...QUICK_OPTIONS, seeds: [2] });
  });

  it('names the flag of a bad value and exits 2 before loading anything', async () => {
    expect(() => w2sOptions({ out: 'x', strong: 'dae-64,vit-3' })).toThrow(/w2s --strong\.1: expected dae-<width> or rf-<width>/);
    expect(() => w2sOptions({ out: 'x', tasks: 'digits,foo' })).toThrow(/w2s --tasks\.1: .*"parity"/);
    let err = '';
    const code = await runCli(['w2s', '--methods', 'magic'], { stdout: () => {}, stderr: (t) => (err += t), isTTY: false });
    expect(code).toBe(2);
    expect(err).toMatch(/w2s --methods\.0: .*"bootstrap"/);
  });
});
