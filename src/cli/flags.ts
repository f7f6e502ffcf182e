/**
 * The flags of `overseer prefs` that set run options, in one table: it defines the Commander
 * options, merges them over a `--config` file, names the flag in validation errors, and lists
 * what `--resume` refuses. Defaults in the help text are read from the schema, so they cannot
 * drift from what the loop uses.
 */
import { Option } from 'commander';
import type { z } from 'zod';
import { PrefsConfigSchema } from '../prefs/config.js';
import { SELECTIONS } from '../prefs/queries.js';
import { TEACHER_NAMES } from '../prefs/teachers.js';
import { collectKeyValue, nonNegativeInt, nonNegativeNumber, numberList, parseJsonObject, positiveInt } from './parse.js';

type ConfigKey = keyof typeof PrefsConfigSchema.shape;

/** How far people may fall behind RL before it waits for them, unless --max-pending says otherwise. */
export const HUMAN_MAX_PENDING = 20;

export interface ConfigFlag {
  /** Commander's flag text, e.g. '--label-budget <n>'. */
  flag: string;
  /** The option it sets. */
  key: ConfigKey;
  /** Help text; the schema's default is appended. */
  help: string;
  /** Commander's parser; a repeatable flag gets its previous value (typed by each parser). */
  parse?: (value: string, previous?: any) => unknown;
  /** Objects given by the flag are merged key by key over the config file's. */
  merge?: boolean;
  /** Older spelling still accepted (hidden from help). */
  alias?: string;
}

export const PREFS_CONFIG_FLAGS: readonly ConfigFlag[] = [
  { flag: '--env <id>', key: 'envId', help: 'env id, e.g. Hopper-v5' },
  { flag: '--teacher <name>', key: 'teacher', help: `who answers: ${TEACHER_NAMES.join(', ')} (simulated, B-Pref), or human (people, through the labeling server)` },
  { flag: '--label-budget <n>', key: 'labelBudget', help: 'comparisons to ask for in all', parse: nonNegativeInt, alias: '--labels <n>' },
  { flag: '--steps <n>', key: 'totalTimesteps', help: 'env steps in all', parse: positiveInt },
  { flag: '--max-pending <n>', key: 'maxPendingLabels', help: `pace RL to the labelers: a round waits while more than n answers are outstanding (default with --teacher human: ${HUMAN_MAX_PENDING}; else none)`, parse: nonNegativeInt },
  { flag: '--undo-seconds <s>', key: 'undoSeconds', help: 'with --teacher human: seconds a person can undo an answer before the run trains on it (default 10)', parse: nonNegativeNumber },
  { flag: '--labeling-view <view>', key: 'labelingView', help: "with --teacher human: people label through a limited overseer's view of the env, e.g. projection on Reacher-v5 (default: the full clips)" },
  { flag: '--labeling-assistant <name>', key: 'labelingAssistant', help: "with --labeling-view: a randomized trial of assistance: half the pairs (per person, at random) come with this assistant's critique (random, rrm), stored with each label (default: no trial)" },
  { flag: '--labeling-reveals <n>', key: 'labelingReveals', help: 'with --labeling-assistant: the most pieces of evidence one critique shows', parse: positiveInt },
  { flag: '--seed <n>', key: 'seed', help: 'seed of every random stream (envs, networks, queries, teacher)', parse: nonNegativeInt },
  { flag: '--selection <how>', key: 'selection', help: `query selection: ${SELECTIONS.join(', ')}` },
  { flag: '--initial-label-fraction <f>', key: 'initialLabelFraction', help: "fraction of the budget asked about the initial policy's clips before RL (1: every label offline, the paper's offline-only ablation)", parse: nonNegativeNumber },
  { flag: '--initial-action-scales <list>', key: 'initialActionScales', help: "the initial policy's clips span these action scales, e.g. 0,0.25,0.5,0.75,1 (each new segment takes the next in turn; default 1: the policy as it is)", parse: numberList },
  { flag: '--scaled-segments-per-round <n>', key: 'scaledSegmentsPerRound', help: 'every round, the current policy also acts n segment lengths per sub-env at the --initial-action-scales other than 1; the clips are for queries only', parse: nonNegativeInt },
  { flag: '--unsupervised-steps <n>', key: 'unsupervisedSteps', help: "PEBBLE: PPO first trains n env steps (whole rollouts, counted in --steps) on the state-entropy reward, then its critic is reset and the initial clips are the pre-trained policy's (published: 10240)", parse: nonNegativeInt },
  { flag: '--pseudo-labels <ratio>', key: 'pseudoLabelRatio', help: 'SURF: at each fit, ratio unlabelled pairs per labelled one, each member training on those it is confident about (never stored as labels), and every pair temporally cropped (published: 4)', parse: nonNegativeNumber },
  { flag: '--pseudo-label-threshold <p>', key: 'pseudoLabelThreshold', help: "SURF: a member's confidence needed for a pseudo-label", parse: nonNegativeNumber },
  { flag: '--policy-aligned-episodes <n>', key: 'policyAlignedEpisodes', help: "QPA: in RL, queries only among the last n episodes' worth of segments (published: 10)", parse: nonNegativeInt },
  { flag: '--sub-clips <n>', key: 'subClips', help: 'QPA: each labelled pair is fitted as n random sub-clip pairs (published: 20)', parse: nonNegativeInt },
  { flag: '--disagreement-bonus <beta0>', key: 'disagreementBonus', help: "RUNE: PPO's reward is r̂ + beta_t * std over the members, beta_t = beta0 (1 - decay)^t (published: 0.05)", parse: nonNegativeNumber },
  { flag: '--disagreement-bonus-decay <rho>', key: 'disagreementBonusDecay', help: 'RUNE: the decay of beta_t per env step', parse: nonNegativeNumber },
  { flag: '--segment-length <steps>', key: 'segmentLength', help: 'steps per segment (null: 1.5 s of simulated time, 15-60 steps)', parse: positiveInt },
  { flag: '--teacher-params <json>', key: 'teacherParams', help: 'override teacher parameters, e.g. \'{"epsilon": 0.1}\'', parse: parseJsonObject, merge: true },
  { flag: '--env-kwargs <json>', key: 'envKwargs', help: 'env constructor options as a JSON object', parse: parseJsonObject },
  { flag: '--max-episode-steps <n>', key: 'maxEpisodeSteps', help: "training episodes end (truncated) after n steps instead of at the env's own time limit; the final evaluation keeps the env's own (on an env without one, such as MinAtar's, it stops at n too)", parse: positiveInt },
  { flag: '--rm <key=value>', key: 'rewardModel', help: "override one reward-model option (repeatable), e.g. --rm ensembleSize=5; MinAtar games default to the paper's Atari settings: 25-step clips and a conv reward model at std 0.05 (network=minatar on the grid, network=pixels on rendered frames, --env-kwargs '{\"obsType\": \"rgb\"}')", parse: collectKeyValue, merge: true },
  { flag: '--hp <key=value>', key: 'ppo', help: 'override one PPO option (repeatable)', parse: collectKeyValue, merge: true },
];

/** Commander's attribute name of a flag: '--label-budget <n>' -> 'labelBudget'. */
export function attributeOf(flag: string): string {
  return flag
    .split(/[ =]/)[0]
    .replace(/^--/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The flag's name alone: '--label-budget <n>' -> '--label-budget'. */
export function flagName(flag: string): string {
  return flag.split(' ')[0];
}

/** The schema's default of an option, as help text (objects and absent defaults show nothing). */
export function schemaDefault(key: ConfigKey): string {
  const field = PrefsConfigSchema.shape[key] as z.ZodType;
  const r = field.safeParse(undefined);
  if (!r.success || r.data === undefined) return '';
  const v = r.data;
  if (typeof v === 'object') return ''; // objects, and null (the help says what null means)
  return ` (default ${String(v)})`;
}

/** The Commander options of the table (aliases hidden). */
export function configOptions(): Option[] {
  return PREFS_CONFIG_FLAGS.flatMap((f) => {
    const main = new Option(f.flag, f.help + schemaDefault(f.key));
    if (f.parse) main.argParser(f.parse as (value: string, previous: unknown) => unknown);
    const alias = f.alias ? new Option(f.alias, `same as ${flagName(f.flag)}`).hideHelp() : null;
    if (alias && f.parse) alias.argParser(f.parse as (value: string, previous: unknown) => unknown);
    return alias ? [main, alias] : [main];
  });
}

/** Merges the table's flags (from Commander's parsed options) over `base` (a --config file's options). */
export function mergeConfigFlags(base: Record<string, unknown>, flags: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const f of PREFS_CONFIG_FLAGS) {
    const v = flags[attributeOf(f.flag)] ?? (f.alias ? flags[attributeOf(f.alias)] : undefined);
    if (v === undefined) continue;
    merged[f.key] = f.merge ? { ...(merged[f.key] as object | undefined), ...(v as object) } : v;
  }
  return merged;
}

/** The flag that sets an option (for error messages), or null if only a config file can. */
export function flagOfKey(key: string): string | null {
  const f = PREFS_CONFIG_FLAGS.find((x) => x.key === key);
  return f ? flagName(f.flag) : null;
}

/** The table's flags that were given (by their names), e.g. for --resume to refuse. */
export function givenConfigFlags(flags: Record<string, unknown>): string[] {
  return PREFS_CONFIG_FLAGS.flatMap((f) => {
    const names = [f.flag, ...(f.alias ? [f.alias] : [])];
    return names.filter((n) => flags[attributeOf(n)] !== undefined).map(flagName);
  });
}
