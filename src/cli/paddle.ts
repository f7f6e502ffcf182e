/** `overseer demo paddle`: keep Breakout's paddle under the ball, taught by comparisons (src/demos/paddle/demo.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVAL_MAX_STEPS, PADDLE_SETTINGS, paddleDemo } from '../demos/paddle/demo.js';
import type { CliIO } from './io.js';

export interface PaddleFlags {
  out: string;
  quick: boolean;
  steps?: number;
  labels?: number;
  seed: number;
  episodes: number;
  maxEpisodeSteps?: number;
  reference?: string;
  referenceSteps?: number;
  report: boolean;
  notes?: string;
}

export async function paddleCommand(flags: PaddleFlags, io: CliIO, argv: string[]): Promise<number> {
  const base = flags.quick ? PADDLE_SETTINGS.quick : PADDLE_SETTINGS.full;
  await paddleDemo({
    out: flags.out,
    steps: flags.steps ?? base.steps,
    labels: flags.labels ?? base.labels,
    seed: flags.seed,
    episodes: flags.episodes,
    maxEpisodeSteps: flags.maxEpisodeSteps ?? EVAL_MAX_STEPS,
    prefsArgs: flags.quick ? ['--rm', 'ensembleSize=1', '--eval-episodes', '1'] : [],
    reference: flags.reference ?? null,
    referenceSteps: flags.referenceSteps ?? base.referenceSteps,
    notes: flags.notes ? readFileSync(flags.notes, 'utf8') : null,
    reportTo: flags.report ? join('bench', 'results', 'paddle') : null,
    pictureTo: flags.report ? join('docs', 'paddle-breakout.svg') : null,
    cli: { file: process.execPath, args: [...process.execArgv, process.argv[1]] },
    command: `npm run demo:paddle -- ${argv.slice(2).join(' ')}`.trim(),
    log: (line) => io.stderr(`${line}\n`),
  });
  return 0;
}
