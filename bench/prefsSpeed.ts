/**
 * Throughput of the whole preference loop (`overseer prefs`, oracle teacher) against raw
 * vectorised physics, per MuJoCo task, in one benchmark run: raw random-action stepping through
 * the vector env PPO uses, true-reward PPO alone on the same steps, then the preference loop,
 * whose time is split from its own metrics into rollout, PPO update, reward-model fits and the
 * rest. The issue's bar: the loop at >= 40% of raw.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/envs/builtins.js';
import { PREFS_PPO_SETTINGS } from '../src/prefs/config.js';
import { trainPpo } from '../src/rl/ppo.js';
import { ppoPreset } from '../src/rl/presets.js';
import { threadBudget } from '../src/utils/workers.js';
import { BASELINE_TARGETS, MIN_THROUGHPUT_RATIO, measureRawThroughput } from './baselines.js';
import { RESULTS_DIR, provenance, writeResult, type Provenance } from './machine.js';
import { VARIANTS, commandLine, runPrefs, variantFlags } from './prefs.js';
import { readMetrics } from './train.js';

/** The fields of a prefs run's metrics.jsonl row that the breakdown reads. */
export interface LoopMetricsRow {
  envSteps: number;
  ppoStep: number;
  rolloutSeconds: number;
  updateSeconds: number;
  /** Cumulative over the run (the pretraining fit included). */
  fitSeconds: number;
  fits: number;
}

/** Where a preference run's training seconds went. */
export interface LoopBreakdown {
  /** PPO rollouts on the learned reward: env steps, policy, learned-reward inference, segment recording. */
  rolloutSeconds: number;
  /** PPO's GAE and gradient epochs. */
  updateSeconds: number;
  /** Reward-model fits, the pretraining fit included. */
  fitSeconds: number;
  /** The rest of the training time: the initial policy's segments, segment storage, query selection, teacher, per-round diagnostics. */
  otherSeconds: number;
  /** Env steps of the initial policy's segments (counted in envSteps, timed in other). */
  initialSteps: number;
  updates: number;
  fits: number;
}

/** Splits a run's `trainSeconds` using its per-update metrics rows. */
export function loopBreakdown(rows: LoopMetricsRow[], trainSeconds: number, envSteps: number): LoopBreakdown {
  const rolloutSeconds = rows.reduce((s, r) => s + r.rolloutSeconds, 0);
  const updateSeconds = rows.reduce((s, r) => s + r.updateSeconds, 0);
  const last = rows.at(-1);
  const fitSeconds = last?.fitSeconds ?? 0;
  return {
    rolloutSeconds,
    updateSeconds,
    fitSeconds,
    otherSeconds: trainSeconds - rolloutSeconds - updateSeconds - fitSeconds,
    initialSteps: last ? last.envSteps - last.ppoStep : envSteps,
    updates: rows.length,
    fits: last?.fits ?? 0,
  };
}

/** Steps per second as a share of raw physics. */
export function throughputRatio(stepsPerSecond: number, rawStepsPerSecond: number): number {
  return stepsPerSecond / rawStepsPerSecond;
}

export interface TaskSpeed {
  env: string;
  envKwargs: Record<string, unknown>;
  vectorEnv: string;
  loadAverageAtStart: number;
  raw: { steps: number; stepsPerSecond: number };
  /** True-reward PPO with the loop's PPO settings, in this process; wall time of `trainPpo`. */
  ppo: { steps: number; seconds: number; stepsPerSecond: number; ratio: number; rolloutSeconds: number; updateSeconds: number };
  /** The preference loop, `overseer prefs` in a child process; its own `trainSeconds` (startup and evaluation excluded). */
  prefs: { command: string; envSteps: number; labels: number; trainSeconds: number; stepsPerSecond: number; ratio: number; pass: boolean; breakdown: LoopBreakdown };
}

export interface PrefsSpeedResult {
  provenance: Provenance;
  steps: number;
  labels: number;
  rawSteps: number;
  /** Threads each measurement may use (the default budget: the cores). */
  threads: number;
  minRatio: number;
  tasks: TaskSpeed[];
  passes: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
/** Whole percent, rounded down, so that a ratio shown as 40% always meets the 40% bar. */
export const pct = (ratio: number) => `${Math.floor(ratio * 100 + 1e-9)}%`;

export function prefsSpeedMarkdown(r: PrefsSpeedResult): string {
  const p = r.provenance;
  const loads = r.tasks.map((t) => t.loadAverageAtStart);
  const lines = [
    '# Preference loop throughput against raw physics',
    '',
    `\`${p.command}\` at ${p.gitCommit ?? 'unknown commit'}, ${p.date.slice(0, 10)}; ${p.machine.cpu}, ${p.machine.cores} cores, Node ${p.machine.node}; ${r.threads} threads per measurement; load average (1 min) at the start of each task ${loads.length ? `${Math.min(...loads)}-${Math.max(...loads)}` : '-'}.`,
    '',
    `Per task, in one run and in this order: **raw**, ${r.rawSteps} env steps of random actions through the vector env PPO uses (same size and threads, \`measureRawThroughput\` of bench/baselines.ts);` +
      ` **PPO alone**, true-reward \`trainPpo\` for ${r.steps} steps with the preset and the loop's PPO settings (\`PREFS_PPO_SETTINGS\`), wall time;` +
      ` **preference loop**, \`overseer prefs --env <task> --teacher oracle --label-budget ${r.labels} --steps ${r.steps} --seed 1\` (Ant-v5 with the baselines' env options; each command in prefs-speed.json), env steps / its \`trainSeconds\` (summary.json: process startup and the final evaluation excluded).` +
      ' The loop\'s time is split with its metrics.jsonl: rollout (PPO\'s rollouts on the learned reward: env steps, policy, learned-reward inference, segment recording), update (GAE and gradient epochs),' +
      ' RM fit (every reward-model fit, the pretraining fit included), and other, the rest of the training time: the initial policy\'s segments, segment storage, query selection, the teacher, the per-round diagnostics, metrics writes and the checkpoints (about 10 a run, each with the run\'s full resume state).',
    '',
    '| task | raw steps/s | PPO alone steps/s (% of raw) | preference loop steps/s (% of raw) | ≥ 40% | rollout s | update s | RM fit s | other s |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const t of r.tasks) {
    const b = t.prefs.breakdown;
    lines.push(
      `| ${t.env} | ${t.raw.stepsPerSecond} | ${t.ppo.stepsPerSecond} (${pct(t.ppo.ratio)}) | ${t.prefs.stepsPerSecond} (${pct(t.prefs.ratio)}) | ${t.prefs.pass ? 'yes' : '**no**'} | ${b.rolloutSeconds.toFixed(1)} | ${b.updateSeconds.toFixed(1)} | ${b.fitSeconds.toFixed(1)} | ${b.otherSeconds.toFixed(1)} |`,
    );
  }
  lines.push('', `**${r.passes} of ${r.tasks.length} tasks meet ${pct(r.minRatio)} of raw.**`, '');
  return `${lines.join('\n')}\n`;
}

async function measureTask(env: string, steps: number, labels: number, rawSteps: number, dir: string): Promise<TaskSpeed> {
  const envKwargs = BASELINE_TARGETS[env]?.envKwargs ?? {};
  const loadAverageAtStart = round2(loadavg()[0]);
  const raw = measureRawThroughput(env, rawSteps, envKwargs);
  console.log(`${env}: raw vector env ${raw.stepsPerSecond} steps/s (${raw.description})`);

  let rolloutSeconds = 0;
  let updateSeconds = 0;
  const t0 = performance.now();
  const ppoRun = await trainPpo(
    { ...ppoPreset(env), ...PREFS_PPO_SETTINGS[env], envId: env, envKwargs, seed: 1, totalTimesteps: steps },
    {
      onUpdate: (m) => {
        rolloutSeconds += m.rolloutSeconds;
        updateSeconds += m.updateSeconds;
      },
    },
  );
  const ppoSeconds = (performance.now() - t0) / 1000;
  const ppoSps = Math.round(ppoRun.globalStep / ppoSeconds);
  console.log(`${env}: true-reward PPO ${ppoSps} steps/s (${ppoRun.globalStep} steps in ${ppoSeconds.toFixed(1)} s)`);

  // One evaluation episode, the least the CLI takes; it is outside trainSeconds anyway.
  const out = join(dir, env);
  const args = commandLine(variantFlags(env, VARIANTS.oracle, labels, 1, steps, 1), out);
  const childEnv = { ...process.env };
  delete childEnv.OVERSEER_THREADS;
  await runPrefs(args, childEnv);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { envSteps: number; labels: number; trainSeconds: number };
  const b = loopBreakdown(readMetrics<LoopMetricsRow>(out), summary.trainSeconds, summary.envSteps);
  const breakdown = { ...b, rolloutSeconds: round2(b.rolloutSeconds), updateSeconds: round2(b.updateSeconds), fitSeconds: round2(b.fitSeconds), otherSeconds: round2(b.otherSeconds) };
  const sps = Math.round(summary.envSteps / summary.trainSeconds);
  const ratio = throughputRatio(sps, raw.stepsPerSecond);
  console.log(
    `${env}: preference loop ${sps} steps/s (${pct(ratio)} of raw; ${summary.envSteps} steps in ${summary.trainSeconds.toFixed(1)} s: rollout ${breakdown.rolloutSeconds.toFixed(1)}, update ${breakdown.updateSeconds.toFixed(1)}, fit ${breakdown.fitSeconds.toFixed(1)}, other ${breakdown.otherSeconds.toFixed(1)})`,
  );
  return {
    env,
    envKwargs,
    vectorEnv: raw.description,
    loadAverageAtStart,
    raw: { steps: rawSteps, stepsPerSecond: raw.stepsPerSecond },
    ppo: { steps: ppoRun.globalStep, seconds: round2(ppoSeconds), stepsPerSecond: ppoSps, ratio: round4(throughputRatio(ppoSps, raw.stepsPerSecond)), rolloutSeconds: round2(rolloutSeconds), updateSeconds: round2(updateSeconds) },
    prefs: {
      command: `overseer prefs ${args.filter((_, i) => args[i] !== '--out' && args[i - 1] !== '--out').join(' ')}`,
      envSteps: summary.envSteps,
      labels: summary.labels,
      trainSeconds: round2(summary.trainSeconds),
      stepsPerSecond: sps,
      ratio: round4(ratio),
      pass: ratio >= MIN_THROUGHPUT_RATIO,
      breakdown,
    },
  };
}

export async function benchPrefsSpeed(envs: string[], steps: number, labels: number, rawSteps: number, argv: string[]): Promise<PrefsSpeedResult> {
  for (const env of envs) if (!BASELINE_TARGETS[env]) throw new Error(`unknown task ${env}; known: ${Object.keys(BASELINE_TARGETS).join(', ')}`);
  // Every measurement on the default thread budget (the preference run is a child; this process does raw and PPO).
  if (process.env.OVERSEER_THREADS !== undefined) {
    console.log(`ignoring OVERSEER_THREADS=${process.env.OVERSEER_THREADS}: measured with the default thread budget`);
    delete process.env.OVERSEER_THREADS;
  }
  const dir = mkdtempSync(join(tmpdir(), 'overseer-prefs-speed-'));
  try {
    const tasks: TaskSpeed[] = [];
    for (const env of envs) tasks.push(await measureTask(env, steps, labels, rawSteps, dir));
    const result: PrefsSpeedResult = {
      provenance: provenance(argv),
      steps,
      labels,
      rawSteps,
      threads: threadBudget(),
      minRatio: MIN_THROUGHPUT_RATIO,
      tasks,
      passes: tasks.filter((t) => t.prefs.pass).length,
    };
    writeResult('prefs-speed', result);
    const md = prefsSpeedMarkdown(result);
    writeFileSync(join(RESULTS_DIR, 'prefs-speed.md'), md);
    console.log(md);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
