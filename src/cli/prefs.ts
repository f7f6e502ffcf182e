import { existsSync, readFileSync } from 'node:fs';
import { ZodError } from 'zod';
import { basename, join, resolve } from 'node:path';
import { make, registration, UnknownEnvError } from '../envs/registry.js';
import { PrefsConfigSchema, prefsPpoConfig, trainFromPreferences, type PrefsCheckpoint, type PrefsConfig, type PrefsMetrics } from '../prefs/loop.js';
import { RewardModelConfigSchema } from '../prefs/rewardModel.js';
import { FilePreferenceStore, type PreferenceStore, type StoreContents } from '../prefs/store.js';
import { readExport } from '../store/exchange.js';
import { PROJECT_DB, StoreError, openProject, type SqliteProjectStore } from '../store/sqlite.js';
import { HumanTeacher } from '../server/humanTeacher.js';
import { startServerThread, type ServerThread } from '../server/thread.js';
import { ensureAdminToken, builtUi } from './serve.js';

/** What annotators see above the clips when a run gives no --instructions. */
export const DEFAULT_INSTRUCTIONS = 'Which clip shows the better behaviour?';
import { SimulatedTeacherSchema } from '../prefs/teachers.js';
import { evaluatePolicy } from '../rl/evaluate.js';
import { PpoConfigSchema, type PpoConfig } from '../rl/ppo.js';
import { RunDir, stepName } from '../utils/runDir.js';
import { UsageError, interruptOnSignals, type CliIO } from './io.js';
import { formatZodError, readConfigFile } from './parse.js';
import { TrainProgress } from './progress.js';
import { defaultRunPath } from './train.js';

export interface PrefsFlags {
  env?: string;
  teacher?: string;
  labels?: number;
  steps?: number;
  seed?: number;
  selection?: string;
  segmentLength?: number;
  teacherParams?: Record<string, unknown>;
  envKwargs?: Record<string, unknown>;
  evalEnvKwargs?: Record<string, unknown>;
  rm?: Record<string, unknown>;
  hp?: Record<string, unknown>;
  config?: string;
  out?: string;
  project?: string;
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

/** What `prefs` writes to config.json; `envId` and `ppo` make the run readable by `eval` and `render`. */
export interface PrefsRunConfig {
  command: 'prefs';
  envId: string;
  seed: number;
  prefs: PrefsConfig;
  ppo: ReturnType<typeof prefsPpoConfig>;
  labelsFrom: string | null;
  /** Where clips and labels are kept (absent in runs made before the project database: the file store). */
  store?: PrefsStoreRef;
  /** Env options of the final evaluation (default: the training env's). */
  evalEnvKwargs: Record<string, unknown>;
  checkpointEvery: number;
  evalEpisodes: number;
  createdAt: string;
  node: string;
  argv: string[];
}

/**
 * Where a prefs run keeps its clips, queries and labels: a run in a project database (by
 * default the run directory is its own project), or the file-backed store of older runs.
 */
export type PrefsStoreRef = { kind: 'sqlite'; project: string; runId: string } | { kind: 'file' };

/** Opens the store a prefs run directory uses; `close` also closes the project database. */
export function openRunStore(runPath: string, ref: PrefsStoreRef | undefined): { store: PreferenceStore; project: SqliteProjectStore | null; close(): void } {
  if (!ref || ref.kind === 'file') {
    const store = new FilePreferenceStore(join(runPath, 'prefs'));
    return { store, project: null, close: () => store.close() };
  }
  if (!existsSync(join(ref.project, PROJECT_DB))) throw new UsageError(`${runPath}: its project database ${join(ref.project, PROJECT_DB)} is missing`);
  const project = openProject(ref.project);
  try {
    return { store: project.runStore(ref.runId), project, close: () => project.close() };
  } catch (e) {
    project.close();
    if (e instanceof StoreError) throw new UsageError(`${runPath}: ${e.message}`);
    throw e;
  }
}

/** The store reference in a prefs run directory's config.json. */
export function runStoreRef(runPath: string): PrefsStoreRef | undefined {
  const config = JSON.parse(readFileSync(join(runPath, 'config.json'), 'utf8')) as Partial<PrefsRunConfig>;
  return config.store;
}

/** Merges --config file < flags, and validates the result with errors that name the option. */
export function resolvePrefsConfig(flags: PrefsFlags): PrefsConfig {
  const fromFile = readConfigFile(flags.config);
  const merged: Record<string, unknown> = { ...fromFile };
  const set = (key: string, v: unknown) => {
    if (v !== undefined) merged[key] = v;
  };
  set('envId', flags.env);
  set('teacher', flags.teacher);
  set('labels', flags.labels);
  set('totalTimesteps', flags.steps);
  set('seed', flags.seed);
  set('selection', flags.selection);
  set('segmentLength', flags.segmentLength);
  set('envKwargs', flags.envKwargs);
  if (flags.teacherParams) merged.teacherParams = { ...(merged.teacherParams as object | undefined), ...flags.teacherParams };
  if (flags.rm) merged.rewardModel = { ...(merged.rewardModel as object | undefined), ...flags.rm };
  if (flags.hp) merged.ppo = { ...(merged.ppo as object | undefined), ...flags.hp };
  if (typeof merged.envId !== 'string') throw new UsageError('--env is required (e.g. --env Hopper-v5)');
  try {
    registration(merged.envId);
  } catch (e) {
    if (e instanceof UnknownEnvError) throw new UsageError(`--env: ${e.message}`);
    throw e;
  }
  const parsed = PrefsConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const flagOf: Record<string, string> = { envId: '--env', teacher: '--teacher', labels: '--labels', totalTimesteps: '--steps', seed: '--seed', selection: '--selection', segmentLength: '--segment-length' };
    const lines = parsed.error.issues.map((i) => {
      const where = i.path.join('.');
      if (i.code === 'unrecognized_keys') {
        const allowed = Object.keys(i.path.length === 0 ? PrefsConfigSchema.shape : keysOf(String(i.path[0])));
        return `prefs option${where ? ` ${where}` : ''}: unknown ${i.keys.length > 1 ? 'keys' : 'key'} ${i.keys.join(', ')}; allowed: ${allowed.join(', ')}`;
      }
      return `${flagOf[where] ?? `prefs option ${where}`}: ${i.message}`;
    });
    throw new UsageError(lines.join('\n'));
  }
  const cfg = parsed.data;
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

/**
 * Copies another run's labels, with the clips and queries they refer to, into `store` (ids
 * prefixed by the source's name). The source is a prefs run directory or a file written by
 * `overseer export`.
 */
export function importLabels(fromRun: string, store: PreferenceStore): number {
  const sources: { tag: string; contents: StoreContents }[] = [];
  if (fromRun.endsWith('.jsonl') && existsSync(fromRun) && !existsSync(join(fromRun, 'config.json'))) {
    try {
      for (const r of readExport(fromRun)) sources.push({ tag: `${r.id}/`, contents: r.contents });
    } catch (e) {
      if (e instanceof StoreError) throw new UsageError(`--labels-from: ${e.message}`);
      throw e;
    }
  } else {
    const ref = runStoreRef(fromRun);
    if (!ref || ref.kind === 'file') {
      const dir = join(fromRun, 'prefs');
      if (!FilePreferenceStore.exists(dir)) throw new UsageError(`--labels-from: ${fromRun} has no stored labels (no ${dir})`);
    }
    const source = openRunStore(fromRun, ref);
    try {
      sources.push({ tag: `${basename(resolve(fromRun))}/`, contents: source.store.load() });
    } finally {
      source.close();
    }
  }
  let n = 0;
  for (const { tag, contents } of sources) {
    const { segments, truths, queries, labels } = contents;
    const used = new Set(labels.flatMap((l) => [l.leftId, l.rightId]));
    store.putSegments(
      [...used].map((id) => {
        const s = segments.get(id)!;
        const t = truths.get(id);
        return { segment: { ...s, id: tag + id }, truth: t ? { segmentId: tag + id, rewards: t.rewards } : undefined };
      }),
    );
    const labelled = new Set(labels.map((l) => l.queryId));
    store.putQueries(queries.filter((q) => labelled.has(q.id)).map((q) => ({ ...q, id: tag + q.id, leftId: tag + q.leftId, rightId: tag + q.rightId })));
    for (const l of labels) store.putLabel({ ...l, queryId: tag + l.queryId, leftId: tag + l.leftId, rightId: tag + l.rightId });
    n += labels.length;
  }
  if (n === 0) throw new UsageError(`--labels-from: ${fromRun} has no stored labels`);
  return n;
}

export async function prefsCommand(flags: PrefsFlags, io: CliIO, argv: string[]): Promise<number> {
  let run: RunDir;
  let config: PrefsRunConfig;
  let resumeFrom: PrefsCheckpoint | undefined;
  if (flags.resume !== undefined) {
    const given = ['env', 'teacher', 'labels', 'steps', 'selection', 'segmentLength', 'teacherParams', 'envKwargs', 'evalEnvKwargs', 'rm', 'hp', 'config', 'out', 'project', 'labelsFrom', 'instructions'] as const;
    const clash = given.filter((k) => flags[k] !== undefined);
    if (clash.length > 0) throw new UsageError(`--resume continues a run with its own config; drop ${clash.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
    try {
      run = RunDir.open(flags.resume);
    } catch (e) {
      throw new UsageError(`--resume: ${e instanceof Error ? e.message : String(e)}`);
    }
    config = run.readConfig<PrefsRunConfig>();
    if (config.command !== 'prefs') throw new UsageError(`--resume: ${run.path} is not a prefs run`);
    const latest = latestPrefsCheckpoint(run);
    if (latest) resumeFrom = JSON.parse(readFileSync(latest, 'utf8')) as PrefsCheckpoint;
    if (existsSync(join(run.path, 'summary.json')) && JSON.parse(readFileSync(join(run.path, 'summary.json'), 'utf8')).status === 'finished') {
      throw new UsageError(`--resume: ${run.path} already finished`);
    }
    io.stderr(`resuming ${run.path}${latest ? ` from ${latest}` : ' (no checkpoint yet: starting over with the stored labels)'}\n`);
  } else {
    const prefs = resolvePrefsConfig(flags);
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
    const runPath = flags.out ?? (flags.project !== undefined ? join(flags.project, defaultPath) : defaultPath);
    const projectDir = resolve(flags.project ?? runPath);
    const runId = basename(resolve(runPath));
    if (flags.project !== undefined && existsSync(join(projectDir, PROJECT_DB))) {
      const project = openProject(projectDir);
      const taken = project.getRun(runId) !== null;
      project.close();
      if (taken) throw new UsageError(`--project: ${projectDir} already has a run named ${runId}; choose another --out`);
    }
    run = RunDir.create(runPath);
    const ppo = prefsPpoConfig(prefs, prefs.totalTimesteps);
    const updates = Math.ceil(prefs.totalTimesteps / (ppo.numEnvs * ppo.numSteps));
    config = {
      command: 'prefs',
      envId: prefs.envId,
      seed: prefs.seed,
      prefs,
      ppo,
      labelsFrom: flags.labelsFrom ?? null,
      store: { kind: 'sqlite', project: projectDir, runId },
      evalEnvKwargs: flags.evalEnvKwargs ?? prefs.envKwargs,
      checkpointEvery: flags.checkpointEvery ?? Math.max(1, Math.floor(updates / 10)),
      evalEpisodes: flags.evalEpisodes,
      createdAt: new Date().toISOString(),
      node: process.version,
      argv,
    };
    run.writeConfig(config);
    io.stderr(`run directory: ${run.path}\n`);
  }
  const prefs = config.prefs;
  if (config.store?.kind === 'sqlite') {
    // Registered after config.json is written (and again on resume, should a crash have come in between).
    const project = openProject(config.store.project);
    try {
      if (!project.getRun(config.store.runId)) {
        project.createRun({ id: config.store.runId, envId: prefs.envId, labelBudget: prefs.labels, config: { prefs, ppo: config.ppo }, instructions: flags.instructions ?? (prefs.teacher === 'human' ? DEFAULT_INSTRUCTIONS : '') });
      }
    } finally {
      project.close();
    }
  }
  const opened = openRunStore(run.path, config.store);
  const { store } = opened;
  const progressOf = config.store?.kind === 'sqlite' ? { project: opened.project!, runId: config.store.runId } : null;
  if (flags.resume === undefined && flags.labelsFrom !== undefined) {
    const n = importLabels(flags.labelsFrom, store);
    io.stderr(`imported ${n} labels from ${flags.labelsFrom}\n`);
  }

  // People answer through the labeling server, on its own thread beside the loop.
  let server: ServerThread | null = null;
  let teacher: HumanTeacher | undefined;
  if (prefs.teacher === 'human') {
    if (config.store?.kind !== 'sqlite') throw new UsageError(`${run.path} keeps its labels in files; --teacher human needs a project database`);
    const adminToken = ensureAdminToken(opened.project!, config.store.project);
    const host = flags.host ?? '127.0.0.1';
    const port = flags.port ?? 8080;
    try {
      server = await startServerThread({ dir: config.store.project, host, port, staticDir: builtUi() });
    } catch (e) {
      opened.close();
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`--port ${port}: already in use on ${host}; choose another port (or 0 for any free one)`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host ${host}: not an address of this machine`);
      throw e;
    }
    teacher = new HumanTeacher(opened.project!, config.store.runId);
    const runParam = encodeURIComponent(config.store.runId);
    io.stdout(
      `label clips at ${server.url}/?token=${adminToken}&run=${runParam}\n` +
        `dashboard at ${server.url}/dashboard.html?token=${adminToken}&run=${runParam}\n` +
        `(more annotators: overseer annotators add NAME --project ${config.store.project})\n`,
    );
  }

  const interrupt = interruptOnSignals(io, '; labels are already stored');
  const label = `${prefs.envId} prefs ${prefs.teacher} ${prefs.labels} labels seed ${prefs.seed}`;
  const progress = flags.progress ? new TrainProgress(prefs.totalTimesteps, io, label) : null;
  const started = performance.now();
  let last: PrefsMetrics | null = null;
  try {
    const result = await trainFromPreferences(prefs, {
      store,
      teacher,
      signal: interrupt.signal,
      resumeFrom,
      onIteration: (m, ctx) => {
        last = m;
        run.appendMetrics(m);
        // The dashboard's curves, and the run's progress that people's labels are stamped with.
        progressOf?.project.appendMetrics(progressOf.runId, m as unknown as { envSteps: number } & Record<string, unknown>);
        progress?.update(m.envSteps, { sps: m.sps, recentReturn: m.trueReturn });
        if (m.update % config.checkpointEvery === 0) run.saveCheckpoint(stepName(m.envSteps), ctx.checkpoint());
      },
    });
    progress?.stop();
    const trainSeconds = (performance.now() - started) / 1000;
    if (result.interrupted) {
      const path = run.saveCheckpoint(stepName(result.envSteps), result.checkpoint);
      run.writeSummary({ status: 'interrupted', envSteps: result.envSteps, labels: result.labels, trainSeconds, checkpoint: path });
      io.stderr(`interrupted at ${result.envSteps} steps with ${result.labels} labels; checkpoint ${path}; resume with: overseer prefs --resume ${run.path}\n`);
      return 130;
    }
    const path = run.saveCheckpoint('final', result.checkpoint);
    const evaluation = evaluatePolicy(result.agent, prefs.envId, {
      episodes: config.evalEpisodes,
      seed: 1_000_000 + prefs.seed,
      deterministic: true,
      makeOptions: { kwargs: config.evalEnvKwargs ?? prefs.envKwargs },
    });
    const l = last as PrefsMetrics | null;
    run.writeSummary({
      status: 'finished',
      envSteps: result.envSteps,
      labels: result.labels,
      trainSeconds,
      checkpoint: path,
      heldOutAccuracy: l?.heldOutAccuracy ?? null,
      returnCorrelation: l?.returnCorrelation ?? null,
      lastTrainingReturn: l?.trueReturn ?? null,
      eval: { episodes: config.evalEpisodes, deterministic: true, mean: evaluation.mean, std: evaluation.std, returns: evaluation.returns },
    });
    io.stdout(
      `${prefs.envId}: ${result.envSteps} steps, ${result.labels} labels from ${prefs.teacher}; true return over ${config.evalEpisodes} episodes: ` +
        `${evaluation.mean.toFixed(2)} +- ${evaluation.std.toFixed(2)}\nrun: ${run.path}\n`,
    );
    return 0;
  } finally {
    progress?.stop();
    await server?.close();
    opened.close();
    interrupt.dispose();
  }
}

/** `final.json` or the checkpoint with the most steps, or null if there is none yet. */
function latestPrefsCheckpoint(run: RunDir): string | null {
  try {
    return run.latestCheckpoint();
  } catch {
    return null;
  }
}
