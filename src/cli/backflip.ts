/** `overseer demo backflip`: the backflip demo end to end (src/demos/backflip/demo.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKFLIP_ENV_KWARGS, BACKFLIP_SETTINGS, backflipDemo } from '../demos/backflip/demo.js';
import { UsageError, type CliIO } from './io.js';

export interface BackflipFlags {
  out: string;
  quick: boolean;
  steps?: number;
  labels?: number;
  segmentLength?: number;
  episodeSteps?: number;
  seed: number;
  episodes: number;
  reference?: string;
  referenceSteps?: number;
  report: boolean;
  notes?: string;
}

export async function backflipCommand(flags: BackflipFlags, io: CliIO, argv: string[]): Promise<number> {
  const base = flags.quick ? BACKFLIP_SETTINGS.quick : BACKFLIP_SETTINGS.full;
  const segmentLength = flags.segmentLength ?? base.segmentLength;
  const episodeSteps = flags.episodeSteps ?? base.episodeSteps;
  if (episodeSteps < segmentLength) throw new UsageError(`--episode-steps: training episodes of ${episodeSteps} steps cannot hold a clip of ${segmentLength} steps (--segment-length); use at least ${segmentLength}`);
  await backflipDemo({
    out: flags.out,
    steps: flags.steps ?? base.steps,
    labels: flags.labels ?? base.labels,
    segmentLength,
    episodeSteps,
    seed: flags.seed,
    episodes: flags.episodes,
    envKwargs: BACKFLIP_ENV_KWARGS,
    prefsArgs: [],
    reference: flags.reference ?? null,
    referenceSteps: flags.referenceSteps ?? base.referenceSteps,
    notes: flags.notes ? readFileSync(flags.notes, 'utf8') : null,
    reportTo: flags.report ? join('bench', 'results', 'backflip') : null,
    pictureTo: flags.report ? join('docs', 'backflip.svg') : null,
    cli: { file: process.execPath, args: [...process.execArgv, process.argv[1]] },
    command: `npm run demo:backflip -- ${argv.slice(2).join(' ')}`.trim(),
    log: (line) => io.stderr(`${line}\n`),
  });
  return 0;
}
