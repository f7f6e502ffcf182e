import { Discrete } from '../envs/spaces.js';
import type { VecEnvSnapshot, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from '../envs/vector/types.js';
import { decodeFloats, encodeFloats } from '../utils/floats.js';
import { VectorWrapper } from '../envs/vector/wrapper.js';
import type { PreferenceModel } from './rewardModel.js';
import type { Segment, SegmentRecorder, SegmentRecorderState, SegmentTruth } from './segments.js';
import type { StateEntropy, StateEntropyState } from './stateEntropy.js';

/** The wrapper's part of a snapshot: the step it is at, open segments, and the learned returns so far. */
interface LearnedRewardState {
  globalStep: number;
  lastObs: string | null;
  lastRender: string | null;
  episodeLearned: number[];
  finishedLearned: number[];
  recorder: SegmentRecorderState;
  /** PEBBLE's recent observations, while the wrapper pays the state-entropy reward. */
  entropy?: StateEntropyState;
}

/** RUNE's exploration bonus: β_t · (std over members of the normalised reward), β_t = beta0 (1 − decay)^t at env step t. */
export interface DisagreementBonus {
  beta0: number;
  decay: number;
}

/** Floats per action as the reward model sees it: one-hot for Discrete spaces. */
export function modelActionSize(env: VectorEnv): number {
  const space = env.singleActionSpace;
  return space instanceof Discrete ? space.n : env.actionSize;
}

/**
 * Replaces a vector env's reward with the learned reward r̂(o_t, a_t), and cuts the raw
 * steps (observation, action, render state, true reward) into segments as they happen. The
 * true reward goes only to the segment's `SegmentTruth`; sub-env episode statistics, which
 * are recorded below this wrapper, keep reporting the true return for logging.
 *
 * Sits directly on the raw vector env, under observation/reward normalisation, so the
 * reward model sees unnormalised observations.
 */
export class VecLearnedReward extends VectorWrapper {
  private lastObs: Float32Array | null = null;
  private lastRender: Float32Array | undefined;
  private readonly modelActions: Float32Array;
  private readonly actionWidth: number;
  private readonly discreteN: number;
  /** Learned return of each sub-env's current episode, and of episodes finished since the last `takeEpisodes`. */
  private readonly episodeLearned: Float64Array;
  private finishedLearned: number[] = [];
  /** Env steps taken through this wrapper (the segments' `globalStep`). */
  globalStep: number;
  /**
   * PEBBLE's unsupervised pre-training: while set, PPO is paid the state-entropy reward of the
   * observations as `normalize` maps them (the policy's normalisation) instead of r̂.
   */
  entropy: { reward: StateEntropy; normalize: (raw: Float32Array) => Float32Array } | null = null;
  /** RUNE's bonus on r̂ (null: r̂ alone, the paper). */
  private bonus: DisagreementBonus | null = null;

  constructor(
    env: VectorEnv,
    public model: PreferenceModel,
    private readonly recorder: SegmentRecorder,
    private readonly onSegments: (segments: { segment: Segment; truth: SegmentTruth }[]) => void,
  ) {
    super(env);
    const space = env.singleActionSpace;
    this.discreteN = space instanceof Discrete ? space.n : 0;
    this.actionWidth = modelActionSize(env);
    this.modelActions = new Float32Array(env.numEnvs * this.actionWidth);
    this.episodeLearned = new Float64Array(env.numEnvs);
    this.globalStep = 0;
  }

  /** Adds RUNE's bonus to the reward (the model must report its members' spread, `rewardWithStd`). */
  setDisagreementBonus(bonus: DisagreementBonus | null): void {
    if (bonus && !this.model.rewardWithStd) throw new Error('disagreementBonus: this reward model does not report the spread of its members (rewardWithStd)');
    this.bonus = bonus;
  }

  /** What PPO is paid for `obs` and the actions taken from it: the entropy reward, r̂ with RUNE's bonus, or r̂. */
  private rewardOf(obs: Float32Array, actions: Float32Array, n: number): Float64Array {
    if (this.entropy) return this.entropy.reward.reward(this.entropy.normalize(obs), n);
    if (!this.bonus) return this.model.reward(obs, actions, n);
    const std = new Float64Array(n);
    const r = this.model.rewardWithStd!(obs, actions, n, std);
    const beta = this.bonus.beta0 * (1 - this.bonus.decay) ** this.globalStep;
    for (let e = 0; e < n; e++) r[e] += beta * std[e];
    return r;
  }

  override reset(opts?: VectorResetOptions): VectorResetResult {
    const r = this.env.reset(opts);
    this.lastObs = r.obs;
    this.lastRender = r.render;
    this.episodeLearned.fill(0);
    this.recorder.discardOpen();
    return r;
  }

  override step(actions: ArrayLike<number>): VectorStepResult {
    const obs = this.lastObs;
    if (obs === null) throw new Error('VecLearnedReward: step called before reset');
    const N = this.numEnvs;
    const a = this.modelActions;
    if (this.discreteN > 0) {
      a.fill(0);
      for (let e = 0; e < N; e++) a[e * this.discreteN + actions[e]] = 1;
    } else {
      for (let i = 0; i < a.length; i++) a[i] = actions[i];
    }
    const r = this.env.step(actions);
    const learned = this.rewardOf(obs, a, N);
    const segments = this.recorder.record(this.globalStep, obs, this.lastRender, a, r.rewards, r.terminated, r.truncated);
    if (segments.length > 0) this.onSegments(segments);
    for (let e = 0; e < N; e++) {
      this.episodeLearned[e] += learned[e];
      if (r.terminated[e] || r.truncated[e]) {
        this.finishedLearned.push(this.episodeLearned[e]);
        this.episodeLearned[e] = 0;
      }
    }
    this.globalStep += N;
    this.lastObs = r.obs;
    this.lastRender = r.render;
    return { ...r, rewards: learned };
  }

  override snapshot(): VecEnvSnapshot {
    const state: LearnedRewardState = {
      globalStep: this.globalStep,
      lastObs: this.lastObs ? encodeFloats(this.lastObs) : null,
      lastRender: this.lastRender ? encodeFloats(this.lastRender) : null,
      episodeLearned: Array.from(this.episodeLearned),
      finishedLearned: [...this.finishedLearned],
      recorder: this.recorder.state(),
      ...(this.entropy ? { entropy: this.entropy.reward.state() } : {}),
    };
    return { format: 'overseer.vecenv', version: 1, kind: 'learnedReward', numEnvs: this.numEnvs, state, inner: this.env.snapshot() };
  }

  override restore(snapshot: VecEnvSnapshot): void {
    if (snapshot?.kind !== 'learnedReward' || !snapshot.inner) throw new Error(`learned-reward env: the snapshot was written by ${String(snapshot?.kind)}, not by a learned-reward env`);
    const s = snapshot.state as LearnedRewardState;
    this.env.restore(snapshot.inner);
    this.globalStep = s.globalStep;
    this.lastObs = s.lastObs === null ? null : Float32Array.from(decodeFloats(s.lastObs, 'float32'));
    this.lastRender = s.lastRender === null ? undefined : Float32Array.from(decodeFloats(s.lastRender, 'float32'));
    this.episodeLearned.set(s.episodeLearned);
    this.finishedLearned = [...s.finishedLearned];
    this.recorder.load(s.recorder);
    if (s.entropy) {
      if (!this.entropy) throw new Error('learned-reward env: the snapshot was taken during unsupervised pre-training, but this run is past it');
      this.entropy.reward.load(s.entropy);
    }
  }

  /** Learned (normalised) returns of the episodes finished since the last call. */
  takeEpisodes(): number[] {
    const out = this.finishedLearned;
    this.finishedLearned = [];
    return out;
  }
}
