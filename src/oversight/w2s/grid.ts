/**
 * The weak-to-strong grid on MNIST: tasks x seeds x strong students x weak supervisors, each
 * cell training every method. Resumable: a finished cell is one JSON file, skipped on rerun;
 * pretrained encoders, weak supervisors and bootstrap labels are cached per seed on disk.
 *
 * Ground truth of S and V reaches only (a) the ceiling, which is trained on it, and (b) the
 * `evaluate` hook, whose numbers the report uses for the ground-truth-tuning comparison. The
 * trainer's weak-only tuning never sees them (train.ts; the poisoned-V test in grid.test.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { imagesAsFloat, type Mnist } from '../../data/mnist.js';
import { loadMlp, saveMlp, type Mlp } from '../../nn/index.js';
import { writeJsonAtomic } from '../../utils/files.js';
import { Rng } from '../../utils/rng.js';
import { RngStreams } from '../../utils/streams.js';
import type { ConfidenceSchedule } from './confidence.js';
import {
  WEAK_MODELS,
  WEAK_NAMES,
  accuracy,
  argmaxRow,
  downsample,
  encode,
  featureScale,
  fitClassifier,
  forwardAll,
  knnVotes,
  oneHot,
  parseStrong,
  pretrainDae,
  randomFeatures,
  type Matrix,
  type StrongSpec,
  type WeakName,
  type WeakSpec,
} from './models.js';
import { TASKS, assertDisjoint, makeSplits, taskClasses, taskLabels, type Splits, type Task } from './splits.js';
import { probeAt, selectByEval, selectBySupervisor, selectLastEpoch, trainStudent, type EpochRecord, type StudentConfig } from './train.js';

export const METHODS = ['naive', 'conf-ramp', 'conf-warmup-jump', 'bootstrap'] as const;
export type Method = (typeof METHODS)[number];

export const PARTS = ['grid', 'easy-hard'] as const;
export type Part = (typeof PARTS)[number];

/** One schema for the grid's options: the CLI parses into it, and every cell file records it. */
export const W2sOptionsSchema = z.object({
  /** Tasks: digits (10 classes), lt5 and parity (binary). */
  tasks: z.array(z.enum(TASKS)).min(1).default(['digits', 'lt5']),
  /** Seeds: each has its own split, weak supervisors, encoders and probe inits. */
  seeds: z.array(z.number().int().nonnegative()).min(1).default([1, 2, 3]),
  /** Weak supervisors (models.ts WEAK_MODELS). */
  weak: z.array(z.enum(WEAK_NAMES as [WeakName, ...WeakName[]])).min(1).default([...WEAK_NAMES]),
  /** Strong students, family-width: dae-<w> (pretrained denoising autoencoder) or rf-<w> (random features). */
  strong: z.array(z.string().regex(/^(dae|rf)-\d+$/, 'expected dae-<width> or rf-<width>')).min(1).default(['dae-64', 'dae-256', 'dae-1024', 'rf-128', 'rf-512', 'rf-2048']),
  /** Methods trained in each cell. */
  methods: z.array(z.enum(METHODS)).min(1).default([...METHODS]),
  /** Student probe: epochs per learning rate (fixed on seed-1 development runs: see the report's "How the settings were chosen"). */
  studentEpochs: z.number().int().positive().default(6),
  /** Student probe: learning rates tried (chosen with the epoch). */
  studentLrs: z.array(z.number().positive()).min(1).default([3e-3, 1e-2]),
  /** Denoising autoencoder pretraining epochs over P. */
  daeEpochs: z.number().int().positive().default(10),
  /** Share of pixels masked in the autoencoder's input. */
  daeNoise: z.number().min(0).max(0.95).default(0.5),
  /** Split sizes: W, S, V (P is the rest of the 60k). */
  weakSize: z.number().int().positive().default(10_000),
  studentSize: z.number().int().positive().default(20_000),
  valSize: z.number().int().positive().default(5_000),
  /** P, the unlabelled pretraining images (null: all the rest of the 60k). */
  pretrainSize: z.number().int().positive().nullable().default(null),
  /** What to run and report: the weak-to-strong grid, the easy-to-hard cells (easyHard.ts), or both. */
  parts: z.array(z.enum(PARTS)).min(1).default([...PARTS]),
  /** Easy-to-hard: the share of S called easy (highest difficulty margin) and the same share called hard (lowest). */
  easyHardShare: z.number().gt(0).max(0.5).default(1 / 3),
});
export type W2sOptions = z.infer<typeof W2sOptionsSchema>;

/** The reduced grid of --quick: one seed's worth of work in minutes, for a smoke run. */
export const QUICK_OPTIONS = { studentEpochs: 4, daeEpochs: 2, studentSize: 5_000, valSize: 2_000 } satisfies Partial<W2sOptions>;

export interface TunedResult {
  lr: number;
  epoch: number;
  testAccuracy: number;
  valTrueAccuracy: number;
  valSupervisorAgreement: number;
}

export interface MethodResult {
  /** Early stopping and lr chosen only on the supervisor's labels of V. */
  weakTuned: TunedResult;
  /** The last epoch (a fixed schedule, as the paper and the reference code train), lr chosen on the supervisor's labels of V. */
  lastEpoch: TunedResult;
  /** The same run, chosen by V's ground truth: the inflated comparison. */
  groundTruthTuned: TunedResult;
  /** Bootstrapping: the supervisors in order, e.g. [lr-4x4, dae-64, dae-256]. */
  chain?: string[];
  /** Share of test images where the student's prediction is its supervisor's. */
  testAgreementWithSupervisor: number;
}

export const CELL_FORMAT = 'overseer.w2s.cell';
/** 2: named random streams, lastEpoch, aMax and family (cells of version 1 are refused). */
export const CELL_VERSION = 2;

export interface CellResult {
  format: typeof CELL_FORMAT;
  version: typeof CELL_VERSION;
  task: Task;
  seed: number;
  strong: string;
  /** The ramp's final a for this student (0.75 for the largest of its family), which the --strong list decides. */
  aMax: number;
  /** The student's family in the grid, smallest first: the bootstrap chain's students (also set by --strong). */
  family: string[];
  /** null: the ceiling cell (the student trained on ground truth). */
  weak: WeakName | null;
  weakTestAccuracy: number | null;
  ceiling?: TunedResult;
  methods: Partial<Record<Method, MethodResult>>;
  seconds: number;
  options: W2sOptions;
}

/** Data shared by every cell of one seed. */
export interface SeedContext {
  seed: number;
  splits: Splits;
  images: { weak: Matrix; student: Matrix; val: Matrix; pretrain: Matrix; test: Matrix };
}

export interface GridEnv {
  train: Mnist;
  test: Mnist;
  /** Directory holding cells/ and cache/. */
  dir: string;
  log: (line: string) => void;
  /** Called with each cell computed (not read back). */
  onCell?: (cell: CellResult) => void;
}

const cellName = (task: Task, seed: number, strong: string, weak: WeakName | null) => join('cells', task, `seed${seed}`, `${strong}__${weak ?? 'ceiling'}.json`);

/** Writes a result or cache file atomically, making its directory. */
export function writeJsonFile(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeJsonAtomic(file, value);
}

/** Reads a JSON file written by this lab, checking its format and version; `what` says how to recover. */
export function readChecked<T>(file: string, format: string, version: number, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not readable JSON (${(e as Error).message}); ${what}`);
  }
  const v = value as { format?: unknown; version?: unknown } | null;
  if (v?.format !== format || v.version !== version) throw new Error(`${file}: expected ${format} version ${version}, found ${JSON.stringify(v?.format)} version ${JSON.stringify(v?.version)}; ${what}`);
  return value as T;
}

/**
 * A fresh generator on the named stream of `seed` (RngStreams' derivation): names never collide, unlike
 * seed arithmetic, and a fresh one per call makes a rebuilt cached model the same bits.
 */
export function stream(seed: number, name: string): Rng {
  return new Rng(RngStreams.seedOf(seed, name));
}

/** Short hex digest of a JSON value or bytes, for cache keys. */
export function digest(value: unknown): string {
  const h = createHash('sha1');
  if (value instanceof Int32Array) h.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  else h.update(JSON.stringify(value));
  return h.digest('hex').slice(0, 12);
}

/** Strong students ordered by family, then width: the order bootstrapping climbs. */
export function orderStrong(names: readonly string[]): { name: string; spec: StrongSpec }[] {
  return names.map((name) => ({ name, spec: parseStrong(name) })).sort((a, b) => a.spec.family.localeCompare(b.spec.family) || a.spec.width - b.spec.width);
}

/** The options that change a cell's numbers (the rest only choose which cells to run). */
export function trainingSettings(o: W2sOptions): Pick<W2sOptions, 'studentEpochs' | 'studentLrs' | 'daeEpochs' | 'daeNoise' | 'weakSize' | 'studentSize' | 'valSize' | 'pretrainSize'> {
  // Cells written before pretrainSize existed used all the rest.
  return { studentEpochs: o.studentEpochs, studentLrs: o.studentLrs, daeEpochs: o.daeEpochs, daeNoise: o.daeNoise, weakSize: o.weakSize, studentSize: o.studentSize, valSize: o.valSize, pretrainSize: o.pretrainSize ?? null };
}

/** The ramp's final a: 0.75 for the largest student of its family in this grid, else 0.5 (the paper's choice). */
export const aMaxOf = (largest: boolean) => (largest ? 0.75 : 0.5);

/**
 * The grid's student configuration for one method. Every method and the ceiling share one probe
 * stream (init and minibatch order), so methods differ only in their loss and labels.
 */
export function studentConfig(opts: W2sOptions, method: Method, largest: boolean, seed: number): StudentConfig {
  const loss: 'naive' | ConfidenceSchedule = method === 'conf-ramp' ? 'ramp' : method === 'conf-warmup-jump' ? 'warmup-jump' : 'naive';
  return { loss, aMax: aMaxOf(largest), epochs: opts.studentEpochs, lrs: opts.studentLrs, batch: 128, seed: RngStreams.seedOf(seed, 'student-probe') };
}

/** The seed's disjoint splits and their images as floats (test: the official 10k, shared by every seed). */
export function seedContext(opts: W2sOptions, env: GridEnv, seed: number, test: Matrix): SeedContext {
  const splits = makeSplits(seed, env.train.count, { weak: opts.weakSize, student: opts.studentSize, val: opts.valSize, pretrain: opts.pretrainSize });
  assertDisjoint(splits);
  const m = (idx: Int32Array): Matrix => ({ n: idx.length, d: 784, data: imagesAsFloat(env.train, idx) });
  return { seed, splits, images: { weak: m(splits.weak), student: m(splits.student), val: m(splits.val), pretrain: m(splits.pretrain), test } };
}

/** The official test images as floats, and the cache directory made (git-ignored). */
export function prepare(env: GridEnv): Matrix {
  const cache = join(env.dir, 'cache');
  mkdirSync(cache, { recursive: true });
  // Caches are large and rebuilt on demand; keep them out of version control.
  writeFileSync(join(cache, '.gitignore'), '*\n');
  return { n: env.test.count, d: 784, data: imagesAsFloat(env.test, Int32Array.from({ length: env.test.count }, (_, i) => i)) };
}

/** Runs every missing cell of the grid; returns the cells (old and new) in grid order. */
export function runGrid(opts: W2sOptions, env: GridEnv): CellResult[] {
  const strongs = orderStrong(opts.strong);
  const test = prepare(env);
  const results: CellResult[] = [];

  for (const seed of opts.seeds) {
    let ctx: SeedContext | null = null;
    const context = (): SeedContext => (ctx ??= seedContext(opts, env, seed, test));
    for (const { name: strong, spec } of strongs) {
      const family = strongs.filter((s) => s.spec.family === spec.family);
      const rank = family.findIndex((s) => s.name === strong);
      const largest = rank === family.length - 1;
      const familyNames = family.map((s) => s.name);
      let features: (StrongFeatures & { pretrainSeconds: number }) | null = null;
      const getFeatures = () => (features ??= strongFeatures(opts, env, context(), strong, spec));
      for (const task of opts.tasks) {
        for (const weak of [null, ...opts.weak]) {
          const file = join(env.dir, cellName(task, seed, strong, weak));
          if (existsSync(file)) {
            const done = readChecked<CellResult>(file, CELL_FORMAT, CELL_VERSION, 'delete the cells to recompute them');
            const was = JSON.stringify(trainingSettings(done.options));
            if (was !== JSON.stringify(trainingSettings(opts))) throw new Error(`${file} was computed with other settings (${was}); use another --out, or delete the cells to recompute them`);
            // --strong sets aMax and the bootstrap chain; a weak cell made under another family is not this one (the ceiling does not depend on them).
            if (weak !== null && (done.aMax !== aMaxOf(largest) || JSON.stringify(done.family) !== JSON.stringify(familyNames))) {
              throw new Error(`${file} was computed under another chain (family ${JSON.stringify(done.family)}, aMax ${done.aMax}; now ${JSON.stringify(familyNames)}, aMax ${aMaxOf(largest)}): the --strong list differs; use another --out, or delete the cells to recompute them`);
            }
            // A cell lacking an asked-for method is recomputed whole (so its methods share one run of the code).
            if (weak === null || opts.methods.every((m) => done.methods[m])) {
              results.push(done);
              continue;
            }
          }
          // Pretraining is timed with the cached encoder; encoding counts in the first cell that needs the features.
          const tf = performance.now();
          const fresh = features === null;
          const f = getFeatures();
          const t0 = fresh ? tf + 1000 * f.pretrainSeconds : performance.now();
          const c = context();
          const k = taskClasses(task);
          const truth = groundTruth(env, c.splits, task);
          const evaluate = (f: { val: Matrix; test: Matrix }) => (probe: Mlp) => ({
            testAccuracy: accuracy(forwardAll(probe, f.test, false), truth.test),
            valTrueAccuracy: accuracy(forwardAll(probe, f.val, false), truth.val),
          });
          const cell: CellResult = { format: CELL_FORMAT, version: CELL_VERSION, task, seed, strong, aMax: aMaxOf(largest), family: familyNames, weak, weakTestAccuracy: null, methods: {}, seconds: 0, options: opts };
          if (weak === null) {
            // The ceiling: the same probe trained on S's ground truth, tuned on V's (it is trained on ground truth anyway).
            const run = trainStudent(studentConfig(opts, 'naive', largest, seed), { train: f.student, trainLabels: mat(oneHot(truth.student, k), k), val: f.val, valLabels: mat(oneHot(truth.val, k), k) }, evaluate(f));
            cell.ceiling = tuned(run.history[selectByEval(run.history, 'valTrueAccuracy')]);
          } else {
            const supervisor = weakSupervisor(env, c, task, weak);
            cell.weakTestAccuracy = supervisor.testAccuracy;
            for (const method of opts.methods) {
              const chain = method === 'bootstrap' ? [weak, ...family.slice(0, rank).map((s) => s.name)] : [weak];
              // Bootstrapping: the largest earlier student of the chain supervises; the smallest student's chain is plain naive.
              const labels = method === 'bootstrap' && rank > 0 ? bootstrapLabels(opts, env, c, task, weak, familyNames, rank - 1) : supervisor.labels;
              const run = trainStudent(studentConfig(opts, method, largest, seed), { train: f.student, trainLabels: labels.student, val: f.val, valLabels: labels.val }, evaluate(f));
              const chosen = selectBySupervisor(run.history);
              const probe = probeAt(run, chosen);
              if (method === 'bootstrap' || (method === 'naive' && rank === 0)) saveBootstrapLabels(env, opts, seed, task, weak, familyNames, rank, probe, f);
              cell.methods[method] = {
                weakTuned: tuned(run.history[chosen]),
                lastEpoch: tuned(run.history[selectLastEpoch(run.history)]),
                groundTruthTuned: tuned(run.history[selectByEval(run.history, 'valTrueAccuracy')]),
                ...(method === 'bootstrap' ? { chain } : {}),
                testAgreementWithSupervisor: agreementOn(forwardAll(probe, f.test, false), labels.test),
              };
            }
          }
          cell.seconds = (performance.now() - t0) / 1000;
          writeJsonFile(file, cell);
          results.push(cell);
          env.onCell?.(cell);
          env.log(describeCell(cell));
        }
      }
    }
  }
  return results;
}

function describeCell(c: CellResult): string {
  const head = `${c.task} seed ${c.seed} ${c.strong} <- ${c.weak ?? 'ground truth'}`;
  if (c.ceiling) return `${head}: ceiling ${pct(c.ceiling.testAccuracy)} (${c.seconds.toFixed(1)} s)`;
  const ms = Object.entries(c.methods).map(([m, r]) => `${m} ${pct(r!.weakTuned.testAccuracy)}`);
  return `${head}: weak ${pct(c.weakTestAccuracy!)}, ${ms.join(', ')} (${c.seconds.toFixed(1)} s)`;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function mat(data: Float32Array, d: number): Matrix {
  return { n: data.length / d, d, data };
}

function tuned(r: EpochRecord): TunedResult {
  return { lr: r.lr, epoch: r.epoch, testAccuracy: r.evals.testAccuracy, valTrueAccuracy: r.evals.valTrueAccuracy, valSupervisorAgreement: r.valSupervisorAgreement };
}

function agreementOn(scores: Matrix, labels: Matrix): number {
  return accuracy(scores, Array.from({ length: labels.n }, (_, i) => argmaxRow(labels, i)));
}

/** Ground-truth task labels of S, V and test. Only the ceiling and the evaluation hook read them. */
export function groundTruth(env: GridEnv, splits: Splits, task: Task): { student: Uint8Array; val: Uint8Array; test: Uint8Array } {
  return {
    student: taskLabels(task, env.train.labels, splits.student),
    val: taskLabels(task, env.train.labels, splits.val),
    test: taskLabels(task, env.test.labels, Int32Array.from({ length: env.test.count }, (_, i) => i)),
  };
}

export interface SupervisorLabels {
  student: Matrix;
  val: Matrix;
  test: Matrix;
}

/** A weak supervisor (trained on ground truth of W, cached per seed and task) and its soft labels of S, V and test. */
export function weakSupervisor(env: GridEnv, c: SeedContext, task: Task, name: WeakName): { testAccuracy: number; labels: SupervisorLabels } {
  const spec: WeakSpec = WEAK_MODELS[name];
  const k = taskClasses(task);
  const n = Math.min(spec.labels, c.images.weak.n);
  const x = downsample({ n, d: 784, data: c.images.weak.data.subarray(0, n * 784) }, 28, spec.pool);
  const y = taskLabels(task, env.train.labels, c.splits.weak.subarray(0, n));
  let probs: (m: Matrix) => Matrix;
  if (spec.neighbours !== undefined) {
    // Nothing to train or cache: the labelled images are the model.
    probs = (m) => knnVotes(x, y, spec.neighbours!, downsample(m, 28, spec.pool), k);
  } else {
    // Few labels get more epochs: about 20k examples seen in all, at least spec.epochs.
    const fit = { hidden: spec.hidden, epochs: Math.max(spec.epochs, Math.ceil(20_000 / n)), lr: 3e-3, batch: 64 };
    const streamName = `weak/${task}/${name}`;
    // Everything the model depends on: its spec, its fit, its stream, and which images of W it saw.
    const key = digest({ spec, fit, streamName, images: digest(c.splits.weak.subarray(0, n)) });
    const file = join(env.dir, 'cache', `seed${c.seed}`, task, `weak-${name}-${key}.json`);
    let net: Mlp;
    if (existsSync(file)) {
      net = loadMlp(readChecked<CachedModel>(file, CACHE_FORMAT, CACHE_VERSION, 'delete the cache to rebuild it').net, file);
    } else {
      const t0 = performance.now();
      net = fitClassifier(x, mat(oneHot(y, k), k), fit, stream(c.seed, streamName));
      writeJsonFile(file, { format: CACHE_FORMAT, version: CACHE_VERSION, name, task, seed: c.seed, spec, fit, seconds: (performance.now() - t0) / 1000, net: saveMlp(net) } satisfies CachedModel);
    }
    probs = (m) => forwardAll(net, downsample(m, 28, spec.pool), true);
  }
  const labels = { student: probs(c.images.student), val: probs(c.images.val), test: probs(c.images.test) };
  return { testAccuracy: accuracy(labels.test, taskLabels(task, env.test.labels, Int32Array.from({ length: env.test.count }, (_, i) => i))), labels };
}

/** A strong student's frozen encoder (pretrained on P, cached per seed) and its standardised features of S, V and test. */
export interface StrongFeatures {
  student: Matrix;
  val: Matrix;
  test: Matrix;
}

export const CACHE_FORMAT = 'overseer.w2s.cached-model';
export const CACHE_VERSION = 1;

/** A cached weak supervisor or encoder; `seconds` is what building it took. */
interface CachedModel {
  format: typeof CACHE_FORMAT;
  version: typeof CACHE_VERSION;
  name: string;
  seed: number;
  seconds: number;
  net: ReturnType<typeof saveMlp>;
  [more: string]: unknown;
}

export function strongFeatures(opts: W2sOptions, env: GridEnv, c: SeedContext, name: string, spec: StrongSpec): StrongFeatures & { pretrainSeconds: number } {
  let encoder: Mlp;
  let pretrainSeconds = 0;
  if (spec.family === 'rf') {
    encoder = randomFeatures(784, spec.width, stream(c.seed, `rf/${name}`));
  } else {
    const dae = { width: spec.width, epochs: opts.daeEpochs, maskNoise: opts.daeNoise, lr: 1e-3, batch: 128 };
    const streamName = `dae/${name}`;
    // Everything the encoder depends on: its options, its stream, and which images P holds (not only how many).
    const key = digest({ dae, streamName, pretrain: digest(c.splits.pretrain) });
    const file = join(env.dir, 'cache', `seed${c.seed}`, `encoder-${name}-${key}.json`);
    if (existsSync(file)) {
      encoder = loadMlp(readChecked<CachedModel>(file, CACHE_FORMAT, CACHE_VERSION, 'delete the cache to rebuild it').net, file);
    } else {
      const t0 = performance.now();
      env.log(`seed ${c.seed}: pretraining ${name} (denoising autoencoder, ${opts.daeEpochs} epochs over ${c.splits.pretrain.length} unlabelled images)`);
      const losses: number[] = [];
      encoder = pretrainDae(c.images.pretrain, dae, stream(c.seed, streamName), (_, l) => losses.push(l));
      pretrainSeconds = (performance.now() - t0) / 1000;
      writeJsonFile(file, { format: CACHE_FORMAT, version: CACHE_VERSION, name, seed: c.seed, dae, seconds: pretrainSeconds, losses, net: saveMlp(encoder) } satisfies CachedModel);
    }
  }
  // Standardised with statistics of unlabelled images (P), so no label informs the features.
  const scale = featureScale(encode(encoder, sample(c.images.pretrain, 5000)));
  return { student: encode(encoder, c.images.student, scale), val: encode(encoder, c.images.val, scale), test: encode(encoder, c.images.test, scale), pretrainSeconds };
}

function sample(m: Matrix, n: number): Matrix {
  const k = Math.min(n, m.n);
  return { n: k, d: m.d, data: m.data.subarray(0, k * m.d) };
}

/**
 * A chain student's labels depend on the training settings, the chain up to it (weak, then the
 * family's students to `rank`) and its aMax, so its cache file is named by all of them.
 */
const bootFile = (env: GridEnv, opts: W2sOptions, seed: number, task: Task, weak: WeakName, family: readonly string[], rank: number) => {
  const key = digest({ settings: trainingSettings(opts), chain: [weak, ...family.slice(0, rank + 1)], aMax: aMaxOf(rank === family.length - 1) });
  return join(env.dir, 'cache', `seed${seed}`, task, `boot-${weak}-${family[rank]}-${key}.bin`);
};

/** Saves a chain student's soft labels of S, V and test (float32, in that order) for the next student of the chain. */
function saveBootstrapLabels(env: GridEnv, opts: W2sOptions, seed: number, task: Task, weak: WeakName, family: readonly string[], rank: number, probe: Mlp, f: { student: Matrix; val: Matrix; test: Matrix }): void {
  const parts = [forwardAll(probe, f.student, true), forwardAll(probe, f.val, true), forwardAll(probe, f.test, true)];
  const all = new Float32Array(parts.reduce((a, p) => a + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p.data, at);
    at += p.data.length;
  }
  const file = bootFile(env, opts, seed, task, weak, family, rank);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, new Uint8Array(all.buffer));
  renameSync(`${file}.tmp`, file);
}

/**
 * The soft labels of the chain's student at `rank` (weak -> family[0] -> ... -> family[rank]),
 * from the cache, else retrained (recursively) from the previous link.
 */
function bootstrapLabels(opts: W2sOptions, env: GridEnv, c: SeedContext, task: Task, weak: WeakName, family: string[], rank: number): SupervisorLabels {
  const k = taskClasses(task);
  const file = bootFile(env, opts, c.seed, task, weak, family, rank);
  if (!existsSync(file)) {
    const prev = rank === 0 ? weakSupervisor(env, c, task, weak).labels : bootstrapLabels(opts, env, c, task, weak, family, rank - 1);
    const f = strongFeatures(opts, env, c, family[rank], parseStrong(family[rank]));
    const run = trainStudent(studentConfig(opts, 'naive', rank === family.length - 1, c.seed), { train: f.student, trainLabels: prev.student, val: f.val, valLabels: prev.val });
    saveBootstrapLabels(env, opts, c.seed, task, weak, family, rank, probeAt(run, selectBySupervisor(run.history)), f);
  }
  const buf = readFileSync(file);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const ns = c.splits.student.length * k;
  const nv = c.splits.val.length * k;
  if (all.length !== ns + nv + c.images.test.n * k) throw new Error(`${file}: ${all.length} floats, expected ${ns + nv + c.images.test.n * k} (S, V and test soft labels of ${k} classes); delete it to rebuild`);
  return { student: mat(all.slice(0, ns), k), val: mat(all.slice(ns, ns + nv), k), test: mat(all.slice(ns + nv), k) };
}

/** Seconds spent building the cached models of these seeds (encoders, weak supervisors), from their files. */
export function cachedModelSeconds(dir: string, seeds: readonly number[]): number {
  let total = 0;
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) total += readChecked<CachedModel>(p, CACHE_FORMAT, CACHE_VERSION, 'delete the cache to rebuild it').seconds;
    }
  };
  for (const s of seeds) walk(join(dir, 'cache', `seed${s}`));
  return total;
}
