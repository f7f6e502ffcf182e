import { describe, expect, it } from 'vitest';
import { minAtarRandomMarkdown, randomReturns, type MinAtarRandomResult } from './minatarRandom.js';

describe('minatar-random', () => {
  it('measures a seeded random policy: the same numbers each time, Breakout near MinAtar\'s 0.5', () => {
    const a = randomReturns('breakout', 300, 1);
    expect(randomReturns('breakout', 300, 1)).toEqual(a);
    expect(a.mean).toBeGreaterThan(0.35);
    expect(a.mean).toBeLessThan(0.65);
    expect(a.meanLength).toBeGreaterThan(5);
  });

  it('sets ours beside the Python run and the README, with z', () => {
    const r: MinAtarRandomResult = {
      provenance: { command: 'npm run bench -- minatar-random', date: 'd', gitCommit: 'abc', machine: { cpu: 'c', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v20' } },
      seed: 0,
      pythonRecordedWith: 'MinAtar 1.0.15',
      rows: [{ game: 'breakout', episodes: 1000, mean: 0.532, stderr: 0.024, meanLength: 11.4, python: { episodes: 1000, mean: 0.495, stderr: 0.023 }, readme: { mean: 0.5, stderr: 0.023 }, z: 1.12 }],
    };
    expect(minAtarRandomMarkdown(r)).toContain('| Breakout | 1000 | 0.532 ± 0.024 | 0.495 ± 0.023 | 0.500 ± 0.023 | 1.12 | 11.4 |');
  });
});
