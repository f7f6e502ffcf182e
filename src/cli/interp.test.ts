/** `overseer interp` on a small real prefs run: it loads the run's reward model, segments and labels, and writes the report. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import type { CliIO } from './io.js';
import { interpCommand, loadInterpRun } from './interp.js';
import { cli, tmp } from './testing/cli.js';
import { ATTENTION_REPORT, type AttentionReportJson } from '../server/api.js';
import { openProject } from '../store/sqlite.js';
import { decodeFloats } from '../utils/floats.js';

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
    const policy = json.runs[0].policy;
    expect(policy.units.neurons).toHaveLength(2);
    expect(policy.units.randomDirections).toHaveLength(2);
    expect(policy.sae.dictSize).toBe(policy.width);
    // Discrete actions: the mean total variation distance the spliced layer moves the policy by.
    expect(policy.actions.metric).toBe('tv');
    expect(policy.actions.saeReconstruction).toBeGreaterThanOrEqual(0);
    expect(policy.actions.saeReconstruction).toBeLessThanOrEqual(1);
    const md = readFileSync(join(dir, 'interp-test.md'), 'utf8');
    expect(md).toContain('# What is the reward model paying attention to?');
    expect(md).toContain('307,200');
    expect(existsSync(join(dir, 'interp-test.svg'))).toBe(true);

    // The attention page's data, stored with the run.
    expect(out).toContain(`stored the attention report with run ${loaded.runId}; to see it: overseer serve --project`);
    const project = openProject(run);
    try {
      const stored = project.getRunReport(loaded.runId, ATTENTION_REPORT)!.body as AttentionReportJson;
      expect(stored.format).toBe('overseer.attention/1');
      expect(stored.envId).toBe('TomatoWatering-v0');
      expect(stored.labels).toBe(40);
      const top = json.runs[0].study;
      expect(stored.units.map((u) => `${u.kind} ${u.index}`)).toEqual([...top.topFeatures.map((u: { unit: number }) => `sae-feature ${u.unit}`), ...top.topNeurons.map((u: { unit: number }) => `neuron ${u.unit}`)]);
      const clips = new Map(stored.clips.map((c) => [c.id, c]));
      for (const u of stored.units) {
        expect(u.topClips.length).toBeGreaterThan(0);
        // The attribution names features of the env's library, at most the 4 kept.
        expect(u.attribution.features.length).toBeGreaterThan(0);
        expect(u.attribution.features.length).toBeLessThanOrEqual(4);
        for (const f of u.attribution.features) expect(stored.features.map((g) => g.name)).toContain(f.name);
        for (const a of u.topClips) {
          const clip = clips.get(a.clipId)!;
          expect(a.activations).toHaveLength(clip.length);
          expect(a.simulated).toHaveLength(clip.length);
          expect(a.simulated.every((v) => v >= 0 && v <= 10)).toBe(true);
          expect(a.attribution).toHaveLength(u.attribution.features.length);
          for (const row of a.attribution) expect(row).toHaveLength(clip.length);
          expect(clip.reward).toHaveLength(clip.length);
          expect(decodeFloats(clip.render!, 'float32')).toHaveLength(clip.length * clip.renderSize);
        }
        // Most-activating first.
        const peaks = u.topClips.map((a) => Math.max(...a.activations));
        expect(peaks).toEqual([...peaks].sort((x, y) => y - x));
      }
    } finally {
      project.close();
    }
  }, 60_000);

  it('refuses a directory that is not a prefs run', async () => {
    const io: CliIO = { stdout: () => {}, stderr: () => {}, isTTY: false };
    await expect(interpCommand([tmp()], {}, io, [])).rejects.toThrow(/config\.json|not a run/);
    await expect(interpCommand([], {}, io, [])).rejects.toThrow(/at least one prefs run directory/);
  });
});
