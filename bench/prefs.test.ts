import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectKeyValue } from '../src/cli/parse.js';
import { resolvePrefsConfig } from '../src/cli/prefs.js';
import '../src/envs/builtins.js';
import { prefsPpoConfig, type PrefsConfig } from '../src/prefs/config.js';
import { commandLine, configKey, expectedKey, loadResults, rebuildRunDirs, scoreRatio, stampCommit, supersede, variantFlags, VARIANTS, withLock, type CellResult, type RunOutcome, type TaskPrefsResult } from './prefs.js';

const run = (seed: number, configKey: string, evalMean: number): RunOutcome => ({ seed, evalMean, labels: 700, heldOutAccuracy: 0.9, trainSeconds: 100, curve: [], commit: 'abc1234', configKey });
const cell = (runs: RunOutcome[], hp: string[]): CellResult => ({ variant: 'oracle', labels: 700, hp, runs, mean: runs.reduce((a, r) => a + r.evalMean, 0) / runs.length, ratio: 0.5 });

describe('bench prefs', () => {
  it("writes each variant's reward-model and PPO options so that the CLI reads them back unchanged", () => {
    for (const v of Object.values(VARIANTS)) {
      const args = commandLine(variantFlags(v.tasks?.[0] ?? 'Hopper-v5', v, v.budgets[0], 1, 1_000_000, 10), '/tmp/out');
      const read = (flag: string) => args.reduce((acc, a, i) => (args[i - 1] === flag ? collectKeyValue(a, acc) : acc), {} as Record<string, unknown>);
      expect(read('--rm'), v.name).toEqual(v.rm ?? {});
      expect(read('--hp'), v.name).toEqual(v.hp ?? {});
    }
    expect(commandLine(variantFlags('Reacher-v5', VARIANTS.l2fixed, 700, 1, 1_000_000, 10), '/tmp/out')).toContain('l2Band=[0.01,100]');
  });

  it('keeps cells whose options changed as superseded, with their comparison, once', () => {
    const old = cell([run(1, 'old', 120), run(2, 'old', 40), run(3, 'old', 50)], ['entCoef=0.001']);
    const previous = {
      env: 'Swimmer-v5',
      envKwargs: {},
      steps: 1_000_000,
      baseline: null,
      baselines: [{ mean: 119, seeds: [{ seed: 1, evalMean: 119 }], hp: ['entCoef=0.001'] }],
      cells: [old],
      provenance: {},
    } as unknown as TaskPrefsResult;
    // Seed 1 has been rerun under the new options; seeds 2-3 not yet.
    const now = [cell([run(1, 'new', 180)], ['entCoef=0.001', 'gamma=0.9999'])];
    const s = supersede(previous, now);
    expect(s).toHaveLength(1);
    expect(s[0].runs.map((r) => r.seed)).toEqual([1, 2, 3]);
    expect(s[0].mean).toBeCloseTo(70, 10);
    expect(s[0].ratio).toBe(0.5);
    expect(s[0].comparison?.mean).toBe(119);
    // Collected again (the superseded list is carried forward, nothing is added twice).
    const again = supersede({ ...previous, cells: now, superseded: s }, now);
    expect(again).toHaveLength(1);
    // Current runs are never superseded.
    expect(supersede({ ...previous, cells: now }, now)).toEqual([]);
  });

  it('scores negative returns as PPO / ours', () => {
    expect(scoreRatio(-8, -4)).toBe(0.5);
    expect(scoreRatio(90, 100)).toBeCloseTo(0.9, 12);
  });
  it('names the commit a run started at and the ones it was resumed at', () => {
    expect(stampCommit(null)).toBeNull();
    expect(stampCommit({ commit: '9a03d11', configKey: 'k' })).toBe('9a03d11');
    expect(stampCommit({ commit: '9a03d11', configKey: 'k', resumedAt: ['9a03d11'] })).toBe('9a03d11');
    expect(stampCommit({ commit: '9a03d11', configKey: 'k', resumedAt: ['16313e9', null, '16313e9'] })).toBe('9a03d11, resumed at 16313e9, ?');
    expect(stampCommit({ commit: null, configKey: 'k', resumedAt: ['16313e9'] })).toBe('?, resumed at 16313e9');
  });
  it('serialises writers with a lock file, takes over a stale one, and gives up on a live one with a message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'overseer-lock-'));
    try {
      const lock = join(dir, 'prefs.json.lock');
      expect(withLock(lock, () => (existsSync(lock) ? 'held' : 'not held'))).toBe('held');
      expect(existsSync(lock)).toBe(false);
      expect(() => withLock(lock, () => { throw new Error('boom'); })).toThrow('boom');
      expect(existsSync(lock)).toBe(false);
      // Another process holds it: wait, then fail naming the file.
      writeFileSync(lock, '');
      const t0 = Date.now();
      expect(() => withLock(lock, () => 1, 300)).toThrow(`${lock} has been held for over 0.3 s; if no bench process is running, delete it`);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
      // Left behind by a killed process (older than two minutes): taken over.
      const old = (Date.now() - 180_000) / 1000;
      utimesSync(lock, old, old);
      expect(withLock(lock, () => 2, 300)).toBe(2);
      expect(existsSync(lock)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the committed runs keep their keys: options renamed or added since (labelBudget, diagnostics) do not make them stale', () => {
    const results = loadResults();
    const mismatched: string[] = [];
    let runs = 0;
    for (const [env, task] of Object.entries(results)) {
      for (const c of task.cells) {
        const v = VARIANTS[c.variant];
        if (!v) continue;
        const key = expectedKey(env, v, c.labels, task.steps, 10);
        for (const r of c.runs) {
          runs += 1;
          if (r.configKey !== key) mismatched.push(`${env} ${c.variant} ${c.labels} seed ${r.seed}`);
        }
      }
    }
    expect(runs).toBeGreaterThan(100);
    expect(mismatched).toEqual([]);
  });

  it("a training time limit of its own (maxEpisodeSteps) changes the key; left at the env's, the key is that of runs made before the option", () => {
    const prefs = resolvePrefsConfig(variantFlags('Hopper-v5', VARIANTS.oracle, 700, 1, 1_000_000, 10));
    const ppo = prefsPpoConfig(prefs, prefs.totalTimesteps);
    // A run made before the option has no such field in its config.json.
    const { maxEpisodeSteps, ...before } = prefs;
    expect(maxEpisodeSteps).toBeNull();
    const key = configKey(prefs, ppo, {});
    expect(configKey(before as PrefsConfig, ppo, {})).toBe(key);
    expect(key).toBe(expectedKey('Hopper-v5', VARIANTS.oracle, 700, 1_000_000, 10));
    expect(configKey({ ...prefs, maxEpisodeSteps: 250 }, ppo, {})).not.toBe(key);
  });

  it('a run recorded by a queue worker elsewhere is rebuilt under this checkout from its kept files; one already here is left alone', () => {
    const root = mkdtempSync(join(tmpdir(), 'overseer-rebuild-'));
    const files = { 'config.json': JSON.stringify({ command: 'prefs', envId: 'Hopper-v5' }), 'summary.json': '{"status":"finished"}', 'metrics.jsonl': '{"envSteps":1}\n', 'bench.json': '{"commit":"abc","configKey":"k"}' };
    const runs = [
      { out: '/elsewhere/checkout/bench/runs/prefs/Hopper-v5/oracle-700/seed1', files },
      { out: '/elsewhere/checkout/bench/runs/prefs/Hopper-v5/oracle-700/seed2', files: { ...files, 'summary.json': undefined as unknown as string } },
      { out: '/tmp/not-a-bench-run', files },
    ].map((r) => ({ ...r, files: Object.fromEntries(Object.entries(r.files).filter(([, v]) => v !== undefined)) }));
    const first = rebuildRunDirs(runs, root);
    expect(first.rebuilt).toBe(1);
    expect([...first.envs]).toEqual(['Hopper-v5']);
    const dir = join(root, 'bench', 'runs', 'prefs', 'Hopper-v5', 'oracle-700', 'seed1');
    expect(readFileSync(join(dir, 'bench.json'), 'utf8')).toBe(files['bench.json']);
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe(files['metrics.jsonl']);
    expect(existsSync(join(root, 'bench', 'runs', 'prefs', 'Hopper-v5', 'oracle-700', 'seed2'))).toBe(false);
    writeFileSync(join(dir, 'summary.json'), '{"status":"finished","mine":true}');
    expect(rebuildRunDirs(runs, root).rebuilt).toBe(0);
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toContain('mine');
  });
});
