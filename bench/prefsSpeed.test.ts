import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetrics } from './train.js';
import { loopBreakdown, pct, prefsSpeedMarkdown, throughputRatio, type LoopMetricsRow, type PrefsSpeedResult, type TaskSpeed } from './prefsSpeed.js';

// Two PPO updates of 2048 steps after 1024 initial-segment steps; fitSeconds is cumulative.
const rows: LoopMetricsRow[] = [
  { envSteps: 3072, ppoStep: 2048, rolloutSeconds: 1.5, updateSeconds: 0.75, fitSeconds: 2, fits: 1 },
  { envSteps: 5120, ppoStep: 4096, rolloutSeconds: 1.25, updateSeconds: 0.5, fitSeconds: 3.5, fits: 2 },
];

const task = (env: string, raw: number, ppo: number, loop: number): TaskSpeed => ({
  env,
  envKwargs: {},
  vectorEnv: '2 envs, worker threads + caller (both cores)',
  loadAverageAtStart: 0.5,
  raw: { steps: 50_000, stepsPerSecond: raw },
  ppo: { steps: 200_704, seconds: 10, stepsPerSecond: ppo, ratio: throughputRatio(ppo, raw), rolloutSeconds: 6, updateSeconds: 4 },
  prefs: {
    command: `overseer prefs --env ${env} --teacher oracle --label-budget 140 --steps 200000 --seed 1`,
    envSteps: 200_704,
    labels: 140,
    trainSeconds: 20,
    stepsPerSecond: loop,
    ratio: throughputRatio(loop, raw),
    pass: throughputRatio(loop, raw) >= 0.4,
    breakdown: { rolloutSeconds: 8.04, updateSeconds: 5, fitSeconds: 3.96, otherSeconds: 3, initialSteps: 4096, updates: 96, fits: 40 },
  },
});

const result = (tasks: TaskSpeed[]): PrefsSpeedResult => ({
  provenance: {
    command: 'npm run bench -- prefs-speed',
    date: '2026-12-05T12:00:00.000Z',
    gitCommit: 'abc1234',
    machine: { cpu: 'AMD EPYC', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v20.19.0' },
  },
  steps: 200_000,
  labels: 140,
  rawSteps: 50_000,
  threads: 2,
  minRatio: 0.4,
  tasks,
  passes: tasks.filter((t) => t.prefs.pass).length,
});

describe('bench prefs-speed', () => {
  it("splits a run's training time into rollout, update, fits (cumulative: the last row) and the rest", () => {
    const b = loopBreakdown(rows, 10, 5120);
    expect(b.rolloutSeconds).toBe(2.75);
    expect(b.updateSeconds).toBe(1.25);
    expect(b.fitSeconds).toBe(3.5);
    expect(b.otherSeconds).toBe(2.5);
    expect(b.initialSteps).toBe(1024);
    expect(b.updates).toBe(2);
    expect(b.fits).toBe(2);
  });

  it('puts a run without PPO updates all in other, its steps all initial', () => {
    expect(loopBreakdown([], 4, 2048)).toEqual({ rolloutSeconds: 0, updateSeconds: 0, fitSeconds: 0, otherSeconds: 4, initialSteps: 2048, updates: 0, fits: 0 });
  });

  it('reads metrics.jsonl rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'overseer-prefs-speed-test-'));
    try {
      writeFileSync(join(dir, 'metrics.jsonl'), `${rows.map((r) => JSON.stringify({ ...r, update: 1, sps: 900 })).join('\n')}\n`);
      const read = readMetrics<LoopMetricsRow>(dir);
      expect(read).toHaveLength(2);
      expect(loopBreakdown(read, 10, 5120).otherSeconds).toBe(2.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows whole percents rounded down, so 40% always meets the bar', () => {
    expect(throughputRatio(4000, 10_000)).toBe(0.4);
    expect(pct(0.4)).toBe('40%');
    expect(pct(0.3999)).toBe('39%');
    expect(pct(0.479)).toBe('47%');
    expect(pct(0.29)).toBe('29%');
  });

  it('writes one row per task and how many meet 40%', () => {
    const md = prefsSpeedMarkdown(result([task('Hopper-v5', 27_000, 12_960, 10_800), task('Reacher-v5', 100_000, 20_000, 15_000)]));
    const lines = md.split('\n');
    const header = lines.findIndex((l) => l.startsWith('| task |'));
    expect(lines[header]).toBe('| task | raw steps/s | PPO alone steps/s (% of raw) | preference loop steps/s (% of raw) | ≥ 40% | rollout s | update s | RM fit s | other s |');
    expect(lines[header + 2]).toBe('| Hopper-v5 | 27000 | 12960 (48%) | 10800 (40%) | yes | 8.0 | 5.0 | 4.0 | 3.0 |');
    expect(lines[header + 3]).toBe('| Reacher-v5 | 100000 | 20000 (20%) | 15000 (15%) | **no** | 8.0 | 5.0 | 4.0 | 3.0 |');
    expect(md).toContain('**1 of 2 tasks meet 40% of raw.**');
    expect(md).toContain('`npm run bench -- prefs-speed` at abc1234, 2026-12-05; AMD EPYC, 2 cores, Node v20.19.0; 2 threads per measurement');
    expect(md).toContain('--label-budget 140 --steps 200000 --seed 1');
  });
});
