import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** '--check-every' for 'checkEvery': how a Commander attribute is spelled on the command line. */
export function flagOf(attribute: string): string {
  return `--${attribute.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Opens a run directory for `--resume`: it must be a run of `command` that has not finished,
 * and no flag that would change its options may be given (`clashing`, as flag names).
 */
export function openRunToResume<C extends { command: string }>(path: string, command: C['command'], clashing: string[]): { run: RunDir; config: C } {
  if (clashing.length > 0) throw new UsageError(`--resume continues a run with its own config; drop ${clashing.join(', ')}`);
  let run: RunDir;
  try {
    run = RunDir.open(path);
  } catch (e) {
    throw new UsageError(`--resume: ${e instanceof Error ? e.message : String(e)}`);
  }
  const config = run.readConfig<C>();
  if (config.command !== command) throw new UsageError(`--resume: ${run.path} is not a ${command} run`);
  const summary = join(run.path, 'summary.json');
  if (existsSync(summary) && (JSON.parse(readFileSync(summary, 'utf8')) as { status?: string }).status === 'finished') throw new UsageError(`--resume: ${run.path} already finished`);
  return { run, config };
}

/** A JSON file's contents; an unreadable or damaged file is a usage error naming it and `what` it holds. */
export function readJsonFile<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new UsageError(`${path} (${what}) cannot be read: ${e instanceof Error ? e.message : String(e)}; move it aside to start the run over from its stored labels`);
  }
}
