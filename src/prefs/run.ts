/**
 * The state of a preference run and its named steps: collect segments, ask, collect answers,
 * fit the reward model, train a round of PPO. `loop.ts` strings them together as the paper's
 * algorithm; this file holds what they share, and how it is saved and restored.
 *
 * A run's state (`state()`) holds everything it needs to continue bit-identically: the PPO
 * learner (policy, Adam moments, random stream, envs mid-episode), the reward model with its
 * optimisers, the named random streams, the teacher's state, the recent segments, and which
 * queries were asked and answered, in order. The segments, queries and labels themselves live in
 * the store, which a resumed run reads back; everything it stored after its checkpoint it
 * stores again identically (the store keeps the first copy), so a crash anywhere is harmless.
 */
import { make, registration, type MakeOptions } from '../envs/registry.js';
import { Discrete } from '../envs/spaces.js';
import { makeVec } from '../envs/vector/make.js';
import { Ppo, type PpoMetrics, type PpoState } from '../rl/ppo.js';
import { RngStreams } from '../utils/streams.js';
import { fnv1a32 } from '../utils/hash.js';
import { Rng, type RngState } from '../utils/rng.js';
import { mean } from '../utils/stats.js';
import { correlations, disagreement } from './diagnostics.js';
import { VecLearnedReward, modelActionSize } from './learnedReward.js';
import { prefsPpoConfig, type PrefsConfig, type PrefsMetrics } from './config.js';
import { policyAlignedSelector, querySelector, samplePairs, type QuerySelector } from './queries.js';
import { RewardModel, SUB_CLIP, rewardNetworkProblem, TEMPORAL_CROP, poisson1, type Comparison, type FitOptions, type FitStats, type PreferenceModel, type PreferenceTarget, type RewardModelConfig, type RewardModelJson } from './rewardModel.js';
import { StateEntropy } from './stateEntropy.js';
import { LabelSchedule } from './schedule.js';
import { SegmentRecorder, defaultSegmentLength, segmentFromRecord, segmentToRecord, type Segment, type SegmentRecord, type SegmentTruth } from './segments.js';
import type { PreferenceStore, StoredLabel, StoredQuery } from './store.js';
import { SimulatedTeacher, teacherParams, type Answer, type Query, type Teacher, type TeacherName } from './teachers.js';

/** The strategies a run is built from; each has a default from the config. */
export interface RunParts {
  /** Durable home of segments, queries and labels. */
  store: PreferenceStore;
  /** Answers queries; default: the simulated teacher named in the config. */
  teacher?: Teacher;
  /** Chooses pairs to ask about; default: the config's `selection` with its `oversample`. */
  selector?: QuerySelector;
  /**
   * Builds the reward model, or rebuilds it from what its `save()` returned (`saved`, on
   * resume); default: the ensemble of the config's `rewardModel` options.
   */
  rewardModel?: (init: { obsSize: number; obsShape: readonly number[]; actionSize: number; rng: Rng; saved: unknown }) => PreferenceModel;
}

/**
 * Where the run is: collecting the initial policy's segments and asking about them ('initial'),
 * waiting for those labels and pretraining on them ('pretraining'), or in RL ('rl').
 */
export type RunPhase = 'initial' | 'pretraining' | 'rl';

/** A run's state (JSON-able); see the file comment. */
export interface PreferenceRunState {
  format: 'overseer.prefs-run';
  version: 1;
  phase: RunPhase;
  /** Env steps of the initial policy's segments. */
  initialSteps: number;
  nextQueryId: number;
  /** Queries asked, and queries answered in the order their answers arrived (bodies in the store). */
  asked: string[];
  answered: string[];
  lastFitStep: number;
  /** Scaled segments begun in RL (absent in states saved before they existed: 0). */
  scaledSegments?: number;
  /** With `unsupervisedSteps`: whether PEBBLE's pre-training is over (absent: it is, or there was none). */
  unsupervisedDone?: boolean;
  fits: number;
  fitSeconds: number;
  newLabelsSinceFit: number;
  /** The last fit's statistics (NaN written as null: JSON has no NaN). */
  lastFit: JsonFitStats | null;
  ppo: PpoState;
  /** The reward model's `save()`. */
  rewardModel: unknown;
  streams: Record<string, RngState>;
  teacher: unknown;
  /** Recent segments (queries are drawn from them) with their true rewards. */
  pool: SegmentRecord[];
}

export class PreferenceRun {
  readonly cfg: PrefsConfig;
  readonly store: PreferenceStore;
  readonly teacher: Teacher;
  readonly selector: QuerySelector;
  readonly schedule: LabelSchedule;
  readonly segmentLength: number;
  /** Named random streams: 'selection', 'fit', 'diagnostics' (and the teacher's, 'teacher'). */
  readonly streams: RngStreams;
  readonly model: PreferenceModel;
  readonly ppo: Ppo;
  private readonly learned: VecLearnedReward;
  private readonly recorder: SegmentRecorder;

  private _phase: RunPhase = 'initial';
  /** Env steps of the initial policy's segments. */
  readonly initialSteps: number;
  /** Segments that are stored (asked about or imported), and the true rewards of every segment kept. */
  readonly segments = new Map<string, Segment>();
  readonly truths = new Map<string, SegmentTruth>();
  /** Recent segments, which queries are drawn from, and the segments of the current round (for diagnostics). */
  pool: Segment[] = [];
  private roundSegments: Segment[] = [];
  /** Queries asked, in order, and the ids of those answered, in the order the answers came. */
  readonly queries = new Map<string, StoredQuery>();
  readonly answered: string[] = [];
  private readonly answeredSet = new Set<string>();
  readonly comparisons: Comparison[] = [];
  private nextQueryId = 0;
  private lastFitStep = 0;
  private fits = 0;
  private fitSeconds = 0;
  private newLabelsSinceFit = 0;
  private lastFit: FitStats | null = null;
  /** Scaled segments begun in RL so far (which scale comes next). */
  private scaledSegments = 0;
  /** PEBBLE's pre-training: its PPO updates, and whether it is over. */
  private readonly unsupervisedUpdates: number;
  private unsupervisedDone: boolean;

  private constructor(cfg: PrefsConfig, parts: RunParts, streams: RngStreams, scene: EnvScene, initialSteps: number, build: { ppo?: PpoState; rewardModel?: unknown; unsupervisedDone?: boolean }) {
    this.cfg = cfg;
    this.store = parts.store;
    this.streams = streams;
    this.initialSteps = initialSteps;
    this.schedule = scheduleOf(cfg);
    this.segmentLength = segmentLengthOf(cfg, scene);
    const ppoCfg = prefsPpoConfig(cfg, ppoStepsOf(cfg, initialSteps, this.segmentLength));
    const raw = makeVec(cfg.envId, { numEnvs: ppoCfg.numEnvs, mode: ppoCfg.vectorization, makeOptions: trainingMakeOptions(cfg), infoKeys: ['episode'], recordRender: scene.replayable });
    try {
      const actionSize = modelActionSize(raw);
      const init = { obsSize: raw.obsSize, obsShape: raw.singleObservationSpace.shape, actionSize, rng: streams.get('reward-model-init'), saved: build.rewardModel ?? null };
      this.model = (parts.rewardModel ?? ensembleOf(cfg))(init);
      this.recorder = new SegmentRecorder({ envId: cfg.envId, seed: cfg.seed, numEnvs: raw.numEnvs, obsSize: raw.obsSize, actionSize, renderSize: raw.renderSize, segmentLength: this.segmentLength });
      this.learned = new VecLearnedReward(raw, this.model, this.recorder, (segments) => this.keepSegments(segments));
      this.learned.setDisagreementBonus(cfg.disagreementBonus > 0 ? { beta0: cfg.disagreementBonus, decay: cfg.disagreementBonusDecay } : null);
    } catch (e) {
      raw.close();
      throw e;
    }
    // PEBBLE: until its pre-training is over, PPO is paid the state entropy of the observations as the policy normalises them.
    const rollout = ppoCfg.numEnvs * ppoCfg.numSteps;
    this.unsupervisedUpdates = Math.ceil(cfg.unsupervisedSteps / rollout);
    this.unsupervisedDone = cfg.unsupervisedSteps === 0 || (build.unsupervisedDone ?? false);
    if (!this.unsupervisedDone) this.learned.entropy = { reward: new StateEntropy(raw.obsSize, rollout), normalize: (obs) => this.ppo.agent.normalize(obs) };
    this.ppo = build.ppo ? Ppo.load(build.ppo, { makeEnv: () => this.learned, rng: streams.get('ppo') }) : new Ppo(ppoCfg, { makeEnv: () => this.learned, rng: streams.get('ppo') });
    if (this.ppo.agent.actionSpace instanceof Discrete && !(cfg.initialActionScales.length === 1 && cfg.initialActionScales[0] === 1)) {
      this.ppo.close();
      throw new Error(`initialActionScales: ${cfg.envId} has discrete actions, which cannot be scaled (use [1])`);
    }
    if (!this.unsupervisedDone && this.unsupervisedUpdates >= this.ppo.numUpdates) {
      this.ppo.close();
      throw new Error(`unsupervisedSteps: ${cfg.unsupervisedSteps} steps of pre-training (${this.unsupervisedUpdates} rollouts) leave no PPO update on the learned reward (PPO has ${this.ppo.numUpdates} in this run); use fewer, or more steps`);
    }
    if (cfg.scaledSegmentsPerRound > 0 && cfg.initialActionScales.every((c) => c === 1)) {
      this.ppo.close();
      throw new Error('scaledSegmentsPerRound: needs initialActionScales other than 1 to scale by');
    }
    const selector = parts.selector ?? querySelector(cfg.selection, cfg.oversample);
    // QPA: the last policyAlignedEpisodes episodes' worth of steps, episodes taken at the time limit.
    this.selector = cfg.policyAlignedEpisodes > 0 ? policyAlignedSelector(selector, cfg.policyAlignedEpisodes * (scene.maxEpisodeSteps ?? 1000)) : selector;
    if (cfg.teacher === 'human' && !parts.teacher) throw new Error("teacher 'human' answers through the labeling server: pass its teacher in the run's parts");
    this.teacher =
      parts.teacher ?? new SimulatedTeacher(cfg.teacher, teacherParams(cfg.teacher as TeacherName, cfg.teacherParams), (id) => this.truths.get(id), this.segmentLength, streams.get('teacher'));
  }

  /**
   * A new run. Labels already in the store (imported with `--labels-from`) are its first
   * comparisons and count toward the budget; the initial policy collects segments for the rest
   * of the initial share.
   */
  static start(cfg: PrefsConfig, parts: RunParts): PreferenceRun {
    const stored = parts.store.load();
    const schedule = scheduleOf(cfg);
    const ppoProbe = prefsPpoConfig(cfg, cfg.totalTimesteps);
    const rolloutSize = ppoProbe.numEnvs * ppoProbe.numSteps;
    const initialLabels = Math.max(0, schedule.initial - stored.queries.length);
    // Enough rollouts of the initial policy for its share of the segments, at most half the run.
    const scene = envScene(cfg);
    const wanted = initialLabels > 0 ? Math.ceil((initialLabels * segmentLengthOf(cfg, scene)) / rolloutSize) * rolloutSize : 0;
    // At most half the run, in whole vector steps.
    const initialSteps = Math.min(wanted, Math.floor(cfg.totalTimesteps / 2 / ppoProbe.numEnvs) * ppoProbe.numEnvs);
    const run = new PreferenceRun(cfg, parts, new RngStreams(cfg.seed), scene, initialSteps, {});
    for (const [id, s] of stored.segments) run.segments.set(id, s);
    for (const [id, t] of stored.truths) run.truths.set(id, t);
    for (const q of stored.queries) run.queries.set(q.id, q);
    for (const l of stored.labels) run.receive(l);
    // Ids continue after any stored ones (a run that starts over after dying before its first checkpoint).
    run.nextQueryId = 1 + maxIdNumber(run.queries.keys(), 'q-');
    run.recorder.skipIdsTo(1 + maxIdNumber(run.segments.keys(), 'seg-'));
    const unanswered = stored.queries.filter((q) => !run.answeredSet.has(q.id));
    if (unanswered.length > 0) run.teacher.ask(unanswered.map((q) => run.queryOf(q)));
    return run;
  }

  /**
   * Continues a run from its `state()`. With a replayable (simulated) teacher the run then
   * repeats exactly what it did after the checkpoint. With people, answers come when they come,
   * so the run adopts the queries it asked after its checkpoint instead (their labels arrive
   * through the teacher as usual) and numbers new segments and queries after every stored one.
   */
  static resume(cfg: PrefsConfig, state: PreferenceRunState, parts: RunParts): PreferenceRun {
    if (state?.format !== 'overseer.prefs-run' || state.version !== 1) throw new Error('not a preference run state (format overseer.prefs-run, version 1)');
    const streams = new RngStreams(cfg.seed);
    streams.load(state.streams);
    const unsupervisedDone = state.phase !== 'initial' || (state.unsupervisedDone ?? true);
    const run = new PreferenceRun(cfg, parts, streams, envScene(cfg), state.initialSteps, { ppo: state.ppo, rewardModel: state.rewardModel, unsupervisedDone });
    try {
      run.restore(state);
    } catch (e) {
      run.close();
      throw e;
    }
    return run;
  }

  private restore(state: PreferenceRunState): void {
    const stored = this.store.load();
    const labels = new Map(stored.labels.map((l) => [l.queryId, l]));
    const storedQueries = new Map(stored.queries.map((q) => [q.id, q]));
    for (const [id, s] of stored.segments) this.segments.set(id, s);
    for (const [id, t] of stored.truths) this.truths.set(id, t);
    this._phase = state.phase;
    this.nextQueryId = state.nextQueryId;
    for (const id of state.asked) {
      const q = storedQueries.get(id);
      if (!q) throw new Error(`resume: query ${id} is in the checkpoint but not in the store`);
      this.queries.set(id, q);
    }
    for (const id of state.answered) {
      const l = labels.get(id);
      if (!l) throw new Error(`resume: the label for ${id} is in the checkpoint but not in the store`);
      this.receive(l);
    }
    this.lastFitStep = state.lastFitStep;
    this.scaledSegments = state.scaledSegments ?? 0;
    this.fits = state.fits;
    this.fitSeconds = state.fitSeconds;
    this.newLabelsSinceFit = state.newLabelsSinceFit;
    this.lastFit = state.lastFit && decodeFitStats(state.lastFit);
    for (const record of state.pool) {
      const { segment, truth } = segmentFromRecord(record, 'resume state');
      const s = this.segments.get(segment.id) ?? segment;
      this.pool.push(s);
      if (truth && !this.truths.has(s.id)) this.truths.set(s.id, truth);
    }
    if (state.teacher !== null && state.teacher !== undefined) this.teacher.load?.(state.teacher);
    if (!this.teacher.replayable) {
      // Answers come when they come, so nothing after the checkpoint can be repeated: adopt the
      // queries this run asked after it (q-N from the checkpoint's counter on; imported and gold
      // queries are not the run's own), take every stored label of the run's queries as
      // received, and number new queries and segments after every stored one.
      for (const q of stored.queries) if (!this.queries.has(q.id) && idNumber(q.id, 'q-') >= state.nextQueryId) this.queries.set(q.id, q);
      for (const id of this.queries.keys()) {
        const l = labels.get(id);
        if (l && !this.answeredSet.has(id)) {
          this.receive(l);
          this.newLabelsSinceFit += 1;
        }
      }
      this.nextQueryId = Math.max(this.nextQueryId, 1 + maxIdNumber(storedQueries.keys(), 'q-'));
      this.recorder.skipIdsTo(1 + maxIdNumber(stored.segments.keys(), 'seg-'));
    }
    // A teacher without state forgot what it was asked: ask again what is still unanswered.
    // (One with state knows; people's teacher reads open queries from the store.)
    const open = this.teacher.load ? [] : [...this.queries.values()].filter((q) => !this.answeredSet.has(q.id));
    if (open.length > 0) this.teacher.ask(open.map((q) => this.queryOf(q)));
  }

  // -------------------------------------------------------------------------------------
  // The named steps
  // -------------------------------------------------------------------------------------

  get phase(): RunPhase {
    return this._phase;
  }

  /** The initial segments are collected and asked about: next, their labels and the pretraining. */
  beginPretraining(): void {
    this._phase = 'pretraining';
  }

  /** Ends the initial phases: from now on queries come from the selector. */
  beginRL(): void {
    this._phase = 'rl';
  }

  /** The segments of the current round (the current policy's clips; since the last `trainPolicy`). */
  get latestSegments(): readonly Segment[] {
    return this.roundSegments;
  }

  /** Queries asked and not answered yet. */
  get pending(): number {
    return this.asked - this.labels;
  }

  /** Env steps of the whole run so far. */
  get envSteps(): number {
    return this.ppo.globalStep;
  }

  /** Labels received (incomparable answers included) and queries asked. */
  get labels(): number {
    return this.answered.length;
  }
  get asked(): number {
    return this.queries.size;
  }

  get done(): boolean {
    return this.ppo.done;
  }

  /** Whether PEBBLE's unsupervised pre-training has rounds left. */
  get unsupervisedDue(): boolean {
    return !this.unsupervisedDone && this.ppo.updates < this.unsupervisedUpdates && !this.ppo.done;
  }

  /** One round of PEBBLE's pre-training: a rollout paid the state-entropy reward, and its PPO update. */
  pretrainPolicy(): PpoMetrics {
    return this.trainPolicy();
  }

  /**
   * Ends PEBBLE's pre-training: PPO is paid r̂ from now on, and the critic starts afresh (as
   * PEBBLE's reset_critic and B-Pref PrefPPO's reset_value): it valued the entropy return, a
   * reward that is gone, and a stale baseline would skew the first advantages on r̂ (its Adam
   * moments are PPO's own and are kept, as are its reward-normalisation statistics, which hold
   * the entropy returns until RL's dilute them). The pre-training clips leave the pool, so the initial
   * queries are about the pre-trained policy's own clips. A no-op without pre-training.
   */
  endUnsupervised(): void {
    if (this.unsupervisedDone) return;
    this.learned.entropy = null;
    // The initialisation of ActorCritic.init (orthogonal, gain √2, output gain 1), from a stream of its own.
    this.ppo.agent.critic.init(this.streams.get('unsupervised'), { scheme: 'orthogonal', gain: Math.SQRT2 }, { scheme: 'orthogonal', gain: 1 });
    for (const s of this.pool) if (!this.segments.has(s.id)) this.truths.delete(s.id);
    this.pool = [];
    this.recorder.discardOpen();
    this.unsupervisedDone = true;
  }

  /**
   * Runs the current policy for `steps` env steps without learning; the segments go to the pool.
   * With `initialActionScales` other than [1], every new segment of a sub-env takes the next
   * scale in turn (see `scaledExplore`).
   */
  collectSegments(steps: number): void {
    const scales = this.cfg.initialActionScales;
    if (scales.length === 1 && scales[0] === 1) return this.ppo.explore(steps);
    this.scaledExplore(steps, scales, { next: 0 });
    // PPO would finish the open segments at full scale: drop them, so no clip mixes scales.
    this.recorder.discardOpen();
  }

  /**
   * `scaledSegmentsPerRound` segment lengths per sub-env of the current policy with its actions
   * scaled (the `initialActionScales` other than 1, in turn); the clips go to the pool. The
   * unfinished segments before and after are dropped, so no clip mixes scales. Returns the env
   * steps taken.
   */
  collectScaledSegments(): number {
    const per = this.cfg.scaledSegmentsPerRound;
    if (per === 0 || this.done) return 0;
    const N = this.ppo.cfg.numEnvs;
    const steps = Math.min(per * this.segmentLength * N, Math.max(0, this.cfg.totalTimesteps - this.envSteps));
    const counter = { next: this.scaledSegments };
    this.recorder.discardOpen();
    this.scaledExplore(steps, this.cfg.initialActionScales.filter((c) => c !== 1), counter);
    this.recorder.discardOpen();
    this.scaledSegments = counter.next;
    return steps;
  }

  /** Explores with a scale per segment: a sub-env starting a new segment takes scales[counter.next++ mod count]. */
  private scaledExplore(steps: number, scales: readonly number[], counter: { next: number }): void {
    const current = new Float64Array(this.ppo.cfg.numEnvs);
    this.ppo.explore(steps, (e) => {
      if (this.recorder.openLength(e) === 0) current[e] = scales[counter.next++ % scales.length];
      return current[e];
    });
  }

  /** Asks `count` queries: uniformly random pairs in the initial phase, the selector's after. Returns how many were asked. */
  ask(count: number): number {
    if (count <= 0 || this.pool.length < 2) return 0;
    const rng = this.streams.get('selection');
    const pairs = this._phase !== 'rl' ? samplePairs(this.pool, count, rng).map(([left, right]) => ({ left, right })) : this.selector.select(this.model, this.pool, count, rng, this.comparisons);
    this.putQueries(pairs, this.envSteps);
    return pairs.length;
  }

  /** Asks what the label schedule says is due by now. */
  askDue(): number {
    return this.ask(this.schedule.dueBy(this.envSteps) - this.asked);
  }

  /** Stores every answer that has arrived (before using it) and turns it into a comparison; never waits. */
  collectAnswers(): number {
    let n = 0;
    for (const a of this.teacher.poll()) {
      const q = this.queries.get(a.queryId);
      if (!q || this.answeredSet.has(q.id)) continue;
      const label: StoredLabel = {
        queryId: q.id,
        leftId: q.leftId,
        rightId: q.rightId,
        answer: a.answer,
        teacher: a.teacher,
        seconds: a.seconds ?? null,
        receivedAtStep: this.envSteps,
        createdAt: new Date().toISOString(),
        ...(a.clientId ? { clientId: a.clientId } : {}),
      };
      // A label stored before a crash wins over its replay.
      this.receive(this.store.putLabel(label));
      this.newLabelsSinceFit += 1;
      n += 1;
    }
    return n;
  }

  /**
   * How a fit augments its minibatches, or null for the paper's fit: QPA's sub-clips, SURF's
   * temporal crops and unlabelled pairs (random pairs of the pool, drawn anew at each fit from
   * their own stream; only the fit sees them, never the store or the label count).
   */
  private fitOptions(): FitOptions | null {
    const { subClips, pseudoLabelRatio, pseudoLabelThreshold } = this.cfg;
    if (subClips === 0 && pseudoLabelRatio === 0) return null;
    const options: FitOptions = { crops: subClips > 0 ? { count: subClips, range: SUB_CLIP } : { count: 1, range: TEMPORAL_CROP } };
    if (pseudoLabelRatio > 0) {
      const training = this.comparisons.filter((c) => !c.validation).length;
      const pairs = samplePairs(this.pool, Math.ceil(pseudoLabelRatio * training), this.streams.get('pseudo-labels')).map(([left, right]) => ({ left, right }));
      options.unlabelled = { pairs, perLabel: pseudoLabelRatio, threshold: pseudoLabelThreshold };
    }
    return options;
  }

  /** Whether a refit is due: new labels, and `fitEvery` env steps since the last fit. */
  get fitDue(): boolean {
    return this.newLabelsSinceFit > 0 && this.envSteps - this.lastFitStep >= this.cfg.fitEvery;
  }

  /** Fits the reward model on every comparison so far, then rescales its output for RL. */
  fit(epochs: number): void {
    if (this.comparisons.length === 0) return;
    const t0 = performance.now();
    const { model } = this;
    model.fitInputNormalization(this.comparisons.flatMap((c) => [c.left, c.right]));
    const options = this.fitOptions();
    this.lastFit = options ? model.fit(this.comparisons, epochs, this.streams.get('fit'), options) : model.fit(this.comparisons, epochs, this.streams.get('fit'));
    model.fitOutputNormalization(normalizationSegments(this.cfg.rewardModel.normalizeOver, this.pool, this.comparisons, this.segmentLength));
    this.fitSeconds += (performance.now() - t0) / 1000;
    this.lastFitStep = this.envSteps;
    this.fits += 1;
    this.newLabelsSinceFit = 0;
  }

  /** One round of PPO on the learned reward: a rollout and its update. */
  trainPolicy(): PpoMetrics {
    this.roundSegments = [];
    return this.ppo.update();
  }

  /** The round's metrics: PPO's, the labels, the last fit, and (if on) the diagnostics. */
  metrics(m: PpoMetrics): PrefsMetrics {
    const f = this.lastFit;
    const learnedReturns = this.learned.takeEpisodes();
    const diagnostics = this.cfg.diagnostics
      ? { ...correlations(this.model, this.roundSegments, this.truths), disagreement: disagreement(this.model, this.roundSegments, this.streams.get('diagnostics')) }
      : { returnCorrelation: null, rewardCorrelation: null, disagreement: null };
    return {
      ...m,
      envSteps: this.envSteps,
      // Until the initial segments are collected (PEBBLE's pre-training comes before them), every step was PPO's.
      ppoStep: this.envSteps - (this._phase === 'initial' ? 0 : this.initialSteps),
      labels: this.labels,
      labelsAsked: this.asked,
      pendingQueries: this.teacher.pending,
      heldOutAccuracy: finiteOrNull(f?.validationAccuracy),
      trainAccuracy: finiteOrNull(f?.trainAccuracy),
      rmTrainLoss: finiteOrNull(f ? mean(f.trainLoss) : undefined),
      rmValidationLoss: finiteOrNull(f ? mean(f.validationLoss) : undefined),
      l2: finiteOrNull(f ? mean(f.l2) : undefined),
      fits: this.fits,
      fitSeconds: this.fitSeconds,
      ...diagnostics,
      trueReturn: m.episodicReturn,
      learnedReturn: learnedReturns.length > 0 ? mean(learnedReturns) : null,
    };
  }

  // -------------------------------------------------------------------------------------
  // State
  // -------------------------------------------------------------------------------------

  state(): PreferenceRunState {
    return {
      format: 'overseer.prefs-run',
      version: 1,
      phase: this._phase,
      initialSteps: this.initialSteps,
      nextQueryId: this.nextQueryId,
      asked: [...this.queries.keys()],
      answered: [...this.answered],
      lastFitStep: this.lastFitStep,
      scaledSegments: this.scaledSegments,
      ...(this.cfg.unsupervisedSteps > 0 ? { unsupervisedDone: this.unsupervisedDone } : {}),
      fits: this.fits,
      fitSeconds: this.fitSeconds,
      newLabelsSinceFit: this.newLabelsSinceFit,
      lastFit: this.lastFit && encodeFitStats(this.lastFit),
      ppo: this.ppo.state(this.agentMeta()),
      rewardModel: this.model.save(),
      streams: this.streams.state(),
      teacher: this.teacher.state?.() ?? null,
      pool: this.pool.map((segment) => segmentToRecord({ segment, truth: this.truths.get(segment.id) })),
    };
  }

  /** What a saved policy records about the run. */
  agentMeta(): Record<string, unknown> {
    return { envId: this.cfg.envId, envKwargs: this.cfg.envKwargs, seed: this.cfg.seed, envSteps: this.envSteps, labels: this.labels };
  }

  close(): void {
    this.ppo.close();
    this.teacher.close();
  }

  // -------------------------------------------------------------------------------------
  // Plumbing
  // -------------------------------------------------------------------------------------

  /** New segments from the learned-reward env: into the pool (kept to its size) and this round's list. */
  private keepSegments(segments: { segment: Segment; truth: SegmentTruth }[]): void {
    for (const { segment, truth } of segments) {
      this.truths.set(segment.id, truth);
      this.pool.push(segment);
      this.roundSegments.push(segment);
    }
    // Truths are kept only for segments that can still be asked about or are stored.
    while (this.pool.length > this.cfg.segmentPool) {
      const old = this.pool.shift()!;
      if (!this.segments.has(old.id)) this.truths.delete(old.id);
    }
  }

  /** Persists the segments and queries, then hands the queries to the teacher. */
  private putQueries(pairs: { left: Segment; right: Segment }[], step: number): void {
    const fresh = new Map<string, Segment>();
    for (const p of pairs) for (const s of [p.left, p.right]) if (!this.segments.has(s.id)) fresh.set(s.id, s);
    this.store.putSegments([...fresh.values()].map((s) => ({ segment: s, truth: this.truths.get(s.id) })));
    for (const s of fresh.values()) this.segments.set(s.id, s);
    const qs: Query[] = pairs.map((p) => ({ id: `q-${this.nextQueryId++}`, left: p.left, right: p.right, askedAtStep: step }));
    const rows = qs.map((q) => ({ id: q.id, leftId: q.left.id, rightId: q.right.id, askedAtStep: q.askedAtStep }));
    this.store.putQueries(rows);
    for (const r of rows) this.queries.set(r.id, r);
    this.teacher.ask(qs);
  }

  /** Counts a stored label and, unless it is "incomparable", trains on it from now on. */
  private receive(l: StoredLabel): void {
    if (this.answeredSet.has(l.queryId)) return;
    this.answeredSet.add(l.queryId);
    this.answered.push(l.queryId);
    const c = toComparison(l, this.segments, this.cfg.seed, this.cfg.rewardModel.ensembleSize, this.cfg.rewardModel.validationFraction);
    if (c) this.comparisons.push(c);
  }

  private queryOf(q: StoredQuery): Query {
    const left = this.segments.get(q.leftId);
    const right = this.segments.get(q.rightId);
    if (!left || !right) throw new Error(`query ${q.id}: segment ${!left ? q.leftId : q.rightId} is not stored`);
    return { id: q.id, left, right, askedAtStep: q.askedAtStep };
  }
}

/** The default reward model: the paper's ensemble with the config's options. */
function ensembleOf(cfg: PrefsConfig): NonNullable<RunParts['rewardModel']> {
  return ({ obsShape, actionSize, rng, saved }) => {
    const network = cfg.rewardModel.network ?? 'mlp';
    if (!saved) {
      const problem = rewardNetworkProblem(network, obsShape);
      if (problem) throw new Error(`${problem} (${cfg.envId})`);
      return new RewardModel(obsShape, actionSize, cfg.rewardModel, rng);
    }
    const json = saved as RewardModelJson;
    // Fresh moments would make the resumed run's fits differ from the uninterrupted run's.
    if (json?.optimizers === null) throw new Error("resume: the saved reward model has no optimiser state (it was saved for evaluation, like a step checkpoint's, not as a run's state)");
    const savedNetwork = json?.config?.network ?? 'mlp';
    if (savedNetwork !== network) {
      throw new Error(`resume: the checkpoint's reward model is network '${savedNetwork}' but the run's options name network '${network}' (--rm network=${savedNetwork} to resume it)`);
    }
    const model = RewardModel.load(json);
    const savedShape = model.obsShape.length === 1 ? [model.obsSize] : model.obsShape;
    const envShape = model.obsShape.length === 1 ? [obsShape.reduce((a, b) => a * b, 1)] : obsShape;
    if (savedShape.join('x') !== envShape.join('x') || model.actionSize !== actionSize) {
      throw new Error(`resume: the checkpoint's reward model takes observations [${savedShape.join(', ')}] and actions of ${model.actionSize}, ${cfg.envId} has [${envShape.join(', ')}] and ${actionSize}`);
    }
    return model;
  };
}

/**
 * The segments each member's output is normalised over after a fit: 'recent', the latest ~4096
 * steps of the pool; 'labelled', every segment the model has labels for (each once).
 */
export function normalizationSegments(over: RewardModelConfig['normalizeOver'], pool: readonly Segment[], comparisons: readonly Comparison[], segmentLength: number): Segment[] {
  if (over === 'recent') return pool.slice(-Math.max(8, Math.ceil(4096 / segmentLength)));
  return [...new Set(comparisons.flatMap((c) => [c.left, c.right]))];
}

/** A label as a training comparison (null for "incomparable"); held-out and bootstrap draws are fixed per query. */
export function toComparison(l: StoredLabel, segments: ReadonlyMap<string, Segment>, seed: number, members: number, validationFraction: number): Comparison | null {
  const mu = targetOf(l.answer);
  if (mu === null) return null;
  const left = segments.get(l.leftId);
  const right = segments.get(l.rightId);
  if (!left || !right) throw new Error(`label for ${l.queryId}: segment ${!left ? l.leftId : l.rightId} is missing`);
  const rng = new Rng(fnv1a32(`${seed}:${l.queryId}`));
  const validation = rng.random() < validationFraction;
  const counts = Uint8Array.from({ length: members }, () => poisson1(rng));
  return { left, right, mu, validation, counts };
}

export function targetOf(a: Answer): PreferenceTarget | null {
  return a === 'left' ? 1 : a === 'right' ? 0 : a === 'equal' ? 0.5 : null;
}

/** `FitStats` with NaN (no held-out labels, an empty sample) as null, for JSON. */
type JsonFitStats = { [K in keyof FitStats]: FitStats[K] extends number[] ? (number | null)[] : FitStats[K] extends number ? number | null : FitStats[K] };

function encodeFitStats(f: FitStats): JsonFitStats {
  const n = (x: number) => (Number.isNaN(x) ? null : x);
  return { trainLoss: f.trainLoss.map(n), validationLoss: f.validationLoss.map(n), l2: f.l2.map(n), validationAccuracy: n(f.validationAccuracy), trainAccuracy: n(f.trainAccuracy), minibatches: f.minibatches };
}

function decodeFitStats(f: JsonFitStats): FitStats {
  const d = (x: number | null) => x ?? Number.NaN;
  return { trainLoss: f.trainLoss.map(d), validationLoss: f.validationLoss.map(d), l2: f.l2.map(d), validationAccuracy: d(f.validationAccuracy), trainAccuracy: d(f.trainAccuracy), minibatches: d(f.minibatches) };
}

/** Steps per segment: the config's, or 1.5 s of simulated time within 15-60 steps. */
function segmentLengthOf(cfg: PrefsConfig, scene: EnvScene): number {
  // A clip cut by the time limit is dropped: episodes shorter than a clip would give none to ask about, and the run would wait forever.
  if (cfg.segmentLength !== null && cfg.maxEpisodeSteps !== null && cfg.segmentLength > cfg.maxEpisodeSteps) {
    throw new Error(`maxEpisodeSteps: episodes of ${cfg.maxEpisodeSteps} steps are shorter than a clip (segmentLength ${cfg.segmentLength}), and clips cut by the time limit are dropped`);
  }
  return cfg.segmentLength ?? defaultSegmentLength(scene.dt, scene.maxEpisodeSteps);
}

/**
 * PPO's share of the run's env steps: all but the initial segments' and, with
 * `scaledSegmentsPerRound`, the scaled clips each round adds to its rollout.
 */
function ppoStepsOf(cfg: PrefsConfig, initialSteps: number, segmentLength: number): number {
  const rest = cfg.totalTimesteps - initialSteps;
  if (cfg.scaledSegmentsPerRound === 0) return rest;
  const probe = prefsPpoConfig(cfg, rest);
  const rollout = probe.numEnvs * probe.numSteps;
  const scaled = cfg.scaledSegmentsPerRound * segmentLength * probe.numEnvs;
  // Whole rounds, the last one overshooting the budget as PPO's last rollout does.
  return Math.max(1, Math.ceil(rest / (rollout + scaled))) * rollout;
}

function scheduleOf(cfg: PrefsConfig): LabelSchedule {
  return new LabelSchedule({ budget: cfg.labelBudget, initialFraction: cfg.initialLabelFraction, totalSteps: cfg.totalTimesteps, halfLife: cfg.labelRateHalfLife });
}

interface EnvScene {
  dt: number;
  maxEpisodeSteps: number | undefined;
  replayable: boolean;
}

/** How the training envs are made: the run's env options, and its time limit when it sets one (`maxEpisodeSteps`). */
function trainingMakeOptions(cfg: PrefsConfig): MakeOptions {
  return cfg.maxEpisodeSteps === null ? { kwargs: cfg.envKwargs } : { kwargs: cfg.envKwargs, maxEpisodeSteps: cfg.maxEpisodeSteps };
}

/** Seconds per env step (for the segment length), the training time limit, and whether segments can be replayed in a browser. */
function envScene(cfg: PrefsConfig): EnvScene {
  const probe = make(cfg.envId, { kwargs: cfg.envKwargs });
  try {
    const spec = probe.renderSpec();
    return { dt: spec?.dt ?? 0.05, maxEpisodeSteps: cfg.maxEpisodeSteps ?? registration(cfg.envId).maxEpisodeSteps, replayable: spec !== null };
  } finally {
    probe.close();
  }
}

/** n for this run's id `<prefix>n` (e.g. q-12), else -1 (imported ids carry their source's name first). */
function idNumber(id: string, prefix: string): number {
  const n = id.startsWith(prefix) ? Number(id.slice(prefix.length)) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? n : -1;
}

function maxIdNumber(ids: Iterable<string>, prefix: string): number {
  let max = -1;
  for (const id of ids) max = Math.max(max, idNumber(id, prefix));
  return max;
}

function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}
