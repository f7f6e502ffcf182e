/**
 * Proximal Policy Optimization (Schulman et al. 2017), clipped-surrogate variant, in the
 * style of CleanRL's ppo.py / ppo_continuous_action.py. Read top to bottom:
 * config -> rollout -> GAE -> loss -> update -> metrics.
 */
import { z } from 'zod';
import { makeVec } from '../envs/vector/make.js';
import { VecNormalizeObservation } from '../envs/vector/normalizeObservation.js';
import { VecNormalizeReward } from '../envs/vector/normalizeReward.js';
import type { VectorEnv } from '../envs/vector/types.js';
import type { EpisodeStatistics } from '../envs/wrappers/recordEpisodeStatistics.js';
import { ACTIVATIONS } from '../nn/activations.js';
import { Adam } from '../nn/adam.js';
import { clipGradNorm, zeroGrad } from '../nn/params.js';
import { Rng } from '../utils/rng.js';
import { ActorCritic } from './agent.js';
import { RolloutBuffer } from './buffers.js';
import { halvedGradient, type HalvedGradient } from './parallelGradient.js';
import { GradientScratch, allocMinibatch, ppoMinibatchGradient } from './ppoLoss.js';

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
  /** Hidden layer widths of the (separate) policy and value MLPs. */
  hidden: z.array(z.number().int().positive()).min(1).default([64, 64]),
  /** Hidden activation. */
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

export interface PpoHooks {
  /** Called after every update with its metrics. */
  onUpdate?: (m: PpoMetrics, agent: ActorCritic) => void;
  /** Checked between updates; once aborted, training stops before the next rollout. */
  signal?: AbortSignal;
  /**
   * Builds the vector env instead of `makeVec` (e.g. one whose rewards come from a learned
   * reward model); PPO adds observation and reward normalisation on top and closes it.
   */
  makeEnv?: (cfg: PpoConfig) => VectorEnv;
  /** Updates already done by an earlier, resumed run: the step count and learning-rate schedule continue from there. */
  startUpdate?: number;
  /** Called with the final step's info of every finished episode (for reports; PPO itself never reads info). */
  onEpisodeEnd?: (info: Record<string, unknown>, globalStep: number) => void;
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
// Training
// ---------------------------------------------------------------------------------------

/**
 * Trains (or continues training `agentIn`) with PPO. Async only so that the event loop runs
 * between updates: signals such as Ctrl-C are delivered there.
 */
export async function trainPpo(input: PpoConfigInput, hooks: PpoHooks = {}, agentIn?: ActorCritic): Promise<PpoResult> {
  const cfg = PpoConfigSchema.parse(input);
  const batchSize = cfg.numEnvs * cfg.numSteps;
  if (batchSize % cfg.numMinibatches !== 0) {
    throw new Error(`numEnvs * numSteps (${batchSize}) must be divisible by numMinibatches (${cfg.numMinibatches})`);
  }
  const minibatchSize = batchSize / cfg.numMinibatches;
  const numUpdates = Math.ceil(cfg.totalTimesteps / batchSize);
  const rng = new Rng(cfg.seed);

  // Envs: raw sub-envs record episode statistics; normalisation wraps the whole vector.
  const startUpdate = hooks.startUpdate ?? 0;
  if (!Number.isInteger(startUpdate) || startUpdate < 0) throw new RangeError(`startUpdate must be a non-negative integer, got ${startUpdate}`);
  let envs: VectorEnv = hooks.makeEnv
    ? hooks.makeEnv(cfg)
    : makeVec(cfg.envId, {
        numEnvs: cfg.numEnvs,
        mode: cfg.vectorization,
        makeOptions: { kwargs: cfg.envKwargs },
        // PPO reads only episode statistics; not copying other infos keeps worker round trips cheap.
        infoKeys: ['episode'],
      });
  let parallel: HalvedGradient | null = null;
  try {
    const agent =
      agentIn ??
      new ActorCritic({
        observationSpace: envs.singleObservationSpace.toJSON(),
        actionSpace: envs.singleActionSpace.toJSON(),
        hidden: cfg.hidden,
        activation: cfg.activation,
        initLogStd: cfg.initLogStd,
        normalizeObs: cfg.normalizeObs,
        clipObs: cfg.clipObs,
      }).init(rng);
    // The agent owns the observation statistics, so they are saved with it.
    if (agent.obsRms) envs = new VecNormalizeObservation(envs, { clip: cfg.clipObs }, agent.obsRms);
    if (cfg.normalizeReward) envs = new VecNormalizeReward(envs, { gamma: cfg.gamma, clip: cfg.clipReward });
    const { actor, critic, head } = agent;
    const params = agent.paramGroups;
    const optimizer = new Adam(params, { lr: cfg.learningRate, eps: cfg.adamEps });

    const buf = new RolloutBuffer(cfg.numSteps, cfg.numEnvs, envs.obsSize, head.actionSize);
    const N = cfg.numEnvs;
    const obsSize = envs.obsSize;
    const stepActions = new Float32Array(N * head.actionSize);
    const envActions = new Float64Array(N * envs.actionSize);
    const nextValues = new Float64Array(N);

    // Minibatches: gathered into shared memory when a worker thread takes half of each.
    const idx = new Int32Array(batchSize);
    parallel = cfg.parallelUpdate && minibatchSize >= 8 ? halvedGradient(agent, minibatchSize) : null;
    const mb = parallel?.mb ?? allocMinibatch(minibatchSize, obsSize, head.actionSize);
    const scratch = parallel ? null : new GradientScratch(minibatchSize, head.inputSize);

    let globalStep = startUpdate * batchSize;
    let updates = startUpdate;
    let interrupted = false;
    const start = performance.now();
    // A resumed run starts fresh episodes, not the ones it began with.
    let nextObs = envs.reset({ seed: startUpdate === 0 ? cfg.seed : cfg.seed + 7919 * startUpdate }).obs;

    for (let update = startUpdate + 1; update <= numUpdates; update++) {
      if (hooks.signal?.aborted) {
        interrupted = true;
        break;
      }
      const frac = 1 - (update - 1) / numUpdates;
      optimizer.lr = cfg.annealLr ? frac * cfg.learningRate : cfg.learningRate;
      const clipCoef = cfg.annealClip ? frac * cfg.clipCoef : cfg.clipCoef;

      // ---- Rollout: act with the current policy, store transitions ----
      const rolloutStart = performance.now();
      const episodeReturns: number[] = [];
      const episodeLengths: number[] = [];
      for (let step = 0; step < cfg.numSteps; step++) {
        globalStep += N;
        const row = step * N;
        buf.obs.set(nextObs, row * obsSize);
        const logits = actor.forward(nextObs, N);
        for (let e = 0; e < N; e++) buf.logProbs[row + e] = head.sample(logits, e, rng, stepActions);
        buf.actions.set(stepActions, row * head.actionSize);
        const values = critic.forward(nextObs, N);
        for (let e = 0; e < N; e++) buf.values[row + e] = values[e];

        for (let e = 0; e < N; e++) {
          const a = agent.toEnvAction(stepActions, e);
          if (typeof a === 'number') envActions[e] = a;
          else envActions.set(a, e * a.length);
        }
        const r = envs.step(envActions);
        for (let e = 0; e < N; e++) {
          let reward = r.rewards[e];
          // Bootstrap through a time-limit cut: the episode did not really end.
          const finalObs = r.finalObs[e];
          if (r.truncated[e] && !r.terminated[e] && finalObs) reward += cfg.gamma * critic.predict(finalObs)[0];
          buf.rewards[row + e] = reward;
          buf.dones[row + e] = r.terminated[e] || r.truncated[e] ? 1 : 0;
          const ep = r.infos[e].episode as EpisodeStatistics | undefined;
          if (ep) {
            episodeReturns.push(ep.r);
            episodeLengths.push(ep.l);
            hooks.onEpisodeEnd?.(r.infos[e], globalStep);
          }
        }
        nextObs = r.obs;
      }

      // ---- GAE ----
      const updateStart = performance.now();
      const nv = critic.forward(nextObs, N);
      for (let e = 0; e < N; e++) nextValues[e] = nv[e];
      computeGae(buf.rewards, buf.values, buf.dones, nextValues, cfg.numSteps, N, cfg.gamma, cfg.gaeLambda, buf.advantages, buf.returns);

      // ---- Update: minibatch epochs on the clipped surrogate ----
      for (let i = 0; i < batchSize; i++) idx[i] = i;
      let pgLossSum = 0;
      let vLossSum = 0;
      let entSum = 0;
      let klSum = 0;
      let clipFracSum = 0;
      let gradNormSum = 0;
      let minibatches = 0;
      let stopEarly = false;
      for (let epoch = 0; epoch < cfg.updateEpochs && !stopEarly; epoch++) {
        rng.shuffle(idx);
        for (let start = 0; start < batchSize; start += minibatchSize) {
          const B = minibatchSize;
          RolloutBuffer.gather(buf.obs, obsSize, idx, start, B, mb.obs);
          RolloutBuffer.gather(buf.actions, head.actionSize, idx, start, B, mb.actions);
          RolloutBuffer.gather(buf.logProbs, 1, idx, start, B, mb.oldLogProb);
          RolloutBuffer.gather(buf.advantages, 1, idx, start, B, mb.advantages);
          RolloutBuffer.gather(buf.returns, 1, idx, start, B, mb.returns);
          RolloutBuffer.gather(buf.values, 1, idx, start, B, mb.oldValues);
          if (cfg.normAdv) normalizeInPlace(mb.advantages, B);

          // Loss = clipped surrogate + vfCoef * value loss - entCoef * entropy (ppoLoss.ts).
          zeroGrad(params);
          const coefs = { clipCoef, valueClip: cfg.clipVloss ? clipCoef : null, entCoef: cfg.entCoef, vfCoef: cfg.vfCoef };
          const loss = parallel ? parallel.compute(B, coefs) : ppoMinibatchGradient(agent, mb, 0, B, B, coefs, scratch!);
          gradNormSum += clipGradNorm(params, cfg.maxGradNorm);
          optimizer.step();

          pgLossSum += loss.policyLoss;
          vLossSum += loss.valueLoss;
          entSum += loss.entropy;
          klSum += loss.approxKl;
          clipFracSum += loss.clipFraction;
          minibatches += 1;
          if (cfg.targetKl !== null && loss.approxKl > cfg.targetKl) {
            stopEarly = true;
            break;
          }
        }
      }
      updates = update;

      // ---- Metrics ----
      const metrics: PpoMetrics = {
        update,
        globalStep,
        sps: Math.round((globalStep - startUpdate * batchSize) / ((performance.now() - start) / 1000)),
        episodicReturn: episodeReturns.length ? mean(episodeReturns) : null,
        episodicLength: episodeLengths.length ? mean(episodeLengths) : null,
        episodesFinished: episodeReturns.length,
        learningRate: optimizer.lr,
        clipCoef,
        policyLoss: pgLossSum / minibatches,
        valueLoss: vLossSum / minibatches,
        entropy: entSum / minibatches,
        approxKl: klSum / minibatches,
        clipFraction: clipFracSum / minibatches,
        explainedVariance: explainedVariance(buf.values, buf.returns, batchSize),
        gradNorm: gradNormSum / minibatches,
        rolloutSeconds: (updateStart - rolloutStart) / 1000,
        updateSeconds: (performance.now() - updateStart) / 1000,
      };
      hooks.onUpdate?.(metrics, agent);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { agent, globalStep, updates, interrupted };
  } finally {
    envs.close();
    parallel?.close();
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
