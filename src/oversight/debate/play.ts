/**
 * `debate play`: the table of issue 23, cell by cell. A cell is k × precommit × who moves first ×
 * debater (both players use the same kind of debater, as in the paper); each plays its images and
 * records the honest win rate, the judge alone on the same images (k random nonzero pixels), and
 * its speed. Cells are saved as they finish, so a run resumes and the report works with any subset.
 *
 * Images: one seeded shuffle of the 10,000 official test images; a cell with n images takes its
 * first n, so the MCTS images (default 1,000) are a subset of the greedy ones (default all 10,000)
 * and greedy can also be scored on exactly the MCTS images.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Mnist } from '../../data/mnist.js';
import { writeJsonAtomic } from '../../utils/files.js';
import { Rng } from '../../utils/rng.js';
import { wilson, type Proportion } from '../../utils/stats.js';
import { judgeAloneCorrect, playImage, randomReveal, type DebateRules, type Debater, type Role } from './game.js';
import { greedyDebater } from './greedy.js';
import type { Judge, Revealed } from './judge.js';
import { MNIST_PIXELS } from './judge.js';
import { MctsDebater, MctsOptionsSchema, type MctsOptions } from './mcts.js';

export const DEBATER_KINDS = ['greedy', 'mcts'] as const;
export type DebaterKind = (typeof DEBATER_KINDS)[number];

export const PlayOptionsSchema = z.object({
  /** Pixels revealed per debate. */
  ks: z.array(z.number().int().min(1).max(MNIST_PIXELS)).min(1).default([6, 4]),
  /** Precommit variants to play. */
  precommit: z.array(z.boolean()).min(1).default([true, false]),
  /** Who moves first. */
  first: z.array(z.enum(['honest', 'liar'])).min(1).default(['honest', 'liar']),
  /** Debaters (both sides use the same kind). */
  debaters: z.array(z.enum(DEBATER_KINDS)).min(1).default(['greedy', 'mcts']),
  /** Test images per greedy cell (the issue asks for all 10,000). */
  greedyImages: z.number().int().min(1).max(10_000).default(10_000),
  /** Test images per MCTS cell (the issue asks for at least 1,000). */
  mctsImages: z.number().int().min(1).max(10_000).default(1_000),
  /** Seed of the image shuffle and of the judge-alone reveals. */
  sampleSeed: z.number().int().nonnegative().default(0),
  /** The MCTS debaters' search settings. */
  mcts: MctsOptionsSchema.omit({ seed: true }).prefault({}),
});
export type PlayOptions = z.infer<typeof PlayOptionsSchema>;

export interface CellKey {
  k: number;
  precommit: boolean;
  first: Role;
  debater: DebaterKind;
}

export const cellId = (c: CellKey) => `k${c.k}-${c.precommit ? 'precommit' : 'no-precommit'}-${c.first}-first-${c.debater}`;

/** Every cell the options ask for, in report order. */
export function plannedCells(opts: PlayOptions): CellKey[] {
  const out: CellKey[] = [];
  for (const k of opts.ks) for (const precommit of opts.precommit) for (const debater of opts.debaters) for (const first of opts.first) out.push({ k, precommit, first, debater });
  return out;
}

export interface CellResult extends CellKey {
  id: string;
  /** What must match for a saved cell to be reused. */
  settingsHash: string;
  /** Which judge played (from the CLI's loader). */
  judge: string;
  images: number;
  /** Honest player won the image (all 9 games with precommit). */
  honest: Proportion;
  /** The judge alone, on the same images from k random nonzero pixels. */
  judgeAlone: Proportion;
  games: number;
  /** Games decided by an exact tie (won by the liar). */
  ties: number;
  /** With precommit: images the liar won with each lie (index = the lie). */
  liarWinsByLie: number[] | null;
  /** Per image in sample order: 1 honest won, 0 liar won (for paired comparisons). */
  outcomes: string;
  seconds: number;
  gamesPerSecond: number;
  judgeRows: number;
  mcts: (Omit<MctsOptions, 'seed'> & { simulations: number; simulationsPerSecond: number }) | null;
  date: string;
}

/** The seeded order of the 10,000 test images; a cell uses a prefix. */
export function imageOrder(count: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.integer(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export function imageAt(test: Mnist, index: number): Float32Array {
  const image = new Float32Array(MNIST_PIXELS);
  for (let p = 0; p < MNIST_PIXELS; p++) image[p] = test.images[index * MNIST_PIXELS + p] / 255;
  return image;
}

/** Counts the rows a judge scores, for rows/s. */
export function countingJudge(judge: Judge): Judge & { rows: number } {
  const c = {
    rows: 0,
    logits(batch: readonly Revealed[]) {
      c.rows += batch.length;
      return judge.logits(batch);
    },
  };
  return c;
}

function settingsHash(key: CellKey, images: number, opts: PlayOptions, judge: string): string {
  const s = JSON.stringify({ key, images, sampleSeed: opts.sampleSeed, mcts: key.debater === 'mcts' ? opts.mcts : null, judge });
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

export interface PlayEnv {
  test: Mnist;
  /** The judge for each k, and a name for it in the report. */
  judgeFor: (k: number) => { judge: Judge; name: string };
  /** Where cells are saved (one JSON each). */
  dir: string;
  log: (line: string) => void;
}

function debatersFor(kind: DebaterKind, opts: PlayOptions, imageIndex: number): Record<Role, Debater> & { mcts: MctsDebater[] } {
  if (kind === 'greedy') return { honest: greedyDebater, liar: greedyDebater, mcts: [] };
  // Seeds from the image index: a cell's games do not depend on which images ran before.
  const honest = new MctsDebater({ ...opts.mcts, seed: 2 * imageIndex });
  const liar = new MctsDebater({ ...opts.mcts, seed: 2 * imageIndex + 1 });
  return { honest, liar, mcts: [honest, liar] };
}

/** Plays one cell (or returns its saved result when the settings match). */
export function runCell(key: CellKey, opts: PlayOptions, env: PlayEnv): CellResult {
  const id = cellId(key);
  const { judge: rawJudge, name: judgeName } = env.judgeFor(key.k);
  const n = key.debater === 'greedy' ? opts.greedyImages : opts.mctsImages;
  const hash = settingsHash(key, n, opts, judgeName);
  const file = join(env.dir, `${id}.json`);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as CellResult;
    if (saved.settingsHash === hash) return saved;
    env.log(`${id}: saved cell has other settings; replaying`);
  }
  const judge = countingJudge(rawJudge);
  const order = imageOrder(env.test.count, opts.sampleSeed).subarray(0, n);
  const rules: DebateRules = { k: key.k, precommit: key.precommit, first: key.first };
  let won = 0;
  let games = 0;
  let ties = 0;
  let simulations = 0;
  const liarWinsByLie = key.precommit ? new Array<number>(10).fill(0) : null;
  const outcomes: string[] = [];
  const alone: Revealed[] = [];
  const truths: number[] = [];
  const t0 = performance.now();
  let lastLog = t0;
  for (let i = 0; i < order.length; i++) {
    const index = order[i];
    const image = imageAt(env.test, index);
    const truth = env.test.labels[index];
    const debaters = debatersFor(key.debater, opts, index);
    const r = playImage(image, truth, rules, debaters, judge);
    if (r.honestWins) won++;
    outcomes.push(r.honestWins ? '1' : '0');
    games += r.games.length;
    ties += r.ties;
    if (liarWinsByLie) for (const g of r.games) if (g.winner === 'liar' && g.lie !== null) liarWinsByLie[g.lie]++;
    for (const m of debaters.mcts) simulations += m.stats.simulations;
    // The judge alone: k random nonzero pixels, seeded per image and k, so every cell of a k agrees.
    alone.push(randomReveal(image, key.k, new Rng((opts.sampleSeed * 10_007 + index) * 1_000 + key.k)));
    truths.push(truth);
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      env.log(`${id}: ${i + 1}/${order.length} images, honest ${((100 * won) / (i + 1)).toFixed(1)}%, ${((lastLog - t0) / 1000).toFixed(0)} s`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const judgeRows = judge.rows;
  const aloneRight = judgeAloneCorrect(rawJudge, alone, truths).filter(Boolean).length;
  const result: CellResult = {
    ...key,
    id,
    settingsHash: hash,
    judge: judgeName,
    images: order.length,
    honest: wilson(won, order.length),
    judgeAlone: wilson(aloneRight, order.length),
    games,
    ties,
    liarWinsByLie,
    outcomes: outcomes.join(''),
    seconds,
    gamesPerSecond: games / seconds,
    judgeRows,
    mcts: key.debater === 'mcts' ? { ...opts.mcts, simulations, simulationsPerSecond: simulations / seconds } : null,
    date: new Date().toISOString(),
  };
  mkdirSync(env.dir, { recursive: true });
  writeJsonAtomic(file, result);
  env.log(`${id}: honest ${(100 * result.honest.rate).toFixed(1)}% [${(100 * result.honest.lo).toFixed(1)}, ${(100 * result.honest.hi).toFixed(1)}] on ${n} images; judge alone ${(100 * result.judgeAlone.rate).toFixed(1)}%; ${result.gamesPerSecond.toFixed(1)} games/s`);
  return result;
}

/** Saved cells in `dir`, by id (cells not run yet are absent). */
export function readCells(dir: string, keys: readonly CellKey[]): Map<string, CellResult> {
  const out = new Map<string, CellResult>();
  for (const key of keys) {
    const file = join(dir, `${cellId(key)}.json`);
    if (existsSync(file)) out.set(cellId(key), JSON.parse(readFileSync(file, 'utf8')) as CellResult);
  }
  return out;
}

/** One MCTS variant in the design study: its settings and how it did against greedy. */
export interface DesignRow {
  variant: string;
  mcts: Omit<MctsOptions, 'seed'>;
  /** As the honest player against a greedy liar: honest wins. */
  asHonest: Proportion;
  /** As the liar against a greedy honest player: liar wins. */
  asLiar: Proportion;
  simulationsPerSecond: number;
  judgeRowsPerSimulation: number;
}

export interface DesignStudy {
  /** The judge the variants played before. */
  judge: string;
  k: number;
  precommit: false;
  first: Role;
  images: number;
  rollouts: number;
  rows: DesignRow[];
}

/**
 * Which prior and leaf value play better at an equal rollout budget: each variant plays one side
 * against the greedy debater on the same images (no precommit, so one game per image), both sides.
 */
export function mctsDesignStudy(env: PlayEnv, k: number, images: number, rollouts: number, sampleSeed: number, base: Omit<MctsOptions, 'seed' | 'prior' | 'leaf'>): DesignStudy {
  const { judge, name } = env.judgeFor(k);
  const order = imageOrder(env.test.count, sampleSeed).subarray(0, images);
  const rows: DesignRow[] = [];
  const first: Role = 'liar';
  for (const prior of ['uniform', 'margin'] as const) {
    for (const leaf of ['rollout', 'margin'] as const) {
      const mcts = { ...base, rollouts, prior, leaf };
      let honestWins = 0;
      let liarWins = 0;
      let sims = 0;
      let rows_ = 0;
      let secs = 0;
      for (const index of order) {
        const image = imageAt(env.test, index);
        const truth = env.test.labels[index];
        const asHonest = new MctsDebater({ ...mcts, seed: 2 * index });
        const asLiar = new MctsDebater({ ...mcts, seed: 2 * index + 1 });
        const rules: DebateRules = { k, precommit: false, first };
        if (playImage(image, truth, rules, { honest: asHonest, liar: greedyDebater }, judge).honestWins) honestWins++;
        if (!playImage(image, truth, rules, { honest: greedyDebater, liar: asLiar }, judge).honestWins) liarWins++;
        for (const m of [asHonest, asLiar]) {
          sims += m.stats.simulations;
          rows_ += m.stats.judgeRows;
          secs += m.stats.seconds;
        }
      }
      const row: DesignRow = { variant: `prior ${prior}, leaf ${leaf}`, mcts, asHonest: wilson(honestWins, order.length), asLiar: wilson(liarWins, order.length), simulationsPerSecond: sims / secs, judgeRowsPerSimulation: rows_ / sims };
      env.log(`design k=${k} ${row.variant}: as honest ${(100 * row.asHonest.rate).toFixed(1)}%, as liar ${(100 * row.asLiar.rate).toFixed(1)}%, ${row.simulationsPerSecond.toFixed(0)} rollouts/s`);
      rows.push(row);
    }
  }
  return { judge: name, k, precommit: false, first, images: order.length, rollouts, rows };
}
