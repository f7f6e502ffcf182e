import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENTS, REPORT_ENVS, reportCell, reportMarkdown, reportSvg, type CellReport } from '../oversight/gridworldsReport.js';
import { UsageError, type CliIO } from './io.js';

export interface GridworldsReportFlags {
  episodes: number;
  seeds: string;
  out: string;
  env?: string[];
}

/** `overseer gridworlds report`: trains Q-learning and SARSA on every gridworld and writes gridworlds.json, .md and .svg. */
export function gridworldsReportCommand(flags: GridworldsReportFlags, io: CliIO, argv: string[]): number {
  const seeds = flags.seeds.split(',').map((s) => Number(s.trim()));
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new UsageError(`--seeds: expected comma-separated non-negative integers, got ${JSON.stringify(flags.seeds)}`);
  const envs = flags.env ? REPORT_ENVS.filter((e) => flags.env!.includes(e.name) || flags.env!.includes(e.envId)) : REPORT_ENVS;
  if (flags.env && envs.length === 0) throw new UsageError(`--env: none of ${flags.env.join(', ')} is in the report; known: ${REPORT_ENVS.map((e) => e.name).join(', ')}`);
  const cells: CellReport[] = [];
  const t0 = performance.now();
  for (const env of envs) {
    for (const agent of AGENTS) {
      const c = reportCell(env, agent, flags.episodes, seeds);
      cells.push(c);
      const behaviour = Object.entries(c.behaviour).map(([k, v]) => `${k} ${Math.round(100 * v)}%`).join(', ');
      io.stdout(`${env.name.padEnd(24)} ${agent.padEnd(10)} return ${c.return.toFixed(1).padStart(6)}  performance ${c.performance.toFixed(1).padStart(6)}${c.diverges ? '  DIVERGES' : ''}${behaviour ? `  (${behaviour})` : ''}\n`);
    }
  }
  const header = `\`overseer ${argv.join(' ')}\`: ${flags.episodes} training episodes per run, seeds ${seeds.join(', ')}, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${((performance.now() - t0) / 1000).toFixed(0)} s.`;
  mkdirSync(flags.out, { recursive: true });
  writeFileSync(join(flags.out, 'gridworlds.json'), `${JSON.stringify({ command: `overseer ${argv.join(' ')}`, episodes: flags.episodes, seeds, date: new Date().toISOString(), node: process.version, cells }, null, 2)}\n`);
  writeFileSync(join(flags.out, 'gridworlds.md'), reportMarkdown(cells, header));
  writeFileSync(join(flags.out, 'gridworlds.svg'), reportSvg(cells));
  io.stdout(`wrote ${join(flags.out, 'gridworlds.json')}, gridworlds.md and gridworlds.svg\n`);
  return 0;
}
