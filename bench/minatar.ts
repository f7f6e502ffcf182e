/**
 * `npm run bench -- minatar`: the MinAtar domain's report (issue 25), bench/results/minatar.{json,md}.
 *
 * Runs (or resumes) the missing cells, each through the CLI as a user would, one process per
 * cell on one thread (OVERSEER_THREADS=1, same numbers as threaded):
 *   - `ppo`: PPO on the game's true score (the MinAtar preset);
 *   - `oracle`: the preference loop with synthetic labels (the oracle teacher), the MinAtar
 *     settings (25-step clips, the conv reward model, r̂ at std 0.05), the paper's schedule;
 *   - `offline`: the same budget, every label asked about the initial (random) policy's clips
 *     before RL (`--initial-label-fraction 1`): the paper's offline-only ablation.
 *   - `oracle-clip50`: `oracle` with 50-step clips (`--segment-length 50`), twice the paper's.
 * and then sets them beside each other, the published numbers, the conformance results
 * (minatar-random.json, the recorded traces) and the conv kernels' throughput (conv.json).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { RESULTS_DIR, provenance, writeResult, type Provenance } from './machine.js';
import type { ClipResult } from './minatarClip.js';
import type { MinAtarRandomResult } from './minatarRandom.js';
import { MINATAR_PPO_PRESET } from '../src/rl/presets.js';
import { openProject } from '../src/store/sqlite.js';
import { ROOT, learningCurve, pool, readMetrics, readSummary } from './train.js';

export const GAMES = ['Asterix', 'Breakout', 'Freeway', 'Seaquest', 'SpaceInvaders'] as const;
export const VARIANTS = ['ppo', 'ppo-rgb', 'ppo-mlp', 'ppo-ac', 'a2c', 'oracle', 'offline', 'oracle-rgb', 'oracle-clip50'] as const;
export type MinAtarVariant = (typeof VARIANTS)[number];
/**
 * RL on the game's score: PPO from the grid, or ('ppo-rgb') from the 40x40 RGB frames a person
 * sees (`obsType: 'rgb'`, the pixel network), or ('ppo-mlp') from the grid through gymnax-blines'
 * network (MLP 2x256, ReLU, over the flat grid) in place of MinAtar's conv network, or
 * ('ppo-ac') through MinAtar's layers with its AC(lambda)'s units (SiLU, dSiLU) in place of its
 * DQN's ReLUs, or A2C from the grid (`train --algo a2c`, the paper's learner on Atari).
 */
const ON_SCORE = { ppo: 'PPO, grid', 'ppo-rgb': 'PPO, RGB frames', 'ppo-mlp': 'PPO, grid, MLP 2x256', 'ppo-ac': 'PPO, grid, SiLU/dSiLU units', a2c: 'A2C, grid' } as const;
/** The true-reward cells a preference cell is set beside: 'oracle-rgb' (policy and reward model on the frames) beside PPO from the frames. */
const baselineOf = (v: MinAtarVariant): MinAtarVariant => (v === 'oracle-rgb' ? 'ppo-rgb' : 'ppo');
/** gymnax-blines' MinAtar network, for 'ppo-mlp'. */
export const GYMNAX_MLP = ['--hp', 'network=mlp', '--hp', 'hidden=[256,256]', '--hp', 'activation=relu'];
const onScore = (v: MinAtarVariant): v is keyof typeof ON_SCORE => v in ON_SCORE;

/**
 * Published final returns. MinAtar (Young & Tian 2019): its README's learning curves (30 runs,
 * moving average over 100 episodes, read off the plot at 5M frames, so about +-0.5; Space
 * Invaders +-5). gymnax's README prints PPO checkpoints' returns on its JAX ports (10M steps, an
 * MLP). Pgx's minatar-ppo plots (20M steps, its ports; read off the plot, x axis in seconds).
 */
export const PUBLISHED: Record<string, { dqn: number; ac: number; gymnaxPpo: number | null; pgxPpo: number }> = {
  Asterix: { dqn: 17, ac: 19.5, gymnaxPpo: 15, pgxPpo: 22 },
  Breakout: { dqn: 10, ac: 17.5, gymnaxPpo: 28, pgxPpo: 50 },
  Freeway: { dqn: 50, ac: 47.5, gymnaxPpo: 58, pgxPpo: 63 },
  Seaquest: { dqn: 20, ac: 16, gymnaxPpo: null, pgxPpo: 54 },
  SpaceInvaders: { dqn: 43, ac: 185, gymnaxPpo: 131, pgxPpo: 145 },
};
export const PUBLISHED_SOURCES = [
  'DQN, AC(λ=0.8): Young & Tian 2019 (arXiv:1903.03176), the learning curves in MinAtar\'s README (github.com/kenjyoung/MinAtar img/learning_curves.gif, 30 runs, average of the last 100 episodes at 5M frames; read off the plot, about ±0.5, Space Invaders ±5; Seaquest for MinAtar ≤ 1.0.10).',
  'gymnax PPO: github.com/RobertTLange/gymnax README (printed checkpoint returns; gymnax-blines PPO, 10M steps, MLP 2×256 on the flat grid, its JAX ports).',
  'Pgx PPO: Koyamada et al. 2023 (arXiv:2303.17503), github.com/sotetsuk/pgx examples/minatar-ppo plots (20M steps by default, its ports; evaluation return read off the final point).',
];

/**
 * The MinAtar PPO presets cells were trained under (src/rl/presets.ts), by the name their cells
 * carry. A changed preset gets a new name, so its cells sit beside the earlier ones, not among them.
 */
export const PPO_PRESETS: Record<string, string> = {
  pgx8: "Pgx's minatar-ppo scaled to a CPU: 8 envs x 128 steps, 4 minibatches of 256, 3 epochs, lr 3e-4 (the preset until 2026-12)",
  gymnax64: "gymnax-blines' MinAtar PPO: 64 envs x 128 steps, 8 minibatches of 1,024, 4 epochs, lr 5e-4, gamma 0.99",
};
/** Cells written before presets had names. */
const LEGACY_PRESET = 'pgx8';

export interface CellSpec {
  game: string;
  /** The PPO preset's name (PPO_PRESETS); the bench trains only the current one. */
  preset: string;
  variant: MinAtarVariant;
  /** Label budget (null for `ppo`). */
  labels: number | null;
  steps: number;
  seed: number;
}

export interface CellResult extends CellSpec {
  /** The CLI's deterministic evaluation on the true score after training. */
  evalMean: number;
  evalStd: number;
  evalReturns: number[];
  /** Mean true return of the training episodes that ended in the last 10% of the run's steps. */
  finalTrainingReturn: number | null;
  /** Preference runs: the learned (normalised) return of those episodes, and the last fit's correlation of predicted and true clip returns. */
  finalLearnedReturn: number | null;
  finalReturnCorrelation: number | null;
  labelsUsed: number | null;
  /**
   * Preference runs: the share of their labels answered "equal" (for the oracle, both clips
   * scored the same), which tell the reward model only that two clips are worth the same. Absent
   * in cells collected before it was counted.
   */
  tieShare?: number | null;
  trainSeconds: number;
  stepsPerSecond: number;
  curve: [number, number][];
}

export interface MinAtarResult {
  provenance: Provenance;
  cells: CellResult[];
}

export function cellDir(c: CellSpec, root = ROOT): string {
  const name = onScore(c.variant) ? `${c.variant}-${c.steps}` : `${c.variant}-${c.labels}-${c.steps}`;
  // The first preset's cells predate the preset level of the tree.
  const preset = c.preset === LEGACY_PRESET ? [] : [c.preset];
  return join(root, 'bench', 'runs', 'minatar', c.game, ...preset, name, `seed${c.seed}`);
}

/** The CLI arguments of a fresh cell. */
export function cellArgs(c: CellSpec, out: string, episodes: number): string[] {
  const env = `MinAtar/${c.game}-v1`;
  const common = ['--env', env, '--seed', String(c.seed), '--steps', String(c.steps), '--out', out, '--eval-episodes', String(episodes), '--no-progress'];
  if (c.variant === 'ppo') return ['train', ...common];
  if (c.variant === 'ppo-rgb') return ['train', ...common, '--env-kwargs', JSON.stringify({ obsType: 'rgb' })];
  if (c.variant === 'ppo-mlp') return ['train', ...common, ...GYMNAX_MLP];
  if (c.variant === 'ppo-ac') return ['train', ...common, '--hp', 'network=minatar-ac'];
  if (c.variant === 'a2c') return ['train', ...common, '--algo', 'a2c'];
  const prefs = ['prefs', ...common, '--teacher', 'oracle', '--labels', String(c.labels)];
  if (c.variant === 'oracle-rgb') return [...prefs, '--env-kwargs', JSON.stringify({ obsType: 'rgb' })];
  // Twice the paper's clip: long enough for a Freeway crossing (>= 25 frames) to fit in one.
  if (c.variant === 'oracle-clip50') return [...prefs, '--segment-length', '50'];
  return c.variant === 'offline' ? [...prefs, '--initial-label-fraction', '1'] : prefs;
}

function finished(out: string): boolean {
  return readSummary(out)?.status === 'finished';
}

function runCli(args: string[]): Promise<void> {
  const cli = join(ROOT, 'src', 'cli', 'main.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: ROOT, env: { ...process.env, OVERSEER_THREADS: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`overseer ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Claims a cell's directory for this process with a lock file holding its pid, so that two
 * `bench minatar` processes whose cell lists overlap never train (or resume) one cell at once.
 * A lock whose process has gone (killed) is taken over. Returns the pid holding it when it is
 * another live process, else null and the cell is ours until `release` runs.
 */
export function claimCell(dir: string): { holder: number | null; release: () => void } {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'cell.lock');
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { holder: null, release: () => unlinkSync(lock) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid: number;
    try {
      pid = Number(readFileSync(lock, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    // An empty file is a claim still being written: a live holder.
    if (pid > 0 && pid !== process.pid && !alive(pid)) {
      unlinkSync(lock);
      continue;
    }
    return { holder: pid || -1, release: () => {} };
  }
}

/**
 * Trains a cell, or resumes it if an earlier bench was stopped part-way. Returns false, leaving
 * the cell alone, when another bench process is running it.
 */
export async function runCell(c: CellSpec, episodes: number, log: (line: string) => void = console.log): Promise<boolean> {
  const out = cellDir(c);
  if (finished(out)) return true;
  const claim = claimCell(out);
  if (claim.holder !== null) {
    log(`${out} is being run by process ${claim.holder}; skipped here (run the bench again when it has finished to collect it)`);
    return false;
  }
  try {
    if (finished(out)) return true; // finished by the holder we just followed
    const resumable = existsSync(join(out, 'config.json'));
    await runCli(resumable ? [onScore(c.variant) ? 'train' : 'prefs', '--resume', out, '--no-progress'] : cellArgs(c, out, episodes));
    return true;
  } finally {
    claim.release();
  }
}

/** Weighted mean of `key` over the metrics rows in the last 10% of steps (each row weighs its finished episodes). */
function tailMean(rows: Record<string, unknown>[], steps: number, x: string, key: string): number | null {
  let sum = 0;
  let n = 0;
  for (const r of rows) {
    const v = r[key];
    const k = (r.episodesFinished as number | undefined) ?? 1;
    if ((r[x] as number) <= 0.9 * steps || typeof v !== 'number' || k === 0) continue;
    sum += v * k;
    n += k;
  }
  return n === 0 ? null : sum / n;
}

/** A finished cell's numbers, read from its run directory. */
export function collectCell(c: CellSpec): CellResult | null {
  const out = cellDir(c);
  const summary = readSummary(out) as (ReturnType<typeof readSummary> & { labels?: number; labelsUsed?: number }) | null;
  if (summary?.status !== 'finished' || !summary.eval) return null;
  const rows = readMetrics<Record<string, unknown>>(out);
  const prefs = !onScore(c.variant);
  const x = prefs ? 'envSteps' : 'globalStep';
  const last = rows.at(-1) ?? {};
  return {
    ...c,
    evalMean: summary.eval.mean,
    evalStd: summary.eval.std,
    evalReturns: (summary.eval as { returns?: number[] }).returns ?? [],
    finalTrainingReturn: tailMean(rows, c.steps, x, prefs ? 'trueReturn' : 'episodicReturn'),
    finalLearnedReturn: prefs ? tailMean(rows, c.steps, x, 'learnedReturn') : null,
    finalReturnCorrelation: prefs ? ((rows.filter((r) => typeof r.returnCorrelation === 'number').at(-1)?.returnCorrelation as number | undefined) ?? null) : null,
    labelsUsed: prefs ? ((last.labels as number | undefined) ?? null) : null,
    tieShare: prefs ? tieShareOf(out) : null,
    trainSeconds: summary.trainSeconds,
    stepsPerSecond: Math.round(c.steps / summary.trainSeconds),
    curve: learningCurve(out, 5, 40, x, prefs ? 'trueReturn' : 'episodicReturn'),
  };
}

/** The share of a preference run's stored labels answered "equal"; null when its project database is not in its directory. */
export function tieShareOf(runDir: string): number | null {
  if (!existsSync(join(runDir, 'overseer.db'))) return null;
  const { store } = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { store?: { runId?: string } };
  if (store?.runId === undefined) return null;
  const project = openProject(runDir);
  try {
    const labels = project.labelsSince(store.runId, 0);
    return labels.length === 0 ? null : labels.filter((l) => l.answer === 'equal').length / labels.length;
  } finally {
    project.close();
  }
}

export function cellsOf(games: string[], variants: MinAtarVariant[], labels: number[], steps: number, seeds: number[]): CellSpec[] {
  const cells: CellSpec[] = [];
  for (const seed of seeds)
    for (const game of games)
      for (const variant of variants) {
        if (onScore(variant)) cells.push({ game, preset: MINATAR_PPO_PRESET, variant, labels: null, steps, seed });
        else for (const l of labels) cells.push({ game, preset: MINATAR_PPO_PRESET, variant, labels: l, steps, seed });
      }
  return cells;
}

function sameCell(a: CellSpec, b: CellSpec): boolean {
  return a.game === b.game && a.preset === b.preset && a.variant === b.variant && a.labels === b.labels && a.steps === b.steps && a.seed === b.seed;
}

/**
 * `pool`, except that a job that throws is logged and named in the result (as `name: message`)
 * while the other jobs go on: one cell's crash must not cost the cells running beside it.
 */
export async function poolGoingOn<T>(items: T[], parallel: number, name: (item: T) => string, log: (line: string) => void, job: (item: T) => Promise<void>): Promise<string[]> {
  const failed: string[] = [];
  await pool(items, parallel, async (item) => {
    try {
      await job(item);
    } catch (e) {
      failed.push(`${name(item)}: ${e instanceof Error ? e.message : String(e)}`);
      log(`${failed.at(-1)} (failed; the other cells go on)`);
    }
  });
  return failed;
}

/**
 * Runs the missing cells, then merges every finished one into minatar.json (earlier cells are
 * kept); a cell that fails is left out and named in the error thrown after the merge. With
 * `collectOnly`, trains nothing: merges the cells whose run directories have finished
 * (e.g. trained by another bench process) and names the rest.
 */
export async function benchMinatar(cells: CellSpec[], parallel: number, episodes: number, argv: string[], log = console.log, collectOnly = false): Promise<MinAtarResult> {
  for (const c of cells) {
    if (!(GAMES as readonly string[]).includes(c.game)) throw new Error(`unknown MinAtar game ${c.game}; known: ${GAMES.join(', ')}`);
  }
  if (collectOnly) for (const c of cells) if (!finished(cellDir(c))) log(`${cellDir(c)}: not finished; left out`);
  const failed = await poolGoingOn(collectOnly ? [] : cells, parallel, (c) => cellDir(c), log, async (c) => {
    const started = Date.now();
    if (!(await runCell(c, episodes, log))) return;
    const r = collectCell(c);
    log(`${c.game} ${c.variant}${c.labels === null ? '' : ` ${c.labels} labels`} seed ${c.seed}: eval ${r?.evalMean.toFixed(2)} +- ${r?.evalStd.toFixed(2)} (${((Date.now() - started) / 60000).toFixed(1)} min)`);
  });
  const previous = loadMinatar();
  const fresh = cells.map(collectCell).filter((r): r is CellResult => r !== null);
  const kept = (previous?.cells ?? []).filter((p) => !fresh.some((f) => sameCell(f, p)));
  const result: MinAtarResult = { provenance: provenance(argv), cells: [...kept, ...fresh] };
  writeMinatar(result);
  if (failed.length > 0) throw new Error(`${failed.length} cell(s) failed; the finished ones are merged into minatar.json:\n  ${failed.join('\n  ')}`);
  return result;
}

export function loadMinatar(): MinAtarResult | null {
  const path = join(RESULTS_DIR, 'minatar.json');
  if (!existsSync(path)) return null;
  const result = JSON.parse(readFileSync(path, 'utf8')) as MinAtarResult;
  for (const c of result.cells) c.preset ??= LEGACY_PRESET;
  return result;
}

function readJson<T>(name: string): T | null {
  const path = join(RESULTS_DIR, `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)));
const fmt = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? '–' : x.toFixed(d));

/** Mean ± sd over seeds of a group of cells, with the seeds' own values. */
function seedsCell(cs: CellResult[], pick: (c: CellResult) => number | null): string {
  const xs = cs.map(pick).filter((v): v is number => v !== null);
  if (xs.length === 0) return '–';
  const each = xs.length > 1 ? ` (${xs.map((v) => fmt(v, 1)).join(', ')})` : '';
  return `${fmt(mean(xs))}${xs.length > 1 ? ` ± ${fmt(sd(xs))}` : ''}${each}`;
}

/** The recorded conformance traces, per file: how many and how long. */
function traceSummary(): { file: string; traces: number; steps: number }[] {
  const dir = join(ROOT, 'src', 'envs', 'minatar', 'traces');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json.gz'))
    .sort()
    .map((file) => {
      const { traces } = JSON.parse(gunzipSync(readFileSync(join(dir, file))).toString('utf8')) as { traces: { steps: unknown[] }[] };
      return { file, traces: traces.length, steps: traces.reduce((s, t) => s + t.steps.length, 0) };
    });
}

export function minatarMarkdown(result: MinAtarResult, notes: string | null): string {
  const cells = result.cells;
  const group = (game: string, preset: string, variant: MinAtarVariant, labels: number | null, steps: number) =>
    cells.filter((c) => c.game === game && c.preset === preset && c.variant === variant && c.labels === labels && c.steps === steps).sort((a, b) => a.seed - b.seed);
  const presets = [...new Set(cells.map((c) => c.preset))].sort((a, b) => Object.keys(PPO_PRESETS).indexOf(a) - Object.keys(PPO_PRESETS).indexOf(b));
  const lines: string[] = [];
  lines.push('# MinAtar: games from the grid, a convolutional reward model, and preferences on them');
  lines.push('');
  lines.push(`Cells merged over runs; the last: \`${result.provenance.command}\` at ${result.provenance.gitCommit ?? '?'}, ${result.provenance.date}; ${result.provenance.machine.cpu}, ${result.provenance.machine.cores} cores, Node ${result.provenance.machine.node}. Every cell is one CLI process on one thread (OVERSEER_THREADS=1), its run directory under bench/runs/minatar/<game>/<preset>/<variant>/seed<n> (the first preset\'s without the <preset> level).`);
  lines.push('');

  lines.push('## 1. Conformance');
  lines.push('');
  const traces = traceSummary();
  lines.push(`Traces recorded by running MinAtar 1.0.15 (kenjyoung/MinAtar 4241f24) with \`python3 scripts/minatar/record_traces.py <MinAtar> src/envs/minatar/traces\` replay observation by observation and reward by reward in \`src/envs/minatar/*.test.ts\`: ${traces.map((t) => `${t.file} (${t.traces} traces, ${t.steps} steps)`).join(', ')}.`);
  lines.push('');
  const random = readJson<MinAtarRandomResult>('minatar-random');
  if (random) {
    lines.push(`Random-policy returns (\`${random.provenance.command}\`, ${random.provenance.gitCommit}), against MinAtar's Python run here (${random.pythonRecordedWith}) and its README:`);
    lines.push('');
    lines.push('| game | episodes | ours | MinAtar (Python, here) | MinAtar README | z |');
    lines.push('|---|---|---|---|---|---|');
    for (const r of random.rows) {
      lines.push(`| ${r.game} | ${r.episodes} | ${fmt(r.mean, 3)} ± ${fmt(r.stderr, 3)} | ${r.python ? `${fmt(r.python.mean, 3)} ± ${fmt(r.python.stderr, 3)}` : '–'} | ${r.readme ? `${r.readme.mean} ± ${r.readme.stderr}` : '–'} | ${fmt(r.z)} |`);
    }
    lines.push('');
  }

  lines.push('## 2. Convolutions: WebAssembly SIMD against plain TypeScript');
  lines.push('');
  const conv = readJson<{ provenance: Provenance; cells: { net: string; backend: string; batch: number; mode: string; samplesPerSecond: number }[] }>('conv');
  lines.push('Gradients are checked by finite differences in both backends (src/nn/conv.test.ts: Conv2d with stride and padding, ConvNet, MinAtar\'s and the pixel network; src/prefs/rewardModelConv.test.ts: the conv reward model).');
  if (conv?.cells) {
    lines.push(`Throughput from \`${conv.provenance.command}\` at ${conv.provenance.gitCommit} (conv.md has the wall-clock table too), samples per CPU-second:`);
    lines.push('');
    lines.push('| network | batch | forward: wasm / js | forward + backward: wasm / js |');
    lines.push('|---|---|---|---|');
    const at = (net: string, batch: number, mode: string, backend: string) => conv.cells.find((c) => c.net === net && c.batch === batch && c.mode === mode && c.backend === backend)?.samplesPerSecond ?? NaN;
    const pairs = [...new Set(conv.cells.map((c) => `${c.net}|${c.batch}`))];
    for (const pair of pairs) {
      const [net, b] = pair.split('|');
      const batch = Number(b);
      const modes = [...new Set(conv.cells.filter((c) => c.net === net).map((c) => c.mode))];
      const cell = (mode: string) => {
        const w = at(net, batch, mode, 'wasm');
        const j = at(net, batch, mode, 'js');
        return `${Math.round(w)} / ${Math.round(j)} (${(w / j).toFixed(1)}x)`;
      };
      lines.push(`| ${net} | ${batch} | ${cell(modes[0])} | ${modes[1] ? cell(modes[1]) : '–'} |`);
    }
  } else lines.push('See conv.md.');
  lines.push('');

  lines.push('## 3. True-reward PPO beside the published numbers');
  lines.push('');
  lines.push('Ours: MinAtar\'s network under a PPO preset (src/rl/presets.ts); "eval" = 10 episodes of the deterministic policy after training, "training" = the mean return of training episodes ending in the last 10% of the steps (as MinAtar\'s curves average the last 100 episodes). A frame is an env step (MinAtar has no frame skip).');
  lines.push('');
  lines.push('PPO presets:');
  for (const p of presets) lines.push(`- \`${p}\`${p === MINATAR_PPO_PRESET ? ' (current)' : ''}: ${PPO_PRESETS[p] ?? 'unknown'}`);
  lines.push('');
  lines.push('| game | preset | learner | frames | seeds | ours: eval | ours: training (last 10%) | steps/s | MinAtar DQN (5M) | MinAtar AC(λ) (5M) | gymnax PPO (10M) | Pgx PPO (20M) |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const ppoSteps = [...new Set(cells.filter((c) => onScore(c.variant)).map((c) => c.steps))].sort((a, b) => a - b);
  for (const game of GAMES)
    for (const preset of presets)
      for (const variant of Object.keys(ON_SCORE) as (keyof typeof ON_SCORE)[])
        for (const steps of ppoSteps) {
          const g = group(game, preset, variant, null, steps);
          if (g.length === 0) continue;
          const p = PUBLISHED[game];
          lines.push(`| ${game} | ${variant === 'a2c' ? 'Baselines A2C (`a2cSettings`)' : preset} | ${ON_SCORE[variant]} | ${steps.toLocaleString('en-US')} | ${g.map((c) => c.seed).join(',')} | ${seedsCell(g, (c) => c.evalMean)} | ${seedsCell(g, (c) => c.finalTrainingReturn)} | ${Math.round(mean(g.map((c) => c.stepsPerSecond)))} | ~${p.dqn} | ~${p.ac} | ${p.gymnaxPpo ?? '–'} | ~${p.pgxPpo} |`);
        }
  lines.push('');
  for (const s of PUBLISHED_SOURCES) lines.push(`- ${s}`);
  lines.push('');

  lines.push('## 4. Preferences against true-reward PPO, and the offline-only ablation');
  lines.push('');
  lines.push('Synthetic labels (the oracle teacher: the larger true clip return wins) with the paper\'s Atari settings at MinAtar scale: 25-step clips, an ensemble of 3 conv reward models (MinAtar\'s network over the grid plus the action as planes), r̂ to PPO at std 0.05, disagreement selection, 25% of the labels on the random policy\'s clips and the rest at the paper\'s rate. "offline": every label on the random policy\'s clips before RL (`--initial-label-fraction 1`), so the reward model never sees what the policy later does. "oracle-rgb": online labels with the policy and the reward model on the 40x40 RGB frames (the pixel network; `--env-kwargs \'{"obsType":"rgb"}\'`). "oracle-clip50": online labels on 50-step clips (`--segment-length 50`), twice the paper\'s length. "vs PPO": our eval mean over true-reward PPO\'s at the same frames and seeds (for "oracle-rgb", PPO from the frames). "learned" is the normalised learned return of the late training episodes; "corr" the last fit\'s correlation of predicted and true clip returns over the rollout\'s clips; "ties" the share of the labels answered "equal" (both clips scored the same, so the label says only that they are worth the same; – where not counted).');
  lines.push('');
  lines.push('| game | preset | frames | labels | variant | seeds | eval (true score) | vs PPO | training (last 10%) | learned (last 10%) | corr | ties (%) | steps/s |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const prefCells = cells.filter((c) => !onScore(c.variant));
  const keys = [...new Set(prefCells.map((c) => `${c.game}|${c.preset}|${c.steps}|${c.labels}|${c.variant}`))].sort();
  for (const key of keys) {
    const [game, preset, stepsS, labelsS, variant] = key.split('|');
    const steps = Number(stepsS);
    const g = group(game, preset, variant as MinAtarVariant, Number(labelsS), steps);
    const ppo = group(game, preset, baselineOf(variant as MinAtarVariant), null, steps).filter((p) => g.some((c) => c.seed === p.seed));
    const ratio = ppo.length > 0 ? `${Math.round((100 * mean(g.filter((c) => ppo.some((p) => p.seed === c.seed)).map((c) => c.evalMean))) / mean(ppo.map((p) => p.evalMean)))}%` : '–';
    lines.push(`| ${game} | ${preset} | ${steps.toLocaleString('en-US')} | ${labelsS} | ${variant} | ${g.map((c) => c.seed).join(',')} | ${seedsCell(g, (c) => c.evalMean)} | ${ratio} | ${seedsCell(g, (c) => c.finalTrainingReturn)} | ${seedsCell(g, (c) => c.finalLearnedReturn)} | ${seedsCell(g, (c) => c.finalReturnCorrelation)} | ${seedsCell(g, (c) => (c.tieShare == null ? null : 100 * c.tieShare))} | ${Math.round(mean(g.map((c) => c.stepsPerSecond)))} |`);
  }
  lines.push('');
  const clips = readJson<Record<string, ClipResult>>('minatar-clips');
  if (clips && Object.keys(clips).length > 0) {
    lines.push('## 5. What the final policies do, and what their reward models pay for it');
    lines.push('');
    lines.push('`npm run bench -- minatar-clip --run <dir> --name <name>`: the final policy played deterministically (episode k reset with seed 1000000 + the run\'s seed + k, cut at the step cap), every step scored by the true reward and by the run\'s own learned reward r̂ as RL got it (std 0.05, not centred once terminations were seen). "where the player is": the rows (0 at the top) the game\'s first channel spends 10% or more of the steps in, with the actions taken and r̂ per step there. "r̂ by action": r̂ per step for each action had the policy taken it, over the policy\'s own states, so a model that pays for an action itself shows it. The picture is the stretch of frames the reward model pays most for.');
    lines.push('');
    lines.push('| name | run | episodes | mean length | true score per episode | true per step | r̂ per step | actions | r̂ by action | where the player is | picture |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const [name, c] of Object.entries(clips)) {
      const lengths = c.episodes.map((e) => e.length);
      const scores = c.episodes.map((e) => e.trueReturn);
      const capped = c.episodes.filter((e) => e.capped).length;
      const shares = (x: Record<string, number>) => Object.entries(x).map(([a, v]) => `${a} ${Math.round(100 * v)}%`).join(', ');
      const where = `${c.player.channel}: ${c.player.rows
        .filter((r) => r.share >= 0.1)
        .map((r) => `${r.row === null ? 'absent' : `row ${r.row}`} ${Math.round(100 * r.share)}% (${shares(r.actionShares)}; r̂ ${fmt(r.learnedPerStep, 3)})`)
        .join('; ')}`;
      lines.push(`| ${name} | ${c.run} | ${c.episodes.length}${capped ? ` (${capped} cut at ${c.maxSteps})` : ''} | ${fmt(mean(lengths), 1)} | ${fmt(mean(scores))} ± ${fmt(sd(scores))} | ${fmt(c.truePerStep, 3)} | ${fmt(c.learnedPerStep, 3)} | ${shares(c.actionShares)} | ${c.learnedByAction ? Object.entries(c.learnedByAction).map(([a, v]) => `${a} ${fmt(v, 3)}`).join(', ') : '–'} | ${where} | [${c.picture.path}](../../${c.picture.path}) |`);
    }
    lines.push('');
  }
  if (notes) {
    lines.push(notes.trim());
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export function writeMinatar(result: MinAtarResult, notesFile = join(ROOT, 'bench', 'minatar-notes.md')): void {
  writeResult('minatar', result);
  const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : null;
  writeFileSync(join(RESULTS_DIR, 'minatar.md'), minatarMarkdown(result, notes));
}
