/**
 * The backflip demo end to end (`npm run demo:backflip`): `overseer prefs --teacher human` on
 * Hopper-v5 as a child process, exactly as a person would start it; the scripted annotator
 * labelling through the link it prints; then the learned policy's episodes, flips counted from
 * their poses, the picture and the report. Everything lands in one directory:
 *
 *   run/            the preference run (config, metrics, checkpoints, overseer.db)
 *   prefs.log       the run's output
 *   training.json   the command, wall clock and the annotator's answers
 *   evaluation.json per-episode measures (episodes.json: their poses)
 *   backflip.svg    the picture
 *   report.json/.md the results
 *
 * A directory whose run has finished is not trained again: the command then only measures,
 * draws and reports (so it can be rerun, e.g. with more evaluation episodes).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { registration } from '../../envs/registry.js';
import { evalSeed, finishedTraining, finalCheckpoint, runChild, scriptedPrefsArgs, trainedWith, trainWithAnnotator, type DemoOptions, type TrainingRecord } from '../shared/humanRun.js';
import { runAnnotator } from './annotator.js';
import { evaluateBackflips, type Evaluation } from './evaluate.js';
import { backflipSvg, pickClip } from './picture.js';
import { backflipReport, reportMarkdown, type BackflipReport } from './report.js';

export { evalSeed, trainedWith };

export const BACKFLIP_INSTRUCTIONS = 'Which clip is closer to a backflip? The hopper should turn over backwards and land on its foot.';

/**
 * The settings of a full run and of the quick smoke setting. A full run's training episodes are
 * one 1.5 s clip (188 steps): with Hopper-v5's own 8 s, the second run turned over in the first
 * second and lay on the ground for the other seven, so most clips showed a hopper lying down
 * (bench/results/backflip.md, notes). Now every clip starts standing and shows a take-off, and
 * 1.5 s leaves time after a turn to show a landing (the sixth run; 1 s clips ended as the turn did).
 */
export const BACKFLIP_SETTINGS = {
  full: { steps: 3_000_000, labels: 900, segmentLength: 188, episodeSteps: 188, referenceSteps: 1_000_000 },
  quick: { steps: 30_000, labels: 40, segmentLength: 60, episodeSteps: 250, referenceSteps: 0 },
} as const;

/** `reference`: a normally trained Hopper (trained into normal/ with `referenceSteps`). */
export interface BackflipOptions extends DemoOptions {
  segmentLength: number;
  /** Training episodes end (truncated) after this many steps (`overseer prefs --max-episode-steps`); at least `segmentLength`. */
  episodeSteps: number;
  /** Hopper-v5 options for training and evaluation: no termination, as a flip leaves the healthy angle range. */
  envKwargs: Record<string, unknown>;
}

export const BACKFLIP_ENV_KWARGS = { terminate_when_unhealthy: false };

export async function backflipDemo(o: BackflipOptions): Promise<BackflipReport> {
  if (!Number.isInteger(o.episodeSteps) || o.episodeSteps < o.segmentLength) {
    throw new Error(`episodeSteps: training episodes of ${o.episodeSteps} steps cannot hold a clip of ${o.segmentLength} (segmentLength); use at least ${o.segmentLength}`);
  }
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const runDir = join(out, 'run');
  let training: TrainingRecord | null = finishedTraining(out, runDir);
  if (training) o.log(`${runDir} has finished training; measuring it again`);
  else {
    training = await train(o, runDir);
    writeFileSync(join(out, 'training.json'), `${JSON.stringify(training, null, 2)}\n`);
  }
  const checkpoint = join(runDir, 'checkpoints', 'final.json');
  const lengths = episodeLengths(runDir);
  // A resumed or re-measured run is evaluated and reported with the settings it was trained with, not today's flags.
  const trained = trainedWith(runDir, o);
  o.log(`evaluating ${checkpoint} over ${o.episodes} episodes of ${lengths.evaluation} steps (training episodes: ${lengths.training})`);
  const evaluation = evaluateBackflips(checkpoint, { envKwargs: trained.envKwargs, episodes: o.episodes, seed: evalSeed(trained.seed), maxEpisodeSteps: lengths.evaluation });
  writeFileSync(join(out, 'episodes.json'), `${JSON.stringify({ format: 'overseer.render', version: 1, envId: evaluation.envId, checkpoint, render: evaluation.spec, episodes: evaluation.episodes.map((e, k) => ({ seed: e.seed, return: e.trueReturn, length: e.length, frames: evaluation.frames[k] })) })}\n`);
  let reference: Evaluation | null = null;
  let referencePath = o.reference;
  if (!referencePath && o.referenceSteps > 0) {
    referencePath = join(out, 'normal');
    if (!existsSync(join(referencePath, 'summary.json'))) await normalHopper(o, referencePath);
  }
  if (referencePath) {
    const refCheckpoint = finalCheckpoint(referencePath);
    o.log(`evaluating the reference ${refCheckpoint}`);
    reference = evaluateBackflips(refCheckpoint, { envKwargs: trained.envKwargs, episodes: o.episodes, seed: evalSeed(trained.seed), maxEpisodeSteps: lengths.evaluation });
  }
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { labels: number; envSteps: number; trainSeconds: number };
  const referenceMadeBy = o.reference ? o.reference : `\`overseer train --env Hopper-v5 --steps ${o.referenceSteps} --seed ${o.seed}\` (PPO on Hopper-v5's own reward, with its termination), evaluated like the learned policy`;
  const report = backflipReport({ options: { ...o, ...trained }, training, summary, evaluation, reference, referenceMadeBy, trainingEpisodeSteps: lengths.training });
  writeFileSync(join(out, 'evaluation.json'), `${JSON.stringify(report.episodes, null, 2)}\n`);
  const clip = pickClip(evaluation);
  const svg = backflipSvg(evaluation.spec, clip.frames, { title: clip.caption, startSeconds: clip.from * evaluation.spec.dt });
  report.picture = { ...report.picture, episode: clip.episode, fromFrame: clip.from, toFrame: clip.to, caption: clip.caption, bytes: Buffer.byteLength(svg) };
  writeFileSync(join(out, 'backflip.svg'), svg);
  writeFileSync(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'report.md'), reportMarkdown(report));
  if (o.pictureTo) writeFileSync(o.pictureTo, svg);
  if (o.reportTo) {
    writeFileSync(`${o.reportTo}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${o.reportTo}.md`, reportMarkdown(report));
  }
  o.log(report.verdict);
  return report;
}

/**
 * Episode lengths, in steps: the run's training episodes (its config's `maxEpisodeSteps`, or
 * Hopper-v5's own limit for runs made without one), and the evaluation's: Hopper-v5's own 1000
 * (8 s, long enough to show a flip and the landing, and what earlier reports used), or the
 * training episodes' length if that is longer.
 */
export function episodeLengths(runDir: string): { training: number; evaluation: number } {
  const own = registration('Hopper-v5').maxEpisodeSteps!;
  const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { prefs?: { maxEpisodeSteps?: number | null } };
  const training = config.prefs?.maxEpisodeSteps ?? own;
  return { training, evaluation: Math.max(own, training) };
}

/** A Hopper trained normally, on Hopper-v5's own reward (with its termination), to set the forward reward beside. */
async function normalHopper(o: BackflipOptions, dir: string): Promise<void> {
  const args = ['train', '--env', 'Hopper-v5', '--steps', String(o.referenceSteps), '--seed', String(o.seed), '--out', dir, '--no-progress'];
  o.log(`a normal Hopper to compare with: overseer ${args.join(' ')}`);
  const code = await runChild(o.cli, args, join(resolve(o.out), 'normal.log'));
  if (code !== 0) throw new Error(`overseer train exited with code ${code}; see ${join(o.out, 'normal.log')}`);
}

/** `overseer prefs --teacher human` on Hopper-v5, labelled by the scripted annotator. */
function train(o: BackflipOptions, runDir: string): Promise<TrainingRecord> {
  const args = scriptedPrefsArgs({
    env: 'Hopper-v5',
    settings: ['--env-kwargs', JSON.stringify(o.envKwargs), '--segment-length', String(o.segmentLength)],
    maxEpisodeSteps: o.episodeSteps,
    labels: o.labels,
    steps: o.steps,
    seed: o.seed,
    runDir,
    instructions: BACKFLIP_INSTRUCTIONS,
    extra: o.prefsArgs,
  });
  return trainWithAnnotator({ out: o.out, runDir, args, cli: o.cli, log: o.log, annotate: (link) => runAnnotator({ ...link, log: o.log }) });
}
