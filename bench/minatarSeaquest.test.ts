import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmp } from '../src/cli/testing/cli.js';
import { DOWN, UP } from '../src/envs/minatar/game.js';
import { SeaquestGame, type SeaquestStatus } from '../src/envs/minatar/seaquest.js';
import { benchSeaquest, seaquestEnds, seaquestStep } from './minatarSeaquest.js';

/** A game whose spawn timers are far off (no pieces, no random draws), with divers and air set by hand. */
function quietGame(divers: number, oxygen = 200): SeaquestGame {
  const game = new SeaquestGame();
  Object.assign(game as unknown as Record<string, number>, { spawnTimer: 100, diverTimer: 100, divers, oxygen });
  return game;
}

/** Plays `actions` and classifies each step from the status before and after it. */
function steps(game: SeaquestGame, actions: number[]) {
  return actions.map((a) => {
    const before = game.status();
    const { terminal } = game.act(a);
    return seaquestStep(before, game.status(), terminal, false);
  });
}

describe('seaquestStep', () => {
  it('tells a surfacing with divers (and a full crew) from surfacing empty-handed and from running out of air', () => {
    expect(steps(quietGame(1), [DOWN, UP])).toEqual([
      { surfacing: false, fullCrew: false, end: null },
      { surfacing: true, fullCrew: false, end: null },
    ]);
    // A full crew leaves MinAtar's count at -1: the next surfacing refills the air with nobody aboard.
    expect(steps(quietGame(6), [DOWN, UP, DOWN, UP]).slice(1)).toEqual([
      { surfacing: true, fullCrew: true, end: null },
      { surfacing: false, fullCrew: false, end: null },
      { surfacing: true, fullCrew: false, end: null },
    ]);
    // Starting a step on an empty tank ends the episode though the sub reaches the surface with divers.
    expect(steps(quietGame(3, 0), [UP])[0]).toEqual({ surfacing: false, fullCrew: false, end: 'air' });
    expect(steps(quietGame(0), [DOWN, UP])[1]).toEqual({ surfacing: false, fullCrew: false, end: 'surfacedEmpty' });
    // One unit of air: the dive spends it, and the next step starts on an empty tank.
    expect(steps(quietGame(2, 1), [DOWN, DOWN]).map((s) => s.end)).toEqual([null, 'air']);
    // Any other end is a hit; the step cap is named apart.
    const deep: SeaquestStatus = { oxygen: 120, divers: 2, subRow: 5, surfaced: false };
    expect(seaquestStep(deep, { ...deep, subRow: 6 }, true, false).end).toBe('hit');
    expect(seaquestStep(deep, { ...deep, subRow: 6 }, false, true).end).toBe('cap');
  });
});

describe('seaquestEnds', () => {
  it('counts how scripted policies end: always diving runs out of air or is hit, diving and coming straight up surfaces empty', () => {
    const dive = seaquestEnds(() => DOWN, { episodes: 6, seed: 100, maxSteps: 5000 });
    expect(dive).toMatchObject({ episodes: 6, surfacings: 0, fullCrews: 0 });
    expect(dive.ends.surfacedEmpty + dive.ends.cap).toBe(0);
    expect(dive.ends.air + dive.ends.hit).toBe(6);
    expect(dive.ends.air).toBeGreaterThan(0);
    // 200 units of air, one a step below the surface, and one more step on the empty tank; sticky actions may delay the dive.
    expect(dive.meanLength).toBeLessThanOrEqual(210);
    expect(dive.airOutWithDivers).toBeLessThanOrEqual(dive.ends.air);
    let t = 0;
    const bob = seaquestEnds(() => (t++ % 6 < 2 ? DOWN : UP), { episodes: 4, seed: 100, maxSteps: 5000 });
    expect(bob.ends.surfacedEmpty).toBe(4);
    expect(bob.meanLength).toBeLessThan(12);
    const capped = seaquestEnds(() => 0, { episodes: 2, seed: 100, maxSteps: 30 });
    // Idle at the surface: nothing reaches the top row, so both episodes run to the cap.
    expect(capped).toMatchObject({ meanLength: 30, ends: { air: 0, surfacedEmpty: 0, hit: 0, cap: 2 } });
  });

  it("plays every checkpoint of a run both ways and writes the table; refuses a run on another game", async () => {
    const root = tmp('overseer-seaquest-');
    mkdirSync(join(root, 'results'));
    const run = join(root, 'run');
    const r = await cli('train', '--env', 'MinAtar/Seaquest-v1', '--steps', '2048', '--hp', 'numEnvs=2', '--checkpoint-every', '4', '--seed', '1', '--out', run, '--eval-episodes', '1');
    expect(r.code, r.err).toBe(0);
    const result = benchSeaquest(run, { episodes: 2, maxSteps: 300, argv: [], root, resultsDir: join(root, 'results') });
    expect(result.run).toBe('run');
    expect(result.rows.map((x) => [x.checkpoint, x.frames, x.mode])).toEqual([
      ['step_0000001024.json', 1024, 'deterministic'],
      ['step_0000001024.json', 1024, 'sampled'],
      ['final.json', 2048, 'deterministic'],
      ['final.json', 2048, 'sampled'],
    ]);
    for (const x of result.rows) expect(Object.values(x.ends).reduce((a, b) => a + b, 0)).toBe(2);
    const md = readFileSync(join(root, 'results', 'minatar-seaquest.md'), 'utf8');
    expect(md.match(/^\| [\d,]+ \| (deterministic|sampled) \| 2 \|/gm)).toHaveLength(4);
    expect(JSON.parse(readFileSync(join(root, 'results', 'minatar-seaquest.json'), 'utf8')).run.rows).toHaveLength(4);

    // The same run named another way is the same entry.
    benchSeaquest(`${run}/`, { episodes: 1, maxSteps: 5, argv: [], root, resultsDir: join(root, 'results') });
    expect(Object.keys(JSON.parse(readFileSync(join(root, 'results', 'minatar-seaquest.json'), 'utf8')))).toEqual(['run']);
    const written = readFileSync(join(root, 'results', 'minatar-seaquest.json'), 'utf8');
    const other = join(root, 'breakout');
    expect((await cli('train', '--env', 'MinAtar/Breakout-v1', '--steps', '512', '--hp', 'numEnvs=2', '--out', other, '--eval-episodes', '1')).code).toBe(0);
    expect(() => benchSeaquest(other, { episodes: 1, maxSteps: 10, argv: [], root, resultsDir: join(root, 'results') })).toThrow(/breakout is a run on MinAtar\/Breakout-v1, not MinAtar\/Seaquest-v1/);
    expect(() => benchSeaquest(join(root, 'none'), { episodes: 1, maxSteps: 10, argv: [], root, resultsDir: join(root, 'results') })).toThrow(/none is not a run directory \(no config\.json\)/);
    // A refused run writes nothing.
    expect(readFileSync(join(root, 'results', 'minatar-seaquest.json'), 'utf8')).toBe(written);
  });
});
