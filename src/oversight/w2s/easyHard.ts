/**
 * Easy-to-hard generalisation on MNIST (Hase et al. 2024), as cells beside the grid.
 *
 * Difficulty: the margin (top-1 minus top-2 probability) of a fixed reference model, logistic
 * regression on the full 28x28 pixels trained on W's ground truth only. A low margin means the
 * image sits near a pixel-space boundary between classes: atypical strokes, digits that look
 * like others. Why this measure:
 * - it reads no label of S, V or test (only their pixels), so the same rule cuts S, V and test,
 *   and no test label chooses which test images are hard;
 * - the reference model is fixed per seed and task, trained on W (disjoint from S, V, P and
 *   test), and is none of the students, so a student is not scored by its own confidence;
 * - it is a model's view of difficulty, as Hase et al.'s model-based measures, and is graded:
 *   the easy third and the hard third of S are far apart, unlike pixel statistics (ink, stroke
 *   width), which barely predict which digits a classifier confuses.
 *
 * Easy S = the `easyHardShare` of S with the highest margins, hard S = the same count with the
 * lowest; V and test are cut at S's two margin thresholds, so thresholds come from S alone.
 *
 * Two kinds of cell per (task, seed, strong student):
 * - truth: the ceiling probe trained on ground truth of easy S, of hard S (same count), and of
 *   all S, each early-stopped on ground truth of V's matching part; tested on hard test images.
 *   Gap recovered = (easy->hard - chance) / (hard->hard - chance).
 * - per weak supervisor: the naive student trained on the supervisor's labels of all S (early
 *   stopping on V's weak labels) beside one trained only on its labels of easy S (early
 *   stopping on easy V's weak labels): the supervisor trusted only where images are easy.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Mlp } from '../../nn/index.js';
import {
  groundTruth,
  orderStrong,
  prepare,
  readChecked,
  seedContext,
  stream,
  strongFeatures,
  studentConfig,
  trainingSettings,
  weakSupervisor,
  writeJsonFile,
  type GridEnv,
  type SeedContext,
  type StrongFeatures,
  type W2sOptions,
} from './grid.js';
import { accuracy, fitClassifier, forwardAll, oneHot, rows, type Matrix, type WeakName } from './models.js';
import { taskClasses, taskLabels, type Task } from './splits.js';
import { probeAt, selectBySupervisor, trainStudent } from './train.js';

/** The difficulty rule, as the report states it. */
export const EASY_HARD_DIFFICULTY =
  "the margin (top-1 minus top-2 probability) of a fixed reference model, logistic regression on the full 28x28 pixels trained on W's ground truth only (the weak supervisors' part, disjoint from S, V and test); a low margin is an image near a pixel-space boundary between classes (an atypical or ambiguous digit). It reads only the pixels of S, V and test, so one rule cuts all three; it is none of the students, so no student is judged by its own confidence.";

/** Top-1 minus top-2 probability of each row of a probability matrix. */
export function margins(probs: Matrix): Float32Array {
  const out = new Float32Array(probs.n);
  for (let i = 0; i < probs.n; i++) {
    let a = -Infinity;
    let b = -Infinity;
    for (let j = 0; j < probs.d; j++) {
      const v = probs.data[i * probs.d + j];
      if (v > a) [a, b] = [v, a];
      else if (v > b) b = v;
    }
    out[i] = a - b;
  }
  return out;
}

/** Row indices (into S, V, test) of each difficulty part; easy and hard are disjoint, test has only hard. */
export interface DifficultySplit {
  /** Margins at or below `hard` are hard; at or above `easy` are easy (both from S). */
  thresholds: { easy: number; hard: number };
  student: { easy: Int32Array; hard: Int32Array };
  val: { easy: Int32Array; hard: Int32Array };
  testHard: Int32Array;
}

/**
 * Cuts S into its easiest and hardest `share` by margin (same count; ties broken by index), and
 * V and test at S's thresholds. Reads margins only: no labels of any set.
 */
export function splitByMargin(m: { student: Float32Array; val: Float32Array; test: Float32Array }, share: number): DifficultySplit {
  const n = Math.floor(share * m.student.length);
  if (n < 1 || 2 * n > m.student.length) throw new RangeError(`easy-hard share ${share} of ${m.student.length} images gives ${n} a part`);
  const order = Int32Array.from({ length: m.student.length }, (_, i) => i).sort((a, b) => m.student[a] - m.student[b] || a - b);
  const hard = order.slice(0, n).sort();
  const easy = order.slice(order.length - n).sort();
  const thresholds = { hard: m.student[order[n - 1]], easy: m.student[order[order.length - n]] };
  // With ties at a threshold both parts could claim a V or test image; hard wins, so parts stay disjoint.
  const where = (xs: Float32Array, keep: (v: number) => boolean) => Int32Array.from(xs.keys()).filter((i) => keep(xs[i]));
  const isHard = (v: number) => v <= thresholds.hard;
  const isEasy = (v: number) => v >= thresholds.easy && !isHard(v);
  return { thresholds, student: { easy, hard }, val: { easy: where(m.val, isEasy), hard: where(m.val, isHard) }, testHard: where(m.test, isHard) };
}

/** The reference model: logistic regression on full pixels, fitted to W's ground truth of the task. */
export function referenceModel(c: SeedContext, weakLabels: Uint8Array, task: Task): Mlp {
  const k = taskClasses(task);
  if (weakLabels.length !== c.images.weak.n) throw new RangeError(`reference model: ${weakLabels.length} labels for ${c.images.weak.n} W images`);
  return fitClassifier(c.images.weak, { n: weakLabels.length, d: k, data: oneHot(weakLabels, k) }, { hidden: [], epochs: 10, lr: 3e-3, batch: 64 }, stream(c.seed, `easy-hard-reference/${task}`));
}

/** The seed's difficulty split of a task: the reference model (W's labels only) scores S, V and test by their pixels. */
export function difficultySplit(c: SeedContext, trainDigits: Uint8Array, task: Task, share: number): { split: DifficultySplit; reference: Mlp } {
  const reference = referenceModel(c, taskLabels(task, trainDigits, c.splits.weak), task);
  const m = (x: Matrix) => margins(forwardAll(reference, x, true));
  return { split: splitByMargin({ student: m(c.images.student), val: m(c.images.val), test: m(c.images.test) }, share), reference };
}

/** One trained arm, chosen on its own validation part; accuracies on the hard test images and on all test. */
export interface EasyHardArm {
  /** Training images. */
  n: number;
  lr: number;
  epoch: number;
  hardTestAccuracy: number;
  testAccuracy: number;
}

export const TRUTH_ARMS = ['easy', 'hard', 'all'] as const;
export const WEAK_ARMS = ['naive', 'easyOnly'] as const;

export const EASY_HARD_FORMAT = 'overseer.w2s.easy-hard';
/** 2: named random streams (cells of version 1 are refused). */
export const EASY_HARD_VERSION = 2;

export interface EasyHardCell {
  format: typeof EASY_HARD_FORMAT;
  version: typeof EASY_HARD_VERSION;
  task: Task;
  seed: number;
  strong: string;
  /** null: the truth cell (the ceiling probe on ground truth). */
  weak: WeakName | null;
  counts: { studentEasy: number; studentHard: number; valEasy: number; valHard: number; testHard: number };
  thresholds: { easy: number; hard: number };
  /** The reference model's test accuracy on all test images and on the hard ones (reporting only). */
  reference: { testAccuracy: number; hardTestAccuracy: number };
  /** Truth cell: the share of each class in easy S, hard S and the hard test images (reporting only: difficulty shifts classes). */
  classShares?: { studentEasy: number[]; studentHard: number[]; testHard: number[] };
  /** Truth cell: easy -> hard, hard -> hard, all S -> hard. */
  truth?: Record<(typeof TRUTH_ARMS)[number], EasyHardArm>;
  /** Weak cell: the supervisor itself, and its labels' accuracy on all S and on easy S (reporting only). */
  supervisor?: { testAccuracy: number; hardTestAccuracy: number; labelAccuracyAll: number; labelAccuracyEasy: number };
  /** Weak cell: naive on all S's weak labels; on easy S's weak labels only. */
  students?: Record<(typeof WEAK_ARMS)[number], EasyHardArm>;
  seconds: number;
  options: W2sOptions;
}

const cellName = (task: Task, seed: number, strong: string, weak: WeakName | null) => join('cells', task, `seed${seed}`, 'easy-hard', `${strong}__${weak ?? 'truth'}.json`);

/** The settings that change an easy-hard cell's numbers. */
export function easyHardSettings(o: W2sOptions): ReturnType<typeof trainingSettings> & { easyHardShare: number } {
  return { ...trainingSettings(o), easyHardShare: o.easyHardShare };
}

const subset = (m: Matrix, idx: Int32Array): Matrix => ({ n: idx.length, d: m.d, data: rows(m, idx) });

/** Runs every missing easy-hard cell; returns them all (old and new) in order. `onCell` sees each one computed. */
export function runEasyHard(opts: W2sOptions, env: GridEnv, onCell?: (cell: EasyHardCell) => void): EasyHardCell[] {
  const strongs = orderStrong(opts.strong);
  const test = prepare(env);
  const results: EasyHardCell[] = [];
  for (const seed of opts.seeds) {
    let ctx: SeedContext | null = null;
    const context = () => (ctx ??= seedContext(opts, env, seed, test));
    const splits = new Map<Task, { split: DifficultySplit; reference: Mlp }>();
    const difficulty = (task: Task) => {
      let d = splits.get(task);
      if (!d) splits.set(task, (d = difficultySplit(context(), env.train.labels, task, opts.easyHardShare)));
      return d;
    };
    for (const { name: strong, spec } of strongs) {
      const family = strongs.filter((s) => s.spec.family === spec.family);
      const largest = family[family.length - 1].name === strong;
      let features: (StrongFeatures & { pretrainSeconds: number }) | null = null;
      for (const task of opts.tasks) {
        for (const weak of [null, ...opts.weak]) {
          const file = join(env.dir, cellName(task, seed, strong, weak));
          if (existsSync(file)) {
            const done = readChecked<EasyHardCell>(file, EASY_HARD_FORMAT, EASY_HARD_VERSION, 'delete the easy-hard cells to recompute them');
            const was = JSON.stringify(easyHardSettings(done.options));
            if (was !== JSON.stringify(easyHardSettings(opts))) throw new Error(`${file} was computed with other settings (${was}); use another --out, or delete the easy-hard cells to recompute them`);
            results.push(done);
            continue;
          }
          // The first cell to need the reference model or the features is charged for them; encoder pretraining is
          // not (it is the cache's, as in the grid).
          const tf = performance.now();
          const d = difficulty(task);
          const fresh = features === null;
          const f = (features ??= strongFeatures(opts, env, context(), strong, spec));
          const t0 = fresh ? tf + 1000 * f.pretrainSeconds : tf;
          const c = context();
          const k = taskClasses(task);
          const truth = groundTruth(env, c.splits, task);
          const hardTruth = Uint8Array.from(d.split.testHard, (i) => truth.test[i]);
          const scores = (probe: Mlp) => forwardAll(probe, f.test, false);
          const measure = (s: Matrix) => ({ testAccuracy: accuracy(s, truth.test), hardTestAccuracy: accuracy(subset(s, d.split.testHard), hardTruth) });
          const { split } = d;
          const oneHotOf = (labels: Uint8Array, idx: Int32Array | null) => {
            const ys = idx === null ? labels : Uint8Array.from(idx, (i) => labels[i]);
            return { n: ys.length, d: k, data: oneHot(ys, k) };
          };
          const cfg = studentConfig(opts, 'naive', largest, seed);
          // Each arm is early-stopped by agreement with its own V part's labels (ground truth or weak), never with test.
          const arm = (train: Matrix, trainLabels: Matrix, val: Matrix, valLabels: Matrix): EasyHardArm => {
            const run = trainStudent(cfg, { train, trainLabels, val, valLabels });
            const chosen = selectBySupervisor(run.history);
            return { n: train.n, lr: run.history[chosen].lr, epoch: run.history[chosen].epoch, ...measure(scores(probeAt(run, chosen))) };
          };
          const cell: EasyHardCell = {
            format: EASY_HARD_FORMAT,
            version: EASY_HARD_VERSION,
            task,
            seed,
            strong,
            weak,
            counts: { studentEasy: split.student.easy.length, studentHard: split.student.hard.length, valEasy: split.val.easy.length, valHard: split.val.hard.length, testHard: split.testHard.length },
            thresholds: split.thresholds,
            reference: measure(forwardAll(d.reference, test, true)),
            seconds: 0,
            options: opts,
          };
          if (weak === null) {
            const part = (p: 'easy' | 'hard') => arm(subset(f.student, split.student[p]), oneHotOf(truth.student, split.student[p]), subset(f.val, split.val[p]), oneHotOf(truth.val, split.val[p]));
            const shares = (labels: Uint8Array, idx: Int32Array) => {
              const n = new Array<number>(k).fill(0);
              for (const i of idx) n[labels[i]]++;
              return n.map((x) => x / idx.length);
            };
            cell.classShares = { studentEasy: shares(truth.student, split.student.easy), studentHard: shares(truth.student, split.student.hard), testHard: shares(truth.test, split.testHard) };
            cell.truth = { easy: part('easy'), hard: part('hard'), all: arm(f.student, oneHotOf(truth.student, null), f.val, oneHotOf(truth.val, null)) };
          } else {
            const sup = weakSupervisor(env, c, task, weak);
            const L = sup.labels;
            const easyS = split.student.easy;
            cell.supervisor = {
              ...measure(L.test),
              labelAccuracyAll: accuracy(L.student, truth.student),
              labelAccuracyEasy: accuracy(subset(L.student, easyS), Uint8Array.from(easyS, (i) => truth.student[i])),
            };
            cell.students = {
              naive: arm(f.student, L.student, f.val, L.val),
              easyOnly: arm(subset(f.student, easyS), subset(L.student, easyS), subset(f.val, split.val.easy), subset(L.val, split.val.easy)),
            };
          }
          cell.seconds = (performance.now() - t0) / 1000;
          writeJsonFile(file, cell);
          results.push(cell);
          onCell?.(cell);
          env.log(describe(cell));
        }
      }
    }
  }
  return results;
}

function describe(c: EasyHardCell): string {
  const p = (x: number) => `${(100 * x).toFixed(1)}%`;
  const head = `easy-hard ${c.task} seed ${c.seed} ${c.strong} <- ${c.weak ?? 'ground truth'}`;
  if (c.truth) return `${head}: on hard test, easy ${p(c.truth.easy.hardTestAccuracy)}, hard ${p(c.truth.hard.hardTestAccuracy)}, all ${p(c.truth.all.hardTestAccuracy)} (${c.seconds.toFixed(1)} s)`;
  return `${head}: on hard test, weak ${p(c.supervisor!.hardTestAccuracy)}, naive ${p(c.students!.naive.hardTestAccuracy)}, easy-only ${p(c.students!.easyOnly.hardTestAccuracy)} (${c.seconds.toFixed(1)} s)`;
}
