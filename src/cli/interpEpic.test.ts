/** `interp-epic` and `interp-cue` on tiny real runs: they load the runs, compute the distances and write the reports. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import type { CliIO } from './io.js';
import { COIN_CUE_LIGHT } from '../envs/gridworlds/coinCue.js';
import { make } from '../envs/registry.js';
import { rolloutClips } from '../oversight/interp/clips.js';
import { transitionsOfClips } from '../oversight/interp/epicRun.js';
import { Rng } from '../utils/rng.js';
import { interpCueCommand, interpEpicCommand, redrawLight } from './interpEpic.js';
import { cli, tmp } from './testing/cli.js';

const quiet = (): CliIO & { text: () => string } => {
  let out = '';
  return { stdout: (t) => void (out += t), stderr: () => {}, isTTY: false, text: () => out };
};

describe('overseer interp-epic and interp-cue', () => {
  it('a tiny CoinCue run: EPIC/DARD against the shortfall, and the cue experiment, each written as JSON and Markdown', async () => {
    const dir = tmp();
    const run = join(dir, 'run');
    const base = join(dir, 'truth');
    const made = await cli('prefs', '--env', 'CoinCue-v0', '--label-budget', '20', '--steps', '2048', '--eval-episodes', '1', '--rm', 'ensembleSize=2', '--out', run, '--no-progress');
    expect(made.code, made.err).toBe(0);
    const trained = await cli('train', '--env', 'CoinCue-v0', '--steps', '1024', '--eval-episodes', '1', '--out', base, '--no-progress');
    expect(trained.code, trained.err).toBe(0);

    const io = quiet();
    const small = { transitions: 24, samples: 6, out: dir };
    expect(await interpEpicCommand([run, run], { ...small, baselines: [base] }, io, ['interp-epic', run])).toBe(0);
    const epic = JSON.parse(readFileSync(join(dir, 'interp-epic.json'), 'utf8'));
    expect(epic.runs).toHaveLength(2);
    const row = epic.runs[0];
    expect(row).toMatchObject({ envId: 'CoinCue-v0', labels: 20, transitionModel: 'simulator' });
    expect(row.distances.epic.members).toHaveLength(2);
    expect(row.distances.dard.mean).toBeGreaterThanOrEqual(0);
    expect(row.shortfall).toBeCloseTo(row.truthReturn - row.evalReturn, 9);
    expect(epic.correlations.epicMean.n).toBe(2);
    expect(epic.machine.cores).toBeGreaterThan(0);
    const md = readFileSync(join(dir, 'interp-epic.md'), 'utf8');
    expect(md).toContain('| EPIC, ensemble mean, per run | 2 |');
    expect(md).toContain('Gleave et al.');

    expect(await interpCueCommand([run], { ...small, episodes: 2, rollouts: 1, saeSteps: 40, units: 2, rlSteps: 1024 }, io, ['interp-cue', run])).toBe(0);
    const cue = JSON.parse(readFileSync(join(dir, 'interp-cue.json'), 'utf8'));
    const one = cue.runs[0];
    expect(one.deployments.map((d: { cue: string }) => d.cue)).toEqual(['truthful', 'decoupled']);
    expect(one.frozen.map((f: { cue: string }) => f.cue)).toEqual(['truthful', 'decoupled']);
    expect(one.run.trainedWith).toBe('truthful');
    expect(one.epic.map((e: { coverage: string }) => e.coverage)).toHaveLength(4);
    expect(typeof one.verdict.interp.caught).toBe('boolean');
    expect(one.probes[2].litShare).toBeGreaterThanOrEqual(0);
    expect(one.verdict.interp.cueShare).toBeGreaterThanOrEqual(0);
    expect(readFileSync(join(dir, 'interp-cue.md'), 'utf8')).toContain('Michaud');
    expect(io.text()).toMatch(/light flip moves r̂ by/);

    await expect(interpEpicCommand([run], { ...small, baselines: [] }, io, [])).rejects.toThrow(/no --baselines run for CoinCue-v0/);
    await expect(interpEpicCommand([run], { baselines: [run] }, io, [])).rejects.toThrow(/not a train run/);
  }, 60_000);

  it('redrawLight decouples the cue in recorded transitions: only the light cell changes, lit at the given rate', () => {
    const env = make('CoinCue-v0');
    const t = transitionsOfClips(rolloutClips(env, () => 3, { episodes: 4, clipLength: 100, seed: 0, maxSteps: 100 }));
    const off = redrawLight(t, 0, new Rng(1));
    const half = redrawLight(t, 0.5, new Rng(1));
    const lit = (x: Float64Array, i: number) => x[i * t.obsSize + COIN_CUE_LIGHT.index] === COIN_CUE_LIGHT.lit;
    let changed = 0;
    let litCount = 0;
    for (let i = 0; i < t.n; i++) {
      expect(lit(off.obs, i) || lit(off.next, i)).toBe(false);
      if (lit(half.obs, i)) litCount++;
      for (let j = 0; j < t.obsSize; j++) if (j !== COIN_CUE_LIGHT.index && half.obs[i * t.obsSize + j] !== t.obs[i * t.obsSize + j]) changed++;
    }
    expect(changed).toBe(0);
    expect(litCount / t.n).toBeGreaterThan(0.4);
    expect(litCount / t.n).toBeLessThan(0.6);
  });

  it('interp-cue refuses a run of another env', async () => {
    const dir = tmp();
    const run = join(dir, 'run');
    expect((await cli('prefs', '--env', 'BoatRace-v0', '--label-budget', '10', '--steps', '1024', '--eval-episodes', '1', '--rm', 'ensembleSize=1', '--out', run, '--no-progress')).code).toBe(0);
    await expect(interpCueCommand([run], {}, quiet(), [])).rejects.toThrow(/needs CoinCue-v0/);
    await expect(interpCueCommand([], {}, quiet(), [])).rejects.toThrow(/at least one/);
  }, 30_000);
});
