/**
 * Comparing a learned reward with the true one directly, without training a policy on it.
 *
 * EPIC (Gleave et al. 2021, arXiv:2006.13900): canonicalise each reward over a coverage
 * distribution, with S, A, S' drawn independently,
 *
 *   C(R)(s, a, s') = R(s, a, s') + E[γ R(s', A, S') − R(s, A, S') − γ R(S, A, S')],
 *
 * which removes potential shaping (R + γΦ(s') − Φ(s) canonicalises to C(R) plus a constant), then
 * take the Pearson distance √((1 − ρ)/2) between the canonical rewards over the transitions. Scale
 * and shift do not move ρ, so the distance is 0 for rewards that differ only by shaping, scale
 * and shift, √½ for unrelated ones and 1 for opposite ones.
 *
 * EPIC evaluates rewards on transitions that cannot happen (s to an unrelated S'); a learned reward
 * is unconstrained there. DARD (Wulfe et al. 2022, arXiv:2201.10081) draws next states only from
 * plausible transitions, S' ~ T(s, A) and S'' ~ T(s', A):
 *
 *   C(R)(s, a, s') = R(s, a, s') + E[γ R(s', A, S'') − R(s, A, S') − γ R(S', A, S'')].
 *
 * Both expectations are sample means over `samples` draws, the same draws for every reward
 * compared (common random numbers), so their noise does not count as a difference.
 */
import { z } from 'zod';
import type { Rng } from '../../utils/rng.js';
import { pearson } from './score.js';

/** A batch of transitions, row-major: n rows of obsSize (obs, next) and actionSize (actions). */
export interface Transitions {
  n: number;
  obsSize: number;
  actionSize: number;
  obs: Float64Array;
  actions: Float64Array;
  next: Float64Array;
}

/** A reward on a batch of transitions: one value per row. A reward of (s, a) alone ignores `next`. */
export type BatchReward = (obs: Float64Array, actions: Float64Array, next: Float64Array, n: number) => Float64Array;

/** A plausible next state from `obs` under `action` (DARD's T(s, A)): a simulator, or a learned or nearest-neighbour model. */
export type TransitionModel = (obs: Float64Array, action: Float64Array, rng: Rng) => Float64Array;

export const EpicOptionsSchema = z.strictObject({
  /** Discount of the shaping the canonicalisation removes (EPIC's experiments: 0.99). */
  gamma: z.number().min(0).max(1).default(0.99),
  /** Draws of (A, S') per expectation (Gleave et al. use thousands; the estimate's noise is shared by both rewards). */
  samples: z.number().int().min(2).default(512),
});
export type EpicOptions = z.infer<typeof EpicOptionsSchema>;
export type EpicOptionsInput = z.input<typeof EpicOptionsSchema>;

/** Options checked, defaults filled; a bad one is an error naming it. */
export function parseEpicOptions(input: EpicOptionsInput = {}): EpicOptions {
  const parsed = EpicOptionsSchema.safeParse(input);
  if (!parsed.success) throw new RangeError(`EPIC options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The independent draws of EPIC's coverage distribution: `samples` states (S), actions (A) and next states (S'). */
export interface CoverageDraws {
  samples: number;
  states: Float64Array;
  actions: Float64Array;
  nextStates: Float64Array;
}

/**
 * Draws S, A and S' independently from the transitions' own marginals (the coverage
 * distribution Gleave et al. use for MuJoCo: the states and actions of rollouts).
 */
export function drawCoverage(t: Transitions, samples: number, rng: Rng): CoverageDraws {
  checkTransitions(t);
  const pick = (src: Float64Array, width: number) => {
    const out = new Float64Array(samples * width);
    for (let j = 0; j < samples; j++) {
      const i = rng.integer(t.n);
      out.set(src.subarray(i * width, (i + 1) * width), j * width);
    }
    return out;
  };
  return { samples, states: pick(t.obs, t.obsSize), actions: pick(t.actions, t.actionSize), nextStates: pick(t.next, t.obsSize) };
}

/** C(R) on every transition (EPIC): R(s,a,s') + γ·mean R(s', A, S') − mean R(s, A, S') − γ·mean R(S, A, S'). */
export function epicCanonical(reward: BatchReward, t: Transitions, draws: CoverageDraws, gamma: number): Float64Array {
  checkTransitions(t);
  const m = draws.samples;
  const direct = reward(t.obs, t.actions, t.next, t.n);
  const constant = mean(reward(draws.states, draws.actions, draws.nextStates, m));
  // One batch per transition and side: the state fixed, (A, S') from the draws.
  const fixed = (states: Float64Array, i: number) => {
    const obs = new Float64Array(m * t.obsSize);
    for (let j = 0; j < m; j++) obs.set(states.subarray(i * t.obsSize, (i + 1) * t.obsSize), j * t.obsSize);
    return mean(reward(obs, draws.actions, draws.nextStates, m));
  };
  const out = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) out[i] = direct[i] + gamma * fixed(t.next, i) - fixed(t.obs, i) - gamma * constant;
  return out;
}

/** The draws DARD needs per transition: actions, and plausible next states from s (S') and from s' (S''). */
export interface DardDraws {
  samples: number;
  /** [n][samples] rows, transition-major. */
  actions: Float64Array;
  fromState: Float64Array;
  fromNext: Float64Array;
}

/** For each transition, `samples` actions from the transitions' actions and their plausible next states under `model`. */
export function drawDard(t: Transitions, samples: number, model: TransitionModel, rng: Rng): DardDraws {
  checkTransitions(t);
  const { n, obsSize: ds, actionSize: da } = t;
  const actions = new Float64Array(n * samples * da);
  const fromState = new Float64Array(n * samples * ds);
  const fromNext = new Float64Array(n * samples * ds);
  for (let i = 0; i < n; i++) {
    const s = t.obs.subarray(i * ds, (i + 1) * ds);
    const s1 = t.next.subarray(i * ds, (i + 1) * ds);
    for (let j = 0; j < samples; j++) {
      const row = i * samples + j;
      const k = rng.integer(n);
      const a = t.actions.slice(k * da, (k + 1) * da);
      actions.set(a, row * da);
      fromState.set(checkState(model(Float64Array.from(s), a, rng), ds), row * ds);
      fromNext.set(checkState(model(Float64Array.from(s1), a, rng), ds), row * ds);
    }
  }
  return { samples, actions, fromState, fromNext };
}

/** C(R) on every transition (DARD): R(s,a,s') + mean[γ R(s', A, S'') − R(s, A, S') − γ R(S', A, S'')]. */
export function dardCanonical(reward: BatchReward, t: Transitions, draws: DardDraws, gamma: number): Float64Array {
  checkTransitions(t);
  const { n, obsSize: ds } = t;
  const m = draws.samples;
  const rows = n * m;
  const repeat = (states: Float64Array) => {
    const out = new Float64Array(rows * ds);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out.set(states.subarray(i * ds, (i + 1) * ds), (i * m + j) * ds);
    return out;
  };
  const direct = reward(t.obs, t.actions, t.next, n);
  const fromNext = reward(repeat(t.next), draws.actions, draws.fromNext, rows);
  const fromState = reward(repeat(t.obs), draws.actions, draws.fromState, rows);
  const between = reward(draws.fromState, draws.actions, draws.fromNext, rows);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let e = 0;
    for (let j = 0; j < m; j++) {
      const r = i * m + j;
      e += gamma * fromNext[r] - fromState[r] - gamma * between[r];
    }
    out[i] = direct[i] + e / m;
  }
  return out;
}

/** Pearson distance √((1 − ρ)/2) between two canonical rewards; √½ (unrelated) when either is constant, as it carries no preference. */
export function pearsonDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length < 2) throw new RangeError(`pearsonDistance: needs two equal-length series of 2 or more, got ${a.length} and ${b.length}`);
  const rho = Math.max(-1, Math.min(1, pearson(a, b)));
  return Math.sqrt((1 - rho) / 2);
}

/** EPIC distances of each reward in `rewards` to `truth` on the transitions, with one shared set of coverage draws. */
export function epicDistances(truth: BatchReward, rewards: readonly BatchReward[], t: Transitions, input: EpicOptionsInput, rng: Rng): number[] {
  const o = parseEpicOptions(input);
  const draws = drawCoverage(t, o.samples, rng);
  const canonicalTruth = epicCanonical(truth, t, draws, o.gamma);
  return rewards.map((r) => pearsonDistance(canonicalTruth, epicCanonical(r, t, draws, o.gamma)));
}

/** DARD distances of each reward to `truth`, with one shared set of plausible-transition draws. */
export function dardDistances(truth: BatchReward, rewards: readonly BatchReward[], t: Transitions, model: TransitionModel, input: EpicOptionsInput, rng: Rng): number[] {
  const o = parseEpicOptions(input);
  const draws = drawDard(t, o.samples, model, rng);
  const canonicalTruth = dardCanonical(truth, t, draws, o.gamma);
  return rewards.map((r) => pearsonDistance(canonicalTruth, dardCanonical(r, t, draws, o.gamma)));
}

function checkTransitions(t: Transitions): void {
  const { n, obsSize, actionSize } = t;
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`transitions: need at least 2, got n = ${n}`);
  if (t.obs.length !== n * obsSize || t.next.length !== n * obsSize) throw new RangeError(`transitions: obs and next must hold n x obsSize = ${n * obsSize} numbers, got ${t.obs.length} and ${t.next.length}`);
  if (t.actions.length !== n * actionSize) throw new RangeError(`transitions: actions must hold n x actionSize = ${n * actionSize} numbers, got ${t.actions.length}`);
}

function checkState(s: Float64Array, size: number): Float64Array {
  if (s.length !== size) throw new RangeError(`transition model returned a state of ${s.length} numbers, expected ${size}`);
  return s;
}

const mean = (xs: Float64Array) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
};
