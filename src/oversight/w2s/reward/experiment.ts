/**
 * Weak-to-strong on reward models (Burns et al. 2023, §4.3's reward-modelling case), one seed
 * on one pool of clips:
 *
 *   1. split the pool's segments into roles W, S, V, T and draw pairs within each;
 *   2. weak reward model: small (one member, hidden [16]) and trained on a few noisy B-Pref
 *      labels of W pairs; its P̂[left ≻ right] on S and V are the weak labels;
 *   3. strong trunk: pretrained on forward dynamics over the unlabelled clips of W, S and V;
 *   4. students (linear probes on the frozen trunk) trained on S's weak labels, naive or with
 *      the confidence loss under each schedule; early stopping on V's weak labels only;
 *   5. ceiling: the same probe trained on S's true preferences;
 *   6. accuracy on T's true preferences, and PGR;
 *   7. easy-to-hard: probes trained on true preferences of easy pairs only, tested on hard ones.
 *
 * What reads true preferences is named: the ceiling (S, V), the ground-truth-tuned rows kept to
 * show tuning inflation (V), the test (T), and easy-to-hard. The weak-to-strong students' training and
 * weak-only selection read the weak labels only (`weak-only selection` test poisons S and V's truth).
 */
import { z } from 'zod';
import { RewardModel, type Comparison } from '../../../prefs/rewardModel.js';
import { simulatedAnswer, teacherParams, TEACHER_NAMES, type TeacherName } from '../../../prefs/teachers.js';
import { Rng } from '../../../utils/rng.js';
import { RngStreams } from '../../../utils/streams.js';
import { mean } from '../../../utils/stats.js';
import { CONFIDENCE_SCHEDULES, quantile } from '../confidence.js';
import { pgr } from '../pgr.js';
import type { Pool } from './pool.js';
import { DEFAULT_PROBE, pairAccuracy, pairLogitsOf, selectEpoch, trainProbe, type ProbeLoss } from './probe.js';
import { DEFAULT_FRACTIONS, assertNoLeak, samplePairs, splitSegments, type Pair, type Role } from './splits.js';
import { DEFAULT_TRUNK, ProbeRewardModel, pairDesign, pretrainForwardDynamics, probeFeatures, type ProbeFeatures } from './strong.js';

export const W2S_METHODS = ['naive', ...CONFIDENCE_SCHEDULES.map((s) => `conf-${s}` as const)] as const;
export type W2sMethod = (typeof W2S_METHODS)[number];

const positiveInts = z.array(z.number().int().positive()).min(1);

export const RewardW2sOptionsSchema = z.strictObject({
  /** Fractions of the pool's segments per role. */
  fractions: z
    .strictObject({ W: z.number().positive(), S: z.number().positive(), V: z.number().positive(), T: z.number().positive() })
    .refine((f) => f.W + f.S + f.V + f.T <= 1 + 1e-9, { message: 'the roles share one pool: W + S + V + T must be at most 1' })
    .default(DEFAULT_FRACTIONS),
  /** Pairs per role; W's are the weak model's label budget. */
  pairs: z.strictObject({ W: z.number().int().positive(), S: z.number().int().positive(), V: z.number().int().positive(), T: z.number().int().positive() }).default({ W: 50, S: 2000, V: 400, T: 2000 }),
  /** The weak supervisor: its teacher (B-Pref), hidden widths, and training (fits x epochs, L2 adapted after each fit). */
  weak: z
    .strictObject({
      teacher: z.enum(TEACHER_NAMES as [TeacherName, ...TeacherName[]]).default('mistake'),
      hidden: positiveInts.default([16]),
      fits: z.number().int().positive().default(40),
      epochsPerFit: z.number().int().positive().default(10),
    })
    .default({ teacher: 'mistake', hidden: [16], fits: 40, epochsPerFit: 10 }),
  /** The strong trunk and its forward-dynamics pretraining. */
  trunk: z.strictObject({ hidden: positiveInts, epochs: z.number().int().positive(), batchSize: z.number().int().positive(), learningRate: z.number().positive() }).default(DEFAULT_TRUNK),
  /** The probe (the student's head). */
  probe: z.strictObject({ epochs: z.number().int().positive(), batchSize: z.number().int().positive(), learningRate: z.number().positive(), l2: z.number().min(0) }).default(DEFAULT_PROBE),
  /** a's ceiling for the paper's ramp (0.75 for its largest students; the reference code's schedule fixes 0.5). */
  aMax: z.number().min(0).max(1).default(0.75),
  /** Easy-to-hard: training pairs per arm, and the |ΔR| quantile that bounds easy (above 1 − q) and hard (below q). */
  easyHard: z.strictObject({ pairs: z.number().int().positive(), quantile: z.number().gt(0).max(0.5) }).default({ pairs: 600, quantile: 1 / 3 }),
});
export type RewardW2sOptions = z.infer<typeof RewardW2sOptionsSchema>;
export type RewardW2sOptionsInput = z.input<typeof RewardW2sOptionsSchema>;

/** A student's test accuracy at the epoch each selection rule picks. */
export interface StudentResult {
  /** Early stopping on V's weak labels (agreement with the weak model's choice): the honest number. */
  weakSelected: { epoch: number; testAccuracy: number };
  /** The last epoch (no early stopping). */
  last: { epoch: number; testAccuracy: number };
  /** Early stopping on V's true preferences: what tuning on ground truth would report (inflated). */
  truthSelected: { epoch: number; testAccuracy: number };
}

export interface EasyHardArm {
  /** Accuracy on hard T pairs after training on easy S pairs only, and on hard S pairs. */
  easyToHard: number;
  hardToHard: number;
  /** Fraction of the gap from chance (0.5) to hard training that easy training recovers. */
  gapRecovered: number | null;
  trainPairs: number;
  testPairs: number;
}

export interface RewardSeedResult {
  envId: string;
  seed: number;
  /** Segments per role and pairs per role. */
  segments: Record<Role, number>;
  pairs: Record<Role, number>;
  /** Usable weak labels (incomparable answers dropped) and how many the teacher got wrong. */
  weakLabels: { used: number; wrong: number };
  /** Accuracy on true preferences: the weak model on T, and its labels on S (what the student is taught). */
  weak: { testAccuracy: number; sLabelAccuracy: number };
  pretrain: { losses: number[]; transitions: number; seconds: number };
  /**
   * The ceiling's probe on an untrained trunk of the same shape (random features), at its last
   * epoch: how much of the strong model's strength pretraining put there.
   */
  randomTrunkCeiling: number;
  students: Record<W2sMethod, StudentResult>;
  ceiling: StudentResult;
  /** PGR with weak-only early stopping (ceiling early-stopped on V's truth), and with every row truth-tuned. */
  pgr: Record<W2sMethod, number | null>;
  pgrTruthTuned: Record<W2sMethod, number | null>;
  easyHard: { margin: EasyHardArm; stage: EasyHardArm };
  seconds: number;
}

/** What a seed leaves besides its numbers: its reward models (for downstream RL). */
export interface RewardSeedModels {
  weak: RewardModel;
  /** Students at their weak-selected epoch, and the ceiling at its selected epoch. */
  students: Record<W2sMethod, ProbeRewardModel>;
  ceiling: ProbeRewardModel;
}

/** The weak supervisor's P̂[left ≻ right] per pair (its trained preference, random-answer noise included). */
function weakPreferences(model: RewardModel, pool: Pool, pairs: readonly Pair[]): Float64Array {
  const R = new Map<number, Float64Array>();
  const ret = (i: number) => R.get(i) ?? (R.set(i, model.memberReturns(pool.segments[i].segment)), R.get(i)!);
  return Float64Array.from(pairs, (p) => mean(model.memberPreferences(ret(p.left), ret(p.right))));
}

/** Trains the weak reward model on teacher labels of W pairs. */
export function trainWeak(pool: Pool, pairs: readonly Pair[], o: RewardW2sOptions['weak'], streams: RngStreams): { model: RewardModel; used: number; wrong: number } {
  const teacher = teacherParams(o.teacher);
  const rng = streams.get('weak-teacher');
  const segLen = pool.segmentLength;
  // B-Pref's threshold scale: the mean return of a full-length segment among the ones it is shown (skip/equal teachers use it).
  const shown = [...new Set(pairs.flatMap((p) => [p.left, p.right]))].map((i) => pool.segments[i]);
  const m = Math.abs(mean(shown.map((s) => (s.trueReturn * segLen) / s.segment.length)));
  const comparisons: Comparison[] = [];
  let wrong = 0;
  for (const p of pairs) {
    const a = pool.segments[p.left];
    const b = pool.segments[p.right];
    const answer = simulatedAnswer(teacher, a.truth.rewards, b.truth.rewards, segLen, m, rng);
    if (answer === 'incomparable') continue;
    const mu = answer === 'left' ? 1 : answer === 'right' ? 0 : 0.5;
    if (mu !== p.trueMu) wrong += 1;
    comparisons.push({ left: a.segment, right: b.segment, mu, validation: rng.random() < 1 / Math.E, counts: Uint8Array.of(1) });
  }
  const { obsSize, actionSize } = pool.segments[0].segment;
  const model = new RewardModel(obsSize, actionSize, { ensembleSize: 1, hidden: o.hidden }, streams.get('weak-init'));
  model.fitInputNormalization(comparisons.flatMap((c) => [c.left, c.right]));
  const fitRng = streams.get('weak-fit');
  for (let k = 0; k < o.fits; k++) model.fit(comparisons, o.epochsPerFit, fitRng);
  return { model, used: comparisons.length, wrong };
}

/** Inputs of a student run: the design matrices and what each role's pairs are labelled with. */
interface StudentData {
  features: ProbeFeatures;
  X: Record<'S' | 'V' | 'T', Float64Array>;
  n: Record<'S' | 'V' | 'T', number>;
  weakS: Float64Array;
  weakV: Float64Array;
  trueV: Float64Array;
  trueT: Float64Array;
}

/**
 * Trains one probe and scores every epoch: agreement with V's weak labels (the only score the
 * weak-only selection reads), accuracy on V's truth (for the truth-tuned row) and on T.
 */
function runStudent(data: StudentData, loss: ProbeLoss, o: RewardW2sOptions['probe'], rng: Rng): { result: StudentResult; thetas: Float64Array[] } {
  const { X, n } = data;
  const rows: { epoch: number; weakV: number; trueV: number; test: number }[] = [];
  const thetas: Float64Array[] = [];
  const weakVHard = data.weakV.map((p) => (p > 0.5 ? 1 : p < 0.5 ? 0 : 0.5));
  trainProbe(X.S, n.S, data.features.dims, loss, o, rng, (epoch, theta) => {
    thetas.push(theta);
    const dV = pairLogitsOf(X.V, theta, n.V);
    rows.push({ epoch, weakV: pairAccuracy(dV, weakVHard), trueV: pairAccuracy(dV, data.trueV), test: pairAccuracy(pairLogitsOf(X.T, theta, n.T), data.trueT) });
  });
  const at = (epoch: number) => ({ epoch, testAccuracy: rows[epoch - 1].test });
  return {
    result: {
      weakSelected: at(selectEpoch(rows.map((r) => ({ epoch: r.epoch, score: r.weakV })))),
      last: at(rows.length),
      truthSelected: at(selectEpoch(rows.map((r) => ({ epoch: r.epoch, score: r.trueV })))),
    },
    thetas,
  };
}

const trueMus = (pairs: readonly Pair[]) => Float64Array.from(pairs, (p) => p.trueMu);

/** Easy-to-hard by a difficulty split of candidate pairs: probes on true preferences of easy or hard S pairs, tested on hard T pairs. */
function easyToHard(features: ProbeFeatures, train: { easy: Pair[]; hard: Pair[] }, testHard: Pair[], o: RewardW2sOptions['probe'], rng: Rng): EasyHardArm {
  const score = (pairs: Pair[]) => {
    const X = pairDesign(features, pairs);
    const theta = trainProbe(X, pairs.length, features.dims, { kind: 'soft', targets: trueMus(pairs) }, o, rng, () => {});
    return pairAccuracy(pairLogitsOf(pairDesign(features, testHard), theta, testHard.length), trueMus(testHard));
  };
  const easy = score(train.easy);
  const hard = score(train.hard);
  return { easyToHard: easy, hardToHard: hard, gapRecovered: hard > 0.5 ? (easy - 0.5) / (hard - 0.5) : null, trainPairs: Math.min(train.easy.length, train.hard.length), testPairs: testHard.length };
}

/** Runs one seed; `poison` (tests only) replaces S and V's true preferences before anything reads them. */
export function runRewardSeed(pool: Pool, input: RewardW2sOptionsInput, seed: number, poison?: (pairs: Pair[], role: 'S' | 'V') => Pair[]): { result: RewardSeedResult; models: RewardSeedModels } {
  const t0 = performance.now();
  const o = RewardW2sOptionsSchema.parse(input);
  const streams = new RngStreams(seed);
  const returns = Float64Array.from(pool.segments, (s) => s.trueReturn);

  // 1. Roles and pairs.
  const split = splitSegments(pool.segments.length, o.fractions, streams.get('split'));
  const pairRng = streams.get('pairs');
  const pairs = {} as Record<Role, Pair[]>;
  for (const r of ['W', 'S', 'V', 'T'] as const) pairs[r] = samplePairs(split.segments[r], o.pairs[r], returns, pairRng);
  if (poison) {
    pairs.S = poison(pairs.S, 'S');
    pairs.V = poison(pairs.V, 'V');
  }
  assertNoLeak(split, pairs);

  // 2. Weak supervisor and its labels.
  const weak = trainWeak(pool, pairs.W, o.weak, streams);
  const weakS = weakPreferences(weak.model, pool, pairs.S);
  const weakV = weakPreferences(weak.model, pool, pairs.V);
  const weakT = weakPreferences(weak.model, pool, pairs.T);
  const logit = (p: Float64Array) => p.map((x) => x - 0.5);
  const trueS = trueMus(pairs.S);
  const trueT = trueMus(pairs.T);

  // 3. Strong trunk, pretrained on the clips of every role but T (no labels, no rewards).
  const unlabelled = [...split.segments.W, ...split.segments.S, ...split.segments.V];
  const pre = pretrainForwardDynamics(
    unlabelled.map((i) => pool.segments[i].segment),
    o.trunk,
    streams.get('trunk'),
  );
  const features = probeFeatures(
    pre.trunk,
    pool.segments.map((s) => s.segment),
    unlabelled,
    pool.segmentLength,
  );
  const data: StudentData = {
    features,
    X: { S: pairDesign(features, pairs.S), V: pairDesign(features, pairs.V), T: pairDesign(features, pairs.T) },
    n: { S: pairs.S.length, V: pairs.V.length, T: pairs.T.length },
    weakS,
    weakV,
    trueV: trueMus(pairs.V),
    trueT,
  };

  // 4-5. Students on weak labels, and the ceiling on S's truth (selected on V's truth: it is allowed ground truth).
  const students = {} as Record<W2sMethod, StudentResult>;
  const studentModels = {} as Record<W2sMethod, ProbeRewardModel>;
  for (const method of W2S_METHODS) {
    const loss: ProbeLoss = method === 'naive' ? { kind: 'soft', targets: weakS } : { kind: 'confidence', weak: weakS, schedule: method === 'conf-ramp' ? 'ramp' : 'warmup-jump', aMax: o.aMax };
    const run = runStudent(data, loss, o.probe, streams.get(`student-${method}`));
    students[method] = run.result;
    studentModels[method] = new ProbeRewardModel(pre.trunk, features, run.thetas[run.result.weakSelected.epoch - 1]);
  }
  const ceilingRun = runStudent(data, { kind: 'soft', targets: trueS }, o.probe, streams.get('student-ceiling'));
  const ceiling = ceilingRun.result;
  const ceilingModel = new ProbeRewardModel(pre.trunk, features, ceilingRun.thetas[ceiling.truthSelected.epoch - 1]);
  const randomTrunk = pretrainForwardDynamics(
    unlabelled.map((i) => pool.segments[i].segment),
    { ...o.trunk, epochs: 0 },
    streams.get('random-trunk'),
  ).trunk;
  const randomFeatures = probeFeatures(
    randomTrunk,
    pool.segments.map((s) => s.segment),
    unlabelled,
    pool.segmentLength,
  );
  const randomRun = runStudent({ ...data, features: randomFeatures, X: { S: pairDesign(randomFeatures, pairs.S), V: pairDesign(randomFeatures, pairs.V), T: pairDesign(randomFeatures, pairs.T) } }, { kind: 'soft', targets: trueS }, o.probe, streams.get('student-random-trunk'));

  // 6. PGR on T.
  const weakTest = pairAccuracy(logit(weakT), trueT);
  const pgrs = {} as Record<W2sMethod, number | null>;
  const pgrsTuned = {} as Record<W2sMethod, number | null>;
  for (const m of W2S_METHODS) {
    pgrs[m] = pgr(weakTest, students[m].weakSelected.testAccuracy, ceiling.truthSelected.testAccuracy);
    pgrsTuned[m] = pgr(weakTest, students[m].truthSelected.testAccuracy, ceiling.truthSelected.testAccuracy);
  }

  // 7. Easy-to-hard, on S's and T's segments (more pairs than the main run draws).
  const ehRng = streams.get('easy-hard');
  const q = o.easyHard.quantile;
  const N = o.easyHard.pairs;
  const maxPairs = (k: number) => (k * (k - 1)) / 2;
  const candS = samplePairs(split.segments.S, Math.min(maxPairs(split.segments.S.length), 20 * N), returns, ehRng).filter((p) => p.trueMu !== 0.5);
  const candT = samplePairs(split.segments.T, Math.min(maxPairs(split.segments.T.length), 10 * N), returns, ehRng).filter((p) => p.trueMu !== 0.5);
  const margin = (p: Pair) => Math.abs(returns[p.left] - returns[p.right]);
  const margins = candS.map(margin);
  const lo = quantile(margins, q);
  const hi = quantile(margins, 1 - q);
  const byMargin = easyToHard(features, { easy: candS.filter((p) => margin(p) >= hi).slice(0, N), hard: candS.filter((p) => margin(p) <= lo).slice(0, N) }, candT.filter((p) => margin(p) <= lo), o.probe, ehRng);
  // Stage: early = recorded in the first half of the recording run (by the pool's median step).
  const steps = pool.segments.map((s) => s.segment.globalStep);
  const midStep = quantile(steps, 0.5);
  const early = (i: number) => pool.segments[i].segment.globalStep < midStep;
  const byStage = easyToHard(
    features,
    { easy: candS.filter((p) => early(p.left) && early(p.right)).slice(0, N), hard: candS.filter((p) => !early(p.left) && !early(p.right)).slice(0, N) },
    candT.filter((p) => !early(p.left) && !early(p.right)),
    o.probe,
    ehRng,
  );

  const count = (r: Role) => split.segments[r].length;
  const result: RewardSeedResult = {
    envId: pool.envId,
    seed,
    segments: { W: count('W'), S: count('S'), V: count('V'), T: count('T') },
    pairs: { W: pairs.W.length, S: pairs.S.length, V: pairs.V.length, T: pairs.T.length },
    weakLabels: { used: weak.used, wrong: weak.wrong },
    weak: { testAccuracy: weakTest, sLabelAccuracy: pairAccuracy(logit(weakS), trueS) },
    pretrain: { losses: pre.losses, transitions: pre.transitions, seconds: pre.seconds },
    randomTrunkCeiling: randomRun.result.last.testAccuracy,
    students,
    ceiling,
    pgr: pgrs,
    pgrTruthTuned: pgrsTuned,
    easyHard: { margin: byMargin, stage: byStage },
    seconds: (performance.now() - t0) / 1000,
  };
  return { result, models: { weak: weak.model, students: studentModels, ceiling: ceilingModel } };
}
