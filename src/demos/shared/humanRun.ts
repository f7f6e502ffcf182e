/**
 * A preference run taught by a scripted person, as the demos run it: `overseer prefs --teacher
 * human` as a child process, exactly as a person would start it, and a scripted annotator on the
 * labeling link it prints (which labels over the HTTP API only). Plus what the demos share
 * around it: the run's settings read back from its config, the policy from its checkpoint, and
 * `overseer` children for reference runs.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ActorCritic } from '../../rl/agent.js';
import type { AnswerJson } from '../../server/api.js';
import type { AnnotatorResult } from './labelingClient.js';

/** How the training went, as the demo saw it. */
export interface TrainingRecord {
  prefsCommand: string;
  startedAt: string;
  endedAt: string;
  /** From starting `overseer prefs` to its exit (labelling, training and its own evaluation). */
  wallSeconds: number;
  resumed: boolean;
  annotator: { labels: number; answers: Record<AnswerJson, number> } | null;
}

/** How to run the overseer CLI (a demo uses its own process's entry point). */
export interface CliCommand {
  file: string;
  args: string[];
}

/** Where the scripted annotator labels: the link `overseer prefs` prints. */
export interface LabelingLink {
  url: string;
  token: string;
  runId: string;
  signal: AbortSignal;
}

export interface HumanRunOptions {
  /** The demo's directory (prefs.log goes there). */
  out: string;
  runDir: string;
  /** `overseer prefs` arguments of a new run (a run dir holding a config is resumed instead). */
  args: string[];
  cli: CliCommand;
  /** Starts the scripted annotator on the run's labeling link. */
  annotate: (link: LabelingLink) => Promise<AnnotatorResult>;
  log: (line: string) => void;
}

/** The options every demo takes: a scripted-annotator run, its evaluation, and where the report goes. */
export interface DemoOptions {
  /** The demo's directory. */
  out: string;
  steps: number;
  labels: number;
  seed: number;
  /** Evaluation episodes. */
  episodes: number;
  /** Extra `overseer prefs` flags (e.g. --rm ensembleSize=1). */
  prefsArgs: string[];
  /** A run directory (or checkpoint) trained on the env's own reward, measured beside on the same episodes. */
  reference: string | null;
  /** Without `reference`: train one here first (`overseer train` on the env's own reward, this many steps); 0: none. */
  referenceSteps: number;
  /** Also write the report and picture here (e.g. bench/results/<demo> and docs/<picture>.svg). */
  reportTo: string | null;
  pictureTo: string | null;
  /** Notes (Markdown) for the report. */
  notes: string | null;
  /** How to run the overseer CLI: this process's own entry point by default. */
  cli: CliCommand;
  /** The command as typed, for the report. */
  command: string;
  log: (line: string) => void;
}

/** What a demo's `overseer prefs --teacher human` run differs in; the rest is the same for every demo. */
export interface ScriptedPrefsRun {
  env: string;
  /** The demo's own run options (env kwargs, clip length, reward model), right after the teacher. */
  settings: string[];
  /** Training episodes end here (on envs without a time limit, the final evaluation too). */
  maxEpisodeSteps: number;
  labels: number;
  steps: number;
  seed: number;
  runDir: string;
  instructions: string;
  /** Extra flags, last (they win). */
  extra: string[];
}

/** The `overseer prefs` arguments of a demo run labelled by a scripted annotator: people's teacher, answers final at once (no undo window), any free port. */
export function scriptedPrefsArgs(r: ScriptedPrefsRun): string[] {
  return [
    'prefs',
    '--env', r.env,
    '--teacher', 'human',
    ...r.settings,
    '--max-episode-steps', String(r.maxEpisodeSteps),
    '--undo-seconds', '0',
    '--label-budget', String(r.labels),
    '--steps', String(r.steps),
    '--seed', String(r.seed),
    '--port', '0',
    '--out', r.runDir,
    '--instructions', r.instructions,
    '--no-progress',
    ...r.extra,
  ];
}

/** The training record of a run that has finished in `out` (so it is measured again, not retrained), or null. */
export function finishedTraining(out: string, runDir: string): TrainingRecord | null {
  const summary = join(runDir, 'summary.json');
  const record = join(out, 'training.json');
  if (!existsSync(summary) || !existsSync(record) || JSON.parse(readFileSync(summary, 'utf8')).status !== 'finished') return null;
  return JSON.parse(readFileSync(record, 'utf8')) as TrainingRecord;
}

/** `overseer prefs --teacher human` in a child process, and the annotator on the link it prints. */
export async function trainWithAnnotator(o: HumanRunOptions): Promise<TrainingRecord> {
  const resuming = existsSync(join(o.runDir, 'config.json'));
  const args = resuming ? ['prefs', '--resume', o.runDir, '--port', '0', '--no-progress'] : o.args;
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
      annotator = o.annotate({ url: link[1], token: link[2], runId: decodeURIComponent(link[3]), signal: stop.signal });
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
  if (code !== 0) throw new Error(`overseer prefs exited with code ${code}; see ${join(o.out, 'prefs.log')}${resuming ? '' : `; continue it with the same command (it resumes ${o.runDir})`}`);
  return {
    prefsCommand: `overseer ${args.map(shellQuote).join(' ')}`,
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    wallSeconds: (ended.getTime() - started.getTime()) / 1000,
    resumed: resuming,
    annotator: answered ? { labels: answered.labels, answers: answered.answers } : null,
  };
}

/** An `overseer` child (e.g. a reference run), its output to `logPath`; resolves to its exit code. */
export function runChild(cli: CliCommand, args: string[], logPath: string): Promise<number> {
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(cli.file, [...cli.args, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OVERSEER_EXIT_WITH_PARENT: '1' } });
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

/** The settings a run was trained with. */
export interface TrainedSettings {
  steps: number;
  labels: number;
  segmentLength: number;
  seed: number;
  envKwargs: Record<string, unknown>;
}

/**
 * The settings a run was trained with, from its config.json: env steps, label budget, clip
 * length, seed and env options. A value the config does not hold (a default left null) is
 * taken from `flags`. A resumed or re-measured run is reported with these, not today's flags.
 */
export function trainedWith(runDir: string, flags: TrainedSettings): TrainedSettings {
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

/** A policy from a run's checkpoint (a preference run's holds the agent beside the reward model). */
export function loadAgent(checkpoint: string): ActorCritic {
  const json = JSON.parse(readFileSync(checkpoint, 'utf8')) as { format?: string; agent?: unknown };
  return ActorCritic.load(json.format === 'overseer.prefs' ? json.agent : json, checkpoint);
}

/** A run directory's final policy, or the checkpoint file itself. */
export const finalCheckpoint = (runOrCheckpoint: string) => (runOrCheckpoint.endsWith('.json') ? runOrCheckpoint : join(runOrCheckpoint, 'checkpoints', 'final.json'));

/** An argument as a shell would need it typed. */
export const shellQuote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
