import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmp } from './testing/cli.js';

describe('overseer oversight sophistry', () => {
  it('runs both arms per seed with audits, saves each cell, resumes by skipping saved cells, and writes the report', async () => {
    const out = tmp();
    const args = ['oversight', 'sophistry', '--env', 'TomatoWatering-v0', '--overseer', 'observed-board', '--labels', '30', '--steps', '8192', '--seeds', '1', '--audit-rate', '0.5', '--probes', '50', '--out', out];
    const first = await cli(...args);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/TomatoWatering-v0 observed-board limited seed 1: approval [\d.]+ -> [\d.]+, true win rate/);
    expect(first.out).toMatch(/observed-board control seed 1/);
    const cells = readdirSync(join(out, 'sophistry'));
    expect(cells).toHaveLength(2);
    // Settings off their defaults are in the name, so a run with other noise or probes is another cell.
    expect(cells.sort()[0]).toBe('TomatoWatering-v0__observed-board__control__s1__l30__n8192__a0.5__p50.json');
    const report = JSON.parse(readFileSync(join(out, 'sophistry.json'), 'utf8'));
    expect(report.groups.map((g: { arm: string }) => g.arm).sort()).toEqual(['control', 'limited']);
    for (const c of report.cells) {
      expect(c.start.approval).toBeGreaterThanOrEqual(0);
      expect(c.start.approval).toBeLessThanOrEqual(1);
      // About half the queries audited: the audit log has them.
      expect(c.auditsRequested).toBeGreaterThan(5);
    }
    expect(readFileSync(join(out, 'sophistry.md'), 'utf8')).toMatch(/\| TomatoWatering-v0 \| observed-board \| held-out \| limited \| 30, 8192, 0.5 \| 1 \|/);
    expect(existsSync(join(out, 'sophistry.svg'))).toBe(true);
    // The report again from the saved cells.
    const rebuilt = await cli('oversight', 'report', '--out', out);
    expect(rebuilt.out).toMatch(/wrote .*sophistry.json/);
    expect((await cli('oversight', 'report', '--out', tmp())).err).toMatch(/does not exist; run overseer oversight sophistry first/);
    // Again: both cells are kept, none rerun.
    const again = await cli(...args);
    expect(again.code).toBe(0);
    expect(again.err.match(/done before, kept/g)).toHaveLength(2);
  }, 60_000);

  it('the assisted arm trains on the limited overseer helped by an assistant, and counts the reveals it was shown', async () => {
    const out = tmp();
    const missing = await cli('oversight', 'sophistry', '--env', 'TomatoWatering-v0', '--overseer', 'observed-board', '--arms', 'assisted', '--out', out);
    expect(missing.err).toMatch(/--arms assisted needs --assistant \(one of random, disagreement, supervised, rrm\)/);
    const r = await cli('oversight', 'sophistry', '--env', 'TomatoWatering-v0', '--overseer', 'observed-board', '--arms', 'assisted', '--assistant', 'rrm', '--assistant-labels', '100', '--reveal-budget', '2', '--labels', '30', '--steps', '8192', '--seeds', '1', '--probes', '50', '--out', out);
    expect(r.code, r.err).toBe(0);
    const [file] = readdirSync(join(out, 'sophistry'));
    expect(file).toBe('TomatoWatering-v0__observed-board__assisted-rrm-l100-b2__s1__l30__n8192__a0.15__p50.json');
    const cell = JSON.parse(readFileSync(join(out, 'sophistry', file), 'utf8'));
    // Two reveals for each of the 30 labels.
    expect(cell.reveals).toBe(60);
    expect(readFileSync(join(out, 'sophistry.md'), 'utf8')).toMatch(/\| assisted \(rrm, 100 labels, 2 reveals per label\) \|/);
  }, 60_000);

  it('runs on MinAtar Seaquest with the oxygen gauge hidden (a tiny PPO), and names a bad channel', async () => {
    const out = tmp();
    const ppo = JSON.stringify({ ppo: { numEnvs: 2, numSteps: 128, updateEpochs: 1 } });
    const r = await cli('oversight', 'sophistry', '--env', 'MinAtar/Seaquest-v1', '--overseer', 'hidden-channels', '--labels', '20', '--steps', '1024', '--seeds', '1', '--probes', '20', '--prefs', ppo, '--out', out);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/MinAtar\/Seaquest-v1 hidden-channels:oxygen_guage limited seed 1: approval/);
    const cells = readdirSync(join(out, 'sophistry')).sort();
    expect(cells).toHaveLength(2);
    expect(cells[0]).toMatch(/^MinAtar-Seaquest-v1__hidden-channels-oxygen_guage__control__s1__l20__n1024__/);
    const cell = JSON.parse(readFileSync(join(out, 'sophistry', cells[1]), 'utf8'));
    // Rollouts of 2 x 128 steps: one of the initial policy, then a round per PPO update.
    expect(cell.rows.map((row: { envSteps: number }) => row.envSteps)).toEqual([512, 768, 1024]);
    const bad = await cli('oversight', 'sophistry', '--env', 'MinAtar/Seaquest-v1', '--overseer', 'hidden-channels:air', '--out', tmp());
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--overseer: hidden-channels: MinAtar\/Seaquest-v1 has no channel "air"; MinAtar\/Seaquest-v1's channels: sub_front, sub_back, /);
  }, 60_000);

  it('refuses a view that does not apply to the env, an unknown env and a bad audit rate, naming what is allowed', async () => {
    const bad = await cli('oversight', 'sophistry', '--env', 'Reacher-v5', '--overseer', 'observed-board', '--out', tmp());
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--overseer: view "observed-board" does not apply to Reacher-v5; allowed: full, projection, keyframes\[:K\], sensor-blind/);
    const env = await cli('oversight', 'sophistry', '--env', 'Hopper-v5', '--overseer', 'projection', '--out', tmp());
    expect(env.err).toMatch(/no limited-overseer views for Hopper-v5/);
    const rate = await cli('oversight', 'sophistry', '--env', 'Reacher-v5', '--overseer', 'projection', '--audit-rate', '2', '--out', tmp());
    expect(rate.err).toMatch(/--audit-rate must be between 0 and 1/);
  });

  it('tuning refuses held-out cells before running anything, and a tuning report that would read a held-out result fails', async () => {
    const out = tmp();
    const held = await cli('oversight', 'sophistry', '--env', 'TomatoWatering-v0', '--overseer', 'observed-board', '--purpose', 'tuning', '--out', out);
    expect(held.code).toBe(2);
    expect(held.err).toMatch(/--purpose tuning: TomatoWatering-v0 observed-board is held out/);
    expect(existsSync(join(out, 'sophistry-tuning'))).toBe(false);
    // A held-out result copied among the tuning cells is caught when the tuning report reads them.
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(out, 'sophistry-tuning'), { recursive: true });
    writeFileSync(join(out, 'sophistry-tuning', 'leak.json'), JSON.stringify({ cell: { envId: 'Reacher-v5', view: 'projection' }, rows: [] }));
    const { writeSophistryReport } = await import('./oversight.js');
    expect(() => writeSophistryReport(out, 'tuning')).toThrow(/Reacher-v5 projection is held out/);
  });
});
