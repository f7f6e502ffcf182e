/**
 * Proximal Policy Optimization (Schulman et al. 2017), clipped-surrogate variant, in the
 * style of CleanRL's ppo.py / ppo_continuous_action.py. Read top to bottom:
 * config -> rollout -> GAE -> loss -> update -> metrics.
 */
import { z } from 'zod';
import { Box } from '../envs/spaces.js';
import { makeVec } from '../envs/vector/make.js';
import { VecNormalizeObservation } from '../envs/vector/normalizeObservation.js';
import { VecNormalizeReward } from '../envs/vector/normalizeReward.js';
import type { VectorEnv } from '../envs/vector/types.js';
import type { EpisodeStatistics } from '../envs/wrappers/recordEpisodeStatistics.js';
import { ACTIVATIONS } from '../nn/activations.js';
import { Adam } from '../nn/adam.js';
import { clipGradNorm, zeroGrad } from '../nn/params.js';
import { Rng, type RngState } from '../utils/rng.js';
import type { VecEnvSnapshot } from '../envs/vector/types.js';
import type { AdamState } from '../nn/adam.js';
import { decodeFloats, encodeFloats } from '../utils/floats.js';
import { ActorCritic, NETWORKS, networkOf, type AgentCheckpoint } from './agent.js';
import { RolloutBuffer } from './buffers.js';
import { halvedGradient, type HalvedGradient } from './parallelGradient.js';
import { GradientScratch, allocMinibatch, ppoMinibatchGradient, type Minibatch } from './ppoLoss.js';

// ---------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------

export const PpoConfigSchema = z.strictObject({
  /** Registered env id, e.g. 'CartPole-v1'. */
  envId: z.string().min(1),
  /** Constructor options passed to the env (Gymnasium kwargs). */
  envKwargs: z.record(z.string(), z.unknown()).default({}),
  /** Seed for the env, the network init and action sampling. */
  seed: z.number().int().nonnegative().default(1),
  /** Total env steps across all envs. */
  totalTimesteps: z.number().int().positive().default(500_000),
  /** Parallel envs per rollout. */
  numEnvs: z.number().int().positive().default(4),
  /** Steps per env per rollout; the rollout holds numEnvs * numSteps transitions. */
  numSteps: z.number().int().positive().default(128),
  /** 'sync' steps envs in this thread, 'workers' spreads them over worker threads. */
  vectorization: z.enum(['sync', 'workers']).default('sync'),
  /** Adam learning rate. */
  learningRate: z.number().positive().default(2.5e-4),
  /** Anneal the learning rate linearly to 0 over training. */
  annealLr: z.boolean().default(true),
  /** Adam epsilon (CleanRL uses 1e-5). */
  adamEps: z.number().positive().default(1e-5),
  /** Discount factor. */
  gamma: z.number().min(0).max(1).default(0.99),
  /** GAE lambda. */
  gaeLambda: z.number().min(0).max(1).default(0.95),
  /** Minibatches per epoch; the rollout size must divide evenly. */
  numMinibatches: z.number().int().positive().default(4),
  /** Passes over each rollout. */
  updateEpochs: z.number().int().positive().default(4),
  /** Normalise advantages within each minibatch. */
  normAdv: z.boolean().default(true),
  /** Surrogate clipping coefficient epsilon. */
  clipCoef: z.number().positive().default(0.2),
  /** Anneal the clipping coefficient linearly to 0, as SB3's linear clip schedule. */
  annealClip: z.boolean().default(false),
  /** Clip the value loss around the old values as well. */
  clipVloss: z.boolean().default(true),
  /** Entropy bonus coefficient. */
  entCoef: z.number().min(0).default(0.0),
  /** Value loss coefficient. */
  vfCoef: z.number().min(0).default(0.5),
  /** Global gradient-norm clip. */
  maxGradNorm: z.number().positive().default(0.5),
  /** Stop an update's epochs early once the approximate KL exceeds this; null disables. */
  targetKl: z.number().positive().nullable().default(null),
  /**
   * The policy's and the value function's architecture (separate networks): 'mlp' (absent means
   * 'mlp'), 'minatar' (MinAtar's conv network, 10 x 10 x C observations), 'minatar-ac' (the same
   * with its AC(lambda)'s SiLU/dSiLU units) or 'pixels' (`pixelNet`, H x W x C observations). See
   * `NETWORKS` in agent.ts.
   */
  network: z.enum(NETWORKS).optional(),
  /** Hidden layer widths of the (separate) policy and value MLPs (network 'mlp' only). */
  hidden: z.array(z.number().int().positive()).min(1).default([64, 64]),
  /** Hidden activation (network 'mlp' only; the convolutional networks fix theirs). */
  activation: z.enum(ACTIVATIONS).default('tanh'),
  /** Initial log-std of a Gaussian policy. */
  initLogStd: z.number().default(0),
  /** Normalise observations with a running mean/std (saved with the agent). */
  normalizeObs: z.boolean().default(false),
  /** Clip normalised observations to +-clipObs. */
  clipObs: z.number().positive().default(10),
  /** Scale rewards by the running std of the discounted return (episode statistics stay raw). */
  normalizeReward: z.boolean().default(false),
  /** Clip scaled rewards to +-clipReward. */
  clipReward: z.number().positive().default(10),
  /** Split each minibatch's gradient between this thread and a worker thread (same result, about twice as fast). */
  parallelUpdate: z.boolean().default(true),
});

export type PpoConfig = z.infer<typeof PpoConfigSchema>;
export type PpoConfigInput = z.input<typeof PpoConfigSchema>;

/** One line of training metrics, written after every update. */
export interface PpoMetrics {
  update: number;
  globalStep: number;
  /** Env steps per second since training started. */
  sps: number;
  /** Mean return of episodes that finished during this rollout (null if none did). */
  episodicReturn: number | null;
  episodicLength: number | null;
  episodesFinished: number;
  learningRate: number;
  clipCoef: number;
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  clipFraction: number;
  explainedVariance: number;
  gradNorm: number;
  /** Wall-clock seconds of this update's rollout (env steps and policy inference). */
  rolloutSeconds: number;
  /** Wall-clock seconds of this update's GAE and gradient epochs. */
  updateSeconds: number;
}


export interface PpoResult {
  agent: ActorCritic;
  globalStep: number;
  updates: number;
  /** True if stopped by the abort signal before `totalTimesteps`. */
  interrupted: boolean;
}

// ---------------------------------------------------------------------------------------
// Pure pieces: GAE here, the losses in ppoLoss.ts
// ---------------------------------------------------------------------------------------

/**
 * Generalised advantage estimation over a [numSteps, numEnvs] rollout.
 * `dones[t]` marks that the episode ended at step t, so step t+1 starts a new one; rewards
 * of truncated steps are expected to already include gamma * V(final obs).
 */
export function computeGae(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  dones: ArrayLike<number>,
  nextValues: ArrayLike<number>,
  numSteps: number,
  numEnvs: number,
  gamma: number,
  lambda: number,
  advantages: Float64Array,
  returns: Float64Array,
): void {
  for (let e = 0; e < numEnvs; e++) {
    let lastGae = 0;
    for (let t = numSteps - 1; t >= 0; t--) {
      const i = t * numEnvs + e;
      const nonTerminal = 1 - dones[i];
      const nextValue = t === numSteps - 1 ? nextValues[e] : values[i + numEnvs];
      const delta = rewards[i] + gamma * nextValue * nonTerminal - values[i];
      lastGae = delta + gamma * lambda * nonTerminal * lastGae;
      advantages[i] = lastGae;
      returns[i] = lastGae + values[i];
    }
  }
}

// ---------------------------------------------------------------------------------------
// The learner
// ---------------------------------------------------------------------------------------

export interface PpoOptions {
  /** Continue training this agent instead of initialising a new one. */
  agent?: ActorCritic;
  /**
   * Builds the vector env instead of `makeVec` (e.g. one whose rewards come from a learned
   * reward model); PPO adds observation and reward normalisation on top and closes it.
   */
  makeEnv?: (cfg: PpoConfig) => VectorEnv;
  /** The stream for initialisation, action sampling and minibatch shuffling (default: `new Rng(cfg.seed)`). */
  rng?: Rng;
}

export interface LearnHooks {
  /** Called after every update with its metrics. */
  onUpdate?: (m: PpoMetrics, agent: ActorCritic) => void;
  /** Checked between updates; once aborted, `learn` returns before the next rollout. */
  signal?: AbortSignal;
  /** Called with the final step's info of every finished episode (for reports; PPO itself never reads info). */
  onEpisodeEnd?: (info: Record<string, unknown>, globalStep: number) => void;
}

/** Everything a learner needs to continue bit-identically: see `Ppo.state`. */
export interface PpoState {
  format: 'overseer.ppo';
  version: 1;
  config: PpoConfig;
  agent: AgentCheckpoint;
  optimizer: AdamState;
  rng: RngState;
  /** Updates done and env steps taken. */
  updates: number;
  globalStep: number;
  /** The observation the next rollout starts from (normalised), or null before the first reset. */
  nextObs: string | null;
  /** The env stack (reward normalisation and everything below it), mid-episode. */
  env: VecEnvSnapshot | null;
  /** Env steps counted by `sps` so far, and the seconds they took (so a resumed run reports the same speed basis). */
  spsSteps: number;
  spsSeconds: number;
}

/**
 * PPO as a learner object (Stable-Baselines3's `learn()` shape): it holds the policy, the
 * optimizer, the random stream, the envs and their normalisation statistics, so `learn(steps)`
 * continues exactly where the last call stopped, and `state()`/`Ppo.load` round-trip all of it.
 * The update itself (`update()`) is CleanRL's, one rollout and its epochs, read top to bottom.
 */
export class Ppo {
  readonly cfg: PpoConfig;
  readonly agent: ActorCritic;
  /** The full env stack PPO steps: the base env, then observation and reward normalisation. */
  readonly envs: VectorEnv;
  /** The stack without reward normalisation (what `explore` steps). */
  private readonly obsEnvs: VectorEnv;
  private readonly baseEnv: VectorEnv;
  readonly rng: Rng;
  private readonly optimizer: Adam;
  readonly batchSize: number;
  readonly minibatchSize: number;
  /** Updates the configured step budget allows (the learning-rate schedule runs over these). */
  readonly numUpdates: number;
  /** Updates done and env steps taken (rollouts and `explore` alike). */
  updates = 0;
  globalStep = 0;
  private nextObs: Float32Array | null = null;
  private spsSteps = 0;
  private spsSeconds = 0;
  private readonly buf: RolloutBuffer;
  /** One vector step's actions: as sampled, and as the envs take them. */
  private readonly stepActions: Float32Array;
  private readonly envActions: Float64Array;
  private readonly idx: Int32Array;
  private readonly parallel: HalvedGradient | null;
  private readonly mb: Minibatch;
  private readonly scratch: GradientScratch | null;
  private closed = false;

  constructor(input: PpoConfigInput, opts: PpoOptions = {}) {
    const cfg = PpoConfigSchema.parse(input);
    this.cfg = cfg;
    this.batchSize = cfg.numEnvs * cfg.numSteps;
    if (this.batchSize % cfg.numMinibatches !== 0) {
      throw new Error(`numEnvs * numSteps (${this.batchSize}) must be divisible by numMinibatches (${cfg.numMinibatches})`);
    }
    this.minibatchSize = this.batchSize / cfg.numMinibatches;
    this.numUpdates = Math.ceil(cfg.totalTimesteps / this.batchSize);
    this.rng = opts.rng ?? new Rng(cfg.seed);

    // Envs: raw sub-envs record episode statistics; normalisation wraps the whole vector.
    this.baseEnv = opts.makeEnv
      ? opts.makeEnv(cfg)
      : makeVec(cfg.envId, {
          numEnvs: cfg.numEnvs,
          mode: cfg.vectorization,
          makeOptions: { kwargs: cfg.envKwargs },
          // PPO reads only episode statistics; not copying other infos keeps worker round trips cheap.
          infoKeys: ['episode'],
        });
    try {
      if (opts.agent && opts.agent.network !== networkOf(cfg)) {
        throw new Error(`the agent's network '${opts.agent.network}' does not match the config's network '${networkOf(cfg)}'`);
      }
      this.agent =
        opts.agent ??
        new ActorCritic({
          observationSpace: this.baseEnv.singleObservationSpace.toJSON(),
          actionSpace: this.baseEnv.singleActionSpace.toJSON(),
          // Only when set, so MLP agents' specs (and checkpoints) are as they were.
          ...(cfg.network !== undefined ? { network: cfg.network } : {}),
          hidden: cfg.hidden,
          activation: cfg.activation,
          initLogStd: cfg.initLogStd,
          normalizeObs: cfg.normalizeObs,
          clipObs: cfg.clipObs,
        }).init(this.rng);
      // The agent owns the observation statistics, so they are saved with it.
      this.obsEnvs = this.agent.obsRms ? new VecNormalizeObservation(this.baseEnv, { clip: cfg.clipObs }, this.agent.obsRms) : this.baseEnv;
      this.envs = cfg.normalizeReward ? new VecNormalizeReward(this.obsEnvs, { gamma: cfg.gamma, clip: cfg.clipReward }) : this.obsEnvs;
      this.optimizer = new Adam(this.agent.paramGroups, { lr: cfg.learningRate, eps: cfg.adamEps });
      const actionSize = this.agent.head.actionSize;
      this.buf = new RolloutBuffer(cfg.numSteps, cfg.numEnvs, this.envs.obsSize, actionSize);
      this.stepActions = new Float32Array(cfg.numEnvs * actionSize);
      this.envActions = new Float64Array(cfg.numEnvs * this.envs.actionSize);
      // Minibatches: gathered into shared memory when a worker thread takes half of each.
      this.idx = new Int32Array(this.batchSize);
      this.parallel = cfg.parallelUpdate && this.minibatchSize >= 8 ? halvedGradient(this.agent, this.minibatchSize) : null;
      this.mb = this.parallel?.mb ?? allocMinibatch(this.minibatchSize, this.envs.obsSize, actionSize);
      this.scratch = this.parallel ? null : new GradientScratch(this.minibatchSize, this.agent.head.inputSize);
    } catch (e) {
      this.baseEnv.close();
      throw e;
    }
  }

  /** Whether the step budget (`totalTimesteps`) is used up. */
  get done(): boolean {
    return this.updates >= this.numUpdates;
  }

  /**
   * Runs updates until `steps` more env steps have been taken (default: the rest of the
   * budget), the budget is used up, or the signal aborts. Async only so that the event loop
   * runs between updates: signals such as Ctrl-C are delivered there.
   */
  async learn(steps = Number.POSITIVE_INFINITY, hooks: LearnHooks = {}): Promise<{ interrupted: boolean }> {
    const until = this.globalStep + steps;
    while (!this.done && this.globalStep < until) {
      if (hooks.signal?.aborted) return { interrupted: true };
      const m = this.update(hooks.onEpisodeEnd);
      hooks.onUpdate?.(m, this.agent);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { interrupted: false };
  }

  /**
   * Steps the envs with the current policy for `steps` env steps without learning (the initial
   * policy's segments). `actionScale(env, t)`, for Box actions: sub-env `env` at vector step `t`
   * takes the clipped action shrunk by that factor towards the centre of the box.
   */
  explore(steps: number, actionScale?: (env: number, t: number) => number): void {
    const N = this.cfg.numEnvs;
    const { agent } = this;
    const { stepActions, envActions } = this;
    const space = agent.actionSpace;
    if (actionScale && !(space instanceof Box)) throw new Error('explore: an action scale needs a Box action space');
    let obs = this.startObs(this.obsEnvs);
    for (let t = 0; t < steps; t += N) {
      const logits = agent.actor.forward(obs, N);
      for (let e = 0; e < N; e++) agent.head.sample(logits, e, this.rng, stepActions);
      this.writeEnvActions();
      if (actionScale && space instanceof Box) {
        const k = space.size;
        for (let e = 0; e < N; e++) {
          const c = actionScale(e, t / N);
          for (let j = 0; j < k; j++) {
            const mid = (space.low[j] + space.high[j]) / 2;
            envActions[e * k + j] = mid + c * (envActions[e * k + j] - mid);
          }
        }
      }
      obs = this.obsEnvs.step(envActions).obs;
      this.globalStep += N;
    }
    this.nextObs = obs;
  }

  /** One PPO update: a rollout of numEnvs x numSteps steps, GAE, and the minibatch epochs. */
  update(onEpisodeEnd?: LearnHooks['onEpisodeEnd']): PpoMetrics {
    if (this.closed) throw new Error('Ppo: closed');
    const { cfg, buf, optimizer, batchSize } = this;
    const update = this.updates + 1;
    const frac = 1 - (update - 1) / this.numUpdates;
    optimizer.lr = cfg.annealLr ? frac * cfg.learningRate : cfg.learningRate;
    const clipCoef = cfg.annealClip ? frac * cfg.clipCoef : cfg.clipCoef;

    // ---- Rollout: act with the current policy, store transitions ----
    const rolloutStart = performance.now();
    const episodes = this.rollout(onEpisodeEnd);

    // ---- GAE ----
    const updateStart = performance.now();
    const N = cfg.numEnvs;
    const nextValues = Float64Array.from(this.agent.critic.forward(this.nextObs!, N).subarray(0, N));
    computeGae(buf.rewards, buf.values, buf.dones, nextValues, cfg.numSteps, N, cfg.gamma, cfg.gaeLambda, buf.advantages, buf.returns);

    // ---- Update: minibatch epochs on the clipped surrogate ----
    const losses = this.optimize(clipCoef);
    this.updates = update;

    // ---- Metrics ----
    const end = performance.now();
    this.spsSteps += batchSize;
    this.spsSeconds += (end - rolloutStart) / 1000;
    return {
      update,
      globalStep: this.globalStep,
      sps: Math.round(this.spsSteps / this.spsSeconds),
      episodicReturn: episodes.returns.length ? mean(episodes.returns) : null,
      episodicLength: episodes.lengths.length ? mean(episodes.lengths) : null,
      episodesFinished: episodes.returns.length,
      learningRate: optimizer.lr,
      clipCoef,
      ...losses,
      explainedVariance: explainedVariance(buf.values, buf.returns, batchSize),
      rolloutSeconds: (updateStart - rolloutStart) / 1000,
      updateSeconds: (end - updateStart) / 1000,
    };
  }

  /** numSteps steps of every env with the current policy, into the rollout buffer; returns the episodes that ended. */
  private rollout(onEpisodeEnd?: LearnHooks['onEpisodeEnd']): { returns: number[]; lengths: number[] } {
    const { cfg, agent, buf, rng } = this;
    const { actor, critic, head } = agent;
    const N = cfg.numEnvs;
    const obsSize = this.envs.obsSize;
    const { stepActions, envActions } = this;
    const returns: number[] = [];
    const lengths: number[] = [];
    let nextObs = this.startObs(this.envs);
    for (let step = 0; step < cfg.numSteps; step++) {
      this.globalStep += N;
      const row = step * N;
      buf.obs.set(nextObs, row * obsSize);
      const logits = actor.forward(nextObs, N);
      for (let e = 0; e < N; e++) buf.logProbs[row + e] = head.sample(logits, e, rng, stepActions);
      buf.actions.set(stepActions, row * head.actionSize);
      const values = critic.forward(nextObs, N);
      for (let e = 0; e < N; e++) buf.values[row + e] = values[e];

      this.writeEnvActions();
      const r = this.envs.step(envActions);
      for (let e = 0; e < N; e++) {
        let reward = r.rewards[e];
        // Bootstrap through a time-limit cut: the episode did not really end.
        const finalObs = r.finalObs[e];
        if (r.truncated[e] && !r.terminated[e] && finalObs) reward += cfg.gamma * critic.predict(finalObs)[0];
        buf.rewards[row + e] = reward;
        buf.dones[row + e] = r.terminated[e] || r.truncated[e] ? 1 : 0;
        const ep = r.infos[e].episode as EpisodeStatistics | undefined;
        if (ep) {
          returns.push(ep.r);
          lengths.push(ep.l);
          onEpisodeEnd?.(r.infos[e], this.globalStep);
        }
      }
      nextObs = r.obs;
    }
    this.nextObs = nextObs;
    return { returns, lengths };
  }

  /** updateEpochs passes of minibatch steps on the rollout (early stop past targetKl); returns the mean losses. */
  private optimize(clipCoef: number): Pick<PpoMetrics, 'policyLoss' | 'valueLoss' | 'entropy' | 'approxKl' | 'clipFraction' | 'gradNorm'> {
    const { cfg, agent, buf, optimizer, rng, batchSize, idx, mb, minibatchSize: B } = this;
    const params = agent.paramGroups;
    const obsSize = this.envs.obsSize;
    const actionSize = agent.head.actionSize;
    for (let i = 0; i < batchSize; i++) idx[i] = i;
    const sums = { policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0, gradNorm: 0 };
    let minibatches = 0;
    let stopEarly = false;
    for (let epoch = 0; epoch < cfg.updateEpochs && !stopEarly; epoch++) {
      rng.shuffle(idx);
      for (let start = 0; start < batchSize; start += B) {
        RolloutBuffer.gather(buf.obs, obsSize, idx, start, B, mb.obs);
        RolloutBuffer.gather(buf.actions, actionSize, idx, start, B, mb.actions);
        RolloutBuffer.gather(buf.logProbs, 1, idx, start, B, mb.oldLogProb);
        RolloutBuffer.gather(buf.advantages, 1, idx, start, B, mb.advantages);
        RolloutBuffer.gather(buf.returns, 1, idx, start, B, mb.returns);
        RolloutBuffer.gather(buf.values, 1, idx, start, B, mb.oldValues);
        if (cfg.normAdv) normalizeInPlace(mb.advantages, B);

        // Loss = clipped surrogate + vfCoef * value loss - entCoef * entropy (ppoLoss.ts).
        zeroGrad(params);
        const coefs = { clipCoef, valueClip: cfg.clipVloss ? clipCoef : null, entCoef: cfg.entCoef, vfCoef: cfg.vfCoef };
        const loss = this.parallel ? this.parallel.compute(B, coefs) : ppoMinibatchGradient(agent, mb, 0, B, B, coefs, this.scratch!);
        if (!Number.isFinite(loss.policyLoss) || !Number.isFinite(loss.valueLoss)) {
          throw new Error(`PPO update ${this.updates + 1}: the loss is not finite (policy ${loss.policyLoss}, value ${loss.valueLoss}): non-finite observations or rewards, or a diverged policy`);
        }
        sums.gradNorm += clipGradNorm(params, cfg.maxGradNorm);
        optimizer.step();

        sums.policyLoss += loss.policyLoss;
        sums.valueLoss += loss.valueLoss;
        sums.entropy += loss.entropy;
        sums.approxKl += loss.approxKl;
        sums.clipFraction += loss.clipFraction;
        minibatches += 1;
        if (cfg.targetKl !== null && loss.approxKl > cfg.targetKl) {
          stopEarly = true;
          break;
        }
      }
    }
    return {
      policyLoss: sums.policyLoss / minibatches,
      valueLoss: sums.valueLoss / minibatches,
      entropy: sums.entropy / minibatches,
      approxKl: sums.approxKl / minibatches,
      clipFraction: sums.clipFraction / minibatches,
      gradNorm: sums.gradNorm / minibatches,
    };
  }

  /** Everything needed to continue bit-identically (JSON-able): policy, Adam moments, stream, counters and the envs mid-episode. */
  state(meta: Record<string, unknown> = {}): PpoState {
    return {
      format: 'overseer.ppo',
      version: 1,
      config: this.cfg,
      agent: this.agent.save(meta),
      optimizer: this.optimizer.state(),
      rng: this.rng.getState(),
      updates: this.updates,
      globalStep: this.globalStep,
      nextObs: this.nextObs ? encodeFloats(this.nextObs) : null,
      env: this.nextObs ? this.envs.snapshot() : null,
      spsSteps: this.spsSteps,
      spsSeconds: this.spsSeconds,
    };
  }

  /**
   * Rebuilds a learner from `state()`; `makeEnv` must build the same base env the saved learner
   * had. `rng`, if given, is set to the saved stream's state and used (e.g. a named stream).
   */
  static load(state: PpoState, opts: Omit<PpoOptions, 'agent'> = {}): Ppo {
    if (state?.format !== 'overseer.ppo' || state.version !== 1) throw new Error('not an overseer PPO state (format overseer.ppo, version 1)');
    const rng = opts.rng ?? new Rng();
    rng.setState(state.rng);
    const ppo = new Ppo(state.config, { ...opts, agent: ActorCritic.load(state.agent, 'PPO state agent'), rng });
    try {
      ppo.optimizer.loadState(state.optimizer);
      ppo.updates = state.updates;
      ppo.globalStep = state.globalStep;
      ppo.spsSteps = state.spsSteps;
      ppo.spsSeconds = state.spsSeconds;
      if (state.nextObs !== null && state.env !== null) {
        ppo.envs.restore(state.env);
        ppo.nextObs = Float32Array.from(decodeFloats(state.nextObs, 'float32'));
      }
    } catch (e) {
      ppo.close();
      throw e;
    }
    return ppo;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.envs.close();
    this.parallel?.close();
  }

  /** The observation to act on next: the envs are reset (with the config's seed) the first time. */
  private startObs(env: VectorEnv): Float32Array {
    if (this.nextObs === null) this.nextObs = env.reset({ seed: this.cfg.seed }).obs;
    return this.nextObs;
  }

  /** The sampled actions as the envs take them (Discrete as an index, Box clipped to its bounds). */
  private writeEnvActions(): void {
    for (let e = 0; e < this.cfg.numEnvs; e++) {
      const a = this.agent.toEnvAction(this.stepActions, e);
      if (typeof a === 'number') this.envActions[e] = a;
      else this.envActions.set(a, e * a.length);
    }
  }
}

/**
 * Trains a new agent (or continues `agentIn`) for `totalTimesteps` env steps: `Ppo.learn`
 * in one call, for callers that need no state between calls.
 */
export async function trainPpo(input: PpoConfigInput, hooks: LearnHooks = {}, agentIn?: ActorCritic): Promise<PpoResult> {
  const ppo = new Ppo(input, { agent: agentIn });
  try {
    const { interrupted } = await ppo.learn(Number.POSITIVE_INFINITY, hooks);
    return { agent: ppo.agent, globalStep: ppo.globalStep, updates: ppo.updates, interrupted };
  } finally {
    ppo.close();
  }
}

function normalizeInPlace(a: Float64Array, n: number): void {
  let m = 0;
  for (let i = 0; i < n; i++) m += a[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (a[i] - m) ** 2;
  // torch.std is the unbiased estimator.
  const std = Math.sqrt(v / Math.max(1, n - 1));
  for (let i = 0; i < n; i++) a[i] = (a[i] - m) / (std + 1e-8);
}

function mean(a: number[]): number {
  return a.reduce((s, x) => s + x, 0) / a.length;
}

/** 1 - Var(returns - values) / Var(returns): how much of the return the critic explains. */
export function explainedVariance(values: ArrayLike<number>, returns: ArrayLike<number>, n: number): number {
  let mr = 0;
  let md = 0;
  for (let i = 0; i < n; i++) {
    mr += returns[i] / n;
    md += (returns[i] - values[i]) / n;
  }
  let vr = 0;
  let vd = 0;
  for (let i = 0; i < n; i++) {
    vr += (returns[i] - mr) ** 2;
    vd += (returns[i] - values[i] - md) ** 2;
  }
  return vr === 0 ? Number.NaN : 1 - vd / vr;
}
