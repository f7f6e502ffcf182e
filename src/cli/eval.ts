import { existsSync, readFileSync } from 'node:fs';
import { ActorCritic } from '../rl/agent.js';
import { evaluatePolicy } from '../rl/evaluate.js';
import { RunDir } from '../utils/runDir.js';
import { UsageError, type CliIO } from './io.js';
import type { TrainRunConfig } from './train.js';

export interface EvalFlags {
  episodes: number;
  seed: number;
  json: boolean;
  checkpoint?: string;
  stochastic: boolean;
}

export async function evalCommand(runPath: string, flags: EvalFlags, io: CliIO): Promise<number> {
  let run: RunDir;
  try {
    run = RunDir.open(runPath);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const config = run.readConfig<TrainRunConfig>();
  if (typeof config.envId !== 'string') throw new UsageError(`${run.configPath} names no envId`);
  const checkpoint = flags.checkpoint ?? run.latestCheckpoint();
  if (!existsSync(checkpoint)) throw new UsageError(`--checkpoint: ${checkpoint} does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(checkpoint, 'utf8'));
  } catch (e) {
    throw new Error(`${checkpoint} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const agent = ActorCritic.load(json, checkpoint);
  const result = evaluatePolicy(agent, config.envId, {
    episodes: flags.episodes,
    seed: flags.seed,
    deterministic: !flags.stochastic,
    makeOptions: { kwargs: config.ppo?.envKwargs ?? {} },
  });
  const record = {
    envId: config.envId,
    checkpoint,
    episodes: flags.episodes,
    seed: flags.seed,
    deterministic: !flags.stochastic,
    mean: result.mean,
    std: result.std,
    min: Math.min(...result.returns),
    max: Math.max(...result.returns),
    returns: result.returns,
    lengths: result.lengths,
  };
  if (flags.json) {
    io.stdout(`${JSON.stringify(record)}\n`);
  } else {
    io.stdout(
      `${config.envId} | ${checkpoint} | ${flags.episodes} episodes, seed ${flags.seed}, ${record.deterministic ? 'deterministic' : 'stochastic'}\n` +
        `mean return ${result.mean.toFixed(2)} +- ${result.std.toFixed(2)} (min ${record.min.toFixed(2)}, max ${record.max.toFixed(2)})\n`,
    );
  }
  return 0;
}
