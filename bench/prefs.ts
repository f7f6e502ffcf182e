/**
 * The reproduction of the 2017 paper's MuJoCo figure: preference-learning runs (oracle
 * teacher, 350/700/1400 labels) against true-reward PPO at the same env steps, plus a noisy
 * teacher (mistake epsilon 0.1) and an ablation (uniform against disagreement selection).
 *
 * Resumable: a finished run is kept, an interrupted one is resumed (`overseer prefs --resume`),
 * so the benchmark can be run in parts. The true-reward side reuses bench/results/baselines.json
 * (same preset, steps, seeds and evaluation).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR, provenance, type Provenance } from './machine.js';
import { BASELINE_TARGETS } from './baselines.js';
import { lineChart } from './svg.js';
import { ROOT, learningCurve } from './train.js';

/** A family of runs: which teacher, which selection, which budgets. */
export interface Variant {
  name: string;
  teacher: string;
  teacherParams?: Record<string, unknown>;
  selection: 'disagreement' | 'uniform' | 'entropy';
  budgets: number[];
  description: string;
  /** Env options for training only (evaluation stays on the task as the baseline has it). */
  trainKwargs?: Record<string, unknown>;
  /** Tasks the variant applies to (default: all). */
  tasks?: string[];
  /** Reward-model options (`--rm key=value`). */
  rm?: Record<string, string | number | boolean>;
}

export const VARIANTS: Record<string, Variant> = {
  oracle: { name: 'oracle', teacher: 'oracle', selection: 'disagreement', budgets: [350, 700, 1400], description: 'oracle teacher, disagreement selection (the paper)' },
  mistake: { name: 'mistake', teacher: 'mistake', selection: 'disagreement', budgets: [700], description: 'noisy teacher: the answer is flipped with probability 0.1' },
  uniform: { name: 'uniform', teacher: 'oracle', selection: 'uniform', budgets: [700], description: 'ablation: uniform query selection' },
  // The paper trained on tasks without termination; Gymnasium's walkers offer that as an option.
  noterm: {
    name: 'noterm',
    teacher: 'oracle',
    selection: 'disagreement',
    budgets: [700],
    description: "the paper's setting: no termination while training (terminate_when_unhealthy false), evaluated on the standard task",
    trainKwargs: { terminate_when_unhealthy: false },
    tasks: ['Hopper-v5', 'Walker2d-v5', 'Ant-v5'],
  },
  // Reward-model inputs standardised with the initial clips' statistics, then frozen.
  norm: {
    name: 'norm',
    teacher: 'oracle',
    selection: 'disagreement',
    budgets: [700],
    description: "reward-model inputs standardised with the first fit's clips (the random policy's), frozen, clipped to +-5",
    rm: { normalizeInputs: 'first-fit' },
  },
};

interface PrefsRunSummary {
  status: string;
  envSteps: number;
  labels: number;
  trainSeconds: number;
  heldOutAccuracy: number | null;
  returnCorrelation: number | null;
  eval: { mean: number; std: number; returns: number[] };
}

interface RunOutcome {
  seed: number;
  evalMean: number;
  labels: number;
  heldOutAccuracy: number | null;
  trainSeconds: number;
  curve: [number, number][];
}

interface CellResult {
  variant: string;
  labels: number;
  runs: RunOutcome[];
  mean: number | null;
  /** mean / true-reward PPO mean over the same seeds. */
  ratio: number | null;
}

interface TaskPrefsResult {
  env: string;
  envKwargs: Record<string, unknown>;
  steps: number;
  baseline: { mean: number; seeds: { seed: number; evalMean: number }[] } | null;
  cells: CellResult[];
  provenance: Provenance;
}

const RESULTS_JSON = join(RESULTS_DIR, 'prefs.json');

function loadResults(): Record<string, TaskPrefsResult> {
  if (!existsSync(RESULTS_JSON)) return {};
  return (JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as { tasks: Record<string, TaskPrefsResult> }).tasks;
}

function readJson<T>(path: string): T | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null;
}

/** Runs (or resumes) one preference run through the CLI, as a user would. */
function runPrefs(args: string[]): Promise<void> {
  const cli = join(ROOT, 'src', 'cli', 'main.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'prefs', ...args, '--no-progress'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`overseer prefs ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

export function runDir(env: string, variant: string, labels: number, seed: number): string {
  return join(ROOT, 'bench', 'runs', 'prefs', env, `${variant}-${labels}`, `seed${seed}`);
}

/** The true-reward baseline from baselines.json, only when its steps match. */
function baselineFor(env: string, steps: number): TaskPrefsResult['baseline'] {
  const b = readJson<{ tasks: Record<string, { steps: number; seeds: { seed: number; evalMean: number }[] }> }>(join(RESULTS_DIR, 'baselines.json'))?.tasks[env];
  if (!b || b.steps !== steps) return null;
  return { mean: mean(b.seeds.map((s) => s.evalMean)), seeds: b.seeds.map((s) => ({ seed: s.seed, evalMean: s.evalMean })) };
}

export async function benchPrefs(envs: string[], variants: string[], seeds: number[], steps: number, episodes: number, budgets: number[] | null, argv: string[]): Promise<void> {
  const results = loadResults();
  for (const env of envs) {
    const target = BASELINE_TARGETS[env];
    if (!target) throw new Error(`no MuJoCo task ${env}; known: ${Object.keys(BASELINE_TARGETS).join(', ')}`);
    const envKwargs = target.envKwargs ?? {};
    for (const vName of variants) {
      const v = VARIANTS[vName];
      if (!v) throw new Error(`unknown variant ${vName}; known: ${Object.keys(VARIANTS).join(', ')}`);
      if (v.tasks && !v.tasks.includes(env)) continue;
      for (const labels of v.budgets.filter((b) => budgets === null || budgets.includes(b))) {
        for (const seed of seeds) {
          const out = runDir(env, v.name, labels, seed);
          const summary = readJson<PrefsRunSummary>(join(out, 'summary.json'));
          if (summary?.status === 'finished') continue;
          const t0 = performance.now();
          if (existsSync(join(out, 'config.json'))) {
            console.log(`${env} ${v.name} ${labels} seed ${seed}: resuming ${out}`);
            await runPrefs(['--resume', out]);
          } else {
            const args = ['--env', env, '--teacher', v.teacher, '--selection', v.selection, '--labels', String(labels), '--steps', String(steps), '--seed', String(seed), '--out', out, '--eval-episodes', String(episodes)];
            if (v.teacherParams) args.push('--teacher-params', JSON.stringify(v.teacherParams));
            for (const [k, value] of Object.entries(v.rm ?? {})) args.push('--rm', `${k}=${value}`);
            const kwargs = { ...envKwargs, ...v.trainKwargs };
            if (Object.keys(kwargs).length > 0) args.push('--env-kwargs', JSON.stringify(kwargs));
            if (v.trainKwargs) args.push('--eval-env-kwargs', JSON.stringify(envKwargs));
            await runPrefs(args);
          }
          const s = readJson<PrefsRunSummary>(join(out, 'summary.json'))!;
          console.log(`${env} ${v.name} ${labels} seed ${seed}: eval ${s.eval.mean.toFixed(1)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
        }
        results[env] = collect(env, envKwargs, steps, argv);
        writePrefsResults(results);
      }
    }
    results[env] = collect(env, envKwargs, steps, argv);
    writePrefsResults(results);
  }
}

/** Gathers every finished run of a task from bench/runs/prefs. */
function collect(env: string, envKwargs: Record<string, unknown>, steps: number, argv: string[]): TaskPrefsResult {
  const baseline = baselineFor(env, steps);
  const cells: CellResult[] = [];
  for (const v of Object.values(VARIANTS)) {
    for (const labels of v.budgets) {
      const runs: RunOutcome[] = [];
      for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
        const out = runDir(env, v.name, labels, seed);
        const s = readJson<PrefsRunSummary>(join(out, 'summary.json'));
        if (s?.status !== 'finished' || s.envSteps < steps) continue;
        runs.push({ seed, evalMean: s.eval.mean, labels: s.labels, heldOutAccuracy: s.heldOutAccuracy, trainSeconds: s.trainSeconds, curve: learningCurve(out, 5, 100, 'envSteps', 'trueReturn') });
      }
      if (runs.length === 0) continue;
      const m = mean(runs.map((r) => r.evalMean));
      // Compare against true-reward PPO over the same seeds.
      const base = baseline?.seeds.filter((b) => runs.some((r) => r.seed === b.seed)) ?? [];
      const ratio = base.length === runs.length ? scoreRatio(m, mean(base.map((b) => b.evalMean))) : null;
      cells.push({ variant: v.name, labels, runs, mean: m, ratio });
    }
  }
  return { env, envKwargs, steps, baseline, cells, provenance: provenance(argv) };
}

/**
 * How close a return is to true-reward PPO's, 1 meaning equal and larger better: ours / PPO's
 * for positive returns, PPO's / ours when both are negative (Reacher: -8 against -4 is 0.5).
 */
export function scoreRatio(ours: number, ppo: number): number {
  return ppo < 0 && ours < 0 ? ppo / ours : ours / ppo;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ORDER = Object.keys(BASELINE_TARGETS);

/** The table's columns, in order. */
const COLUMNS = [
  { variant: 'oracle', labels: 350, title: '350 oracle labels' },
  { variant: 'oracle', labels: 700, title: '700' },
  { variant: 'oracle', labels: 1400, title: '1400' },
  { variant: 'mistake', labels: 700, title: '700, mistake 0.1' },
  { variant: 'uniform', labels: 700, title: '700, uniform selection' },
  { variant: 'noterm', labels: 700, title: '700, no termination in training' },
  { variant: 'norm', labels: 700, title: '700, inputs standardised (first fit)' },
];

function cell(r: TaskPrefsResult, variant: string, labels: number): CellResult | undefined {
  return r.cells.find((c) => c.variant === variant && c.labels === labels);
}

function fmtCell(c: CellResult | undefined): string {
  if (!c || c.mean === null) return '-';
  const ratio = c.ratio === null ? '' : ` (**${(100 * c.ratio).toFixed(0)}%**)`;
  return `${c.mean.toFixed(1)}${ratio}${c.runs.length < 3 ? ` [${c.runs.length} seed${c.runs.length > 1 ? 's' : ''}]` : ''}`;
}

export function writePrefsResults(results: Record<string, TaskPrefsResult>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const tasks = Object.fromEntries(ORDER.filter((e) => results[e]).map((e) => [e, results[e]]));
  writeFileSync(RESULTS_JSON, `${JSON.stringify({ tasks }, null, 2)}\n`);
  const bar = (labels: number, variant = 'oracle') => {
    const complete = Object.values(tasks).filter((t) => cell(t, variant, labels)?.ratio != null && cell(t, variant, labels)!.runs.length >= 3);
    const pass = complete.filter((t) => cell(t, variant, labels)!.ratio! >= 0.9).length;
    return { complete: complete.length, pass };
  };
  const b700 = bar(700);
  const b350 = bar(350);
  const bNorm = bar(700, 'norm');
  const lines = [
    '# Learning from preferences: the 2017 MuJoCo figure',
    '',
    'Each cell: mean true return of `overseer prefs --env <task> --teacher <t> --selection <s> --labels <n> --steps 1000000 --seed <s>`',
    'over seeds 1-3 (deterministic 10-episode evaluation after training, as the baselines), and in parentheses the ratio to',
    'true-reward PPO with the same preset, steps and seeds (`baselines.json`): ours / PPO, or PPO / ours where both are negative (Reacher).',
    'A cell with fewer than 3 finished seeds says so.',
    '',
    `| task | true-reward PPO | ${COLUMNS.map((c) => c.title).join(' | ')} |`,
    `|---|---|${COLUMNS.map(() => '---|').join('')}`,
  ];
  for (const t of Object.values(tasks)) {
    const cells = COLUMNS.map((c) => fmtCell(cell(t, c.variant, c.labels)));
    lines.push(`| ${t.env} | ${t.baseline ? t.baseline.mean.toFixed(1) : '-'} | ${cells.join(' | ')} |`);
  }
  lines.push(
    '',
    `**The paper's bar** (700 oracle labels >= 90% of true-reward PPO on at least 6 of 8 tasks): ${b700.pass} of ${b700.complete} tasks with 3 seeds finished.`,
    `**Our bar** (the same with 350 labels): ${b350.pass} of ${b350.complete} tasks with 3 seeds finished.`,
    ...(bNorm.complete > 0 ? [`With reward-model inputs standardised (variant \`norm\`, 700 labels): ${bNorm.pass} of ${bNorm.complete} tasks with 3 seeds finished.`] : []),
    '',
    'Each run directory (`bench/runs/prefs/<task>/<variant>-<labels>/seed<s>`) keeps its exact command line in `config.json`.',
    '',
  );
  const provs = Object.values(tasks).map((t) => t.provenance);
  if (provs.length > 0) {
    const p = provs[provs.length - 1];
    lines.push(`Last updated by \`${p.command}\` at ${p.gitCommit}, ${p.date.slice(0, 10)}; ${p.machine.cpu}, ${p.machine.cores} cores, Node ${p.machine.node}. Plots: \`prefs-<task>.svg\`.`, '');
  }
  writeFileSync(join(RESULTS_DIR, 'prefs.md'), `${lines.join('\n')}\n`);

  const colors: Record<string, string> = { 'oracle-350': '#aec7e8', 'oracle-700': '#1f77b4', 'oracle-1400': '#17becf', 'mistake-700': '#ff7f0e', 'uniform-700': '#9467bd', 'noterm-700': '#8c564b', 'norm-700': '#2ca02c' };
  for (const t of Object.values(tasks)) {
    const series = t.cells.map((c) => ({
      label: `${c.variant} ${c.labels} (eval ${c.mean?.toFixed(0)})`,
      // Mean over seeds of the smoothed training curves, on the first seed's x grid.
      points: averageCurves(c.runs.map((r) => r.curve)),
      color: colors[`${c.variant}-${c.labels}`] ?? '#7f7f7f',
    }));
    const hlines = t.baseline ? [{ y: t.baseline.mean, label: `true-reward PPO eval ${t.baseline.mean.toFixed(0)}`, color: '#d62728' }] : [];
    writeFileSync(join(RESULTS_DIR, `prefs-${t.env}.svg`), lineChart(series, { title: `${t.env}: PPO on a reward learned from preferences`, xLabel: 'env steps', yLabel: 'true training episode return', hlines }));
  }
}

function averageCurves(curves: [number, number][][]): [number, number][] {
  if (curves.length === 0) return [];
  const n = Math.min(...curves.map((c) => c.length));
  return curves[0].slice(0, n).map(([x], i) => [x, Math.round((10 * mean(curves.map((c) => c[i][1])))) / 10]);
}
