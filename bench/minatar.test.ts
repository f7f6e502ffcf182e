import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmp } from '../src/cli/testing/cli.js';
import { channelRow, minatarClip } from './minatarClip.js';
import { openProject } from '../src/store/sqlite.js';
import '../src/envs/builtins.js';
import { make } from '../src/envs/registry.js';
import { RewardModel } from '../src/prefs/rewardModel.js';
import { ActorCritic } from '../src/rl/agent.js';
import { Rng } from '../src/utils/rng.js';
import { cellArgs, cellDir, cellsOf, claimCell, minatarMarkdown, poolGoingOn, tieShareOf, type CellResult, type MinAtarResult } from './minatar.js';

const prov = { command: 'npm run bench -- minatar', date: 'd', gitCommit: 'abc', machine: { cpu: 'c', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v20' } };

function cell(over: Partial<CellResult>): CellResult {
  return {
    game: 'Breakout', preset: 'pgx8', variant: 'ppo', labels: null, steps: 500_000, seed: 1,
    evalMean: 10, evalStd: 1, evalReturns: [], finalTrainingReturn: 9, finalLearnedReturn: null, finalReturnCorrelation: null,
    labelsUsed: null, trainSeconds: 100, stepsPerSecond: 5000, curve: [],
    ...over,
  };
}

describe('bench minatar', () => {
  it('runs the true reward with train, the preference cells with the oracle teacher, the offline ablation with every label before RL', () => {
    const cells = cellsOf(['Breakout'], ['ppo', 'oracle', 'offline', 'ppo-rgb'], [1000, 3300], 500_000, [1, 2]);
    expect(cells).toHaveLength(12);
    const [ppo, oracle, , offline] = cells;
    expect(cellArgs(ppo, '/o', 10).slice(0, 3)).toEqual(['train', '--env', 'MinAtar/Breakout-v1']);
    expect(cellArgs(oracle, '/o', 10)).toEqual(expect.arrayContaining(['prefs', '--teacher', 'oracle', '--labels', '1000']));
    expect(cellArgs(oracle, '/o', 10)).not.toContain('--initial-label-fraction');
    expect(cellArgs(offline, '/o', 10).slice(-2)).toEqual(['--initial-label-fraction', '1']);
    // From the frames a person sees: train with the env's rgb observation, one cell per seed, no labels.
    const rgb = cells[5];
    expect(rgb).toMatchObject({ variant: 'ppo-rgb', labels: null, seed: 1 });
    expect(cellArgs(rgb, '/o', 10).slice(0, 1).concat(cellArgs(rgb, '/o', 10).slice(-2))).toEqual(['train', '--env-kwargs', '{"obsType":"rgb"}']);
    expect(cellDir(rgb, '/r')).toBe('/r/bench/runs/minatar/Breakout/gymnax64/ppo-rgb-500000/seed1');
    // Cells of the current preset sit in its own folder; the first preset's kept the folder they were made in.
    expect(cellDir(ppo, '/r')).toBe('/r/bench/runs/minatar/Breakout/gymnax64/ppo-500000/seed1');
    expect(cellDir({ ...oracle, preset: 'pgx8' }, '/r')).toBe('/r/bench/runs/minatar/Breakout/oracle-1000-500000/seed1');
    // A2C, the paper's learner: train --algo a2c, on the score, its own folder.
    const [a2c] = cellsOf(['Breakout'], ['a2c'], [1000], 500_000, [1]);
    expect(a2c).toMatchObject({ variant: 'a2c', labels: null });
    expect(cellArgs(a2c, '/o', 10).slice(-2)).toEqual(['--algo', 'a2c']);
    expect(cellDir(a2c, '/r')).toBe('/r/bench/runs/minatar/Breakout/gymnax64/a2c-500000/seed1');
    // gymnax-blines' own network in place of MinAtar's, the rest of the preset kept.
    const [mlp] = cellsOf(['Breakout'], ['ppo-mlp'], [1000], 500_000, [1]);
    expect(cellArgs(mlp, '/o', 10).slice(-6)).toEqual(['--hp', 'network=mlp', '--hp', 'hidden=[256,256]', '--hp', 'activation=relu']);
    expect(cellDir(mlp, '/r')).toBe('/r/bench/runs/minatar/Breakout/gymnax64/ppo-mlp-500000/seed1');
    // MinAtar's layers with its AC(lambda)'s SiLU/dSiLU units in place of its DQN's ReLUs.
    const [ac] = cellsOf(['Breakout'], ['ppo-ac'], [1000], 500_000, [1]);
    expect(cellArgs(ac, '/o', 10).slice(-2)).toEqual(['--hp', 'network=minatar-ac']);
    expect(cellDir(ac, '/r')).toBe('/r/bench/runs/minatar/Breakout/gymnax64/ppo-ac-500000/seed1');
    // Preferences from the frames a person sees: the oracle's labels, policy and reward model on the RGB frames.
    const [rgbPrefs] = cellsOf(['Breakout'], ['oracle-rgb'], [1000], 500_000, [1]);
    expect(cellArgs(rgbPrefs, '/o', 10)).toEqual(expect.arrayContaining(['prefs', '--teacher', 'oracle', '--labels', '1000']));
    expect(cellArgs(rgbPrefs, '/o', 10).slice(-2)).toEqual(['--env-kwargs', '{"obsType":"rgb"}']);
    expect(cellDir(rgbPrefs, '/r')).toBe('/r/bench/runs/minatar/Breakout/gymnax64/oracle-rgb-1000-500000/seed1');
    // Clips twice the paper's length.
    const [long] = cellsOf(['Freeway'], ['oracle-clip50'], [1000], 500_000, [2]);
    expect(cellArgs(long, '/o', 10).slice(-6)).toEqual(['--teacher', 'oracle', '--labels', '1000', '--segment-length', '50']);
    expect(cellDir(long, '/r')).toBe('/r/bench/runs/minatar/Freeway/gymnax64/oracle-clip50-1000-500000/seed2');
  });

  it('claims a cell for one process at a time: a second claim names the holder, a killed holder is taken over', () => {
    const dir = join(tmp('overseer-cell-'), 'Breakout', 'ppo-500000', 'seed1');
    const lock = join(dir, 'cell.lock');
    const first = claimCell(dir);
    expect(first.holder).toBeNull();
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    expect(claimCell(dir).holder).toBe(process.pid);
    first.release();
    expect(existsSync(lock)).toBe(false);
    // A bench process that was killed left its lock: the next one takes the cell.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(lock, String(gone));
    const next = claimCell(dir);
    expect(next.holder).toBeNull();
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    next.release();
  });

  it('goes on past a cell that fails, naming it, while the others finish', async () => {
    const done: string[] = [];
    const lines: string[] = [];
    const failed = await poolGoingOn(['a', 'b', 'c', 'd'], 2, (x) => `cell ${x}`, (l) => lines.push(l), async (x) => {
      await new Promise((r) => setTimeout(r, x === 'a' ? 20 : 1));
      if (x === 'b') throw new Error('Invalid string length');
      done.push(x);
    });
    expect(failed).toEqual(['cell b: Invalid string length']);
    expect(done.sort()).toEqual(['a', 'c', 'd']);
    expect(lines).toEqual(['cell b: Invalid string length (failed; the other cells go on)']);
  });

  it('sets each preference cell beside true-reward PPO at the same frames and seeds, and PPO beside the published numbers', () => {
    const r: MinAtarResult = {
      provenance: prov,
      cells: [
        cell({ seed: 1, evalMean: 10 }),
        cell({ seed: 2, evalMean: 20 }),
        cell({ variant: 'oracle', labels: 1000, seed: 1, evalMean: 12, finalLearnedReturn: 0.5, finalReturnCorrelation: 0.9, tieShare: 0.9 }),
        cell({ variant: 'oracle', labels: 1000, seed: 2, evalMean: 6, finalLearnedReturn: 0.7, finalReturnCorrelation: 0.8, tieShare: 0.8 }),
        cell({ variant: 'offline', labels: 1000, seed: 1, evalMean: 1 }),
        // Under the current preset: its own row, never averaged with the earlier preset's.
        cell({ preset: 'gymnax64', seed: 1, evalMean: 30 }),
        cell({ preset: 'gymnax64', variant: 'ppo-rgb', seed: 1, evalMean: 25 }),
        cell({ preset: 'gymnax64', variant: 'a2c', seed: 1, evalMean: 8 }),
        cell({ preset: 'gymnax64', variant: 'oracle-rgb', labels: 1000, seed: 1, evalMean: 30 }),
      ],
    };
    const md = minatarMarkdown(r, 'NOTES HERE');
    // PPO: mean ± sd over seeds 1, 2, beside MinAtar's DQN ~10 and AC ~17.5.
    expect(md).toContain('| Breakout | pgx8 | PPO, grid | 500,000 | 1,2 | 15.00 ± 7.07 (10.0, 20.0) |');
    expect(md).toContain('| Breakout | gymnax64 | PPO, grid | 500,000 | 1 | 30.00 |');
    expect(md).toContain('| Breakout | gymnax64 | PPO, RGB frames | 500,000 | 1 | 25.00 |');
    expect(md).toContain('| Breakout | Baselines A2C (`a2cSettings`) | A2C, grid | 500,000 | 1 | 8.00 |');
    expect(md).toContain("- `gymnax64` (current): gymnax-blines' MinAtar PPO");
    expect(md).toContain('| ~10 | ~17.5 | 28 | ~50 |');
    // oracle: (12 + 6) / 2 over (10 + 20) / 2 = 60%; offline seed 1 against PPO seed 1 alone: 10%.
    expect(md).toContain('| Breakout | pgx8 | 500,000 | 1000 | oracle | 1,2 | 9.00 ± 4.24 (12.0, 6.0) | 60% |');
    // Ties in percent, per seed; a cell collected before they were counted shows a dash.
    expect(md).toContain('| 0.85 ± 0.07 (0.9, 0.8) | 85.00 ± 7.07 (90.0, 80.0) | 5000 |');
    expect(md).toMatch(/\| Breakout \| pgx8 \| 500,000 \| 1000 \| offline \| 1 \|.* \| – \| 5000 \|/);
    // From the frames, set beside PPO from the frames (25), not from the grid (30).
    expect(md).toContain('| Breakout | gymnax64 | 500,000 | 1000 | oracle-rgb | 1 | 30.00 | 120% |');
    expect(md).toContain('| Breakout | pgx8 | 500,000 | 1000 | offline | 1 | 1.00 | 10% |');
    expect(md).toContain('NOTES HERE');
  });

  it('finds the top row a channel is lit in, or none', () => {
    // 3 rows x 2 cols x 2 channels: channel 1 lit at (1, 1) and (2, 0); channel 0 nowhere.
    const grid = new Float32Array(12);
    grid[(1 * 2 + 1) * 2 + 1] = 1;
    grid[(2 * 2 + 0) * 2 + 1] = 1;
    expect(channelRow(grid, 3, 2, 2, 1)).toBe(1);
    expect(channelRow(grid, 3, 2, 2, 0)).toBeNull();
  });

  it("plays a preference run's final policy scoring each step with the true and the learned reward, and draws where r̂ pays most", async () => {
    const root = tmp('overseer-clip-');
    mkdirSync(join(root, 'docs'));
    const run = join(root, 'run');
    const r = await cli('prefs', '--env', 'MinAtar/Breakout-v1', '--steps', '2048', '--labels', '20', '--rm', 'ensembleSize=1', '--hp', 'numEnvs=2', '--seed', '3', '--out', run, '--eval-episodes', '1', '--no-progress');
    expect(r.code, r.err).toBe(0);
    const clip = minatarClip(run, 'clip', { episodes: 3, maxSteps: 50, count: 6, argv: [], root, resultsDir: root });
    expect(clip.episodes).toHaveLength(3);
    expect(clip.episodes.map((e) => e.seed)).toEqual([1000003, 1000004, 1000005]);
    const steps = clip.episodes.reduce((s, e) => s + e.length, 0);
    expect(clip.episodes.every((e) => e.length <= 50 && (e.capped ? e.length === 50 : true))).toBe(true);
    expect(clip.truePerStep).toBeCloseTo(clip.episodes.reduce((s, e) => s + e.trueReturn, 0) / steps, 12);
    expect(clip.learnedPerStep).toBeCloseTo(clip.episodes.reduce((s, e) => s + e.learnedReturn, 0) / steps, 12);
    // r̂ for every action over the policy's states, recomputed here from the checkpoint.
    const saved = JSON.parse(readFileSync(join(run, 'checkpoints', 'final.json'), 'utf8'));
    const agent = ActorCritic.load(saved.agent, 'final');
    const rm = RewardModel.load(saved.rewardModel);
    const env = make('MinAtar/Breakout-v1', { maxEpisodeSteps: 50 });
    const sums = [0, 0, 0];
    for (const e of clip.episodes) {
      let { obs } = env.reset({ seed: e.seed });
      for (let t = 0; t < e.length; t++) {
        for (let b = 0; b < 3; b++) sums[b]! += rm.reward(obs, Float32Array.from([0, 1, 2], (i) => (i === b ? 1 : 0)), 1)[0]!;
        obs = env.step(agent.act(obs, true, new Rng(1)) as number).obs;
      }
    }
    env.close();
    expect(Object.keys(clip.learnedByAction!)).toEqual(['n', 'l', 'r']);
    sums.forEach((v, b) => expect(Object.values(clip.learnedByAction!)[b]).toBeCloseTo(v / steps, 9));
    // Not all equal: the model tells actions apart, so the check above could fail.
    expect(new Set(sums.map((v) => v.toFixed(9))).size).toBeGreaterThan(1);
    expect(Object.keys(clip.actionShares)).toEqual(['n', 'l', 'r']);
    expect(Object.values(clip.actionShares).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Breakout's paddle never leaves the bottom row: every step there, with the episode's actions and r̂.
    expect(clip.player.channel).toBe('paddle');
    expect(clip.player.rows.map((r) => [r.row, r.share])).toEqual([[9, 1]]);
    expect(clip.player.rows[0]!.learnedPerStep).toBeCloseTo(clip.learnedPerStep, 12);
    for (const [a, v] of Object.entries(clip.actionShares)) expect(clip.player.rows[0]!.actionShares[a]).toBeCloseTo(v, 12);
    expect(clip.picture.count).toBe(Math.min(6, clip.episodes[clip.picture.episode]!.length));
    const svg = readFileSync(join(root, 'docs', 'clip.svg'), 'utf8');
    expect(svg.match(/<text [^>]*>t=/g)).toHaveLength(clip.picture.count);
    expect(JSON.parse(readFileSync(join(root, 'minatar-clips.json'), 'utf8')).clip.picture.learned).toBeCloseTo(clip.picture.learned, 12);
    expect(existsSync(join(root, 'docs', 'clip.svg'))).toBe(true);
    // The share of its labels answered "equal", beside the run's labels read another way.
    const runId = (JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as { store: { runId: string } }).store.runId;
    const project = openProject(run);
    const labels = project.loadRun(runId).labels;
    project.close();
    expect(labels).toHaveLength(20);
    expect(tieShareOf(run)).toBeCloseTo(labels.filter((l) => l.answer === 'equal').length / 20, 12);
    expect(tieShareOf(join(root, 'docs'))).toBeNull();
    // A run that has not finished is named.
    expect(() => minatarClip(join(root, 'none'), 'x', { episodes: 1, maxSteps: 5, count: 2, argv: [], root, resultsDir: root })).toThrow(/none is not a run directory \(no config\.json\)/);
  }, 120_000);
});
