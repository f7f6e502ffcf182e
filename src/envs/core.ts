import { Rng, assertSeed, type RngState } from '../utils/rng.js';
import type { RenderSpec } from './render.js';
import type { Action, Box, Discrete } from './spaces.js';

/** Extra, env-specific facts about a reset or step (reward terms, episode statistics, ...). */
export type Info = Record<string, unknown>;

export interface ResetOptions {
  /** Reseeds the env's generator; omitted, the generator continues its stream. */
  seed?: number;
  /** Env-specific reset options, e.g. `{ low, high }` for the reset distribution. */
  options?: Record<string, unknown>;
}

export interface ResetResult {
  obs: Float32Array;
  info: Info;
}

export interface StepResult {
  obs: Float32Array;
  reward: number;
  /** The MDP reached a terminal state: do not bootstrap from `obs`. */
  terminated: boolean;
  /** The episode was cut short (e.g. a time limit): `obs` is still a valid state to bootstrap from. */
  truncated: boolean;
  info: Info;
}

/**
 * An env that can be put in the state an observation shows (gridworlds, whose board is the whole
 * state; the planar MuJoCo runners, up to the root position the observation leaves out, which no
 * reward or dynamics depends on). What a simulator needs to evaluate a reward or a transition
 * from any observed state (EPIC and DARD, src/oversight/interp/epicRun.ts).
 */
export interface Restorable {
  /** Puts the env in the state the observation `obs` shows. */
  restore(obs: ArrayLike<number>): void;
}

/** What the registry knows about a constructed env. */
export interface EnvSpec {
  id: string;
  maxEpisodeSteps: number | undefined;
  rewardThreshold: number | undefined;
  kwargs: Record<string, unknown>;
}

export interface EnvMetadata {
  renderModes: string[];
  renderFps?: number;
}

/** The Gymnasium contract: `reset({seed, options}) -> {obs, info}`, `step(action) -> {obs, reward, terminated, truncated, info}`. */
export interface Env {
  readonly observationSpace: Box;
  readonly actionSpace: Box | Discrete;
  readonly metadata: EnvMetadata;
  spec: EnvSpec | undefined;
  reset(opts?: ResetOptions): ResetResult;
  step(action: Action): StepResult;
  close(): void;
  /** The innermost env, below all wrappers. */
  readonly unwrapped: Env;
  /** Describes the scene for `renderState` frames, or null if the env cannot be replayed. */
  renderSpec(): RenderSpec | null;
  /** One compact numeric frame of the current state (see `RenderSpec`), or null. */
  renderState(): Float32Array | null;
  /** The env generator's position, which decides what an unseeded `reset` draws (for checkpoints). */
  rngState(): RngState;
  /** Continues the env generator from a saved position. */
  setRngState(state: RngState): void;
}

/** Thrown for an action outside what the action space allows (wrong shape, NaN, out of a Discrete range). */
export class InvalidActionError extends TypeError {
  override name = 'InvalidActionError';
}

/** Shared plumbing for concrete environments: the seeded generator and action validation. */
export abstract class BaseEnv implements Env {
  abstract readonly observationSpace: Box;
  abstract readonly actionSpace: Box | Discrete;
  readonly metadata: EnvMetadata = { renderModes: [] };
  spec: EnvSpec | undefined = undefined;
  /** The env's own generator (Gymnasium's `np_random`); reseeded by `reset({seed})`. */
  protected rng: Rng = new Rng();

  abstract reset(opts?: ResetOptions): ResetResult;
  abstract step(action: Action): StepResult;

  close(): void {}

  get unwrapped(): Env {
    return this;
  }

  renderSpec(): RenderSpec | null {
    return null;
  }

  renderState(): Float32Array | null {
    return null;
  }

  rngState(): RngState {
    return this.rng.getState();
  }

  setRngState(state: RngState): void {
    this.rng = Rng.fromState(state);
  }

  /** Call first in `reset`: reseeds when a seed is given, as Gymnasium's `super().reset(seed=seed)`. */
  protected seedRng(seed: number | undefined): void {
    if (seed !== undefined) this.rng = new Rng(assertSeed(seed));
  }

  /** Throws an `InvalidActionError` naming the env and what was expected. */
  protected checkAction(action: Action): void {
    const err = this.actionSpace.actionError(action);
    if (err !== null) throw new InvalidActionError(`${this.spec?.id ?? this.constructor.name}: invalid action: ${err}`);
  }
}

/** Reads `options.low` / `options.high` for a reset distribution, as Gymnasium's `maybe_parse_reset_bounds`. */
export function resetBounds(options: Record<string, unknown> | undefined, low: number, high: number): [number, number] {
  if (!options) return [low, high];
  const lo = options.low ?? low;
  const hi = options.high ?? high;
  if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new TypeError(`reset options low/high must be finite numbers, got low=${String(lo)}, high=${String(hi)}`);
  }
  if (lo > hi) throw new RangeError(`reset option low (${lo}) is greater than high (${hi})`);
  return [lo, hi];
}

/** Throws unless an env option is a finite number. */
export function assertFiniteOption(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`option ${name} must be a finite number, got ${String(v)}`);
}

export const FLOAT32_MAX = 3.4028234663852886e38;
