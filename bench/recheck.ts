/**
 * `npm run bench -- prefs-recheck --env Hopper-v5,HalfCheetah-v5 --labels 700 [--seeds 1,2,3]`:
 * reruns committed `bench prefs` cells with the code as it is now, in run directories of their
 * own (bench/runs/recheck/...), and sets the new numbers beside the committed ones. For changes
 * that should not move learning (a refactor) but are not bit-identical: the same numbers within
 * seed noise is the bar. prefs.json is left untouched. Writes bench/results/prefs-recheck.{json,md}
 * (rows of earlier invocations are kept unless rerun).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR, provenance, writeResult, type Provenance } from './machine.js';
import { VARIANTS, commandLine, loadResults, runPrefs, scoreRatio, variantFlags } from './prefs.js';
import { ROOT, pool } from './train.js';

interface SeedPair {
  seed: number;
  committed: number | null;
  committedAt: string | null;
  now: number;
  nowSeconds: number;
}

interface RecheckRow {
  env: string;
  variant: string;
  labels: number;
  steps: number;
  /** True-reward PPO with the same settings (the cell's comparison in prefs.json). */
  trueReward: number | null;
  seeds: SeedPair[];
  committedMean: number | null;
  nowMean: number;
  /** Std across seeds of the committed runs: the noise a difference is judged against. */
  committedSeedStd: number | null;
  provenance: Provenance;
}

const JSON_NAME = 'prefs-recheck';

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function std(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
}

export async function benchRecheck(envs: string[], variant: string, labels: number, seeds: number[], episodes: number, parallel: number, argv: string[]): Promise<void> {
  const v = VARIANTS[variant];
  if (!v) throw new Error(`unknown variant ${variant}; known: ${Object.keys(VARIANTS).join(', ')}`);
  const results = loadResults();
  if (parallel > 1) process.env.OVERSEER_THREADS = '1';
  const prov = provenance(argv);
  const jobs = envs.flatMap((env) => {
    const task = results[env];
    if (!task) throw new Error(`bench/results/prefs.json has no ${env}: nothing to recheck`);
    return seeds.map((seed) => ({ env, seed, steps: task.steps }));
  });
  const outcomes = new Map<string, { mean: number; seconds: number }>();
  await pool(jobs, parallel, async ({ env, seed, steps }) => {
    const out = join(ROOT, 'bench', 'runs', 'recheck', env, `${variant}-${labels}`, `seed${seed}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, '..'), { recursive: true });
    await runPrefs(commandLine(variantFlags(env, v, labels, seed, steps, episodes), out));
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { eval: { mean: number }; trainSeconds: number };
    outcomes.set(`${env}/${seed}`, { mean: s.eval.mean, seconds: s.trainSeconds });
    console.log(`${env} ${variant} ${labels} seed ${seed}: eval ${s.eval.mean.toFixed(1)} (${s.trainSeconds.toFixed(0)} s)`);
  });

  const path = join(RESULTS_DIR, `${JSON_NAME}.json`);
  const rows: RecheckRow[] = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { rows: RecheckRow[] }).rows : [];
  for (const env of envs) {
    const task = results[env]!;
    const cell = task.cells.find((c) => c.variant === variant && c.labels === labels);
    const comparison = task.baselines?.find((b) => JSON.stringify(b.hp ?? []) === JSON.stringify(cell?.hp ?? [])) ?? task.baseline;
    const pairs: SeedPair[] = seeds.map((seed) => {
      const old = cell?.runs.find((r) => r.seed === seed);
      const now = outcomes.get(`${env}/${seed}`)!;
      return { seed, committed: old?.evalMean ?? null, committedAt: old?.commit ?? null, now: now.mean, nowSeconds: now.seconds };
    });
    const olds = pairs.map((p) => p.committed).filter((x): x is number => x !== null);
    const row: RecheckRow = {
      env,
      variant,
      labels,
      steps: task.steps,
      trueReward: comparison?.mean ?? null,
      seeds: pairs,
      committedMean: olds.length > 0 ? mean(olds) : null,
      nowMean: mean(pairs.map((p) => p.now)),
      committedSeedStd: olds.length > 1 ? std(olds) : null,
      provenance: prov,
    };
    const at = rows.findIndex((r) => r.env === env && r.variant === variant && r.labels === labels);
    if (at >= 0) rows[at] = row;
    else rows.push(row);
  }
  writeResult(JSON_NAME, { rows });
  writeFileSync(join(RESULTS_DIR, `${JSON_NAME}.md`), recheckMarkdown(rows));
}

export function recheckMarkdown(rows: RecheckRow[]): string {
  const pct = (x: number | null, ppo: number | null) => (x === null || ppo === null ? '-' : `${Math.round(100 * scoreRatio(x, ppo))}%`);
  const lines = [
    '# Preference runs rechecked at a later commit',
    '',
    'Committed `bench prefs` cells rerun with the code of a later commit (same flags, seeds, steps and machine), beside the committed numbers. Deterministic 10-episode evaluation on the true reward; ratio to true-reward PPO with the same PPO settings. Produced by `npm run bench -- prefs-recheck`.',
    '',
    '| task | cell | true-reward PPO | committed (per seed) | now (per seed) | committed mean (ratio) | now mean (ratio) | difference / committed seed std |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const per = (xs: (number | null)[]) => xs.map((x) => (x === null ? '-' : x.toFixed(1))).join(' / ');
    const z = r.committedMean !== null && r.committedSeedStd ? ((r.nowMean - r.committedMean) / r.committedSeedStd).toFixed(2) : '-';
    lines.push(
      `| ${r.env} | ${r.variant} ${r.labels} | ${r.trueReward?.toFixed(1) ?? '-'} | ${per(r.seeds.map((s) => s.committed))} | ${per(r.seeds.map((s) => s.now))} | ${r.committedMean?.toFixed(1) ?? '-'} (${pct(r.committedMean, r.trueReward)}) | ${r.nowMean.toFixed(1)} (${pct(r.nowMean, r.trueReward)}) | ${z} |`,
    );
  }
  lines.push('', '## Provenance', '');
  for (const r of rows) {
    const committed = [...new Set(r.seeds.map((s) => s.committedAt ?? '?'))].join(', ');
    lines.push(`- ${r.env} ${r.variant} ${r.labels}: committed runs at ${committed}; rerun at ${r.provenance.gitCommit ?? '?'} on ${r.provenance.date.slice(0, 10)} with \`${r.provenance.command}\` (${r.provenance.machine.cpu}, ${r.provenance.machine.cores} cores, Node ${r.provenance.machine.node}); ${r.seeds.map((s) => `seed ${s.seed} ${s.nowSeconds.toFixed(0)} s`).join(', ')}.`);
  }
  return `${lines.join('\n')}\n`;
}
