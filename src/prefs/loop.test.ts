import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import { BaseEnv, type ResetOptions, type ResetResult, type StepResult } from '../envs/core.js';
import { register } from '../envs/registry.js';
import { Box, type Action } from '../envs/spaces.js';
import { PreferenceRun, PrefsConfigSchema, normalizationSegments, prefsPpoConfig, trainFromPreferences, type PreferenceRunState, type PrefsConfigInput, type PrefsMetrics } from './loop.js';
import { makeVec } from '../envs/vector/make.js';
import { Rng } from '../utils/rng.js';
import { VecLearnedReward } from './learnedReward.js';
import { SegmentRecorder } from './segments.js';
import type { QuerySelector } from './queries.js';
import { RewardModel, type Comparison } from './rewardModel.js';
import type { RunParts } from './run.js';
import type { Segment } from './segments.js';
import type { PreferenceStore } from './store.js';
import { MemoryProjectStore } from '../store/memory.js';
import type { ProjectStore } from '../store/store.js';
import type { Query, Teacher, TeacherAnswer } from './teachers.js';

/**
 * A 1-D walk: the action moves x; the true reward is rewardScale * x. Scaling the reward
 * changes nothing a teacher that ignores rewards would say, so a run that never reads
 * rewards is identical under any scale.
 */
class WalkEnv extends BaseEnv {
  readonly observationSpace = new Box(-Infinity, Infinity, [2]);
  readonly actionSpace = new Box(-1, 1, [1]);
  private x = 0;
  constructor(private readonly scale: number) {
    super();
  }
  reset({ seed }: ResetOptions = {}): ResetResult {
    this.seedRng(seed);
    this.x = this.rng.uniform(-0.1, 0.1);
    return { obs: Float32Array.of(this.x, 0), info: {} };
  }
  step(action: Action): StepResult {
    this.checkAction(action);
    const a = (action as ArrayLike<number>)[0];
    this.x += 0.1 * a;
    return { obs: Float32Array.of(this.x, a), reward: this.scale * this.x, terminated: false, truncated: false, info: {} };
  }
}
register({ id: 'PrefsWalk-v0', entryPoint: (kw) => new WalkEnv(kw.rewardScale as number), kwargs: { rewardScale: 1 }, maxEpisodeSteps: 30 });


/** A run's store in an in-memory project (the loop sees only the PreferenceStore); pass the project again to reopen it. */
function newStore(project: ProjectStore = new MemoryProjectStore()): PreferenceStore & { project: ProjectStore } {
  if (!project.getRun('walk')) project.createRun({ id: 'walk', envId: 'PrefsWalk-v0', renderSpec: null });
  const store = project.runStore('walk');
  return { putSegments: (i) => store.putSegments(i), putQueries: (q) => store.putQueries(q), putLabel: (l) => store.putLabel(l), load: () => store.load(), close: () => {}, project };
}

const base = (over: Partial<PrefsConfigInput> = {}): PrefsConfigInput => ({
  envId: 'PrefsWalk-v0',
  seed: 3,
  totalTimesteps: 3072,
  labelBudget: 24,
  segmentLength: 10,
  fitEvery: 256,
  initialEpochs: 5,
  epochsPerFit: 2,
  ppo: { numEnvs: 2, numSteps: 64, numMinibatches: 2, updateEpochs: 2, vectorization: 'sync', normalizeObs: true, normalizeReward: true },
  ...over,
});

/** Prefers the segment that ends further right, judging from observations only (never rewards). */
class ObsTeacher implements Teacher {
  readonly name = 'obs';
  private queue: TeacherAnswer[] = [];
  asked: Query[] = [];
  get pending() {
    return 0;
  }
  ask(qs: readonly Query[]) {
    const end = (s: Segment) => s.obs[(s.length - 1) * s.obsSize];
    for (const q of qs) {
      this.asked.push(q);
      this.queue.push({ queryId: q.id, answer: end(q.left) > end(q.right) ? 'left' : 'right', teacher: this.name });
    }
  }
  poll() {
    return this.queue.splice(0);
  }
  close() {}
}

/** Holds answers back for `delay` polls: a slow person. With Infinity, never answers. */
class SlowTeacher extends ObsTeacher {
  private held: { at: number; a: TeacherAnswer }[] = [];
  private polls = 0;
  constructor(private readonly delay: number) {
    super();
  }
  override get pending() {
    return this.held.length;
  }
  override poll() {
    this.polls += 1;
    for (const a of super.poll()) this.held.push({ at: this.polls + this.delay, a });
    const ready = this.held.filter((h) => h.at <= this.polls);
    this.held = this.held.filter((h) => h.at > this.polls);
    return ready.map((h) => h.a);
  }
}

/** What a run stored, as another process would read it back. */
const contents = (store: PreferenceStore) => {
  const { queries, labels, segments } = store.load();
  return {
    queries,
    labels: labels.map(({ createdAt: _, ...l }) => l),
    segments: [...segments.values()].map((s) => JSON.stringify({ ...s, obs: [...s.obs], actions: [...s.actions] })),
  };
};
/** The policy and the whole reward model, Adam's moments included (the checkpoint leaves them out). */
const learned = (r: { checkpoint: { agent: object }; rewardModel: { save(): unknown } }) => JSON.stringify({ agent: { ...r.checkpoint.agent, meta: {} }, rewardModel: r.rewardModel.save() });
/** Metrics without the timings, which differ between any two runs. */
const logged = (m: PrefsMetrics) => ({ ...m, sps: 0, rolloutSeconds: 0, updateSeconds: 0, fitSeconds: 0 });

/**
 * The run three ways: whole; stopped (aborted) at round `killRound` after saving its state at
 * round `checkpointRound` (0: at its start), storing more in between; and resumed from that state
 * in the same project.
 */
async function stopAndResume(cfg: PrefsConfigInput, checkpointRound: number, killRound: number) {
  const wholeStore = newStore();
  const wholeRows: PrefsMetrics[] = [];
  const whole = await trainFromPreferences(cfg, { store: wholeStore, onRound: (m) => wholeRows.push(m) });
  let store = newStore();
  const project = store.project;
  const controller = new AbortController();
  let saved: PreferenceRunState | null = null;
  const save = (run: { state(): PreferenceRunState }) => (saved = JSON.parse(JSON.stringify(run.state())) as PreferenceRunState);
  const first = await trainFromPreferences(cfg, {
    store,
    signal: controller.signal,
    onStart: (run) => checkpointRound === 0 && save(run),
    onRound: (m, run) => {
      if (m.update === checkpointRound) save(run);
      if (m.update === killRound) controller.abort();
    },
  });
  store.close();
  store = newStore(project);
  const rows: PrefsMetrics[] = [];
  const resumed = saved ? await trainFromPreferences(cfg, { store, resumeFrom: saved, onRound: (m) => rows.push(m) }) : null;
  return { whole, wholeRows, wholeStore, first, saved, resumed, rows, store };
}

describe('preference loop', () => {
  it('neither the reward model nor the policy ever receives true rewards', async () => {
    const runs = [];
    for (const rewardScale of [1, -1000]) {
      const store = newStore();
      const r = await trainFromPreferences(base({ envKwargs: { rewardScale } }), { store, teacher: new ObsTeacher() });
      store.close();
      runs.push(r);
    }
    // Every parameter of the reward model (its Adam moments too) and of the policy is bit-identical.
    expect(JSON.stringify(runs[1].rewardModel.save())).toBe(JSON.stringify(runs[0].rewardModel.save()));
    expect(JSON.stringify(runs[1].checkpoint.rewardModel)).toBe(JSON.stringify(runs[0].checkpoint.rewardModel));
    // The checkpoint is for evaluation: the moments are left out (only resume needs them).
    expect((runs[0].rewardModel.save() as { optimizers: unknown[] }).optimizers).toHaveLength(3);
    expect((runs[0].checkpoint.rewardModel as { optimizers: unknown }).optimizers).toBeNull();
    expect(JSON.stringify(runs[1].checkpoint.agent.actor)).toBe(JSON.stringify(runs[0].checkpoint.agent.actor));
    expect(JSON.stringify(runs[1].checkpoint.agent.critic)).toBe(JSON.stringify(runs[0].checkpoint.agent.critic));
    expect(runs[0].labels).toBe(24);
  });

  it("a named simulated teacher keeps its own parameters through a config parsed twice (as the CLI does): 'mistake' errs", async () => {
    const once = PrefsConfigSchema.parse(base({ teacher: 'mistake', labelBudget: 100 }));
    expect(once.teacherParams).toEqual({});
    expect(PrefsConfigSchema.parse(JSON.parse(JSON.stringify(once))).teacherParams).toEqual({});
    const store = newStore();
    await trainFromPreferences(once, { store });
    const { labels, truths } = store.load();
    store.close();
    const sum = (id: string) => truths.get(id)!.rewards.reduce((a, b) => a + b, 0);
    const wrong = labels.filter((l) => (sum(l.leftId) > sum(l.rightId)) !== (l.answer === 'left')).length;
    expect(labels).toHaveLength(100);
    // epsilon 0.1: about 10 of 100 answers flipped (an oracle flips none).
    expect(wrong).toBeGreaterThanOrEqual(3);
    expect(wrong).toBeLessThanOrEqual(20);
  });

  it('learns the task from oracle labels, logging the diagnostics every update', async () => {
    const rows: PrefsMetrics[] = [];
    const store = newStore();
    const r = await trainFromPreferences(base({ totalTimesteps: 12_288, labelBudget: 60 }), { store, onRound: (m) => rows.push(m) });
    store.close();
    const last = rows.at(-1)!;
    expect(last.envSteps).toBe(12_288);
    expect(last.labels).toBe(60);
    expect(last.labelsAsked).toBe(60);
    expect(last.heldOutAccuracy).toBeGreaterThan(0.8);
    expect(last.returnCorrelation).toBeGreaterThan(0.8);
    expect(last.disagreement).toBeGreaterThanOrEqual(0);
    expect(last.fits).toBeGreaterThan(3);
    // 25% of the labels came from the initial policy, before any PPO update.
    expect(rows[0].labels).toBeGreaterThanOrEqual(15);
    // The true return (logged only) rises: moving right pays.
    expect(rows.slice(-5).reduce((s, m) => s + m.trueReturn!, 0) / 5).toBeGreaterThan(rows.slice(0, 5).reduce((s, m) => s + m.trueReturn!, 0) / 5 + 5);
    expect(r.envSteps).toBe(12_288);
  });

  it('without waiting for the initial labels, a teacher that never answers does not block RL; a slow one is used when its answers arrive', async () => {
    const silent = new SlowTeacher(Infinity);
    const rows: PrefsMetrics[] = [];
    const r = await trainFromPreferences(base({ waitForInitialLabels: false }), { store: newStore(), teacher: silent, onRound: (m) => rows.push(m) });
    expect(r.envSteps).toBe(3072);
    expect(r.labels).toBe(0);
    expect(rows.at(-1)!.pendingQueries).toBe(24);
    expect(rows.at(-1)!.labelsAsked).toBe(24);

    const slowRows: PrefsMetrics[] = [];
    const slow = await trainFromPreferences(base({ waitForInitialLabels: false }), { store: newStore(), teacher: new SlowTeacher(3), onRound: (m) => slowRows.push(m) });
    expect(slow.envSteps).toBe(3072);
    expect(slowRows[0].labels).toBe(0);
    expect(slow.labels).toBeGreaterThan(15);
    expect(slowRows.at(-1)!.fits).toBeGreaterThan(1);
  });

  it.each([
    ['at its start', 0, 6, 'oracle'],
    ['mid-run, with work done after the checkpoint', 7, 15, 'oracle'],
    ['mid-run, B-Pref\'s stochastic teacher (its answers draw random numbers)', 5, 12, 'stoc'],
  ] as const)('a run stopped after a checkpoint taken %s and resumed from it ends bit-identical to the run uninterrupted: policy, reward model, queries and labels', async (_when, checkpointRound, killRound, teacher) => {
    const { whole, wholeRows, wholeStore, first, saved, resumed, rows, store } = await stopAndResume(base({ labelBudget: 40, teacher }), checkpointRound, killRound);
    expect(first.interrupted).toBe(true);
    expect(saved).not.toBeNull();
    expect(rows[0].update).toBe(checkpointRound + 1);
    expect(resumed!.envSteps).toBe(3072);
    expect(learned(resumed!)).toBe(learned(whole));
    expect(contents(store)).toEqual(contents(wholeStore));
    expect(contents(store).labels).toHaveLength(40);
    expect(rows.map(logged)).toEqual(wholeRows.slice(checkpointRound).map(logged));
    // A state whose reward model came from a checkpoint (no Adam moments) is refused, not resumed differently.
    const lean: PreferenceRunState = { ...(saved as unknown as PreferenceRunState), rewardModel: first.checkpoint.rewardModel };
    await expect(trainFromPreferences(base({ labelBudget: 40, teacher }), { store: newStore(), resumeFrom: lean })).rejects.toThrow('resume: the saved reward model has no optimiser state');
    store.close();
    wholeStore.close();
  });

  it('the teacher, the query selector and the reward model plug in as parts, the loop untouched', async () => {
    // A selector that asks about the newest segments against the oldest ones in the pool.
    const asks: number[] = [];
    const selector: QuerySelector = {
      name: 'newest-vs-oldest',
      select: (_model, pool, count) => {
        asks.push(count);
        return Array.from({ length: count }, (_, i) => ({ left: pool[pool.length - 1 - (i % pool.length)], right: pool[i % (pool.length - 1)] }));
      },
    };
    // A one-member reward model that counts its fits.
    let built = 0;
    let fits = 0;
    const rewardModel: RunParts['rewardModel'] = ({ obsSize, actionSize, rng }) => {
      built += 1;
      const m = new RewardModel(obsSize, actionSize, { ensembleSize: 1 }, rng);
      const fit = m.fit.bind(m);
      m.fit = (comparisons, epochs, r) => ((fits += 1), fit(comparisons, epochs, r));
      return m;
    };
    const teacher = new ObsTeacher();
    const rows: PrefsMetrics[] = [];
    const r = await trainFromPreferences(base(), { store: newStore(), teacher, selector, rewardModel, onRound: (m) => rows.push(m) });
    expect(r.labels).toBe(24);
    expect(built).toBe(1);
    expect(fits).toBe(rows.at(-1)!.fits);
    expect(fits).toBeGreaterThan(2);
    // The initial 6 pairs are random; the 18 after them came from the selector.
    expect(asks.reduce((a, b) => a + b, 0)).toBe(18);
    expect(teacher.asked.slice(6).every((q) => q.left.globalStep > q.right.globalStep)).toBe(true);
  });

  it('with a teacher that cannot replay its answers (people), a resumed run adopts what it asked after its checkpoint: no label lost, none twice, the budget kept', async () => {
    /** Answers from observations, a poll late; keeps no state, as a person's answers are not replayable. */
    class Person extends SlowTeacher {
      readonly replayable = false;
      constructor() {
        super(1);
      }
    }
    let store = newStore();
    const project = store.project;
    const controller = new AbortController();
    let saved: PreferenceRunState | null = null;
    let labelsAtCheckpoint = 0;
    const first = await trainFromPreferences(base(), {
      store,
      teacher: new Person(),
      signal: controller.signal,
      onRound: (m, run) => {
        if (m.update === 3) {
          saved = JSON.parse(JSON.stringify(run.state())) as PreferenceRunState;
          labelsAtCheckpoint = m.labels;
        }
        if (m.update === 9) controller.abort();
      },
    });
    expect(first.labels).toBeGreaterThan(labelsAtCheckpoint);
    const before = store.load();
    expect(before.queries.length).toBeGreaterThan(saved!.asked.length);

    store = newStore(project);
    const rows: PrefsMetrics[] = [];
    const resumed = await trainFromPreferences(base(), { store, teacher: new Person(), resumeFrom: saved!, onRound: (m) => rows.push(m) });
    const after = store.load();
    // Everything asked before the crash is still there and counted; the budget is not exceeded.
    expect(after.queries.slice(0, before.queries.length)).toEqual(before.queries);
    expect(after.queries).toHaveLength(24);
    expect(new Set(after.queries.map((q) => q.id)).size).toBe(24);
    expect(rows.at(-1)!.labelsAsked).toBe(24);
    // Every label stored before the crash is still stored once, and the run trained on all of them.
    for (const l of before.labels) expect(after.labels.filter((x) => x.queryId === l.queryId)).toEqual([l]);
    expect(new Set(after.labels.map((l) => l.queryId)).size).toBe(after.labels.length);
    expect(resumed.labels).toBe(after.labels.length);
    expect(resumed.labels).toBeGreaterThanOrEqual(before.labels.length);
  });

  it('RL starts once the initial labels are in (the paper pretrains on them first), however slowly they come', async () => {
    const waits: number[] = [];
    const rows: PrefsMetrics[] = [];
    const r = await trainFromPreferences(base(), { store: newStore(), teacher: new SlowTeacher(3), waitPollMs: 1, onWait: (n, run) => run.phase === 'pretraining' && waits.push(n), onRound: (m) => rows.push(m) });
    // The 6 initial queries were waited for, and every one was in before the first round.
    expect(waits[0]).toBe(6);
    expect(rows[0].labels).toBeGreaterThanOrEqual(6);
    expect(rows[0].fits).toBeGreaterThanOrEqual(1);
    expect(r.envSteps).toBe(3072);
  });

  it('maxPendingLabels paces RL to the labeler: a round waits while more answers are outstanding', async () => {
    const rlWaits: number[] = [];
    const rows: PrefsMetrics[] = [];
    const r = await trainFromPreferences(base({ maxPendingLabels: 0 }), { store: newStore(), teacher: new SlowTeacher(2), waitPollMs: 1, onWait: (n, run) => run.phase === 'rl' && rlWaits.push(n), onRound: (m) => rows.push(m) });
    expect(rlWaits.length).toBeGreaterThan(0);
    // At a round's end nothing is outstanding but what that round asked (the earlier answers were waited for).
    for (let i = 1; i < rows.length; i++) expect(rows[i].labelsAsked - rows[i].labels).toBeLessThanOrEqual(rows[i].labelsAsked - rows[i - 1].labelsAsked);
    expect(rows.at(-1)!.labelsAsked).toBe(24);
    expect(r.labels).toBeGreaterThanOrEqual(24 - (rows.at(-1)!.labelsAsked - rows.at(-2)!.labelsAsked));
  });

  it('a run stopped while it waits for the initial labels resumes waiting, without collecting its initial segments again', async () => {
    const controller = new AbortController();
    let store = newStore();
    const project = store.project;
    let polls = 0;
    const first = await trainFromPreferences(base(), {
      store,
      teacher: new SlowTeacher(Infinity),
      signal: controller.signal,
      waitPollMs: 1,
      onWait: () => ++polls === 5 && controller.abort(),
    });
    expect(first.interrupted).toBe(true);
    expect(first.state!.phase).toBe('pretraining');
    const collected = first.envSteps;
    expect(collected).toBeGreaterThan(0);
    store = newStore(project);
    const r = await trainFromPreferences(base(), { store, teacher: new ObsTeacher(), resumeFrom: JSON.parse(JSON.stringify(first.state)) as PreferenceRunState });
    expect(r.envSteps).toBe(3072);
    expect(r.labels).toBe(24);
    expect(store.load().queries).toHaveLength(24);
  });

  it('turning the diagnostics off changes no query asked and no parameter trained', async () => {
    const runs = [];
    for (const diagnostics of [true, false]) {
      const store = newStore();
      const rows: PrefsMetrics[] = [];
      const r = await trainFromPreferences(base({ diagnostics }), { store, onRound: (m) => rows.push(m) });
      runs.push({ learned: learned(r), stored: contents(store), disagreement: rows.at(-1)!.disagreement });
      store.close();
    }
    expect(runs[0].disagreement).not.toBeNull();
    expect(runs[1].disagreement).toBeNull();
    expect(runs[1].learned).toBe(runs[0].learned);
    expect(runs[1].stored).toEqual(runs[0].stored);
  });

  it("maxEpisodeSteps: training episodes are truncated at n steps instead of the env's 30, and the default clip fits in one", async () => {
    const lengths = async (over: Partial<PrefsConfigInput>) => {
      const store = newStore();
      const rows: PrefsMetrics[] = [];
      await trainFromPreferences(base(over), { store, teacher: new ObsTeacher(), onRound: (m) => rows.push(m) });
      const segments = [...store.load().segments.values()];
      store.close();
      return { episodes: new Set(rows.filter((m) => m.episodesFinished > 0).map((m) => m.episodicLength)), clips: new Set(segments.map((s) => s.length)) };
    };
    expect(await lengths({})).toEqual({ episodes: new Set([30]), clips: new Set([10]) });
    expect(await lengths({ maxEpisodeSteps: 20 })).toEqual({ episodes: new Set([20]), clips: new Set([10]) });
    // Without a segment length, clips are 1.5 s (30 steps here) but no longer than an episode.
    expect(await lengths({ maxEpisodeSteps: 12, segmentLength: null })).toEqual({ episodes: new Set([12]), clips: new Set([12]) });
    expect(() => PrefsConfigSchema.parse(base({ maxEpisodeSteps: 0 }))).toThrow(/maxEpisodeSteps/);
    expect(PrefsConfigSchema.parse(base()).maxEpisodeSteps).toBeNull();
    // Episodes shorter than an explicit clip would give no clips at all: refused before anything runs.
    await expect(trainFromPreferences(base({ maxEpisodeSteps: 8 }), { store: newStore(), teacher: new ObsTeacher() })).rejects.toThrow(/episodes of 8 steps are shorter than a clip \(segmentLength 10\)/);
  });

  it('initialActionScales: the initial clips span the scales (each new segment takes the next); RL clips are the policy as it is', async () => {
    const store = newStore();
    const r = await trainFromPreferences(base({ initialActionScales: [0, 0.5, 1], totalTimesteps: 4096 }), { store, teacher: new ObsTeacher() });
    expect(r.envSteps).toBe(4096);
    const { segments, queries } = store.load();
    const maxAbs = (s: Segment) => s.actions.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
    const initial = queries.filter((q) => q.askedAtStep === queries[0].askedAtStep).flatMap((q) => [segments.get(q.leftId)!, segments.get(q.rightId)!]);
    const later = queries.filter((q) => q.askedAtStep > queries[0].askedAtStep).flatMap((q) => [segments.get(q.leftId)!, segments.get(q.rightId)!]);
    expect(initial.length).toBeGreaterThanOrEqual(12);
    // Scale 0: the actions are exactly the centre of the box; 0.5: within half of it; 1: beyond half.
    const zero = initial.filter((s) => maxAbs(s) === 0).length;
    const half = initial.filter((s) => maxAbs(s) > 0 && maxAbs(s) <= 0.5).length;
    const full = initial.filter((s) => maxAbs(s) > 0.5).length;
    expect(zero).toBeGreaterThan(0);
    expect(half).toBeGreaterThan(0);
    expect(full).toBeGreaterThan(0);
    expect(zero + half + full).toBe(initial.length);
    // A scale holds for a whole segment: none mixes scale 0 with another.
    for (const s of initial) if (maxAbs(s) > 0) expect(s.actions.every((a) => a !== 0)).toBe(true);
    expect(later.length).toBeGreaterThan(0);
    expect(later.some((s) => maxAbs(s) > 0.5)).toBe(true);
    store.close();
    // Discrete actions cannot be scaled: refused with the option named.
    await expect(trainFromPreferences(base({ envId: 'CartPole-v1', initialActionScales: [0.5, 1] }), { store: newStore(), teacher: new ObsTeacher() })).rejects.toThrow(/initialActionScales: CartPole-v1 has discrete actions/);
  });

  it('scaledSegmentsPerRound: each round the policy also acts at the other scales, for the query pool only; the run keeps its step budget', async () => {
    const store = newStore();
    let zeroInRL = 0;
    let initialSteps = 0;
    const seen = new Set<string>();
    const r = await trainFromPreferences(base({ initialActionScales: [0, 1], scaledSegmentsPerRound: 1, totalTimesteps: 4096 }), {
      store,
      teacher: new ObsTeacher(),
      onRound: (_m, run) => {
        initialSteps = run.initialSteps;
        for (const s of run.pool) {
          if (seen.has(s.id) || s.globalStep < run.initialSteps) continue;
          seen.add(s.id);
          if (s.actions.every((a) => a === 0)) zeroInRL += 1;
        }
      },
    });
    // 1 segment (10 steps) x 2 sub-envs at scale 0 before each 128-step rollout (12.8 segments): ~1/7 of the RL-phase clips.
    expect(zeroInRL).toBeGreaterThanOrEqual(10);
    expect(zeroInRL / seen.size).toBeGreaterThan(0.08);
    expect(zeroInRL / seen.size).toBeLessThan(0.25);
    expect(initialSteps).toBeGreaterThan(0);
    // The budget is kept to within the last round (rollout + scaled clips), as PPO's last rollout overshoots too.
    expect(r.envSteps).toBeGreaterThanOrEqual(4096);
    expect(r.envSteps).toBeLessThan(4096 + 128 + 20);
    store.close();
    await expect(trainFromPreferences(base({ scaledSegmentsPerRound: 1 }), { store: newStore(), teacher: new ObsTeacher() })).rejects.toThrow(/scaledSegmentsPerRound: needs initialActionScales/);
    // PEBBLE's pre-training may not take every PPO update (the run would end without RL on r̂).
    await expect(trainFromPreferences(base({ unsupervisedSteps: 4096 }), { store: newStore(), teacher: new ObsTeacher() })).rejects.toThrow(/unsupervisedSteps: 4096 steps of pre-training \(32 rollouts\) leave no PPO update/);
  });

  it("normalises the members over the latest ~4096 steps ('recent') or over every labelled segment once ('labelled')", () => {
    const seg = (i: number): Segment => ({ id: `seg-${i}`, envId: 'PrefsWalk-v0', seed: 1, envIndex: 0, globalStep: i * 64, length: 64, obsSize: 2, actionSize: 1, obs: new Float32Array(128), actions: new Float32Array(64), renderSize: 0, render: null, terminated: false });
    const pool = Array.from({ length: 100 }, (_, i) => seg(i));
    const pair = (a: number, b: number): Comparison => ({ left: pool[a], right: pool[b], mu: 1, validation: false, counts: Uint8Array.of(1) });
    const comparisons = [pair(0, 1), pair(1, 2), pair(50, 0)];
    expect(normalizationSegments('recent', pool, comparisons, 64).map((s) => s.id)).toEqual(pool.slice(36).map((s) => s.id));
    expect(normalizationSegments('labelled', pool, comparisons, 64).map((s) => s.id)).toEqual(['seg-0', 'seg-1', 'seg-2', 'seg-50']);
  });

  it("trains PPO with the env's preset plus the paper's entropy bonus on its MuJoCo tasks (and Swimmer's long discount); ppo options win", () => {
    const ppo = (input: PrefsConfigInput) => prefsPpoConfig(PrefsConfigSchema.parse(input), 1000);
    expect(ppo({ envId: 'Hopper-v5' }).entCoef).toBe(0.01);
    expect(ppo({ envId: 'Swimmer-v5' }).entCoef).toBe(0.001);
    expect(ppo({ envId: 'Swimmer-v5' }).gamma).toBe(0.9999);
    expect(ppo({ envId: 'Hopper-v5' }).gamma).toBe(0.99);
    expect(ppo({ envId: 'Swimmer-v5', ppo: { gamma: 0.99 } }).gamma).toBe(0.99);
    expect(ppo({ envId: 'Hopper-v5' }).numSteps).toBe(1024);
    expect(ppo({ envId: 'CartPole-v1' }).entCoef).toBe(0);
    expect(ppo({ envId: 'Hopper-v5', ppo: { entCoef: 0 } }).entCoef).toBe(0);
  });
});

describe('label efficiency after 2017 (OVERSIGHT.md §7)', () => {
  it.each([
    ['PEBBLE, a checkpoint during its pre-training', { unsupervisedSteps: 256 }, 1, 6],
    ['PEBBLE, a checkpoint after its last pre-training round (before the critic is reset)', { unsupervisedSteps: 256 }, 2, 9],
    ['SURF', { pseudoLabelRatio: 4, pseudoLabelThreshold: 0.6 }, 7, 15],
    ['QPA', { policyAlignedEpisodes: 2, subClips: 5 }, 7, 15],
    ['RUNE', { disagreementBonus: 0.05, disagreementBonusDecay: 1e-3 }, 7, 15],
  ] as const)('%s: a run resumed from it ends bit-identical to the run uninterrupted', async (_name, options, checkpointRound, killRound) => {
    const { whole, wholeRows, wholeStore, saved, resumed, rows, store } = await stopAndResume(base({ labelBudget: 40, ...options }), checkpointRound, killRound);
    expect(saved).not.toBeNull();
    expect(resumed!.envSteps).toBe(3072);
    expect(learned(resumed!)).toBe(learned(whole));
    expect(contents(store)).toEqual(contents(wholeStore));
    expect(rows.map(logged)).toEqual(wholeRows.slice(checkpointRound).map(logged));
    // And the option changed the run (the same seed without it learns something else).
    expect(learned(await trainFromPreferences(base({ labelBudget: 40 }), { store: newStore() }))).not.toBe(learned(whole));
  });

  it("PEBBLE: PPO first trains on state entropy, in the run's steps and before any label; the initial clips are the pre-trained policy's", async () => {
    const store = newStore();
    const rows: PrefsMetrics[] = [];
    const r = await trainFromPreferences(base({ unsupervisedSteps: 200 }), { store, teacher: new ObsTeacher(), onRound: (m) => rows.push(m) });
    expect(r.envSteps).toBe(3072);
    // 200 steps round up to 2 rollouts of 128; nothing is asked or fitted before they end.
    expect(rows.slice(0, 3).map((m) => [m.envSteps, m.labelsAsked, m.fits])).toEqual([
      [128, 0, 0],
      [256, 0, 0],
      [256 + 128 + 128, 9, 1], // the initial segments (128 steps) and their 6 labels, the first fit, a round of RL and the 3 labels due
    ]);
    // log(1 + distance) > 0: the pre-training rounds are paid state entropy.
    expect(rows[0].learnedReturn).toBeGreaterThan(0);
    // The pre-training clips left the pool: every clip asked about is the pre-trained policy's or later.
    const { queries, segments } = store.load();
    expect(queries).toHaveLength(24);
    for (const q of queries) for (const id of [q.leftId, q.rightId]) expect(segments.get(id)!.globalStep).toBeGreaterThanOrEqual(256);
  });

  it('PEBBLE: ending the pre-training resets the critic (only), once, and empties the pool', () => {
    const run = PreferenceRun.start(PrefsConfigSchema.parse(base({ unsupervisedSteps: 256 })), { store: newStore(), teacher: new ObsTeacher() });
    try {
      while (run.unsupervisedDue) run.pretrainPolicy();
      expect(run.ppo.updates).toBe(2);
      expect(run.pool.length).toBeGreaterThan(10);
      const actor = [...run.ppo.agent.actor.params];
      const critic = [...run.ppo.agent.critic.params];
      run.endUnsupervised();
      expect([...run.ppo.agent.actor.params]).toEqual(actor);
      expect([...run.ppo.agent.critic.params]).not.toEqual(critic);
      expect(run.pool).toHaveLength(0);
      const reset = [...run.ppo.agent.critic.params];
      run.endUnsupervised();
      expect([...run.ppo.agent.critic.params]).toEqual(reset);
      expect(run.unsupervisedDue).toBe(false);
    } finally {
      run.close();
    }
  });

  it("SURF: pseudo-labels train the model but never become labels: the store holds the teacher's answers only, and `labels` counts those", async () => {
    const unlabelled: number[] = [];
    const rewardModel: RunParts['rewardModel'] = ({ obsSize, actionSize, rng }) => {
      const m = new RewardModel(obsSize, actionSize, {}, rng);
      const fit = m.fit.bind(m);
      m.fit = (comparisons, epochs, r, options) => (unlabelled.push(options?.unlabelled?.pairs.length ?? 0), fit(comparisons, epochs, r, options));
      return m;
    };
    const store = newStore();
    const rows: PrefsMetrics[] = [];
    let comparisons = 0;
    const r = await trainFromPreferences(base({ pseudoLabelRatio: 4, pseudoLabelThreshold: 0.55 }), {
      store,
      teacher: new ObsTeacher(),
      rewardModel,
      onRound: (m, run) => {
        rows.push(m);
        comparisons = run.comparisons.length;
      },
    });
    // Every fit had unlabelled pairs beside the labels (4 per training label).
    expect(unlabelled.length).toBe(rows.at(-1)!.fits);
    expect(unlabelled.length).toBeGreaterThan(2);
    expect(Math.min(...unlabelled)).toBeGreaterThan(0);
    expect(Math.max(...unlabelled)).toBeGreaterThan(4 * 10);
    const { labels, queries, segments } = store.load();
    expect(r.labels).toBe(24);
    expect(labels).toHaveLength(24);
    expect(queries).toHaveLength(24);
    expect(comparisons).toBe(24);
    expect(rows.every((m) => m.labels <= m.labelsAsked && m.labelsAsked <= 24)).toBe(true);
    // Each stored label is the teacher's own answer to its query (ObsTeacher: the clip ending further right).
    const end = (id: string) => segments.get(id)!.obs[(segments.get(id)!.length - 1) * 2];
    for (const l of labels) {
      expect(l.teacher).toBe('obs');
      expect(l.answer).toBe(end(l.leftId) > end(l.rightId) ? 'left' : 'right');
    }
  });

  it('QPA: in RL, every query is about the recent episodes (a window of 1 episode, 30 steps, here); without it, older clips are asked about too', async () => {
    // How far (env steps) the oldest clip of each RL query began before the query was asked.
    const ages = async (policyAlignedEpisodes: number) => {
      const store = newStore();
      await trainFromPreferences(base({ policyAlignedEpisodes }), { store, teacher: new ObsTeacher() });
      const { queries, segments } = store.load();
      return queries.slice(6).map((q) => q.askedAtStep - Math.min(segments.get(q.leftId)!.globalStep, segments.get(q.rightId)!.globalStep));
    };
    const aligned = await ages(1);
    expect(aligned).toHaveLength(18);
    // The newest clip began at most one segment (2 sub-envs x 10 steps) and a partial one before the query; the window adds 30.
    expect(Math.max(...aligned)).toBeLessThanOrEqual(30 + 2 * 2 * 10);
    expect(Math.max(...(await ages(0)))).toBeGreaterThan(300);
  });

  it("RUNE: PPO is paid r̂ + β_t · the members' std, β_t = β0 (1 − ρ)^t at the env step", () => {
    const model = new RewardModel(2, 1, { ensembleSize: 3 }, new Rng(1));
    const recorder = new SegmentRecorder({ envId: 'PrefsWalk-v0', seed: 1, numEnvs: 2, obsSize: 2, actionSize: 1, renderSize: 0, segmentLength: 10 });
    const env = new VecLearnedReward(makeVec('PrefsWalk-v0', { numEnvs: 2, mode: 'sync' }), model, recorder, () => {});
    try {
      env.setDisagreementBonus({ beta0: 0.05, decay: 0.01 });
      let obs = Float32Array.from(env.reset({ seed: 1 }).obs);
      let largest = 0;
      for (let i = 0; i < 40; i++) {
        const actions = Float32Array.of(Math.sin(i), Math.cos(i));
        const std = new Float64Array(2);
        const paid = model.rewardWithStd(obs, actions, 2, std);
        const beta = 0.05 * 0.99 ** env.globalStep;
        const r = env.step(actions);
        for (let e = 0; e < 2; e++) {
          expect(r.rewards[e]).toBeCloseTo(paid[e] + beta * std[e], 12);
          largest = Math.max(largest, beta * std[e]);
        }
        obs = Float32Array.from(r.obs);
      }
      expect(largest).toBeGreaterThan(1e-3);
      env.setDisagreementBonus(null);
      const plain = model.reward(obs, Float32Array.of(0.2, 0.2), 2);
      expect([...env.step(Float32Array.of(0.2, 0.2)).rewards]).toEqual([...plain]);
    } finally {
      env.close();
    }
  });
});

