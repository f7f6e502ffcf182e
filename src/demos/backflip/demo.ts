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
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { registration } from '../../envs/registry.js';
import { runAnnotator, type AnnotatorResult } from './annotator.js';
import { evaluateBackflips, type Evaluation } from './evaluate.js';
import { backflipSvg, pickClip } from './picture.js';
import { backflipReport, reportMarkdown, type BackflipReport, type TrainingRecord } from './report.js';

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

export interface BackflipOptions {
  /** The demo's directory. */
  out: string;
  steps: number;
  labels: number;
  segmentLength: number;
  /** Training episodes end (truncated) after this many steps (`overseer prefs --max-episode-steps`); at least `segmentLength`. */
  episodeSteps: number;
  seed: number;
  /** Evaluation episodes. */
  episodes: number;
  /** Hopper-v5 options for training and evaluation: no termination, as a flip leaves the healthy angle range. */
  envKwargs: Record<string, unknown>;
  /** Extra `overseer prefs` flags (e.g. --hp ...). */
  prefsArgs: string[];
  /** A normally trained Hopper run directory (or checkpoint) to measure beside, on the same episodes. */
  reference: string | null;
  /** Without `reference`: train one here first (`overseer train` on Hopper-v5's own reward, this many steps, into normal/); 0: none. */
  referenceSteps: number;
  /** Also write the report and picture here (e.g. bench/results/backflip and docs/backflip.svg). */
  reportTo: string | null;
  pictureTo: string | null;
  /** Notes (Markdown) for the report. */
  notes: string | null;
  /** How to run the overseer CLI: this process's own entry point by default. */
  cli: { file: string; args: string[] };
  /** The command as typed, for the report. */
  command: string;
  log: (line: string) => void;
}

export const BACKFLIP_ENV_KWARGS = { terminate_when_unhealthy: false };

export async function backflipDemo(o: BackflipOptions): Promise<BackflipReport> {
  if (!Number.isInteger(o.episodeSteps) || o.episodeSteps < o.segmentLength) {
    throw new Error(`episodeSteps: training episodes of ${o.episodeSteps} steps cannot hold a clip of ${o.segmentLength} (segmentLength); use at least ${o.segmentLength}`);
  }
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const runDir = join(out, 'run');
  const trainingPath = join(out, 'training.json');
  let training: TrainingRecord;
  if (existsSync(join(runDir, 'summary.json')) && JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')).status === 'finished' && existsSync(trainingPath)) {
    training = JSON.parse(readFileSync(trainingPath, 'utf8')) as TrainingRecord;
    o.log(`${runDir} has finished training; measuring it again`);
  } else {
    training = await train(o, runDir);
    writeFileSync(trainingPath, `${JSON.stringify(training, null, 2)}\n`);
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
    const refCheckpoint = referencePath.endsWith('.json') ? referencePath : join(referencePath, 'checkpoints', 'final.json');
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

/**
 * The settings a run was trained with, from its config.json: env steps, label budget, clip
 * length, seed and env options. A value the config does not hold (a default left null) is
 * taken from `flags`.
 */
export function trainedWith(runDir: string, flags: Pick<BackflipOptions, 'steps' | 'labels' | 'segmentLength' | 'seed' | 'envKwargs'>): Pick<BackflipOptions, 'steps' | 'labels' | 'segmentLength' | 'seed' | 'envKwargs'> {
  const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as {
    seed?: number;
    prefs?: { totalTimesteps?: number; labelBudget?: number; segmentLength?: number | null; envKwargs?: Record<string, unknown> };
  };
  const p = config.prefs ?? {};
  return {
    steps: p.totalTimesteps ?? flags.steps,
    labels: p.labelBudget ?? flags.labels,
    segmentLength: p.segmentLength ?? flags.segmentLength,
    seed: config.seed ?? flags.seed,
    envKwargs: p.envKwargs ?? flags.envKwargs,
  };
}

/** Evaluation episodes are reset with seeds the run never trained on (as `overseer prefs`' own evaluation). */
export const evalSeed = (seed: number) => 1_000_000 + seed;

/** A Hopper trained normally, on Hopper-v5's own reward (with its termination), to set the forward reward beside. */
async function normalHopper(o: BackflipOptions, dir: string): Promise<void> {
  const args = ['train', '--env', 'Hopper-v5', '--steps', String(o.referenceSteps), '--seed', String(o.seed), '--out', dir, '--no-progress'];
  o.log(`a normal Hopper to compare with: overseer ${args.join(' ')}`);
  const code = await runChild(o, args, join(resolve(o.out), 'normal.log'));
  if (code !== 0) throw new Error(`overseer train exited with code ${code}; see ${join(o.out, 'normal.log')}`);
}

function runChild(o: BackflipOptions, args: string[], logPath: string): Promise<number> {
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(o.cli.file, [...o.cli.args, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OVERSEER_EXIT_WITH_PARENT: '1' } });
  child.stdout.on('data', (d: Buffer) => log.write(d));
  child.stderr.on('data', (d: Buffer) => log.write(d));
  return new Promise<number>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (c, signal) => {
      log.end();
      done(c ?? (signal ? 128 : 1));
    });
  });
}

/** `overseer prefs --teacher human` in a child process, and the annotator on the link it prints. */
async function train(o: BackflipOptions, runDir: string): Promise<TrainingRecord> {
  const resuming = existsSync(join(runDir, 'config.json'));
  const args = resuming
    ? ['prefs', '--resume', runDir, '--port', '0', '--no-progress']
    : [
        'prefs',
        '--env', 'Hopper-v5',
        '--teacher', 'human',
        '--env-kwargs', JSON.stringify(o.envKwargs),
        '--segment-length', String(o.segmentLength),
        '--max-episode-steps', String(o.episodeSteps),
        '--undo-seconds', '0',
        '--label-budget', String(o.labels),
        '--steps', String(o.steps),
        '--seed', String(o.seed),
        '--port', '0',
        '--out', runDir,
        '--instructions', BACKFLIP_INSTRUCTIONS,
        '--no-progress',
        ...o.prefsArgs,
      ];
  const started = new Date();
  o.log(`overseer ${args.map(shellQuote).join(' ')}`);
  const log = createWriteStream(join(resolve(o.out), 'prefs.log'), { flags: 'a' });
  const child = spawn(o.cli.file, [...o.cli.args, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OVERSEER_EXIT_WITH_PARENT: '1' } });
  const stop = new AbortController();
  let annotator: Promise<AnnotatorResult> | null = null;
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    log.write(d);
    stdout += d.toString();
    const link = /label segments at (http:\/\/\S+)\/\?token=([\w-]+)&run=(\S+)/.exec(stdout);
    if (link && !annotator) {
      o.log(`the annotator labels at ${link[1]} (run ${decodeURIComponent(link[3])})`);
      annotator = runAnnotator({ url: link[1], token: link[2], runId: decodeURIComponent(link[3]), signal: stop.signal, log: o.log });
      // Its failure is reported when the run ends; the run itself would wait for labels forever, so stop it.
      annotator.catch((e: unknown) => {
        o.log(`annotator failed: ${(e as Error).message}`);
        child.kill('SIGINT');
      });
    }
  });
  child.stderr.on('data', (d: Buffer) => log.write(d));
  const code = await new Promise<number>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (c, signal) => done(c ?? (signal ? 128 : 1)));
  });
  stop.abort();
  const answered: AnnotatorResult | null = annotator ? await (annotator as Promise<AnnotatorResult>).catch(() => null) : null;
  log.end();
  const ended = new Date();
  if (code !== 0) throw new Error(`overseer prefs exited with code ${code}; see ${join(o.out, 'prefs.log')}${resuming ? '' : `; continue it with the same command (it resumes ${runDir})`}`);
  return {
    prefsCommand: `overseer ${args.map(shellQuote).join(' ')}`,
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    wallSeconds: (ended.getTime() - started.getTime()) / 1000,
    resumed: resuming,
    annotator: answered ? { labels: answered.labels, answers: answered.answers } : null,
  };
}

/** An argument as a shell would need it typed. */
const shellQuote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
