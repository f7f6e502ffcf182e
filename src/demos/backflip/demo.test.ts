import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openProject } from '../../store/sqlite.js';
import { BACKFLIP_ENV_KWARGS, BACKFLIP_SETTINGS, backflipDemo, episodeLengths, trainedWith } from './demo.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the backflip demo, end to end on a tiny run', () => {
  it('starts overseer prefs --teacher human, labels its pairs over HTTP with the scripted annotator, then measures, draws and reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'overseer-backflip-demo-'));
    const lines: string[] = [];
    const report = await backflipDemo({
      out,
      steps: 4096,
      labels: 12,
      segmentLength: 30,
      episodeSteps: 60,
      seed: 3,
      episodes: 1,
      envKwargs: BACKFLIP_ENV_KWARGS,
      prefsArgs: ['--rm', 'ensembleSize=1', '--eval-episodes', '1'],
      reference: null,
      referenceSteps: 0,
      notes: 'A tiny run.',
      reportTo: null,
      pictureTo: null,
      cli: { file: process.execPath, args: ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')] },
      command: 'test',
      log: (l) => lines.push(l),
    });
    const training = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
    expect(training.prefsCommand).toContain('--teacher human');
    expect(training.prefsCommand).toContain('--undo-seconds 0');
    // Training episodes end after 60 steps (two clips each); the evaluation's keep Hopper-v5's 1000.
    expect(training.prefsCommand).toContain('--max-episode-steps 60');
    expect(JSON.parse(readFileSync(join(out, 'run', 'config.json'), 'utf8')).prefs.maxEpisodeSteps).toBe(60);
    const metrics = readFileSync(join(out, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(metrics.filter((m) => m.episodesFinished > 0).map((m) => m.episodicLength))).toEqual(new Set([60]));
    // The run waits for the first quarter of its budget (3) before RL; the rest come as they come, and the run may end first.
    expect(training.annotator.labels).toBeGreaterThanOrEqual(3);
    // Every label the run has came through the server, from the token the run printed.
    const project = openProject(join(out, 'run'));
    const labels = project.labelsSince('run', 0);
    project.close();
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(labels.every((l) => l.teacher === 'admin' && l.clientId !== null)).toBe(true);
    expect(report.labels.used).toBeGreaterThanOrEqual(3);
    expect(report.labels.used).toBeLessThanOrEqual(12);
    expect(report.envSteps).toBeGreaterThanOrEqual(4096);
    expect(report.episodes).toHaveLength(1);
    expect(report.episodes[0].length).toBe(1000);
    expect(report.settings).toMatchObject({ segmentLength: 30, trainingEpisodeSteps: 60, evalEpisodeSteps: 1000, labelBudget: 12, seed: 3, evalSeeds: [1_000_003] });
    for (const f of ['report.json', 'report.md', 'evaluation.json', 'episodes.json', 'prefs.log']) expect(existsSync(join(out, f)), f).toBe(true);
    const svg = readFileSync(join(out, 'backflip.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<animate attributeName="visibility"');
    expect(statSync(join(out, 'backflip.svg')).size).toBeLessThan(300_000);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| flips per episode (full backward turns) |');
    expect(md).toContain('| episodes | training: 60 steps (0.48 s), then reset; evaluation: 1000 steps (8.00 s) |');
    expect(md).toContain('## How the annotator scores');
    expect(md).toContain('plus 2 for getting up again');
    expect(md).toContain('plus 3 per metre the torso');
    expect(md).toContain('## Notes\n\nA tiny run.');
  }, 60_000);

  it("trains on 1.5 s episodes of one 1.5 s clip by default; evaluates on Hopper-v5's own 1000 steps, or on the training episodes' length if longer", () => {
    expect([BACKFLIP_SETTINGS.full.segmentLength, BACKFLIP_SETTINGS.full.episodeSteps, BACKFLIP_SETTINGS.quick.episodeSteps]).toEqual([188, 188, 250]);
    const run = (maxEpisodeSteps: number | null | undefined) => {
      const dir = mkdtempSync(join(tmpdir(), 'overseer-backflip-lengths-'));
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ command: 'prefs', prefs: maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps } }));
      return episodeLengths(dir);
    };
    expect(run(250)).toEqual({ training: 250, evaluation: 1000 });
    expect(run(2000)).toEqual({ training: 2000, evaluation: 2000 });
    // Runs made before the option (the first two full runs) trained on Hopper-v5's own 1000.
    expect(run(null)).toEqual({ training: 1000, evaluation: 1000 });
    expect(run(undefined)).toEqual({ training: 1000, evaluation: 1000 });
  });

  it('reports a run with the settings in its config, not with the flags of the command that resumed or re-measured it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'overseer-backflip-settings-'));
    const flags = { steps: 30_000, labels: 40, segmentLength: 60, seed: 7, envKwargs: { a: 1 } };
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ command: 'prefs', seed: 3, prefs: { totalTimesteps: 3_000_000, labelBudget: 900, segmentLength: 188, envKwargs: { b: 2 } } }));
    expect(trainedWith(dir, flags)).toEqual({ steps: 3_000_000, labels: 900, segmentLength: 188, seed: 3, envKwargs: { b: 2 } });
    // A clip length left to the loop's default (null) falls back to the flag.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ command: 'prefs', seed: 3, prefs: { totalTimesteps: 3_000_000, labelBudget: 900, segmentLength: null } }));
    expect(trainedWith(dir, flags)).toEqual({ steps: 3_000_000, labels: 900, segmentLength: 60, seed: 3, envKwargs: { a: 1 } });
  });
});
