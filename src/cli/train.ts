import { join } from 'node:path';
import { make, registration, UnknownEnvError } from '../envs/registry.js';
import { networkOf, networkProblem } from '../rl/agent.js';
import { evaluatePolicy } from '../rl/evaluate.js';
import { Ppo, PpoConfigSchema, type PpoConfig, type PpoMetrics, type PpoState } from '../rl/ppo.js';
import { trainPreset } from '../rl/presets.js';
import { RunDir, stepName } from '../utils/runDir.js';
import { UsageError, interruptOnSignals, type CliIO } from './io.js';
import { formatZodError, readConfigFile } from './parse.js';
import { TrainProgress } from './progress.js';
import { deleteResumeState, flagOf, openRunToResume, ppoStateProblem, readResumeState, saveResumeState } from './runs.js';

export interface TrainFlags {
  env?: string;
  /** Continue an interrupted run directory exactly where its last checkpoint left it. */
  resume?: string;
  /** Unset: 'ppo' for a new run; with --resume, the run's own (so giving it there is an error). */
  algo?: string;
  steps?: number;
  seed?: number;
  out?: string;
  numEnvs?: number;
  vec?: 'sync' | 'workers';
  envKwargs?: Record<string, unknown>;
  config?: string;
  hp?: Record<string, unknown>;
  checkpointEvery?: number;
  evalEpisodes: number;
  progress: boolean;
}

/** What `train` writes to config.json. */
export interface TrainRunConfig {
  command: 'train';
  /** 'a2c' is PPO's learner with `a2cSettings` (src/rl/presets.ts); configs before it was added say 'ppo'. */
  algo: Algo;
  envId: string;
  seed: number;
  ppo: PpoConfig;
  checkpointEvery: number;
  evalEpisodes: number;
  createdAt: string;
  node: string;
  argv: string[];
}

/** 'a2c': PPO's learner with A2C's settings, the special case of PPO that A2C is (`a2cSettings`). */
export const ALGOS = ['ppo', 'a2c'] as const;
export type Algo = (typeof ALGOS)[number];
const isAlgo = (s: string): s is Algo => (ALGOS as readonly string[]).includes(s);

/** A new run's algorithm: --algo, 'ppo' when not given. */
function algoOf(flags: Pick<TrainFlags, 'algo'>): Algo {
  const algo = flags.algo ?? 'ppo';
  if (!isAlgo(algo)) throw new UsageError(`--algo: unknown algorithm ${JSON.stringify(algo)}; allowed: ${ALGOS.join(', ')}`);
  return algo;
}

/** Merges preset (the env's, with A2C's settings over it for --algo a2c) < --config file < --hp < dedicated flags, and validates the result. */
export function resolvePpoConfig(flags: TrainFlags & { env: string }): PpoConfig {
  try {
    registration(flags.env);
  } catch (e) {
    if (e instanceof UnknownEnvError) throw new UsageError(`--env: ${e.message}`);
    throw e;
  }
  const algo = algoOf(flags);
  const fromFile = readConfigFile(flags.config);
  const overrides: Record<string, unknown> = { ...fromFile, ...(flags.hp ?? {}) };
  // The preset depends on the env's kwargs (MinAtar's obsType 'rgb' takes network 'pixels').
  const envKwargs = flags.envKwargs ?? (overrides.envKwargs as Record<string, unknown> | undefined) ?? {};
  const merged: Record<string, unknown> = { ...trainPreset(algo, flags.env, envKwargs), ...overrides, envId: flags.env, seed: flags.seed ?? 1 };
  if (flags.steps !== undefined) merged.totalTimesteps = flags.steps;
  if (flags.numEnvs !== undefined) merged.numEnvs = flags.numEnvs;
  if (flags.vec !== undefined) merged.vectorization = flags.vec;
  if (flags.envKwargs !== undefined) merged.envKwargs = flags.envKwargs;
  const parsed = PpoConfigSchema.safeParse(merged);
  if (!parsed.success) throw new UsageError(formatZodError(parsed.error, Object.keys(PpoConfigSchema.shape), 'PPO option'));
  const cfg = parsed.data;
  const batch = cfg.numEnvs * cfg.numSteps;
  if (batch % cfg.numMinibatches !== 0) {
    throw new UsageError(`PPO option numMinibatches: numEnvs * numSteps = ${batch} is not divisible by numMinibatches = ${cfg.numMinibatches}`);
  }
  return cfg;
}

export function defaultRunPath(envId: string, algo: string, seed: number, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return join('runs', `${envId}__${algo}__seed${seed}__${stamp}`);
}

export async function trainCommand(flags: TrainFlags, io: CliIO, argv: string[]): Promise<number> {
  const { run, config, resumeFrom, trainSecondsBefore } = flags.resume !== undefined ? openTrainRun(flags, io) : createTrainRun(flags, io, argv);
  const { ppo: cfg, checkpointEvery } = config;
  let ppo: Ppo;
  try {
    ppo = resumeFrom ? Ppo.load(resumeFrom) : new Ppo(cfg);
  } catch (e) {
    throw new UsageError(`--resume: ${run.path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const interrupt = interruptOnSignals(io);
  const { algo } = config;
  const progress = flags.progress ? new TrainProgress(cfg.totalTimesteps, io, `${cfg.envId} ${algo} seed ${cfg.seed}`) : null;
  const started = performance.now();
  // Over every process of the run: a resumed run's summary counts the time before the resume.
  const trainSeconds = () => trainSecondsBefore + (performance.now() - started) / 1000;
  const meta = () => ({ algo, envId: cfg.envId, envKwargs: cfg.envKwargs, seed: cfg.seed, globalStep: ppo.globalStep, update: ppo.updates });
  /** The learner's full state, for --resume, and the policy alone, for eval and render. */
  const checkpoint = (name: string, extra: Record<string, unknown> = {}) => {
    saveResumeState(run, RESUME_CHECKPOINT, ppo.state(meta()), trainSeconds());
    return run.saveCheckpoint(name, ppo.agent.save({ ...meta(), ...extra }));
  };
  try {
    if (!resumeFrom) saveResumeState(run, RESUME_CHECKPOINT, ppo.state(meta()), 0);
    const { interrupted } = await ppo.learn(Number.POSITIVE_INFINITY, {
      signal: interrupt.signal,
      onUpdate: (m) => {
        run.appendMetrics(m);
        progress?.update(m.globalStep, { sps: m.sps, recentReturn: m.episodicReturn });
        if (m.update % checkpointEvery === 0 && m.update < ppo.numUpdates) checkpoint(stepName(m.globalStep));
      },
    });
    progress?.stop();
    const seconds = trainSeconds();
    if (interrupted) {
      const path = checkpoint(stepName(ppo.globalStep), { interrupted: true });
      run.writeSummary({ status: 'interrupted', globalStep: ppo.globalStep, updates: ppo.updates, trainSeconds: seconds, checkpoint: path });
      io.stderr(`interrupted at ${ppo.globalStep} steps; checkpoint ${path} and metrics kept in ${run.path}; continue with: overseer train --resume ${run.path}\n`);
      return 130;
    }
    const path = checkpoint('final');
    const evaluation = evaluatePolicy(ppo.agent, cfg.envId, {
      episodes: config.evalEpisodes,
      seed: 1_000_000 + cfg.seed,
      deterministic: true,
      makeOptions: { kwargs: cfg.envKwargs },
    });
    run.writeSummary({
      status: 'finished',
      globalStep: ppo.globalStep,
      updates: ppo.updates,
      trainSeconds: seconds,
      checkpoint: path,
      lastTrainingReturn: run.lastMetric('episodicReturn'),
      eval: { episodes: config.evalEpisodes, deterministic: true, mean: evaluation.mean, std: evaluation.std, returns: evaluation.returns },
    });
    // Finished, it cannot be resumed: its full state is no longer needed.
    deleteResumeState(run, RESUME_CHECKPOINT);
    io.stdout(
      `${cfg.envId}: trained ${ppo.globalStep} steps; eval over ${config.evalEpisodes} episodes: ` +
        `mean return ${evaluation.mean.toFixed(2)} +- ${evaluation.std.toFixed(2)}\nrun: ${run.path}\n`,
    );
    return 0;
  } finally {
    progress?.stop();
    ppo.close();
    interrupt.dispose();
  }
}

/** The learner's full state in a run directory (saved at every checkpoint, keeping the one before). */
export const RESUME_CHECKPOINT = 'resume';

function createTrainRun(flags: TrainFlags, io: CliIO, argv: string[]): { run: RunDir; config: TrainRunConfig; resumeFrom: null; trainSecondsBefore: 0 } {
  if (flags.env === undefined) throw new UsageError('--env is required (e.g. --env CartPole-v1), or --resume RUN_DIR');
  const ppo = resolvePpoConfig({ ...flags, env: flags.env });
  const algo = algoOf(flags);
  // Make the env once up front, so bad kwargs (or a network that cannot take its observations) fail before a run directory is created.
  let obsShape: readonly number[];
  try {
    const env = make(ppo.envId, { kwargs: ppo.envKwargs });
    obsShape = env.observationSpace.shape;
    env.close();
  } catch (e) {
    throw new UsageError(`--env-kwargs: ${e instanceof Error ? e.message : String(e)}`);
  }
  const problem = networkProblem(networkOf(ppo), obsShape);
  if (problem) throw new UsageError(`PPO option network: ${problem} (${ppo.envId})`);
  const numUpdates = Math.ceil(ppo.totalTimesteps / (ppo.numEnvs * ppo.numSteps));
  const run = RunDir.create(flags.out ?? defaultRunPath(ppo.envId, algo, ppo.seed));
  const config: TrainRunConfig = {
    command: 'train',
    algo,
    envId: ppo.envId,
    seed: ppo.seed,
    ppo,
    checkpointEvery: flags.checkpointEvery ?? Math.max(1, Math.floor(numUpdates / 10)),
    evalEpisodes: flags.evalEpisodes,
    createdAt: new Date().toISOString(),
    node: process.version,
    argv,
  };
  run.writeConfig(config);
  io.stderr(`run directory: ${run.path}\n`);
  return { run, config, resumeFrom: null, trainSecondsBefore: 0 };
}

/** An interrupted (or killed) train run: its config and the learner's last full state. */
function openTrainRun(flags: TrainFlags, io: CliIO): { run: RunDir; config: TrainRunConfig; resumeFrom: PpoState; trainSecondsBefore: number } {
  const given = (['env', 'algo', 'steps', 'seed', 'out', 'numEnvs', 'vec', 'envKwargs', 'config', 'hp', 'checkpointEvery'] as const).filter((k) => flags[k] !== undefined);
  const { run, config } = openRunToResume<TrainRunConfig>(flags.resume!, 'train', given.map(flagOf));
  const saved = readResumeState<PpoState>(run, RESUME_CHECKPOINT, ppoStateProblem, io);
  if (!saved) throw new UsageError(`--resume: ${run.path} has no ${RESUME_CHECKPOINT}.json (made before runs could be resumed)`);
  const { state } = saved;
  // Metrics logged after the state was saved (the older one, if the newest was damaged) are logged again by the replay.
  run.truncateMetrics((row) => (row as PpoMetrics).update <= state.updates);
  io.stderr(`resuming ${run.path} at ${state.globalStep} steps\n`);
  return { run, config, resumeFrom: state, trainSecondsBefore: saved.trainSeconds };
}
