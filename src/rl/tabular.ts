/**
 * Tabular Q-learning (off-policy) and SARSA (on-policy), as in Sutton & Barto, for small
 * discrete worlds such as the AI Safety Gridworlds: one table row per distinct observation,
 * epsilon-greedy behaviour with a linearly decaying epsilon.
 *
 * The two differ in one line, the target: Q-learning bootstraps from the greedy action,
 * SARSA from the action it will actually take. That difference is what the gridworlds'
 * safe_interruptibility and whisky_gold probe: an on-policy learner learns about the policy
 * it really follows (interrupted, or drunk), an off-policy one about the greedy policy.
 *
 * The learner reads only observations, rewards and episode ends, plus two things an env may
 * tell the agent (the original gridworlds' extra observations): `info.actualAction`, the action
 * carried out when the env replaced the agent's (interruptions), and `info.exploration`
 * (whisky_gold's drunkenness). Never the hidden reward.
 */
import { z } from 'zod';
import { make, type MakeOptions } from '../envs/registry.js';
import type { Discrete } from '../envs/spaces.js';
import { Rng } from '../utils/rng.js';
import { playEpisodes, type EpisodeOutcome, type ObservedStep } from './evaluate.js';

export const TabularConfigSchema = z.strictObject({
  /** q-learning (off-policy) or sarsa (on-policy). */
  algo: z.enum(['q-learning', 'sarsa']),
  envId: z.string(),
  envKwargs: z.record(z.string(), z.unknown()).default({}),
  episodes: z.number().int().positive().default(2000),
  seed: z.number().int().nonnegative().default(1),
  /** Step size alpha. */
  learningRate: z.number().positive().max(1).default(0.1),
  gamma: z.number().min(0).max(1).default(0.99),
  /** Epsilon decays linearly from epsilonStart to epsilonEnd over this fraction of the episodes. */
  epsilonStart: z.number().min(0).max(1).default(1),
  epsilonEnd: z.number().min(0).max(1).default(0.05),
  epsilonFraction: z.number().gt(0).max(1).default(0.8),
  /** Greedy evaluation episodes after training (seeds seed*1000 + k). */
  evalEpisodes: z.number().int().positive().default(20),
});
export type TabularConfig = z.infer<typeof TabularConfigSchema>;
export type TabularConfigInput = z.input<typeof TabularConfigSchema>;

export type { EpisodeOutcome, ObservedStep };

export interface TabularResult {
  config: TabularConfig;
  /** Rows of the table: distinct observations seen. */
  states: number;
  /** Actions of the env (the table's width). */
  actions: number;
  training: EpisodeOutcome[];
  evaluation: EpisodeOutcome[];
  /** The learned action values, by observation key. */
  q: Map<string, Float64Array>;
}

export function trainTabular(input: TabularConfigInput): TabularResult {
  const cfg = TabularConfigSchema.parse(input);
  const makeOptions: MakeOptions = { kwargs: cfg.envKwargs };
  const env = make(cfg.envId, makeOptions);
  if (env.actionSpace.kind !== 'discrete') throw new Error(`${cfg.envId}: tabular methods need a discrete action space`);
  const nActions = (env.actionSpace as Discrete).n;
  const rng = new Rng(cfg.seed);
  const q = new Map<string, Float64Array>();
  const row = (key: string) => {
    let r = q.get(key);
    if (!r) q.set(key, (r = new Float64Array(nActions)));
    return r;
  };
  const greedy = (values: Float64Array) => {
    // Ties broken at random, so an untrained row does not always pick action 0.
    let best = -Infinity;
    let picks: number[] = [];
    for (let a = 0; a < nActions; a++) {
      if (values[a] > best) {
        best = values[a];
        picks = [a];
      } else if (values[a] === best) picks.push(a);
    }
    return picks[rng.integer(picks.length)];
  };
  const epsilonGreedy = (values: Float64Array, epsilon: number) => (rng.random() < epsilon ? rng.integer(nActions) : greedy(values));
  const keyOf = (obs: Float32Array) => obs.join(',');

  const training: EpisodeOutcome[] = [];
  try {
    for (let episode = 0; episode < cfg.episodes; episode++) {
      const progress = Math.min(1, episode / (cfg.epsilonFraction * cfg.episodes));
      const scheduled = cfg.epsilonStart + (cfg.epsilonEnd - cfg.epsilonStart) * progress;
      let epsilon = scheduled;
      let { obs } = env.reset({ seed: episode === 0 ? cfg.seed : undefined });
      let s = keyOf(obs);
      let a = epsilonGreedy(row(s), epsilon);
      let ret = 0;
      let length = 0;
      let performance: number | null = null;
      // SARSA's update waits one step: it bootstraps from the action actually taken next.
      let pending: { s: string; a: number; reward: number } | null = null;
      for (;;) {
        const r = env.step(a);
        ret += r.reward;
        length += 1;
        if (typeof r.info.performance === 'number') performance = r.info.performance;
        // An env may change how much the agent explores (whisky_gold's drunkenness).
        if (typeof r.info.exploration === 'number') epsilon = Math.max(scheduled, r.info.exploration);
        // Learn about the action the env carried out (safe_interruptibility may replace it).
        const executed = typeof r.info.actualAction === 'number' ? r.info.actualAction : a;
        if (pending) {
          const p = row(pending.s);
          p[pending.a] += cfg.learningRate * (pending.reward + cfg.gamma * row(s)[executed] - p[pending.a]);
          pending = null;
        }
        const s2 = keyOf(r.obs);
        const a2 = epsilonGreedy(row(s2), epsilon);
        const values = row(s);
        if (r.terminated || cfg.algo === 'q-learning' || r.truncated) {
          // Q-learning bootstraps from the greedy action; any learner from nothing after the end,
          // and SARSA from its planned action when the time limit cuts the episode.
          const next = r.terminated ? 0 : cfg.algo === 'sarsa' ? row(s2)[a2] : Math.max(...row(s2));
          values[executed] += cfg.learningRate * (r.reward + cfg.gamma * next - values[executed]);
        } else {
          pending = { s, a: executed, reward: r.reward };
        }
        if (r.terminated || r.truncated) break;
        obs = r.obs;
        s = s2;
        a = a2;
      }
      training.push({ return: ret, performance, length });
    }
  } finally {
    env.close();
  }
  const evaluation = evaluateTabular(q, cfg.envId, makeOptions, cfg.evalEpisodes, cfg.seed * 1000, nActions);
  return { config: cfg, states: q.size, actions: nActions, training, evaluation, q };
}

/**
 * Greedy episodes of a learned table (unseen observations act at random, seeded). `onStep`
 * sees each step, hidden reward included, for reports; the table is not touched.
 */
export function evaluateTabular(
  q: Map<string, Float64Array>,
  envId: string,
  makeOptions: MakeOptions,
  episodes: number,
  seed: number,
  nActions: number,
  onStep?: (step: ObservedStep, t: number) => void,
): EpisodeOutcome[] {
  const rng = new Rng(seed);
  return playEpisodes(
    envId,
    makeOptions,
    episodes,
    seed,
    (obs) => {
      const values = q.get(obs.join(','));
      let a = rng.integer(nActions);
      if (values) {
        let best = -Infinity;
        for (let i = 0; i < nActions; i++) if (values[i] > best) [best, a] = [values[i], i];
      }
      return a;
    },
    onStep,
  );
}
