import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENTS, REPORT_ENVS, reportCell, reportMarkdown, reportSvg, type CellReport } from '../oversight/gridworldsReport.js';
import type { GridworldEnv } from '../envs/gridworlds/engine.js';
import { make } from '../envs/registry.js';
import { UsageError, type CliIO } from './io.js';

export interface GridworldsReportFlags {
  episodes: number;
  ppoSteps: number;
  agents: string;
  seeds: string;
  out: string;
  env?: string[];
}

/** `overseer gridworlds report`: trains Q-learning, SARSA and PPO on every gridworld and writes gridworlds.json, .md and .svg. */
export async function gridworldsReportCommand(flags: GridworldsReportFlags, io: CliIO, argv: string[]): Promise<number> {
  const seeds = flags.seeds.split(',').map((s) => Number(s.trim()));
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new UsageError(`--seeds: expected comma-separated non-negative integers, got ${JSON.stringify(flags.seeds)}`);
  const envs = flags.env ? REPORT_ENVS.filter((e) => flags.env!.includes(e.name) || flags.env!.includes(e.envId)) : REPORT_ENVS;
  if (flags.env && envs.length === 0) throw new UsageError(`--env: none of ${flags.env.join(', ')} is in the report; known: ${REPORT_ENVS.map((e) => e.name).join(', ')}`);
  const agents = flags.agents.split(',').map((a) => a.trim());
  const unknown = agents.filter((a) => !(AGENTS as readonly string[]).includes(a));
  if (unknown.length > 0) throw new UsageError(`--agents: unknown ${unknown.join(', ')}; known: ${AGENTS.join(', ')}`);
  const cells: CellReport[] = [];
  const t0 = performance.now();
  for (const env of envs) {
    for (const agent of AGENTS) {
      if (!agents.includes(agent)) continue;
      const c = await reportCell(env, agent, flags.episodes, seeds, 50, flags.ppoSteps);
      cells.push(c);
      const behaviour = Object.entries(c.behaviour).map(([k, v]) => `${k} ${Math.round(100 * v)}%`).join(', ');
      io.stdout(`${env.name.padEnd(24)} ${agent.padEnd(10)} return ${c.return.toFixed(1).padStart(6)}  performance ${c.performance.toFixed(1).padStart(6)}${c.diverges ? '  DIVERGES' : ''}${behaviour ? `  (${behaviour})` : ''}\n`);
    }
  }
  const command = `overseer ${argv.join(' ')}`;
  const date = new Date().toISOString();
  for (const c of cells) Object.assign(c, { command, date, node: process.version });
  // A run of some agents or envs replaces those cells and keeps the rest, so the report can be built in parts.
  mkdirSync(flags.out, { recursive: true });
  const jsonPath = join(flags.out, 'gridworlds.json');
  const previous = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as { command?: string; cells?: (CellReport & { command?: string })[] }) : {};
  const kept = (previous.cells ?? []).map((k) => ({ ...k, command: k.command ?? previous.command })).filter((k) => !cells.some((c) => c.env === k.env && c.agent === k.agent));
  const order = (c: CellReport) => REPORT_ENVS.findIndex((e) => e.name === c.env) * 10 + AGENTS.indexOf(c.agent);
  const all = [...kept, ...cells].sort((a, b) => order(a) - order(b));
  const commands = [...new Set(all.map((c) => (c as CellReport & { command?: string }).command ?? '(unrecorded)'))];
  const header = `Made by ${commands.map((c) => `\`${c}\``).join(' and ')} (each cell's command, date and Node version are in gridworlds.json); this run took ${((performance.now() - t0) / 1000).toFixed(0)} s. Defaults: 20000 training episodes per tabular run, 200000 env steps per PPO run, seeds 1, 2, 3.`;
  writeFileSync(jsonPath, `${JSON.stringify({ cells: all }, null, 2)}\n`);
  writeFileSync(join(flags.out, 'gridworlds.md'), reportMarkdown(all, header));
  writeFileSync(join(flags.out, 'gridworlds.svg'), reportSvg(all));
  io.stdout(`wrote ${join(flags.out, 'gridworlds.json')}, gridworlds.md and gridworlds.svg\n`);
  return 0;
}

export interface GridworldsShowFlags {
  actions: string;
  seed: number;
  kwargs?: Record<string, unknown>;
  color: boolean;
}

const ACTION_LETTERS: Record<string, number> = { u: 0, d: 1, l: 2, r: 3, n: 4 };

/** A board in the terminal: each character on its colour (24-bit ANSI), or plain text. */
export function ansiBoard(lines: string[], colors: Record<string, string>, color: boolean): string {
  if (!color) return lines.join('\n');
  const bg = (hex: string) => {
    const n = parseInt(hex.replace('#', '').padEnd(6, '0').slice(0, 6), 16);
    return `\x1b[48;2;${(n >> 16) & 255};${(n >> 8) & 255};${n & 255}m`;
  };
  return lines.map((row) => [...row].map((c) => `${bg(colors[c] ?? '#bbbbbb')}\x1b[30m${c}\x1b[0m`).join('')).join('\n');
}

/** `overseer gridworlds show ENV --actions udlr`: plays the actions and prints each board with the visible and hidden rewards. */
export function gridworldsShowCommand(envId: string, flags: GridworldsShowFlags, io: CliIO): number {
  const bad = [...flags.actions].filter((c) => !(c in ACTION_LETTERS));
  if (bad.length > 0) throw new UsageError(`--actions: use u, d, l, r (and n for no-op where offered); got ${JSON.stringify(bad.join(''))}`);
  let env;
  try {
    env = make(envId, { kwargs: flags.kwargs ?? {} });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const grid = env.unwrapped as GridworldEnv;
  if (typeof grid.board !== 'function') throw new UsageError(`${envId} is not a gridworld`);
  const spec = grid.renderSpec();
  const colors = spec.kind === 'grid' ? spec.colors : {};
  env.reset({ seed: flags.seed });
  io.stdout(`${envId}, seed ${flags.seed}\n${ansiBoard(grid.board(), colors, flags.color)}\n`);
  let t = 0;
  for (const c of flags.actions) {
    const r = env.step(ACTION_LETTERS[c]);
    t += 1;
    io.stdout(`\nstep ${t}: ${['up', 'down', 'left', 'right', 'noop'][ACTION_LETTERS[c]]}  reward ${r.reward}  hidden ${r.info.hiddenReward}  performance ${r.info.performance}${r.terminated ? '  (terminated)' : r.truncated ? '  (time limit)' : ''}\n${ansiBoard(grid.board(), colors, flags.color)}\n`);
    if (r.terminated || r.truncated) break;
  }
  env.close();
  return 0;
}
