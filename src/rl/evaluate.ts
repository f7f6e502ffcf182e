import type { Env } from '../envs/core.js';
import type { MakeOptions } from '../envs/registry.js';
import { make } from '../envs/registry.js';
import { Rng } from '../utils/rng.js';
import type { ActorCritic } from './agent.js';

export interface EvaluateOptions {
  episodes: number;
  /** Episode k is reset with seed + k. */
  seed: number;
  /** Take the policy's mode (argmax / mean) instead of sampling. */
  deterministic: boolean;
  makeOptions?: MakeOptions;
  /** Called after every reset (t = 0) and step, e.g. to record render states. */
  onStep?: (env: Env, episode: number, t: number) => void;
}

export interface EvaluationResult {
  returns: number[];
  lengths: number[];
  mean: number;
  std: number;
}

/** Runs whole episodes of a policy on a fresh env with frozen observation statistics. */
export function evaluatePolicy(agent: ActorCritic, envId: string, opts: EvaluateOptions): EvaluationResult {
  if (!Number.isInteger(opts.episodes) || opts.episodes <= 0) throw new RangeError(`episodes must be a positive integer, got ${opts.episodes}`);
  const env = make(envId, opts.makeOptions);
  const rng = new Rng(opts.seed);
  const returns: number[] = [];
  const lengths: number[] = [];
  try {
    for (let k = 0; k < opts.episodes; k++) {
      let { obs } = env.reset({ seed: opts.seed + k });
      opts.onStep?.(env, k, 0);
      let ret = 0;
      let len = 0;
      for (;;) {
        const r = env.step(agent.act(obs, opts.deterministic, rng));
        ret += r.reward;
        len += 1;
        obs = r.obs;
        opts.onStep?.(env, k, len);
        if (r.terminated || r.truncated) break;
      }
      returns.push(ret);
      lengths.push(len);
    }
  } finally {
    env.close();
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
  return { returns, lengths, mean, std };
}

/** One finished episode: what the agent was paid, and what the env scores it (never shown to the agent). */
export interface EpisodeOutcome {
  return: number;
  /** `info.performance` at the episode's end, if the env reports one. */
  performance: number | null;
  length: number;
}

/** What a report may see of a step (the hidden reward included); the policy never does. */
export interface ObservedStep {
  reward: number;
  hidden: number;
  info: Record<string, unknown>;
  obs: Float32Array;
}

/**
 * Runs `episodes` episodes of `act` on a fresh env (episode k reset with seed + k), keeping
 * each one's return and the env's performance; `onStep` sees every step (t counts from 0).
 */
export function playEpisodes(
  envId: string,
  makeOptions: MakeOptions,
  episodes: number,
  seed: number,
  act: (obs: Float32Array) => number | Float32Array,
  onStep?: (step: ObservedStep, t: number) => void,
): EpisodeOutcome[] {
  const env = make(envId, makeOptions);
  const out: EpisodeOutcome[] = [];
  try {
    for (let k = 0; k < episodes; k++) {
      let { obs } = env.reset({ seed: seed + k });
      let ret = 0;
      let length = 0;
      let performance: number | null = null;
      for (;;) {
        const r = env.step(act(obs));
        onStep?.({ reward: r.reward, hidden: typeof r.info.hiddenReward === 'number' ? r.info.hiddenReward : 0, info: r.info, obs: r.obs }, length);
        ret += r.reward;
        length += 1;
        if (typeof r.info.performance === 'number') performance = r.info.performance;
        if (r.terminated || r.truncated) break;
        obs = r.obs;
      }
      out.push({ return: ret, performance, length });
    }
  } finally {
    env.close();
  }
  return out;
}
