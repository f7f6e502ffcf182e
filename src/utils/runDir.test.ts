import { mkdtempSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunDir } from './runDir.js';

describe('RunDir.lastMetric', () => {
  it('returns the newest numeric value of a key, past rows where it is null or missing and a torn last line', () => {
    const run = RunDir.create(join(mkdtempSync(join(tmpdir(), 'rundir-')), 'run'));
    expect(run.lastMetric('episodicReturn')).toBeNull();
    run.appendMetrics({ update: 1, episodicReturn: 12.5 });
    run.appendMetrics({ update: 2, episodicReturn: 30.25 });
    // Updates that finished no episode (Freeway: 2,500-step episodes against 128-step rollouts).
    run.appendMetrics({ update: 3, episodicReturn: null });
    run.appendMetrics({ update: 4 });
    appendFileSync(run.metricsPath, '{"update":5,"episodicRet');
    expect(run.lastMetric('episodicReturn')).toBe(30.25);
    expect(run.lastMetric('update')).toBe(4);
    expect(run.lastMetric('noSuchKey')).toBeNull();
  });
});
