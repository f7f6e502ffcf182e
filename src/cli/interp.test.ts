/** `overseer interp` on a small real prefs run: it loads the run's reward model, segments and labels, and writes the report. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import type { CliIO } from './io.js';
import { interpCommand, loadInterpRun } from './interp.js';
import { cli, tmp } from './testing/cli.js';

describe('overseer interp', () => {
  it('studies a gridworld prefs run and writes interp.{json,md,svg}', async () => {
    const dir = tmp();
    const run = join(dir, 'run');
    const made = await cli('prefs', '--env', 'TomatoWatering-v0', '--label-budget', '40', '--steps', '4096', '--eval-episodes', '1', '--rm', 'ensembleSize=2', '--out', run, '--no-progress');
    expect(made.code, made.err).toBe(0);

    const loaded = loadInterpRun(run);
    expect(loaded.envId).toBe('TomatoWatering-v0');
    expect(loaded.checkpoint.endsWith('final.json')).toBe(true);
    expect(loaded.rm.ensembleSize).toBe(2);
    expect(loaded.labels).toBe(40);
    expect(loaded.comparisons.some((c) => c.validation)).toBe(true);

    let out = '';
    const io: CliIO = { stdout: (t) => void (out += t), stderr: () => {}, isTTY: false };
    const code = await interpCommand([run], { saeSteps: 60, dictMultiple: 1, units: 2, rollouts: 1, out: dir, name: 'interp-test' }, io, ['interp', run]);
    expect(code).toBe(0);
    expect(out).toMatch(/TomatoWatering-v0 reward-model\/0 layer 1: SAE FVU/);
    const json = JSON.parse(readFileSync(join(dir, 'interp-test.json'), 'utf8'));
    expect(json.runs[0].study.units.neurons).toHaveLength(2);
    expect(json.runs[0].policy.units).toHaveLength(2);
    const md = readFileSync(join(dir, 'interp-test.md'), 'utf8');
    expect(md).toContain('# What is the reward model paying attention to?');
    expect(md).toContain('307,200');
    expect(existsSync(join(dir, 'interp-test.svg'))).toBe(true);
  }, 60_000);

  it('refuses a directory that is not a prefs run', async () => {
    const io: CliIO = { stdout: () => {}, stderr: () => {}, isTTY: false };
    await expect(interpCommand([tmp()], {}, io, [])).rejects.toThrow(/config\.json|not a run/);
    await expect(interpCommand([], {}, io, [])).rejects.toThrow(/at least one prefs run directory/);
  });
});
