/**
 * `overseer prefs`: a preference run from the command line. Four jobs, one function each: make
 * a new run directory (or open one to resume), start the teacher (people: the labeling server
 * on its own thread), train (checkpoints and logs each round), and evaluate the result.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { ZodError } from 'zod';
import { basename, join, resolve } from 'node:path';
import { make, registration, UnknownEnvError } from '../envs/registry.js';
import { Discrete } from '../envs/spaces.js';
import { PrefsConfigSchema, prefsCheckpoint, prefsPpoConfig, trainFromPreferences, type PreferenceRunState, type PrefsConfig, type PrefsMetrics, type PrefsResult } from '../prefs/loop.js';
import { minAtarPrefsConfig, type PrefsConfigInput } from '../prefs/config.js';
import { RewardModelConfigSchema } from '../prefs/rewardModel.js';
import type { PreferenceStore } from '../prefs/store.js';
import { SimulatedTeacherSchema } from '../prefs/teachers.js';
import { evaluatePolicy } from '../rl/evaluate.js';
import { PpoConfigSchema, type PpoConfig } from '../rl/ppo.js';
import { HumanTeacher } from '../server/humanTeacher.js';
import { startServerThread, type ServerThread } from '../server/thread.js';
import { PROJECT_DB, openProject } from '../store/sqlite.js';
import type { ProjectStore, RunPhase } from '../store/store.js';
import { RunDir, stepName } from '../utils/runDir.js';
import { HUMAN_MAX_PENDING, flagOfKey, givenConfigFlags, mergeConfigFlags } from './flags.js';
import { UsageError, interruptOnSignals, type CliIO } from './io.js';
import { formatZodError, readConfigFile } from './parse.js';
import { TrainProgress } from './progress.js';
import { checkLabelingAssistant, checkLabelingView, LABELING_VIEWS_MODULE } from './labelingView.js';
import { importLabels, openRunStore, projectOfRun, renderSpecOf, withoutPassword, type PrefsStoreRef } from './runStore.js';
import { describeLocation, projectFlag } from '../store/open.js';
import { redactUrl } from '../store/postgres/store.js';
import { openForCommand, projectLocation } from './project.js';
import { deleteResumeState, flagOf, openRunToResume, ppoStateProblem, readResumeState, saveResumeState } from './runs.js';
import { ensureAdminToken, builtUi, firstAdminToken } from './serve.js';
import { defaultRunPath } from './train.js';

export { importLabels, openRunStore, runStoreRef, type PrefsStoreRef } from './runStore.js';

/** What annotators see above the segments when a run gives no --instructions. */
export const DEFAULT_INSTRUCTIONS = 'Which clip shows the better behaviour?';

/** The run's full state for --resume (saved at every checkpoint, keeping the one before); step checkpoints hold the policy and reward model. */
export const RESUME_STATE = 'resume';

/**
 * Commander's parsed options: the run options of the flag table (`flags.ts`, e.g. `labelBudget`,
 * `rm`, `hp`), plus the flags that say where and how the run goes.
 */
export interface PrefsFlags extends Record<string, unknown> {
  env?: string;
  teacher?: string;
  labelBudget?: number;
  steps?: number;
  seed?: number;
  selection?: string;
  segmentLength?: number;
  maxEpisodeSteps?: number;
  initialActionScales?: number[];
  scaledSegmentsPerRound?: number;
  teacherParams?: Record<string, unknown>;
  envKwargs?: Record<string, unknown>;
  rm?: Record<string, unknown>;
  hp?: Record<string, unknown>;
  evalEnvKwargs?: Record<string, unknown>;
  config?: string;
  out?: string;
  project?: string;
  /** A PostgreSQL project database (instead of --project); with --resume, the run's own, to give its password. */
  db?: string;
  resume?: string;
  labelsFrom?: string;
  checkpointEvery?: number;
  /** What annotators are asked to prefer (--teacher human). */
  instructions?: string;
  /** Where the labeling server listens (--teacher human; default 127.0.0.1:8080). */
  host?: string;
  port?: number;
  evalEpisodes: number;
  progress: boolean;
}

/** Flags that shape a new run, which --resume (continuing a run with its own config) refuses. */
const NEW_RUN_FLAGS = ['evalEnvKwargs', 'config', 'out', 'project', 'labelsFrom', 'instructions', 'checkpointEvery'] as const;

/** What `prefs` writes to config.json; `envId` and `ppo` make the run readable by `eval` and `render`. */
export interface PrefsRunConfig {
  command: 'prefs';
  envId: string;
  seed: number;
  prefs: PrefsConfig;
  ppo: ReturnType<typeof prefsPpoConfig>;
  labelsFrom: string | null;
  /** Where segments and labels are kept (absent in runs made before the project database: the file store). */
  store?: PrefsStoreRef;
  /** Env options of the final evaluation (default: the training env's). */
  evalEnvKwargs: Record<string, unknown>;
  checkpointEvery: number;
  evalEpisodes: number;
  createdAt: string;
  node: string;
  argv: string[];
}

/** Merges --config file < flags, and validates the result with errors that name the option. */
export function resolvePrefsConfig(flags: PrefsFlags): PrefsConfig {
  let merged = mergeConfigFlags(readConfigFile(flags.config), flags);
  // People set the pace: RL never runs more than HUMAN_MAX_PENDING answers ahead of them.
  if (merged.teacher === 'human' && merged.maxPendingLabels === undefined) merged.maxPendingLabels = HUMAN_MAX_PENDING;
  if (typeof merged.envId !== 'string') throw new UsageError('--env is required (e.g. --env Hopper-v5)');
  try {
    registration(merged.envId);
  } catch (e) {
    if (e instanceof UnknownEnvError) throw new UsageError(`--env: ${e.message}`);
    throw e;
  }
  // The paper's Atari settings are the MinAtar games' defaults; the config file and flags win.
  if (merged.envId.startsWith('MinAtar/')) merged = minAtarPrefsConfig(merged as PrefsConfigInput) as Record<string, unknown>;
  const parsed = PrefsConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const where = i.path.join('.');
      if (i.code === 'unrecognized_keys') {
        const allowed = Object.keys(i.path.length === 0 ? PrefsConfigSchema.shape : keysOf(String(i.path[0])));
        return `prefs option${where ? ` ${where}` : ''}: unknown ${i.keys.length > 1 ? 'keys' : 'key'} ${i.keys.join(', ')}; allowed: ${allowed.join(', ')}`;
      }
      return `${(i.path.length === 1 && flagOfKey(where)) || `prefs option ${where}`}: ${i.message}`;
    });
    throw new UsageError(lines.join('\n'));
  }
  const cfg = parsed.data;
  if (cfg.labelingView !== null) {
    if (cfg.teacher !== 'human') throw new UsageError('--labeling-view: only with --teacher human (it is how people see the clips)');
    checkLabelingView(cfg.envId, cfg.labelingView);
  }
  if (cfg.labelingAssistant !== null) checkLabelingAssistant(cfg.envId, cfg.labelingView, cfg.labelingAssistant);
  // A clip cut by the time limit is dropped, so episodes shorter than a clip would give none to ask about.
  if (cfg.maxEpisodeSteps !== null && cfg.segmentLength !== null && cfg.segmentLength > cfg.maxEpisodeSteps) {
    throw new UsageError(`--max-episode-steps: episodes of ${cfg.maxEpisodeSteps} steps are shorter than a clip (--segment-length ${cfg.segmentLength}), and clips cut by the time limit are dropped; use at least ${cfg.segmentLength}`);
  }
  let ppo: PpoConfig;
  try {
    ppo = prefsPpoConfig(cfg, cfg.totalTimesteps);
  } catch (e) {
    if (e instanceof ZodError) throw new UsageError(formatZodError(e, Object.keys(PpoConfigSchema.shape), 'PPO option'));
    throw e;
  }
  const batch = ppo.numEnvs * ppo.numSteps;
  if (batch % ppo.numMinibatches !== 0) throw new UsageError(`PPO option numMinibatches: numEnvs * numSteps = ${batch} is not divisible by numMinibatches = ${ppo.numMinibatches}`);
  return cfg;
}

function keysOf(section: string): Record<string, unknown> {
  if (section === 'rewardModel') return RewardModelConfigSchema.shape;
  if (section === 'teacherParams') return SimulatedTeacherSchema.shape;
  return {};
}

export async function prefsCommand(flags: PrefsFlags, io: CliIO, argv: string[]): Promise<number> {
  const { run, config, resumeFrom, trainSecondsBefore } = flags.resume !== undefined ? openPrefsRun(flags, io) : await createPrefsRun(flags, io, argv);
  const opened = openRunStore(run.path, config.store, flags.db);
  try {
    if (!resumeFrom && config.labelsFrom !== null) {
      // Again after a crash before the first checkpoint: storing what is stored is a no-op.
      const n = importLabels(config.labelsFrom, opened.store, envShape(config.prefs));
      io.stderr(`imported ${n} labels from ${config.labelsFrom}\n`);
    }
    const people = config.prefs.teacher === 'human' ? await startPeople(config, flags, opened.project, io) : null;
    try {
      const result = await train(run, config, opened, { state: resumeFrom, trainSecondsBefore }, people?.teacher, flags.progress, io);
      if (result.interrupted) return interrupted(run, result, io);
      const code = finish(run, config, result, io);
      // Finished: the labeling page says so, and the store refuses further labels.
      const at = projectOfRun(config.store);
      if (at) opened.project.finishRun(at.runId);
      return code;
    } finally {
      await people?.server.close();
    }
  } finally {
    opened.close();
  }
}

/** Validates the options, writes a new run directory's config.json and registers the run in its project. */
async function createPrefsRun(flags: PrefsFlags, io: CliIO, argv: string[]): Promise<{ run: RunDir; config: PrefsRunConfig; resumeFrom: null; trainSecondsBefore: 0 }> {
  const prefs = resolvePrefsConfig(flags);
  // A port in use is found before a run directory is made, so the same command can run again.
  if (prefs.teacher === 'human') await checkPortFree(flags.host ?? '127.0.0.1', flags.port ?? 8080);
  for (const [flag, kwargs] of [['--env-kwargs', prefs.envKwargs], ['--eval-env-kwargs', flags.evalEnvKwargs ?? {}]] as const) {
    try {
      make(prefs.envId, { kwargs }).close();
    } catch (e) {
      throw new UsageError(`${flag}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (flags.labelsFrom !== undefined && !existsSync(join(flags.labelsFrom, 'config.json')) && !(flags.labelsFrom.endsWith('.jsonl') && existsSync(flags.labelsFrom))) {
    throw new UsageError(`--labels-from: ${flags.labelsFrom} is neither a run directory nor an export (.jsonl)`);
  }
  const defaultPath = defaultRunPath(prefs.envId, 'prefs', prefs.seed);
  if (flags.db !== undefined) projectLocation({ project: flags.project, db: flags.db });
  const runPath = flags.out ?? (flags.project !== undefined ? join(flags.project, defaultPath) : defaultPath);
  const projectDir = resolve(flags.project ?? runPath);
  const runId = basename(resolve(runPath));
  if (flags.db !== undefined) {
    const project = openForCommand({ kind: 'postgres', url: flags.db }, false);
    const taken = project.getRun(runId) !== null;
    project.close();
    if (taken) throw new UsageError(`--db: ${describeLocation({ kind: 'postgres', url: flags.db })} already has a run named ${runId}; choose another --out`);
  } else if (flags.project !== undefined && existsSync(join(projectDir, PROJECT_DB))) {
    const project = openProject(projectDir);
    const taken = project.getRun(runId) !== null;
    project.close();
    if (taken) throw new UsageError(`--project: ${projectDir} already has a run named ${runId}; choose another --out`);
  }
  const run = RunDir.create(runPath);
  const ppo = prefsPpoConfig(prefs, prefs.totalTimesteps);
  const rounds = Math.ceil(prefs.totalTimesteps / (ppo.numEnvs * ppo.numSteps));
  const config: PrefsRunConfig = {
    command: 'prefs',
    envId: prefs.envId,
    seed: prefs.seed,
    prefs,
    ppo,
    labelsFrom: flags.labelsFrom ?? null,
    store: flags.db !== undefined ? { kind: 'postgres', url: withoutPassword(flags.db), runId } : { kind: 'sqlite', project: projectDir, runId },
    evalEnvKwargs: flags.evalEnvKwargs ?? prefs.envKwargs,
    checkpointEvery: flags.checkpointEvery ?? Math.max(1, Math.floor(rounds / 10)),
    evalEpisodes: flags.evalEpisodes,
    createdAt: new Date().toISOString(),
    node: process.version,
    argv,
  };
  run.writeConfig(config);
  registerRun(config, flags.instructions, flags.db);
  io.stderr(`run directory: ${run.path}\n`);
  return { run, config, resumeFrom: null, trainSecondsBefore: 0 };
}

/** The env's id and the sizes its segments have, which imported labels must match. */
function envShape(prefs: PrefsConfig): { envId: string; obsSize: number; actionSize: number } {
  const env = make(prefs.envId, { kwargs: prefs.envKwargs });
  try {
    const space = env.actionSpace;
    return { envId: prefs.envId, obsSize: env.observationSpace.size, actionSize: space instanceof Discrete ? space.n : space.size };
  } finally {
    env.close();
  }
}

/** Registers a run in its project database (if it is not there yet), with how the labeling page draws it. */
function registerRun(config: PrefsRunConfig, instructions: string | undefined, url?: string): void {
  const at = projectOfRun(config.store, url);
  if (!at) return;
  const { prefs, ppo } = config;
  const project = openForCommand(at.loc, false);
  try {
    if (project.getRun(at.runId)) return;
    const text = instructions ?? (prefs.teacher === 'human' ? DEFAULT_INSTRUCTIONS : '');
    project.createRun({ id: at.runId, envId: prefs.envId, labelBudget: prefs.labelBudget, config: { prefs, ppo }, instructions: text, renderSpec: renderSpecOf(prefs.envId, prefs.envKwargs) });
  } finally {
    project.close();
  }
}

/** Opens an unfinished run directory and its last full state (none if it died before its first). */
function openPrefsRun(flags: PrefsFlags, io: CliIO): { run: RunDir; config: PrefsRunConfig; resumeFrom: PreferenceRunState | null; trainSecondsBefore: number } {
  const clashing = [...givenConfigFlags(flags), ...NEW_RUN_FLAGS.filter((k) => flags[k] !== undefined).map(flagOf)];
  const { run, config } = openRunToResume<PrefsRunConfig>(flags.resume!, 'prefs', clashing);
  // Registered after config.json is written: again here, should the first attempt have died in between.
  if (flags.db !== undefined) {
    if (config.store?.kind !== 'postgres') throw new UsageError(`--db: ${flags.resume} keeps its labels ${config.store?.kind === 'sqlite' ? `in ${config.store.project}` : 'in files'}, not in a PostgreSQL database`);
    if (withoutPassword(flags.db) !== config.store.url) throw new UsageError(`--db: ${flags.resume} keeps its labels in ${redactUrl(config.store.url)}, not ${redactUrl(flags.db)}`);
  }
  registerRun(config, undefined, flags.db);
  const saved = readResumeState<PreferenceRunState>(run, RESUME_STATE, prefsStateProblem, io, 'move them aside to start the run over from its stored labels');
  const resumeFrom = saved?.state ?? null;
  if (!('labelBudget' in (config.prefs ?? {}))) {
    // Made before the budget was renamed (and before runs saved their full state, so it starts
    // over, keeping every stored label); read its options under today's names every time.
    const { labels, ...rest } = (config.prefs ?? {}) as Partial<PrefsConfig> & { labels?: number };
    const parsed = PrefsConfigSchema.safeParse({ ...rest, labelBudget: labels });
    if (!parsed.success) throw new UsageError(`--resume: ${run.path}: its options cannot be read (${parsed.error.issues[0]?.message}); start a new run on its labels with --labels-from ${run.path}`);
    config.prefs = parsed.data;
  }
  // Rounds logged after the state was saved (the older one, if the newest was damaged) are logged again as the run repeats them.
  const round = resumeFrom?.ppo.updates ?? 0;
  run.truncateMetrics((row) => (row as PrefsMetrics).update <= round);
  io.stderr(saved ? `resuming ${run.path} from ${saved.path} (round ${round}, ${saved.state.ppo.globalStep} env steps)\n` : `resuming ${run.path}: it has no saved state (it stopped before its first checkpoint, or was made before runs saved one), so it starts over with its stored labels\n`);
  return { run, config, resumeFrom, trainSecondsBefore: saved?.trainSeconds ?? 0 };
}

/** What is wrong with a preference run's saved state (`PreferenceRun.state()`), or null if nothing obvious. */
export function prefsStateProblem(state: unknown): string | null {
  const s = state as { format?: unknown; version?: unknown; ppo?: unknown } | null;
  if (s?.format !== 'overseer.prefs-run' || s.version !== 1) return 'not a preference run state (format overseer.prefs-run, version 1)';
  const ppo = ppoStateProblem(s.ppo);
  return ppo === null ? null : `its PPO state: ${ppo}`;
}

/** Refuses a port that is in use (port 0, any free one, always is free). */
async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new UsageError(`--port ${port}: already in use on ${host}; choose another port (or 0 for any free one)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new UsageError(`--host ${host}: not an address of this machine`));
      else reject(e);
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** People as the teacher: the labeling server on its own thread, and the links to give out. */
async function startPeople(config: PrefsRunConfig, flags: PrefsFlags, project: ProjectStore, io: CliIO): Promise<{ teacher: HumanTeacher; server: ServerThread }> {
  const at = projectOfRun(config.store, flags.db);
  if (!at) throw new UsageError(`--teacher human needs a project database`);
  const adminToken = at.loc.kind === 'sqlite' ? ensureAdminToken(project, at.loc.dir) : firstAdminToken(project);
  const host = flags.host ?? '127.0.0.1';
  const port = flags.port ?? 8080;
  let server: ServerThread;
  try {
    server = await startServerThread({ dir: at.loc.kind === 'sqlite' ? at.loc.dir : at.loc.url, host, port, staticDir: builtUi(), viewsModule: config.prefs.labelingView ? LABELING_VIEWS_MODULE : null });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`--port ${port}: already in use on ${host}; choose another port (or 0 for any free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host ${host}: not an address of this machine`);
    throw e;
  }
  const runParam = encodeURIComponent(at.runId);
  const named = projectFlag(at.loc);
  if (config.prefs.labelingView) io.stdout(`people see the clips in the ${config.prefs.labelingView} view\n`);
  if (config.prefs.labelingAssistant) io.stdout(`a trial of assistance: half the pairs (per person, at random) come with the ${config.prefs.labelingAssistant} assistant's critique (at most ${config.prefs.labelingReveals} reveals)\n`);
  io.stdout(
    adminToken
      ? `label segments at ${server.url}/?token=${adminToken}&run=${runParam}\n` + `dashboard at ${server.url}/dashboard.html?token=${adminToken}&run=${runParam}\n`
      : `label segments and watch the dashboard at ${server.url}/?run=${runParam} with an admin's link (a new admin: overseer annotators add NAME --admin ${named} --url ${server.url})\n`,
  );
  io.stdout(`(more annotators: overseer annotators add NAME ${named})\n`);
  return { teacher: new HumanTeacher(project, at.runId, config.prefs.undoSeconds), server };
}

/**
 * Runs the loop. Each round's metrics go to metrics.jsonl and the project database (the
 * dashboard's curves; people's labels are stamped with the run's progress); every
 * `checkpointEvery` rounds the policy and reward model are saved, with the run's full state.
 */
async function train(
  run: RunDir,
  config: PrefsRunConfig,
  opened: { store: PreferenceStore; project: ProjectStore },
  resumed: { state: PreferenceRunState | null; trainSecondsBefore: number },
  teacher: HumanTeacher | undefined,
  showProgress: boolean,
  io: CliIO,
): Promise<PrefsResult & { trainSeconds: number }> {
  const { prefs } = config;
  const resumeFrom = resumed.state;
  const runId = projectOfRun(config.store)?.runId ?? null;
  // The database's rows past the state resumed from are logged again, as metrics.jsonl's are.
  if (runId !== null) opened.project.truncateMetrics(runId, resumeFrom?.ppo.globalStep ?? 0);
  const interrupt = interruptOnSignals(io, '; labels are already stored');
  const progress = showProgress ? new TrainProgress(prefs.totalTimesteps, io, `${prefs.envId} prefs ${prefs.teacher} ${prefs.labelBudget} labels seed ${prefs.seed}`) : null;
  const started = performance.now();
  // Over every process of the run: a resumed run's summary counts the time before the resume.
  const trainSeconds = () => resumed.trainSecondsBefore + (performance.now() - started) / 1000;
  let waitNote = { phase: '', at: 0 };
  // The run's state for the pages, written when it changes (a wait polls 4 times a second).
  let shown = '';
  const showState = (phase: RunPhase, waitingForLabels: number | null) => {
    const key = `${phase} ${waitingForLabels}`;
    if (runId === null || key === shown) return;
    opened.project.setRunState(runId, { phase, waitingForLabels });
    shown = key;
  };
  try {
    const result = await trainFromPreferences(prefs, {
      store: opened.store,
      teacher,
      signal: interrupt.signal,
      resumeFrom: resumeFrom ?? undefined,
      // Said when a wait begins, and every 30 s while it lasts.
      onWait: (n, r) => {
        // The pages say how many answers people still owe; answers given but still settling (undo window) are not owed.
        if (runId !== null) showState(r.phase, n === 0 ? null : Math.max(0, opened.project.openQueryCount(runId) - (r.pending - n)));
        if (n === 0 || (waitNote.phase === r.phase && performance.now() - waitNote.at < 30_000)) return;
        waitNote = { phase: r.phase, at: performance.now() };
        io.stderr(r.phase === 'pretraining' ? `waiting for ${n} of the initial labels before RL starts\n` : `RL waits for ${n} more answer${n === 1 ? '' : 's'} (--max-pending ${prefs.maxPendingLabels})\n`);
      },
      onStart: (r) => {
        if (!resumeFrom) saveResumeState(run, RESUME_STATE, r.state(), 0);
      },
      onRound: (m, r) => {
        waitNote = { phase: '', at: 0 };
        if (runId !== null) showState(r.phase, null);
        run.appendMetrics(m);
        if (runId !== null) opened.project.appendMetrics(runId, m as unknown as { envSteps: number } & Record<string, unknown>);
        progress?.update(m.envSteps, { sps: m.sps, recentReturn: m.trueReturn });
        if (m.update % config.checkpointEvery === 0) {
          run.saveCheckpoint(stepName(m.envSteps), prefsCheckpoint(r));
          saveResumeState(run, RESUME_STATE, r.state(), trainSeconds());
        }
      },
    });
    return { ...result, trainSeconds: trainSeconds() };
  } finally {
    progress?.stop();
    interrupt.dispose();
  }
}

function interrupted(run: RunDir, result: PrefsResult & { trainSeconds: number }, io: CliIO): number {
  const path = run.saveCheckpoint(stepName(result.envSteps), result.checkpoint);
  if (result.state) saveResumeState(run, RESUME_STATE, result.state, result.trainSeconds);
  run.writeSummary({ status: 'interrupted', envSteps: result.envSteps, labels: result.labels, trainSeconds: result.trainSeconds, checkpoint: path });
  io.stderr(`interrupted at ${result.envSteps} steps with ${result.labels} labels; checkpoint ${path}; resume with: overseer prefs --resume ${run.path}\n`);
  return 130;
}

/** Saves the final policy, evaluates it on the true reward and writes the summary. */
function finish(run: RunDir, config: PrefsRunConfig, result: PrefsResult & { trainSeconds: number }, io: CliIO): number {
  const { prefs } = config;
  const path = run.saveCheckpoint('final', result.checkpoint);
  // An env without a time limit of its own (MinAtar) is evaluated at the run's, if it set one: a policy that never loses would play forever.
  const cap = registration(prefs.envId).maxEpisodeSteps === undefined && prefs.maxEpisodeSteps !== null ? { maxEpisodeSteps: prefs.maxEpisodeSteps } : {};
  const evaluation = evaluatePolicy(result.agent, prefs.envId, {
    episodes: config.evalEpisodes,
    seed: 1_000_000 + prefs.seed,
    deterministic: true,
    makeOptions: { kwargs: config.evalEnvKwargs ?? prefs.envKwargs, ...cap },
  });
  run.writeSummary({
    status: 'finished',
    envSteps: result.envSteps,
    labels: result.labels,
    trainSeconds: result.trainSeconds,
    checkpoint: path,
    heldOutAccuracy: run.lastMetric('heldOutAccuracy'),
    returnCorrelation: run.lastMetric('returnCorrelation'),
    lastTrainingReturn: run.lastMetric('trueReturn'),
    eval: { episodes: config.evalEpisodes, deterministic: true, mean: evaluation.mean, std: evaluation.std, returns: evaluation.returns },
  });
  // Finished, it cannot be resumed: its full state (tens of MB with the recent segments) goes.
  deleteResumeState(run, RESUME_STATE);
  io.stdout(
    `${prefs.envId}: ${result.envSteps} steps, ${result.labels} labels from ${prefs.teacher}; true return over ${config.evalEpisodes} episodes: ` +
      `${evaluation.mean.toFixed(2)} +- ${evaluation.std.toFixed(2)}\nrun: ${run.path}\n`,
  );
  return 0;
}
