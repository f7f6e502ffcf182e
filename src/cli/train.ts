import { join } from 'node:path';
import { make, registration, UnknownEnvError } from '../envs/registry.js';
import { evaluatePolicy } from '../rl/evaluate.js';
import { PpoConfigSchema, trainPpo, type PpoConfig, type PpoMetrics } from '../rl/ppo.js';
import { ppoPreset } from '../rl/presets.js';
import { RunDir, stepName } from '../utils/runDir.js';
import { UsageError, interruptOnSignals, type CliIO } from './io.js';
import { formatZodError, readConfigFile } from './parse.js';
import { TrainProgress } from './progress.js';

export interface TrainFlags {
  env: string;
  algo: string;
  steps?: number;
  seed: number;
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
  algo: 'ppo';
  envId: string;
  seed: number;
  ppo: PpoConfig;
  checkpointEvery: number;
  evalEpisodes: number;
  createdAt: string;
  node: string;
  argv: string[];
}

export const ALGOS = ['ppo'] as const;

/** Merges preset < --config file < --hp < dedicated flags, and validates the result. */
export function resolvePpoConfig(flags: TrainFlags): PpoConfig {
  try {
    registration(flags.env);
  } catch (e) {
    if (e instanceof UnknownEnvError) throw new UsageError(`--env: ${e.message}`);
    throw e;
  }
  if (!(ALGOS as readonly string[]).includes(flags.algo)) {
    throw new UsageError(`--algo: unknown algorithm ${JSON.stringify(flags.algo)}; allowed: ${ALGOS.join(', ')}`);
  }
  const fromFile = readConfigFile(flags.config);
  const merged: Record<string, unknown> = { ...ppoPreset(flags.env), ...fromFile, ...(flags.hp ?? {}), envId: flags.env, seed: flags.seed };
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
  const ppo = resolvePpoConfig(flags);
  // Make the env once up front, so bad kwargs fail before a run directory is created.
  try {
    make(ppo.envId, { kwargs: ppo.envKwargs }).close();
  } catch (e) {
    throw new UsageError(`--env-kwargs: ${e instanceof Error ? e.message : String(e)}`);
  }
  const batch = ppo.numEnvs * ppo.numSteps;
  const numUpdates = Math.ceil(ppo.totalTimesteps / batch);
  const checkpointEvery = flags.checkpointEvery ?? Math.max(1, Math.floor(numUpdates / 10));
  const run = RunDir.create(flags.out ?? defaultRunPath(ppo.envId, flags.algo, ppo.seed));
  const config: TrainRunConfig = {
    command: 'train',
    algo: 'ppo',
    envId: ppo.envId,
    seed: ppo.seed,
    ppo,
    checkpointEvery,
    evalEpisodes: flags.evalEpisodes,
    createdAt: new Date().toISOString(),
    node: process.version,
    argv,
  };
  run.writeConfig(config);
  io.stderr(`run directory: ${run.path}\n`);

  const interrupt = interruptOnSignals(io);

  const progress = flags.progress ? new TrainProgress(ppo.totalTimesteps, io, `${ppo.envId} ppo seed ${ppo.seed}`) : null;
  const meta = (m: { globalStep: number; update: number }) => ({ algo: 'ppo', envId: ppo.envId, envKwargs: ppo.envKwargs, seed: ppo.seed, ...m });
  let last: PpoMetrics | null = null;
  const started = performance.now();
  try {
    const result = await trainPpo(
      ppo,
      {
        signal: interrupt.signal,
        onUpdate: (m, agent) => {
          last = m;
          run.appendMetrics(m);
          progress?.update(m.globalStep, { sps: m.sps, recentReturn: m.episodicReturn });
          if (m.update % checkpointEvery === 0 && m.update < numUpdates) {
            run.saveCheckpoint(stepName(m.globalStep), agent.save(meta(m)));
          }
        },
      },
    );
    progress?.stop();
    const trainSeconds = (performance.now() - started) / 1000;
    const finalMeta = meta({ globalStep: result.globalStep, update: result.updates });
    if (result.interrupted) {
      const path = run.saveCheckpoint(stepName(result.globalStep), result.agent.save({ ...finalMeta, interrupted: true }));
      run.writeSummary({ status: 'interrupted', globalStep: result.globalStep, updates: result.updates, trainSeconds, checkpoint: path });
      io.stderr(`interrupted at ${result.globalStep} steps; checkpoint ${path} and metrics kept in ${run.path}\n`);
      return 130;
    }
    const path = run.saveCheckpoint('final', result.agent.save(finalMeta));
    const evaluation = evaluatePolicy(result.agent, ppo.envId, {
      episodes: flags.evalEpisodes,
      seed: 1_000_000 + ppo.seed,
      deterministic: true,
      makeOptions: { kwargs: ppo.envKwargs },
    });
    const summary = {
      status: 'finished',
      globalStep: result.globalStep,
      updates: result.updates,
      trainSeconds,
      checkpoint: path,
      lastTrainingReturn: (last as PpoMetrics | null)?.episodicReturn ?? null,
      eval: { episodes: flags.evalEpisodes, deterministic: true, mean: evaluation.mean, std: evaluation.std, returns: evaluation.returns },
    };
    run.writeSummary(summary);
    io.stdout(
      `${ppo.envId}: trained ${result.globalStep} steps; eval over ${flags.evalEpisodes} episodes: ` +
        `mean return ${evaluation.mean.toFixed(2)} +- ${evaluation.std.toFixed(2)}\nrun: ${run.path}\n`,
    );
    return 0;
  } finally {
    progress?.stop();
    interrupt.dispose();
  }
}
