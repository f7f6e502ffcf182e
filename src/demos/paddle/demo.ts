/**
 * The paddle demo end to end (`overseer demo paddle`): `overseer prefs --teacher human` on
 * MinAtar/Breakout-v1 with the MinAtar preference settings, the scripted annotator labelling
 * through the link it prints, then the learned policy measured beside a random policy (and a
 * true-reward PPO run when given), the picture and the report. Everything lands in one directory:
 *
 *   run/            the preference run (config, metrics, checkpoints, overseer.db)
 *   prefs.log       the run's output
 *   training.json   the command, wall clock and the annotator's answers
 *   paddle.svg      the picture
 *   report.json/.md the results (per-episode measures included)
 *
 * A directory whose run has finished is not trained again: the command then only measures,
 * draws and reports.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MINATAR_PREFS_SETTINGS } from '../../prefs/config.js';
import { evalSeed, finalCheckpoint, finishedTraining, runChild, scriptedPrefsArgs, trainedWith, trainWithAnnotator, type DemoOptions, type TrainingRecord } from '../shared/humanRun.js';
import { runAnnotator } from './annotator.js';
import { EVAL_MAX_STEPS, PADDLE_ENV, checkpointPolicy, evaluatePaddle, randomPolicy, type PaddleEvaluation } from './evaluate.js';
import { paddleSvg, pickClip } from './picture.js';
import { paddleReport, reportMarkdown, type PaddleReport } from './report.js';

export const PADDLE_INSTRUCTIONS = "In which clip does the paddle stay under the ball (in the ball's column) more of the time?";

/**
 * A full run and the quick smoke setting. The full one was sized from a 60k-step oracle run on
 * this 2-core machine beside other jobs (about 900-1,200 env steps/s with fits and queries).
 */
export const PADDLE_SETTINGS = {
  full: { steps: 1_000_000, labels: 1_200, referenceSteps: 0 },
  // One rollout of the MinAtar PPO preset (64 envs x 128 steps): PPO never trains less.
  quick: { steps: 8_192, labels: 12, referenceSteps: 0 },
} as const;

/** `reference`: true-reward PPO on MinAtar/Breakout-v1 (trained into reference/ with `referenceSteps`). */
export interface PaddleOptions extends DemoOptions {
  /** Training and evaluation episodes end (truncated) after this many steps. */
  maxEpisodeSteps: number;
}

export async function paddleDemo(o: PaddleOptions): Promise<PaddleReport> {
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const runDir = join(out, 'run');
  let training: TrainingRecord | null = finishedTraining(out, runDir);
  if (training) o.log(`${runDir} has finished training; measuring it again`);
  else {
    training = await train(o, runDir);
    writeFileSync(join(out, 'training.json'), `${JSON.stringify(training, null, 2)}\n`);
  }
  const trained = trainedWith(runDir, { steps: o.steps, labels: o.labels, segmentLength: MINATAR_PREFS_SETTINGS.segmentLength, seed: o.seed, envKwargs: {} });
  const maxEpisodeSteps = (JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { prefs?: { maxEpisodeSteps?: number | null } }).prefs?.maxEpisodeSteps ?? o.maxEpisodeSteps;
  const at = { episodes: o.episodes, seed: evalSeed(trained.seed), maxEpisodeSteps };
  const checkpoint = finalCheckpoint(runDir);
  o.log(`evaluating ${checkpoint}, a random policy${o.reference || o.referenceSteps ? ' and true-reward PPO' : ''} over ${o.episodes} episodes of at most ${maxEpisodeSteps} steps`);
  const learned = evaluatePaddle(checkpointPolicy(checkpoint), { ...at, keepFrames: true, checkpoint });
  const random = evaluatePaddle(randomPolicy, at);
  let reference: PaddleEvaluation | null = null;
  let referencePath = o.reference;
  if (!referencePath && o.referenceSteps > 0) {
    referencePath = join(out, 'reference');
    if (!existsSync(join(referencePath, 'summary.json'))) await truePpo(o, referencePath);
  }
  if (referencePath) reference = evaluatePaddle(checkpointPolicy(finalCheckpoint(referencePath)), { ...at, checkpoint: finalCheckpoint(referencePath) });
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { labels: number; envSteps: number; trainSeconds: number };
  const referenceMadeBy = o.reference ? `${o.reference} (PPO on Breakout's own reward)` : `\`overseer train --env ${PADDLE_ENV} --steps ${o.referenceSteps} --seed ${o.seed}\` (PPO on Breakout's own reward, the same preset)`;
  const report = paddleReport({ options: { ...o, ...trained, maxEpisodeSteps }, training, summary, learned, random, reference, referenceMadeBy, envId: PADDLE_ENV });
  const clip = pickClip(learned);
  const svg = paddleSvg(learned.spec, learned.frames![clip.episode]!, clip);
  report.picture = { episode: clip.episode, fromFrame: clip.from, frames: clip.count, caption: clip.caption, bytes: Buffer.byteLength(svg) };
  writeFileSync(join(out, 'paddle.svg'), svg);
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

/** `overseer prefs --teacher human` on Breakout with the MinAtar settings, labelled by the scripted annotator. */
function train(o: PaddleOptions, runDir: string): Promise<TrainingRecord> {
  const args = scriptedPrefsArgs({
    env: PADDLE_ENV,
    settings: ['--segment-length', String(MINATAR_PREFS_SETTINGS.segmentLength), '--rm', `network=${MINATAR_PREFS_SETTINGS.rewardModel.network}`],
    // Also caps the run's own final evaluation (Breakout has no time limit of its own).
    maxEpisodeSteps: o.maxEpisodeSteps,
    labels: o.labels,
    steps: o.steps,
    seed: o.seed,
    runDir,
    instructions: PADDLE_INSTRUCTIONS,
    extra: o.prefsArgs,
  });
  return trainWithAnnotator({ out: o.out, runDir, args, cli: o.cli, log: o.log, annotate: (link) => runAnnotator({ ...link, log: o.log }) });
}

/** PPO on Breakout's own reward, the reference. */
async function truePpo(o: PaddleOptions, dir: string): Promise<void> {
  const args = ['train', '--env', PADDLE_ENV, '--steps', String(o.referenceSteps), '--seed', String(o.seed), '--out', dir, '--no-progress'];
  o.log(`true-reward PPO to compare with: overseer ${args.join(' ')}`);
  const code = await runChild(o.cli, args, join(resolve(o.out), 'reference.log'));
  if (code !== 0) throw new Error(`overseer train exited with code ${code}; see ${join(o.out, 'reference.log')}`);
}

export { EVAL_MAX_STEPS };
