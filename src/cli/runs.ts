import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ActorCritic } from '../rl/agent.js';
import { readStateFile, writeStateFile } from '../utils/stateFile.js';
import { RunDir } from '../utils/runDir.js';
import { UsageError, type CliIO } from './io.js';
import type { TrainRunConfig } from './train.js';

/** Opens a run directory; a path that is not one is a usage error (with `prefix` before its message). */
export function openRunDir(path: string, prefix = ''): RunDir {
  try {
    return RunDir.open(path);
  } catch (e) {
    throw new UsageError(`${prefix}${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Opens a run directory and loads its final (or latest, or given) checkpoint, with usage errors for bad paths. */
export function loadRunAgent(runPath: string, checkpointPath?: string): { agent: ActorCritic; envId: string; envKwargs: Record<string, unknown>; checkpoint: string } {
  const run = openRunDir(runPath);
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
  const run = openRunDir(path, '--resume: ');
  const config = run.readConfig<C>();
  if (config.command !== command) throw new UsageError(`--resume: ${run.path} is not a ${command} run`);
  const summary = join(run.path, 'summary.json');
  if (existsSync(summary) && (JSON.parse(readFileSync(summary, 'utf8')) as { status?: string }).status === 'finished') throw new UsageError(`--resume: ${run.path} already finished`);
  return { run, config };
}

/**
 * A run's full state for --resume, `checkpoints/<name>.json`, and the one saved before it,
 * `<name>.prev.json`: should the newest be damaged, the run resumes from the one before. They are
 * state files (`writeStateFile`: JSON with its long strings kept apart), so a state may outgrow
 * the longest string JavaScript can hold; plain JSON ones, saved before, still read.
 */
export function resumeStateFiles(run: RunDir, name: string): { current: string; previous: string } {
  return { current: join(run.checkpointDir, `${name}.json`), previous: join(run.checkpointDir, `${name}.prev.json`) };
}

/**
 * Saves a run's full state, keeping the one it replaces as `<name>.prev.json`. The new state is
 * written and fsynced before either rename, so a crash leaves a whole state under one name or
 * the other. `trainSeconds`, the training time the state took over every process so far, is kept
 * in it (as `trainSeconds`), so a resumed run's summary counts the time before the resume too.
 */
export function saveResumeState(run: RunDir, name: string, state: object, trainSeconds: number): string {
  const { current, previous } = resumeStateFiles(run, name);
  const next = join(run.checkpointDir, `.${name}.next.json`);
  writeStateFile(next, { ...state, trainSeconds });
  if (existsSync(current)) renameSync(current, previous);
  renameSync(next, current);
  return current;
}

/** Deletes a finished run's full state, both generations. */
export function deleteResumeState(run: RunDir, name: string): void {
  for (const path of Object.values(resumeStateFiles(run, name))) rmSync(path, { force: true });
}

/**
 * A run's last usable full state: the newest, or if that one is damaged (not JSON, cut short,
 * or failing `problem`, which says what is wrong or returns null) the one saved before it,
 * saying on stderr which file was skipped and why; the damaged file is kept as
 * `<name>.damaged.json`. Null when the run has saved none; a usage error naming every file
 * tried (and `hint`, what to do) when none is usable. Returned with the training time the state
 * took (`saveResumeState`), taken out of it.
 */
export function readResumeState<T>(run: RunDir, name: string, problem: (state: unknown) => string | null, io: CliIO, hint = ''): { state: T; path: string; trainSeconds: number } | null {
  const { current, previous } = resumeStateFiles(run, name);
  const tried: { path: string; reason: string }[] = [];
  for (const path of [current, previous]) {
    if (!existsSync(path)) continue;
    let state: unknown;
    let reason: string | null;
    try {
      state = readStateFile(path);
      reason = problem(state);
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
    }
    if (reason !== null) {
      tried.push({ path, reason });
      continue;
    }
    const [bad] = tried;
    if (!bad && path !== current) io.stderr(`--resume: ${current} is missing; resuming from the state saved before it, ${path}\n`);
    if (bad) {
      // Moved aside, so the next save does not rotate it over the state resumed from.
      const damaged = join(run.checkpointDir, `${name}.damaged.json`);
      renameSync(bad.path, damaged);
      io.stderr(`--resume: ${bad.path} cannot be used (${bad.reason}); resuming from the state saved before it, ${path} (the damaged file is kept as ${damaged})\n`);
    }
    // States saved before the time was kept in them count from 0.
    const { trainSeconds, ...rest } = state as { trainSeconds?: unknown };
    return { state: rest as T, path, trainSeconds: typeof trainSeconds === 'number' && Number.isFinite(trainSeconds) && trainSeconds >= 0 ? trainSeconds : 0 };
  }
  if (tried.length === 0) return null;
  throw new UsageError([`--resume: ${run.path} has no usable saved state:`, ...tried.map((t) => `  ${t.path}: ${t.reason}`), ...(hint ? [hint] : [])].join('\n'));
}

/** What is wrong with a PPO learner's saved state (`Ppo.state()`), or null if nothing obvious. */
export function ppoStateProblem(state: unknown): string | null {
  const s = state as { format?: unknown; version?: unknown; updates?: unknown; globalStep?: unknown } | null;
  if (s?.format !== 'overseer.ppo' || s.version !== 1) return 'not an overseer PPO state (format overseer.ppo, version 1)';
  if (!Number.isInteger(s.updates) || !Number.isInteger(s.globalStep)) return 'its updates or globalStep is not a whole number';
  return null;
}
