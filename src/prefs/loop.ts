/**
 * Deep RL from human preferences (Christiano, Leike et al. 2017), read top to bottom:
 * config -> setup (reward model, teacher, store, resume) -> initial policy's clips and the
 * first 25% of labels -> RL on the learned reward, with labels asked on the paper's schedule
 * and the reward model refitted as they arrive -> diagnostics.
 *
 * "Asynchronous in spirit": the policy never waits for the teacher. Queries are handed over,
 * answers are polled between PPO updates, and the reward model is refitted every `fitEvery`
 * env steps once new labels are in. True rewards reach only the teacher (when simulated)
 * and the logs.
 */
import { z } from 'zod';
import { make, registration } from '../envs/registry.js';
import { makeVec } from '../envs/vector/make.js';
import { VecNormalizeObservation } from '../envs/vector/normalizeObservation.js';
import type { VectorEnv } from '../envs/vector/types.js';
import { ActorCritic } from '../rl/agent.js';
import { PpoConfigSchema, trainPpo, type PpoConfig, type PpoConfigInput, type PpoMetrics } from '../rl/ppo.js';
import { ppoPreset } from '../rl/presets.js';
import { Rng } from '../utils/rng.js';
import { VecLearnedReward, modelActionSize } from './learnedReward.js';
import { SELECTIONS, scorePairs, samplePairs, selectQueries } from './queries.js';
import { RewardModel, RewardModelConfigSchema, mean, poisson1, type Comparison, type RewardModelConfig, type FitStats, type PreferenceTarget, type RewardModelJson } from './rewardModel.js';
import { LabelSchedule } from './schedule.js';
import { SegmentRecorder, defaultSegmentLength, trueReturn, type Segment, type SegmentTruth } from './segments.js';
import type { PreferenceStore, StoredLabel, StoredQuery } from './store.js';
import { SimulatedTeacher, TEACHER_NAMES, TeacherOverridesSchema, teacherParams, type Answer, type Query, type Teacher, type TeacherName } from './teachers.js';

// ---------------------------------------------------------------------------------------
// Config (paper values as defaults)
// ---------------------------------------------------------------------------------------

export const PrefsConfigSchema = z.strictObject({
  envId: z.string().min(1),
  envKwargs: z.record(z.string(), z.unknown()).default({}),
  seed: z.number().int().nonnegative().default(1),
  /** Env steps of the whole run, the initial policy's clips included. */
  totalTimesteps: z.number().int().positive().default(1_000_000),
  /** Label budget (comparisons asked for). */
  labels: z.number().int().nonnegative().default(700),
  /** Simulated teacher (B-Pref's named teachers), or 'human': people, through `PrefsHooks.teacher` (the labeling server). */
  teacher: z.enum(['human', ...TEACHER_NAMES] as [TeacherName | 'human', ...(TeacherName | 'human')[]]).default('oracle'),
  /** Overrides of the teacher's parameters, e.g. { epsilon: 0.1 }. */
  teacherParams: TeacherOverridesSchema.default({}),
  /** How pairs are chosen (paper default: ensemble disagreement). */
  selection: z.enum(SELECTIONS).default('disagreement'),
  /** Candidate pairs sampled per query asked, for disagreement and entropy selection. */
  oversample: z.number().min(1).default(10),
  /** Steps per clip; null: 1.5 s of simulated time, within 15-60 steps. */
  segmentLength: z.number().int().positive().nullable().default(null),
  /** Fraction of the budget asked about the initial policy's clips. */
  initialLabelFraction: z.number().min(0).max(1).default(0.25),
  /** After that, labels arrive at a rate proportional to halfLife / (T + halfLife). */
  labelRateHalfLife: z.number().positive().default(2e6),
  /** Recent clips that queries are drawn from. */
  segmentPool: z.number().int().min(2).default(1000),
  /** Epochs of the first fit, on the initial labels. */
  initialEpochs: z.number().int().nonnegative().default(50),
  /** Epochs of every later fit. */
  epochsPerFit: z.number().int().positive().default(3),
  /** Env steps between fits (a fit happens only when new labels have arrived). */
  fitEvery: z.number().int().positive().default(20_000),
  rewardModel: RewardModelConfigSchema.default(RewardModelConfigSchema.parse({})),
  /** PPO settings over the env's preset and the paper's entropy bonus (envId, seed and step count are set by the loop). */
  ppo: z.record(z.string(), z.unknown()).default({}),
});
export type PrefsConfig = z.infer<typeof PrefsConfigSchema>;
export type PrefsConfigInput = z.input<typeof PrefsConfigSchema>;

/**
 * PPO settings a preference run adds to the env's preset (the comparison in the benchmark is
 * true-reward PPO with the same ones).
 *
 * The paper's entropy bonus for its MuJoCo tasks (TRPO: 0.01, Swimmer 0.001). A learned reward
 * keeps scoring small differences between states the true reward scores alike (a balanced
 * pendulum's), so without the bonus the policy's std collapsed and PPO fell off solved tasks:
 * InvertedPendulum seed 1, 700 labels, 62 against 1000 with it; InvertedDoublePendulum seeds
 * 1-2, 4887 and 6728 against 9359 and 7582.
 *
 * Swimmer also gets RL Zoo's discount for it, 0.9999 (the paper used 0.995 everywhere): a
 * Swimmer gait pays off over hundreds of steps, and with 0.99 PPO on the learned reward stayed
 * on the ~45 plateau in 2 of 3 seeds (700 labels: 128.7 / 48.6 / 44.8). With 0.9999, seeds 1-3:
 * 203.6 on average, against 195.1 for true-reward PPO with the same settings.
 */
export const PREFS_PPO_SETTINGS: Record<string, Partial<PpoConfigInput>> = {
  'Hopper-v5': { entCoef: 0.01 },
  'Walker2d-v5': { entCoef: 0.01 },
  'HalfCheetah-v5': { entCoef: 0.01 },
  'Swimmer-v5': { entCoef: 0.001, gamma: 0.9999 },
  'Ant-v5': { entCoef: 0.01 },
  'Reacher-v5': { entCoef: 0.01 },
  'InvertedPendulum-v5': { entCoef: 0.01 },
  'InvertedDoublePendulum-v5': { entCoef: 0.01 },
};

/**
 * The PPO config of a preference run: the env's preset, `PREFS_PPO_SETTINGS` where the env has
 * them, `ppo` overrides, and the loop's env, seed and steps.
 */
export function prefsPpoConfig(cfg: PrefsConfig, ppoSteps: number): PpoConfig {
  return PpoConfigSchema.parse({
    ...ppoPreset(cfg.envId),
    ...PREFS_PPO_SETTINGS[cfg.envId],
    ...cfg.ppo,
    envId: cfg.envId,
    envKwargs: cfg.envKwargs,
    seed: cfg.seed,
    totalTimesteps: ppoSteps,
  });
}

/** One line of metrics per PPO update: PPO's own plus the preference diagnostics. */
export interface PrefsMetrics extends PpoMetrics {
  /** Env steps of the whole run (initial clips included); PPO's own count is `ppoStep`. */
  envSteps: number;
  ppoStep: number;
  /** Labels received (incomparable answers included) and queries asked. */
  labels: number;
  labelsAsked: number;
  pendingQueries: number;
  /** Held-out accuracy of the ensemble at the last fit (non-equal labels). */
  heldOutAccuracy: number | null;
  trainAccuracy: number | null;
  rmTrainLoss: number | null;
  rmValidationLoss: number | null;
  l2: number | null;
  fits: number;
  fitSeconds: number;
  /** Pearson correlation of predicted and true returns over this rollout's clips. */
  returnCorrelation: number | null;
  /** Pearson correlation of predicted and true per-step rewards over this rollout's clips. */
  rewardCorrelation: number | null;
  /** Mean std across members of P̂[left ≻ right] over random pairs of this rollout's clips. */
  disagreement: number | null;
  /** True and learned (normalised) return of episodes finished in this rollout. */
  trueReturn: number | null;
  learnedReturn: number | null;
}

/** Loop state saved in checkpoints, so a resumed run continues where it stopped. */
export interface PrefsState {
  initialSteps: number;
  /** PPO updates done. */
  update: number;
  lastFitStep: number;
  fits: number;
  nextSegmentId: number;
  nextQueryId: number;
}

export interface PrefsCheckpoint {
  format: 'overseer.prefs';
  version: 1;
  agent: ReturnType<ActorCritic['save']>;
  rewardModel: RewardModelJson;
  state: PrefsState;
}

export interface PrefsHooks {
  /** Durable home of clips, queries and labels (resume reads it back). */
  store: PreferenceStore;
  /** Answers queries; default: the simulated teacher named in the config. */
  teacher?: Teacher;
  /** After every PPO update; `checkpoint()` builds a checkpoint of the current state. */
  onIteration?: (m: PrefsMetrics, ctx: { checkpoint: () => PrefsCheckpoint }) => void;
  /** Checked between PPO updates; once aborted the loop stops and returns a checkpoint. */
  signal?: AbortSignal;
  /** Continue from this checkpoint (labels come from the store either way). */
  resumeFrom?: PrefsCheckpoint;
}

export interface PrefsResult {
  agent: ActorCritic;
  rewardModel: RewardModel;
  envSteps: number;
  labels: number;
  interrupted: boolean;
  checkpoint: PrefsCheckpoint;
}

// ---------------------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------------------

export async function trainFromPreferences(input: PrefsConfigInput, hooks: PrefsHooks): Promise<PrefsResult> {
  const cfg = PrefsConfigSchema.parse(input);
  const { store } = hooks;
  const spec = registration(cfg.envId);
  const probe = make(cfg.envId, { kwargs: cfg.envKwargs });
  const scene = probe.renderSpec();
  probe.close();
  const segmentLength = cfg.segmentLength ?? defaultSegmentLength(scene?.dt ?? 0.05, spec.maxEpisodeSteps);
  const schedule = new LabelSchedule({ budget: cfg.labels, initialFraction: cfg.initialLabelFraction, totalSteps: cfg.totalTimesteps, halfLife: cfg.labelRateHalfLife });

  // ---- What survives restarts: clips, queries and labels from the store ----
  const stored = store.load();
  const truths = new Map<string, SegmentTruth>(stored.truths);
  const segments = new Map<string, Segment>(stored.segments);
  const queries = new Map<string, StoredQuery>(stored.queries.map((q) => [q.id, q]));
  const answered = new Set(stored.labels.map((l) => l.queryId));
  let labelsReceived = stored.labels.length;
  const comparisons: Comparison[] = [];
  const rm0 = cfg.rewardModel;
  const addComparison = (l: StoredLabel) => {
    const c = toComparison(l, segments, cfg.seed, rm0.ensembleSize, rm0.validationFraction);
    if (c) comparisons.push(c);
  };
  stored.labels.forEach(addComparison);

  // ---- Envs, policy, reward model ----
  const resume = hooks.resumeFrom;
  const state: PrefsState = resume?.state ?? {
    initialSteps: 0,
    update: 0,
    lastFitStep: 0,
    fits: 0,
    nextSegmentId: 0,
    nextQueryId: 0,
  };
  // Ids continue after anything already stored (a crash may have stored more than the checkpoint knows).
  state.nextSegmentId = Math.max(state.nextSegmentId, 1 + maxIdNumber(segments.keys(), 'seg-'));
  state.nextQueryId = Math.max(state.nextQueryId, 1 + maxIdNumber(queries.keys(), 'q-'));

  const ppoProbe = prefsPpoConfig(cfg, cfg.totalTimesteps);
  const rawEnv: VectorEnv = makeVec(cfg.envId, {
    numEnvs: ppoProbe.numEnvs,
    mode: ppoProbe.vectorization,
    makeOptions: { kwargs: cfg.envKwargs },
    infoKeys: ['episode'],
    recordRender: scene !== null,
  });
  const obsSize = rawEnv.obsSize;
  const actionSize = modelActionSize(rawEnv);
  const model = resume ? RewardModel.load(resume.rewardModel) : new RewardModel(obsSize, actionSize, cfg.rewardModel, new Rng(cfg.seed + 404));
  const agent = resume
    ? ActorCritic.load(resume.agent, 'prefs checkpoint agent')
    : new ActorCritic({
        observationSpace: rawEnv.singleObservationSpace.toJSON(),
        actionSpace: rawEnv.singleActionSpace.toJSON(),
        hidden: ppoProbe.hidden,
        activation: ppoProbe.activation,
        initLogStd: ppoProbe.initLogStd,
        normalizeObs: ppoProbe.normalizeObs,
        clipObs: ppoProbe.clipObs,
      }).init(new Rng(cfg.seed));

  // Recent clips (queries are drawn from these) and this rollout's clips (for diagnostics).
  const pool: Segment[] = [];
  let rolloutClips: Segment[] = [];
  const recorder = new SegmentRecorder({
    envId: cfg.envId,
    seed: cfg.seed,
    numEnvs: rawEnv.numEnvs,
    obsSize,
    actionSize,
    renderSize: rawEnv.renderSize,
    segmentLength,
    firstId: state.nextSegmentId,
  });
  const learned = new VecLearnedReward(rawEnv, model, recorder, (clips) => {
    for (const { segment, truth } of clips) {
      truths.set(segment.id, truth);
      pool.push(segment);
      rolloutClips.push(segment);
    }
    // Keep the pool to its size, and truths only for clips that can still be asked about or are stored.
    while (pool.length > cfg.segmentPool) {
      const old = pool.shift()!;
      if (!segments.has(old.id)) truths.delete(old.id);
    }
  });

  if (cfg.teacher === 'human' && !hooks.teacher) throw new Error("teacher 'human' answers through the labeling server: pass its teacher in PrefsHooks.teacher");
  const teacher = hooks.teacher ?? new SimulatedTeacher(cfg.teacher, teacherParams(cfg.teacher as TeacherName, cfg.teacherParams), (id) => truths.get(id), segmentLength, cfg.seed + 303);
  const selectRng = new Rng(cfg.seed + 101);
  const fitRng = new Rng(cfg.seed + 202);

  /** Persists the clips and queries, then hands the queries to the teacher. */
  const ask = (pairs: { left: Segment; right: Segment }[], step: number) => {
    const fresh = new Map<string, Segment>();
    for (const p of pairs) for (const s of [p.left, p.right]) if (!segments.has(s.id)) fresh.set(s.id, s);
    store.putSegments([...fresh.values()].map((s) => ({ segment: s, truth: truths.get(s.id) })));
    for (const s of fresh.values()) segments.set(s.id, s);
    const qs: Query[] = pairs.map((p) => ({ id: `q-${state.nextQueryId++}`, left: p.left, right: p.right, askedAtStep: step }));
    const rows = qs.map((q) => ({ id: q.id, leftId: q.left.id, rightId: q.right.id, askedAtStep: q.askedAtStep }));
    store.putQueries(rows);
    for (const r of rows) queries.set(r.id, r);
    teacher.ask(qs);
  };

  /** Stores every answer that has arrived (before using it) and turns it into a comparison. */
  const collectAnswers = (step: number): number => {
    let n = 0;
    for (const a of teacher.poll()) {
      const q = queries.get(a.queryId);
      if (!q || answered.has(a.queryId)) continue;
      const label: StoredLabel = {
        queryId: q.id,
        leftId: q.leftId,
        rightId: q.rightId,
        answer: a.answer,
        teacher: a.teacher,
        seconds: a.seconds ?? null,
        receivedAtStep: step,
        createdAt: new Date().toISOString(),
        ...(a.clientId ? { clientId: a.clientId } : {}),
      };
      store.putLabel(label);
      answered.add(q.id);
      labelsReceived += 1;
      addComparison(label);
      n += 1;
    }
    return n;
  };

  let lastFit: FitStats | null = null;
  let fitSeconds = 0;
  let newLabelsSinceFit = 0;
  const fit = (epochs: number, step: number) => {
    const t0 = performance.now();
    model.fitInputNormalization(comparisons.flatMap((c) => [c.left, c.right]));
    lastFit = model.fit(comparisons, epochs, fitRng);
    model.fitOutputNormalization(normalizationClips(cfg.rewardModel.normalizeOver, pool, comparisons, segmentLength));
    fitSeconds += (performance.now() - t0) / 1000;
    state.lastFitStep = step;
    state.fits += 1;
    newLabelsSinceFit = 0;
  };

  // Queries asked before a crash but never answered go to the teacher again.
  const unanswered = [...queries.values()].filter((q) => !answered.has(q.id));
  if (unanswered.length > 0) {
    teacher.ask(unanswered.map((q) => ({ id: q.id, left: segments.get(q.leftId)!, right: segments.get(q.rightId)!, askedAtStep: q.askedAtStep })));
  }

  const checkpoint = (): PrefsCheckpoint => ({
    format: 'overseer.prefs',
    version: 1,
    agent: agent.save({ envId: cfg.envId, envKwargs: cfg.envKwargs, seed: cfg.seed, envSteps: learned.globalStep, labels: labelsReceived }),
    rewardModel: model.save(),
    state: { ...state, nextSegmentId: recorder.idCounter },
  });

  let ppoEnvClosed = false;
  try {
    // ---- Phase 1: clips of the initial policy, the first labels, the first fit ----
    const rolloutSize = ppoProbe.numEnvs * ppoProbe.numSteps;
    if (!resume) {
      const initialLabels = Math.max(0, schedule.initial - queries.size);
      const wanted = initialLabels > 0 ? Math.ceil((initialLabels * segmentLength) / rolloutSize) * rolloutSize : 0;
      state.initialSteps = Math.min(wanted, Math.floor(cfg.totalTimesteps / 2));
      if (state.initialSteps > 0) collectWithPolicy(agent, learned, state.initialSteps, ppoProbe, new Rng(cfg.seed + 505));
      if (initialLabels > 0 && pool.length >= 2) ask(samplePairs(pool, initialLabels, selectRng).map(([left, right]) => ({ left, right })), learned.globalStep);
      newLabelsSinceFit += collectAnswers(learned.globalStep);
      if (comparisons.length > 0) fit(cfg.initialEpochs, learned.globalStep);
    }
    const ppoSteps = cfg.totalTimesteps - state.initialSteps;
    const ppoCfg = prefsPpoConfig(cfg, ppoSteps);
    learned.globalStep = state.initialSteps + state.update * ppoCfg.numEnvs * ppoCfg.numSteps;

    // ---- Phase 2: RL on the learned reward; labels on schedule; periodic refits ----
    ppoEnvClosed = true; // trainPpo owns (and closes) the env from here
    const result = await trainPpo(
      ppoCfg,
      {
        signal: hooks.signal,
        startUpdate: state.update,
        makeEnv: () => learned,
        onUpdate: (m) => {
          state.update = m.update;
          const T = learned.globalStep;
          // Ask what the schedule says is due, choosing among recent clips.
          const due = schedule.dueBy(T) - queries.size;
          if (due > 0 && pool.length >= 2) {
            ask(selectQueries(cfg.selection, model, pool, due, cfg.oversample, selectRng), T);
          }
          newLabelsSinceFit += collectAnswers(T);
          if (newLabelsSinceFit > 0 && T - state.lastFitStep >= cfg.fitEvery) fit(cfg.epochsPerFit, T);

          // ---- Diagnostics (true rewards are read here, for the log only) ----
          const clips = rolloutClips;
          rolloutClips = [];
          const learnedReturns = learned.takeEpisodes();
          const f = lastFit as FitStats | null;
          const row: PrefsMetrics = {
            ...m,
            envSteps: T,
            ppoStep: m.globalStep,
            labels: labelsReceived,
            labelsAsked: queries.size,
            pendingQueries: teacher.pending,
            heldOutAccuracy: finiteOrNull(f?.validationAccuracy),
            trainAccuracy: finiteOrNull(f?.trainAccuracy),
            rmTrainLoss: finiteOrNull(f ? mean(f.trainLoss) : undefined),
            rmValidationLoss: finiteOrNull(f ? mean(f.validationLoss) : undefined),
            l2: finiteOrNull(f ? mean(f.l2) : undefined),
            fits: state.fits,
            fitSeconds,
            ...correlations(model, clips, truths),
            disagreement: disagreement(model, clips, selectRng),
            trueReturn: m.episodicReturn,
            learnedReturn: learnedReturns.length > 0 ? mean(learnedReturns) : null,
          };
          hooks.onIteration?.(row, { checkpoint });
        },
      },
      agent,
    );
    return { agent, rewardModel: model, envSteps: learned.globalStep, labels: labelsReceived, interrupted: result.interrupted, checkpoint: checkpoint() };
  } finally {
    if (!ppoEnvClosed) learned.close();
    teacher.close();
  }
}

// ---------------------------------------------------------------------------------------
// Pieces
// ---------------------------------------------------------------------------------------

/** Runs the (initial) policy for `steps` env steps, so the learned-reward wrapper records its clips. */
function collectWithPolicy(agent: ActorCritic, env: VecLearnedReward, steps: number, ppo: PpoConfig, rng: Rng): void {
  // Observations are normalised with the agent's statistics, as PPO will (and updated likewise).
  const norm = agent.obsRms ? new VecNormalizeObservation(env, { clip: ppo.clipObs }, agent.obsRms) : env;
  const N = env.numEnvs;
  const head = agent.head;
  const stepActions = new Float32Array(N * head.actionSize);
  const envActions = new Float64Array(N * env.actionSize);
  let obs = norm.reset({ seed: ppo.seed + 10_007 }).obs;
  for (let t = 0; t < steps; t += N) {
    const logits = agent.actor.forward(obs, N);
    for (let e = 0; e < N; e++) head.sample(logits, e, rng, stepActions);
    for (let e = 0; e < N; e++) {
      const a = agent.toEnvAction(stepActions, e);
      if (typeof a === 'number') envActions[e] = a;
      else envActions.set(a, e * a.length);
    }
    obs = norm.step(envActions).obs;
  }
}

/**
 * The clips each member's output is normalised over after a fit: 'recent', the latest ~4096
 * steps of the pool; 'labelled', every clip the model has labels for (each once).
 */
export function normalizationClips(over: RewardModelConfig['normalizeOver'], pool: readonly Segment[], comparisons: readonly Comparison[], segmentLength: number): Segment[] {
  if (over === 'recent') return pool.slice(-Math.max(8, Math.ceil(4096 / segmentLength)));
  return [...new Set(comparisons.flatMap((c) => [c.left, c.right]))];
}

/** A label as a training comparison (null for "incomparable"); held-out and bootstrap draws are fixed per query. */
export function toComparison(l: StoredLabel, segments: Map<string, Segment>, seed: number, members: number, validationFraction: number): Comparison | null {
  const mu = targetOf(l.answer);
  if (mu === null) return null;
  const left = segments.get(l.leftId);
  const right = segments.get(l.rightId);
  if (!left || !right) throw new Error(`label for ${l.queryId}: clip ${!left ? l.leftId : l.rightId} is missing`);
  const rng = new Rng(hashString(`${seed}:${l.queryId}`));
  const validation = rng.random() < validationFraction;
  const counts = Uint8Array.from({ length: members }, () => poisson1(rng));
  return { left, right, mu, validation, counts };
}

export function targetOf(a: Answer): PreferenceTarget | null {
  return a === 'left' ? 1 : a === 'right' ? 0 : a === 'equal' ? 0.5 : null;
}

function hashString(s: string): number {
  // FNV-1a, 32 bits.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function maxIdNumber(ids: Iterable<string>, prefix: string): number {
  let max = -1;
  for (const id of ids) {
    if (id.startsWith(prefix)) {
      const n = Number(id.slice(prefix.length));
      if (Number.isInteger(n)) max = Math.max(max, n);
    }
  }
  return max;
}

function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

/** Pearson correlations of predicted and true clip returns and per-step rewards (null for too few points or no spread). */
export function correlations(model: RewardModel, clips: readonly Segment[], truths: Map<string, SegmentTruth>): { returnCorrelation: number | null; rewardCorrelation: number | null } {
  const xs: number[] = [];
  const ys: number[] = [];
  const xr: number[] = [];
  const yr: number[] = [];
  for (const s of clips) {
    const t = truths.get(s.id);
    if (!t) continue;
    const r = model.reward(s.obs, s.actions, s.length);
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      sum += r[i];
      xr.push(r[i]);
      yr.push(t.rewards[i]);
    }
    xs.push(sum);
    ys.push(trueReturn(t));
  }
  return { returnCorrelation: pearson(xs, ys), rewardCorrelation: pearson(xr, yr) };
}

export function pearson(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

/** Mean std across members of the predicted preference, over up to 32 random pairs of `clips`. */
function disagreement(model: RewardModel, clips: readonly Segment[], rng: Rng): number | null {
  if (clips.length < 2) return null;
  const scored = scorePairs(model, samplePairs(clips, 32, rng.spawn()));
  return mean(scored.map((c) => Math.sqrt(c.variance)));
}

