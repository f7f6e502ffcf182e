/**
 * `npm run bench -- prefs-recheck --env Hopper-v5,HalfCheetah-v5 --labels 700 [--seeds 1,2,3] [--reference DIR]`:
 * reruns committed `bench prefs` cells with the code as it is now, in run directories of their
 * own (bench/runs/recheck/...), and sets the new numbers beside the committed ones. For changes
 * that should not move learning (a refactor) but are not bit-identical: the same numbers within
 * seed noise is the bar. With `--reference DIR` (a checkout of an earlier commit, its
 * dependencies installed) the same runs are also made with that code, on this machine, so
 * before and after can be compared on seeds the committed results do not have. prefs.json is
 * left untouched. Writes bench/results/prefs-recheck.{json,md}; seeds and cells of earlier
 * invocations are kept unless rerun.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { RESULTS_DIR, provenance, writeResult, type Provenance } from './machine.js';
import { VARIANTS, commandLine, loadResults, runPrefs, scoreRatio, variantFlags } from './prefs.js';
import { ROOT, pool } from './train.js';

interface SeedOutcome {
  seed: number;
  /** The committed run's evaluation (prefs.json), and its commit. */
  committed: number | null;
  committedAt: string | null;
  /** The reference checkout's run made here (null when not run). */
  reference: number | null;
  referenceAt: string | null;
  /** This code's run. */
  now: number | null;
  nowAt: string | null;
  nowSeconds: number | null;
}

interface RecheckRow {
  env: string;
  variant: string;
  labels: number;
  steps: number;
  /** True-reward PPO with the same settings (the cell's comparison in prefs.json). */
  trueReward: number | null;
  seeds: SeedOutcome[];
  provenance: Provenance[];
}

const JSON_NAME = 'prefs-recheck';

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function std(xs: number[]): number | null {
  const m = mean(xs);
  return m === null || xs.length < 2 ? null : Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

function gitCommitOf(dir: string): string | null {
  try {
    return execSync(`git -C ${JSON.stringify(dir)} rev-parse --short HEAD`, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

export async function benchRecheck(envs: string[], variant: string, labels: number, seeds: number[], episodes: number, parallel: number, reference: string | null, argv: string[], referenceOnly = false): Promise<void> {
  const v = VARIANTS[variant];
  if (!v) throw new Error(`unknown variant ${variant}; known: ${Object.keys(VARIANTS).join(', ')}`);
  if (reference !== null && !existsSync(join(reference, 'src', 'cli', 'main.ts'))) throw new Error(`--reference ${reference}: not a checkout of this project (no src/cli/main.ts)`);
  const results = loadResults();
  if (parallel > 1) process.env.OVERSEER_THREADS = '1';
  const prov = provenance(argv);
  const refCommit = reference === null ? null : gitCommitOf(reference);
  const jobs = envs.flatMap((env) => {
    const task = results[env];
    if (!task) throw new Error(`bench/results/prefs.json has no ${env}: nothing to recheck`);
    const which = reference === null ? (['now'] as const) : referenceOnly ? (['reference'] as const) : (['reference', 'now'] as const);
    return which.flatMap((code) => seeds.map((seed) => ({ env, seed, steps: task.steps, code })));
  });
  const outcomes = new Map<string, { mean: number; seconds: number }>();
  await pool(jobs, parallel, async ({ env, seed, steps, code }) => {
    const out = join(ROOT, 'bench', 'runs', code === 'now' ? 'recheck' : 'recheck-reference', env, `${variant}-${labels}`, `seed${seed}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, '..'), { recursive: true });
    const args = commandLine(variantFlags(env, v, labels, seed, steps, episodes), out);
    // An earlier checkout's CLI knows the budget as --labels.
    await (code === 'now' ? runPrefs(args) : runPrefs(args.map((a) => (a === '--label-budget' ? '--labels' : a)), process.env, reference!));
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { eval: { mean: number }; trainSeconds: number };
    outcomes.set(`${code}/${env}/${seed}`, { mean: s.eval.mean, seconds: s.trainSeconds });
    console.log(`${env} ${variant} ${labels} seed ${seed} (${code === 'now' ? 'this code' : `reference ${refCommit ?? reference}`}): eval ${s.eval.mean.toFixed(1)} (${s.trainSeconds.toFixed(0)} s)`);
  });

  const path = join(RESULTS_DIR, `${JSON_NAME}.json`);
  const rows: RecheckRow[] = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { rows: RecheckRow[] }).rows : [];
  for (const env of envs) {
    const task = results[env]!;
    const cell = task.cells.find((c) => c.variant === variant && c.labels === labels);
    const comparison = task.baselines?.find((b) => JSON.stringify(b.hp ?? []) === JSON.stringify(cell?.hp ?? [])) ?? task.baseline;
    let row = rows.find((r) => r.env === env && r.variant === variant && r.labels === labels);
    if (!row) {
      row = { env, variant, labels, steps: task.steps, trueReward: comparison?.mean ?? null, seeds: [], provenance: [] };
      rows.push(row);
    }
    row.trueReward = comparison?.mean ?? null;
    row.provenance.push(prov);
    for (const seed of seeds) {
      const old = cell?.runs.find((r) => r.seed === seed);
      const now = outcomes.get(`now/${env}/${seed}`);
      const ref = outcomes.get(`reference/${env}/${seed}`);
      const before = row.seeds.find((s) => s.seed === seed);
      const outcome: SeedOutcome = {
        seed,
        committed: old?.evalMean ?? null,
        committedAt: old?.commit ?? null,
        reference: ref?.mean ?? before?.reference ?? null,
        referenceAt: ref ? refCommit : (before?.referenceAt ?? null),
        now: now?.mean ?? before?.now ?? null,
        nowAt: now ? prov.gitCommit : (before?.nowAt ?? null),
        nowSeconds: now?.seconds ?? before?.nowSeconds ?? null,
      };
      row.seeds = [...row.seeds.filter((s) => s.seed !== seed), outcome].sort((a, b) => a.seed - b.seed);
    }
  }
  writeResult(JSON_NAME, { rows });
  writeFileSync(join(RESULTS_DIR, `${JSON_NAME}.md`), recheckMarkdown(rows));
}

/** Before a change, per seed: the reference rerun here when there is one, else the committed run. */
const beforeOf = (s: SeedOutcome) => s.reference ?? s.committed;

export function recheckMarkdown(rows: RecheckRow[]): string {
  const pct = (x: number | null, ppo: number | null) => (x === null || ppo === null ? '-' : `${Math.round(100 * scoreRatio(x, ppo))}%`);
  const num = (x: number | null) => (x === null ? '-' : x.toFixed(1));
  const lines = [
    '# Preference runs rechecked at a later commit',
    '',
    'Committed `bench prefs` cells rerun with the code of a later commit (same flags, seeds and steps), beside the committed numbers and, where run, the earlier code rerun on the same machine (`--reference`). Deterministic 10-episode evaluation on the true reward; ratio to true-reward PPO with the same PPO settings. Produced by `npm run bench -- prefs-recheck`; the machines are under Provenance.',
    '',
    '"Before" per seed is the earlier code rerun here where there is one, else the committed run. The means compare the same seeds; the last column is the difference of the means in units of the standard deviation across the before seeds.',
    '',
    '| task | cell | true-reward PPO | seed | committed | earlier code, rerun here | this code |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    for (const s of r.seeds) lines.push(`| ${r.env} | ${r.variant} ${r.labels} | ${num(r.trueReward)} | ${s.seed} | ${num(s.committed)} | ${num(s.reference)} | ${num(s.now)} |`);
  }
  lines.push('', '| task | cell | seeds | before: mean (ratio) | this code: mean (ratio) | difference / before seed std |', '|---|---|---|---|---|---|');
  for (const r of rows) {
    const both = r.seeds.filter((s) => beforeOf(s) !== null && s.now !== null);
    const before = both.map((s) => beforeOf(s)!);
    const now = both.map((s) => s.now!);
    const mb = mean(before);
    const mn = mean(now);
    const sd = std(before);
    const z = mb !== null && mn !== null && sd ? ((mn - mb) / sd).toFixed(2) : '-';
    lines.push(`| ${r.env} | ${r.variant} ${r.labels} | ${both.map((s) => s.seed).join(', ')} | ${num(mb)} (${pct(mb, r.trueReward)}) | ${num(mn)} (${pct(mn, r.trueReward)}) | ${z} |`);
  }
  lines.push('', '## Provenance', '');
  for (const r of rows) {
    const commits = (key: 'committedAt' | 'referenceAt' | 'nowAt', values: 'committed' | 'reference' | 'now') =>
      r.seeds
        .filter((s) => s[values] !== null)
        .map((s) => `seed ${s.seed} ${s[key] ?? '?'}`)
        .join(', ') || '-';
    lines.push(`- ${r.env} ${r.variant} ${r.labels}: committed runs at ${commits('committedAt', 'committed')}; earlier code rerun at ${commits('referenceAt', 'reference')}; this code at ${commits('nowAt', 'now')}.`);
    for (const p of r.provenance) lines.push(`  - \`${p.command}\` on ${p.date.slice(0, 10)} at ${p.gitCommit ?? '?'} (${p.machine.cpu}, ${p.machine.cores} cores, Node ${p.machine.node})`);
  }
  return `${lines.join('\n')}\n`;
}
