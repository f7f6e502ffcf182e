/**
 * EPIC and DARD on a prefs run (issue 22 items 6 and 7): the run's reward model, its ensemble
 * mean and each member, against the env's true reward, over transitions recorded in the run's
 * clips (segments or policy rollouts).
 *
 * - The true reward is the one the oracle teacher labels with: the env's reward of (s, a), got by
 *   putting a simulator in the state the observation s shows (`Restorable`: gridworlds, and the planar
 *   MuJoCo runners) and stepping a. The
 *   learned reward r̂(o, a) also ignores s', so both are rewards of (s, a).
 * - DARD's transition model T(s, a) is the same simulator: restore s, step a, observe. Envs whose
 *   observation does not show the whole state (tomato_watering on the transformer) have no
 *   simulator model here; `nearestNeighbourModel` is the fallback over recorded transitions.
 *
 * Canonicalisation is linear in the reward (and removes constants), so the normalised ensemble
 * mean Σ_k (r_k − μ_k) / (M σ_k) canonicalises to Σ_k C(r_k) / (M σ_k): each member is
 * canonicalised once and the mean costs nothing more.
 */
import { make } from '../../envs/registry.js';
import type { Env, Restorable } from '../../envs/core.js';
import { Discrete } from '../../envs/spaces.js';
import type { RewardModel } from '../../prefs/rewardModel.js';
import type { Rng } from '../../utils/rng.js';
import { pearson } from '../../utils/stats.js';
import { dardCanonical, drawCoverage, drawDard, epicCanonical, parseEpicOptions, pearsonDistance, type BatchReward, type EpicOptionsInput, type TransitionModel, type Transitions } from './epic.js';
import type { ClipSteps } from './features/library.js';

/** (o_t, a_t, o_{t+1}) for every step of every clip but its last (whose next observation no clip holds). */
export function transitionsOfClips(clips: readonly ClipSteps[]): Transitions {
  if (clips.length === 0) throw new RangeError('transitionsOfClips: no clips');
  const { obsSize, actionSize } = clips[0];
  const n = clips.reduce((k, c) => k + Math.max(0, c.length - 1), 0);
  const obs = new Float64Array(n * obsSize);
  const actions = new Float64Array(n * actionSize);
  const next = new Float64Array(n * obsSize);
  let i = 0;
  for (const c of clips) {
    if (c.obsSize !== obsSize || c.actionSize !== actionSize) throw new RangeError(`transitionsOfClips: clips of ${c.obsSize}/${c.actionSize} floats beside ${obsSize}/${actionSize}`);
    for (let t = 0; t + 1 < c.length; t++, i++) {
      obs.set(c.obs.subarray(t * obsSize, (t + 1) * obsSize), i * obsSize);
      actions.set(c.actions.subarray(t * actionSize, (t + 1) * actionSize), i * actionSize);
      next.set(c.obs.subarray((t + 1) * obsSize, (t + 2) * obsSize), i * obsSize);
    }
  }
  return { n, obsSize, actionSize, obs, actions, next };
}

/** `k` of the transitions drawn without replacement (all of them if there are no more). */
export function subsample(t: Transitions, k: number, rng: Rng): Transitions {
  if (t.n <= k) return t;
  const order = Array.from({ length: t.n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.integer(t.n - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const pick = (src: Float64Array, w: number) => {
    const out = new Float64Array(k * w);
    for (let i = 0; i < k; i++) out.set(src.subarray(order[i] * w, (order[i] + 1) * w), i * w);
    return out;
  };
  return { n: k, obsSize: t.obsSize, actionSize: t.actionSize, obs: pick(t.obs, t.obsSize), actions: pick(t.actions, t.actionSize), next: pick(t.next, t.obsSize) };
}

const argmax = (a: ArrayLike<number>, from = 0, width = a.length) => {
  let best = 0;
  for (let j = 1; j < width; j++) if (a[from + j] > a[from + best]) best = j;
  return best;
};

/** An env put in any observed state: the true reward of (s, a) and DARD's T(s, a). */
export interface Simulator {
  /** The env's reward for taking a (one-hot for a discrete action) in the state s shows; `next` is ignored. */
  truth: BatchReward;
  /** The observation after a from the state s shows (the env's own randomness, seeded once). */
  model: TransitionModel;
  /** Frees the env (MuJoCo's model and data). */
  close(): void;
}

/** Whether env `envId` can be put in an observed state (`Restorable`: its observation shows the whole state). */
export function hasSimulator(envId: string, kwargs: Record<string, unknown> = {}): boolean {
  const env = make(envId, { kwargs });
  try {
    return typeof (env.unwrapped as Partial<Restorable>).restore === 'function';
  } finally {
    env.close();
  }
}

/**
 * The env itself as a simulator: restore the observed state, step the action, read the reward or
 * the next observation. Stepping the unwrapped env leaves out time limits and wrappers' bookkeeping.
 * Gridworlds take their action as the argmax of the one-hot row; continuous actions go as they are.
 */
export function simulatorOf(envId: string, kwargs: Record<string, unknown>, seed: number): Simulator {
  const env = make(envId, { kwargs });
  const raw = env.unwrapped as Env & Partial<Restorable>;
  if (typeof raw.restore !== 'function') {
    env.close();
    throw new Error(`${envId} cannot be put in an observed state (no restore): use nearestNeighbourModel, and a truth recorded with the transitions`);
  }
  const sim = raw as Env & Restorable;
  sim.reset({ seed });
  const space = sim.actionSpace;
  const width = space instanceof Discrete ? space.n : space.size;
  const actionOf = (a: Float64Array, from: number) => (space instanceof Discrete ? space.start + argmax(a, from, width) : a.subarray(from, from + width));
  const stepFrom = (s: ArrayLike<number>, a: number | Float64Array) => {
    sim.restore(s);
    return sim.step(a);
  };
  return {
    truth: (obs, actions, _next, n) => {
      const ds = obs.length / n;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = stepFrom(obs.subarray(i * ds, (i + 1) * ds), actionOf(actions, i * width)).reward;
      return out;
    },
    model: (s, a) => Float64Array.from(stepFrom(s, actionOf(a, 0)).obs),
    close: () => env.close(),
  };
}

/**
 * DARD's T(s, a) without a simulator: the next observation of the recorded transition with the
 * same action whose observation is nearest to s (squared distance; ties to the first recorded).
 * Falls back to any action when none was recorded with a.
 */
export function nearestNeighbourModel(t: Transitions): TransitionModel {
  const { obsSize: ds, actionSize: da } = t;
  const actionOf = Array.from({ length: t.n }, (_, i) => argmax(t.actions, i * da, da));
  return (s, a) => {
    const want = argmax(a);
    let best = -1;
    let bestD = Infinity;
    for (const sameOnly of [true, false]) {
      for (let i = 0; i < t.n; i++) {
        if (sameOnly && actionOf[i] !== want) continue;
        let d = 0;
        for (let j = 0; j < ds && d < bestD; j++) d += (t.obs[i * ds + j] - s[j]) ** 2;
        if (d < bestD) [best, bestD] = [i, d];
      }
      if (best >= 0) break;
    }
    return t.next.slice(best * ds, (best + 1) * ds);
  };
}

/** Member k's raw reward r̂_k(o, a) as a batch reward (its scale and shift do not move EPIC). */
export function memberReward(rm: RewardModel, k: number): BatchReward {
  return (obs, actions, _next, n) => rm.memberRewards(obs, actions, n).slice(k * n, (k + 1) * n);
}

export interface RewardDistances {
  /** The reward given to RL: the normalised ensemble mean. */
  mean: number;
  members: number[];
}

export interface EpicOnRunResult {
  /** Transitions the distances are computed over. */
  transitions: number;
  samples: number;
  gamma: number;
  epic: RewardDistances;
  dard: RewardDistances;
  /** Wall seconds of each (one thread: about its CPU seconds). */
  seconds: { epic: number; dard: number };
}

/**
 * EPIC and DARD between `rm` (mean and members) and `truth` over `t`, with DARD's next states from
 * `model`. One set of coverage draws (EPIC) and one of plausible-transition draws (DARD), shared by
 * every reward compared.
 */
export function epicOnRun(rm: RewardModel, truth: BatchReward, model: TransitionModel, t: Transitions, input: EpicOptionsInput, rng: Rng): EpicOnRunResult {
  const t0 = performance.now();
  const o = parseEpicOptions(input);
  const M = rm.ensembleSize;
  const members = Array.from({ length: M }, (_, k) => memberReward(rm, k));
  const meanOf = (cs: Float64Array[]) => {
    const out = new Float64Array(t.n);
    cs.forEach((c, k) => {
      const w = 1 / (M * rm.outStd[k]);
      for (let i = 0; i < t.n; i++) out[i] += w * c[i];
    });
    return out;
  };
  const distances = (canonical: (r: BatchReward) => Float64Array): RewardDistances => {
    const ct = canonical(truth);
    const cs = members.map(canonical);
    return { mean: pearsonDistance(ct, meanOf(cs)), members: cs.map((c) => pearsonDistance(ct, c)) };
  };
  const coverage = drawCoverage(t, o.samples, rng);
  const epic = distances((r) => epicCanonical(r, t, coverage, o.gamma));
  const t1 = performance.now();
  const dardDraws = drawDard(t, o.samples, model, rng);
  const dard = distances((r) => dardCanonical(r, t, dardDraws, o.gamma));
  return { transitions: t.n, samples: o.samples, gamma: o.gamma, epic, dard, seconds: { epic: (t1 - t0) / 1000, dard: (performance.now() - t1) / 1000 } };
}

/** Pearson and Spearman (Pearson of ranks, ties averaged) correlation of two series, with n; null below 3 points or without spread. */
export function correlations(x: readonly number[], y: readonly number[]): { n: number; pearson: number | null; spearman: number | null } {
  if (x.length !== y.length) throw new RangeError(`correlations: ${x.length} and ${y.length} values`);
  return { n: x.length, pearson: pearson(x, y), spearman: pearson(ranks(x), ranks(y)) };
}

function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}
