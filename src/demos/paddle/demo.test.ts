import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openProject } from '../../store/sqlite.js';
import { PADDLE_SETTINGS, paddleDemo } from './demo.js';
import type { PolicyMeasure } from './report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the paddle demo, end to end on the quick setting', () => {
  it('starts overseer prefs --teacher human on Breakout with the MinAtar settings, labels over HTTP, then measures against a random policy, draws and reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'overseer-paddle-demo-'));
    const lines: string[] = [];
    const report = await paddleDemo({
      out,
      ...PADDLE_SETTINGS.quick,
      seed: 2,
      episodes: 3,
      maxEpisodeSteps: 200,
      prefsArgs: ['--rm', 'ensembleSize=1', '--eval-episodes', '1'],
      reference: null,
      notes: 'A tiny run.',
      reportTo: null,
      pictureTo: null,
      cli: { file: process.execPath, args: ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')] },
      command: 'test',
      log: (l) => lines.push(l),
    });
    const training = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
    for (const flag of ['--env MinAtar/Breakout-v1', '--teacher human', '--segment-length 25', '--rm network=minatar', '--max-episode-steps 200', '--undo-seconds 0']) expect(training.prefsCommand).toContain(flag);
    expect(JSON.parse(readFileSync(join(out, 'run', 'config.json'), 'utf8')).prefs).toMatchObject({ segmentLength: 25, maxEpisodeSteps: 200, rewardModel: { network: 'minatar' } });
    // Every label the run has came through the server, from the token the run printed.
    const project = openProject(join(out, 'run'));
    const labels = project.labelsSince('run', 0);
    project.close();
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(labels.every((l) => l.teacher === 'admin' && l.clientId !== null)).toBe(true);
    expect(report.labels.used).toBeGreaterThanOrEqual(3);
    expect(report.labels.used).toBeLessThanOrEqual(PADDLE_SETTINGS.quick.labels);
    expect(report.envSteps).toBeGreaterThanOrEqual(PADDLE_SETTINGS.quick.steps);
    expect(report.settings).toMatchObject({ envId: 'MinAtar/Breakout-v1', segmentLength: 25, maxEpisodeSteps: 200, seed: 2, evalSeeds: [1_000_002, 1_000_003, 1_000_004] });
    const sane = (m: PolicyMeasure) => {
      expect(m.episodes).toHaveLength(3);
      for (const e of m.episodes) {
        expect(e.length).toBeGreaterThan(0);
        expect(e.length).toBeLessThanOrEqual(200);
        expect(e.capped).toBe(e.length === 200);
        expect(e.tracked).toBeLessThanOrEqual(e.visible);
        expect(e.visible).toBe(e.length);
        expect(e.score).toBeGreaterThanOrEqual(0);
      }
      expect(m.trackingPooled).toBeGreaterThanOrEqual(0);
      expect(m.trackingPooled).toBeLessThanOrEqual(1);
    };
    sane(report.learned);
    sane(report.random);
    expect(report.reference).toBeNull();
    expect(report.verdict).toMatch(/^The learned policy keeps the paddle under the ball in \d+% of its steps/);
    expect(report.picture.frames).toBeGreaterThan(0);
    const svg = readFileSync(join(out, 'paddle.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    // The page's colours: the env's paddle and ball colours, its empty cell.
    for (const colour of ['#4ea8ff', '#ffd23f', '#181818']) expect(svg).toContain(colour);
    for (const f of ['report.json', 'report.md', 'prefs.log']) expect(existsSync(join(out, f)), f).toBe(true);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| policy | paddle under the ball (all steps) |');
    expect(md).toMatch(/\| random \| \d+% \|/);
    expect(md).toContain('## Notes\n\nA tiny run.');
    // The run's own evaluation stopped at the cap too (Breakout has no time limit of its own).
    expect(JSON.parse(readFileSync(join(out, 'run', 'summary.json'), 'utf8')).status).toBe('finished');
  }, 60_000);
});
