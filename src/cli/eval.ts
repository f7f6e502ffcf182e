import { evaluatePolicy } from '../rl/evaluate.js';
import type { CliIO } from './io.js';
import { loadRunAgent } from './runs.js';

export interface EvalFlags {
  episodes: number;
  seed: number;
  json: boolean;
  checkpoint?: string;
  stochastic: boolean;
}

export async function evalCommand(runPath: string, flags: EvalFlags, io: CliIO): Promise<number> {
  const { agent, envId, envKwargs, checkpoint } = loadRunAgent(runPath, flags.checkpoint);
  const result = evaluatePolicy(agent, envId, {
    episodes: flags.episodes,
    seed: flags.seed,
    deterministic: !flags.stochastic,
    makeOptions: { kwargs: envKwargs },
  });
  const record = {
    envId,
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
      `${envId} | ${checkpoint} | ${flags.episodes} episodes, seed ${flags.seed}, ${record.deterministic ? 'deterministic' : 'stochastic'}\n` +
        `mean return ${result.mean.toFixed(2)} +- ${result.std.toFixed(2)} (min ${record.min.toFixed(2)}, max ${record.max.toFixed(2)})\n`,
    );
  }
  return 0;
}
