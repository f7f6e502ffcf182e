import { describe, expect, it } from 'vitest';
import { contentionMarkdown, type ContentionResult } from './contention.js';

describe('contentionMarkdown', () => {
  it('puts each task and code on a row, idle and loaded, default threads and one thread', () => {
    const r: ContentionResult = {
      provenance: { command: 'npm run bench -- contention', date: '2026-12-05T00:00:00Z', gitCommit: 'abc1234', machine: { cpu: 'cpu', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v20' } },
      steps: 1000,
      busy: 2,
      loadAverageAtStart: 0.05,
      cells: [
        { env: 'InvertedPendulum-v5', code: 'this code', busy: 0, threads: 'default', stepsPerSecond: 54000 },
        { env: 'InvertedPendulum-v5', code: 'this code', busy: 0, threads: '1', stepsPerSecond: 60000 },
        { env: 'InvertedPendulum-v5', code: 'this code', busy: 2, threads: 'default', stepsPerSecond: 21000 },
        { env: 'InvertedPendulum-v5', code: 'd2a14a3', busy: 2, threads: 'default', stepsPerSecond: 3600 },
      ],
    };
    const md = contentionMarkdown(r);
    expect(md).toContain('beside 2 CPU-bound single-thread processes');
    expect(md).toContain('load average (1 min) at the start: 0.05.');
    expect(md).toContain('| InvertedPendulum-v5 | this code | 54000 | 60000 | 21000 | - |');
    expect(md).toContain('| InvertedPendulum-v5 | d2a14a3 | - | - | 3600 | - |');
  });
});
