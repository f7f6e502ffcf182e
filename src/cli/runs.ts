import { existsSync, readFileSync } from 'node:fs';
import { ActorCritic } from '../rl/agent.js';
import { RunDir } from '../utils/runDir.js';
import { UsageError } from './io.js';
import type { TrainRunConfig } from './train.js';

/** Opens a run directory and loads its final (or latest, or given) checkpoint, with usage errors for bad paths. */
export function loadRunAgent(runPath: string, checkpointPath?: string): { agent: ActorCritic; envId: string; envKwargs: Record<string, unknown>; checkpoint: string } {
  let run: RunDir;
  try {
    run = RunDir.open(runPath);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const config = run.readConfig<TrainRunConfig>();
  if (typeof config.envId !== 'string') throw new UsageError(`${run.configPath} names no envId`);
  const checkpoint = checkpointPath ?? run.latestCheckpoint();
  if (!existsSync(checkpoint)) throw new UsageError(`--checkpoint: ${checkpoint} does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(checkpoint, 'utf8'));
  } catch (e) {
    throw new Error(`${checkpoint} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  // A preference run's checkpoint holds the agent next to the reward model.
  const agentJson = (json as { format?: string; agent?: unknown } | null)?.format === 'overseer.prefs' ? (json as { agent: unknown }).agent : json;
  return { agent: ActorCritic.load(agentJson, checkpoint), envId: config.envId, envKwargs: config.ppo?.envKwargs ?? {}, checkpoint };
}
