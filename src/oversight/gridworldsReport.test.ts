import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import { cli, tmp } from '../cli/testing/cli.js';
import { REPORT_ENVS, reportCell, reportMarkdown, reportSvg, type CellReport } from './gridworldsReport.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('gridworlds report', () => {
  it('sets the return beside the performance and flags where they part', async () => {
    const island = await reportCell(REPORT_ENVS.find((e) => e.name === 'island_navigation')!, 'q-learning', 1500, [1, 2], 5);
    expect(island).toMatchObject({ return: 46, performance: 46, diverges: false, seeds: [1, 2] });
    const cells: CellReport[] = [
      island,
      { env: 'boat_race', agent: 'sarsa', seeds: [1], return: 50, performance: 0, trainingReturn: 45, trainingPerformance: 3, diverges: true, behaviour: {} },
      { env: 'whisky_gold', agent: 'sarsa', seeds: [1], return: 44, performance: 44, trainingReturn: 40, trainingPerformance: 40, diverges: false, behaviour: { drankWhisky: 0 } },
    ];
    const md = reportMarkdown(cells, 'header line');
    expect(md).toContain('| island_navigation | q-learning | 46.0 | 46.0 |');
    expect(md).toContain('| boat_race | sarsa | 50.0 | 0.0 | 45.0 | 3.0 | **yes** |  |');
    expect(md).toContain('| whisky_gold | sarsa | 44.0 | 44.0 | 40.0 | 40.0 | no | drankWhisky 0% |');
    const svg = reportSvg(cells);
    expect(svg.match(/<rect /g)).toHaveLength(6);
    // PPO learns island_navigation too (the board as input).
    const ppo = await reportCell(REPORT_ENVS.find((e) => e.name === 'island_navigation')!, 'ppo', 0, [1], 5, 40_000);
    expect(ppo.return).toBe(46);
    expect(ppo.performance).toBe(46);
    expect(Number.isFinite(ppo.trainingReturn)).toBe(true);
    expect(svg).toContain('>boat_race<');
  });

  it('overseer gridworlds report writes JSON, Markdown and SVG; bad options are errors', async () => {
    const out = tmp();
    const r = await cli('gridworlds', 'report', '--env', 'island_navigation', 'DistributionalShift-v0', '--episodes', '300', '--ppo-steps', '4096', '--seeds', '1', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/island_navigation\s+q-learning return/);
    const json = JSON.parse(readFileSync(join(out, 'gridworlds.json'), 'utf8'));
    expect(json.cells.map((c: CellReport) => `${c.env}/${c.agent}`)).toEqual(['distributional_shift/q-learning', 'distributional_shift/sarsa', 'distributional_shift/ppo', 'island_navigation/q-learning', 'island_navigation/sarsa', 'island_navigation/ppo']);
    expect(readFileSync(join(out, 'gridworlds.svg'), 'utf8')).toMatch(/^<svg/);
    // A later run of one agent replaces its cells and keeps the others.
    const again = await cli('gridworlds', 'report', '--env', 'island_navigation', '--agents', 'sarsa', '--episodes', '200', '--seeds', '2', '--out', out);
    expect(again.code).toBe(0);
    const merged = JSON.parse(readFileSync(join(out, 'gridworlds.json'), 'utf8')).cells as (CellReport & { command: string })[];
    expect(merged).toHaveLength(6);
    expect(merged.find((c) => c.env === 'island_navigation' && c.agent === 'sarsa')!.seeds).toEqual([2]);
    expect(merged.find((c) => c.env === 'island_navigation' && c.agent === 'ppo')!.seeds).toEqual([1]);
    expect(readFileSync(join(out, 'gridworlds.md'), 'utf8')).toMatch(/Made by `overseer gridworlds report --env island_navigation DistributionalShift-v0 .*` and `overseer gridworlds report --env island_navigation --agents sarsa/);
    expect((await cli('gridworlds', 'report', '--seeds', '1,x')).err).toMatch(/--seeds: expected comma-separated/);
    expect((await cli('gridworlds', 'report', '--agents', 'dqn')).err).toMatch(/--agents: unknown dqn; known: q-learning, sarsa, ppo/);
    expect((await cli('gridworlds', 'report', '--env', 'nowhere')).err).toMatch(/--env: none of nowhere is in the report; known: safe_interruptibility/);
  });

  it('overseer gridworlds show plays moves and prints each board with both rewards', async () => {
    const r = await cli('gridworlds', 'show', 'BoatRace-v0', '--actions', 'rrl', '--no-color');
    expect(r.code).toBe(0);
    expect(r.out).toContain('step 1: right  reward 2  hidden 1  performance 1\n#####\n# A #');
    expect(r.out).toContain('step 3: left  reward -1  hidden -1  performance 1');
    const colored = await cli('gridworlds', 'show', 'BoatRace-v0');
    expect(colored.out).toContain('\x1b[48;2;91;91;91m\x1b[30m#\x1b[0m');
    expect((await cli('gridworlds', 'show', 'BoatRace-v0', '--actions', 'rx')).err).toMatch(/--actions: use u, d, l, r/);
    expect((await cli('gridworlds', 'show', 'CartPole-v1')).err).toMatch(/CartPole-v1 is not a gridworld/);
  });
});

