import type { Env, EnvSpec } from './core.js';
import { OrderEnforcing } from './wrappers/orderEnforcing.js';
import { TimeLimit } from './wrappers/timeLimit.js';

/** How to build one registered env id. */
export interface EnvRegistration {
  id: string;
  /** Builds the raw env from complete kwargs (defaults merged with the caller's). */
  entryPoint: (kwargs: Record<string, unknown>) => Env;
  /** Default kwargs; also the set of accepted kwarg names. */
  kwargs: Record<string, unknown>;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  /** Module that registers this id, so a worker thread can import it before `make`. */
  module?: string;
}

export interface MakeOptions {
  /** Overrides the registered TimeLimit; `null` removes it. */
  maxEpisodeSteps?: number | null;
  /** Env constructor options, e.g. `{ sutton_barto_reward: true }`. */
  kwargs?: Record<string, unknown>;
}

const registry = new Map<string, EnvRegistration>();

export class UnknownEnvError extends Error {
  override name = 'UnknownEnvError';
}

export function register(reg: EnvRegistration): void {
  if (!/^[A-Za-z0-9_/:.-]+-v\d+$/.test(reg.id)) {
    throw new Error(`env id ${JSON.stringify(reg.id)} must look like Name-vN (Gymnasium's convention)`);
  }
  if (registry.has(reg.id)) throw new Error(`env id ${reg.id} is already registered`);
  registry.set(reg.id, reg);
}

export function registeredIds(): string[] {
  return [...registry.keys()].sort();
}

export function registration(id: string): EnvRegistration {
  const reg = registry.get(id);
  if (reg) return reg;
  throw new UnknownEnvError(unknownIdMessage(id));
}

/** `make('CartPole-v1')`: the registered env wrapped in OrderEnforcing and its TimeLimit. */
export function make(id: string, opts: MakeOptions = {}): Env {
  const reg = registration(id);
  const given = opts.kwargs ?? {};
  const unknown = Object.keys(given).filter((k) => !(k in reg.kwargs));
  if (unknown.length > 0) {
    const allowed = Object.keys(reg.kwargs);
    throw new Error(
      `${id} does not take option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; ` +
        (allowed.length ? `allowed: ${allowed.join(', ')}` : 'it takes no options'),
    );
  }
  const kwargs = { ...reg.kwargs, ...given };
  for (const [k, v] of Object.entries(given)) {
    const expected = typeof reg.kwargs[k];
    if (typeof v !== expected) throw new TypeError(`${id} option ${k} must be a ${expected}, got ${JSON.stringify(v)}`);
  }
  const maxEpisodeSteps = opts.maxEpisodeSteps === undefined ? reg.maxEpisodeSteps : opts.maxEpisodeSteps ?? undefined;
  let env: Env = new OrderEnforcing(reg.entryPoint(kwargs));
  if (maxEpisodeSteps !== undefined) env = new TimeLimit(env, maxEpisodeSteps);
  const spec: EnvSpec = { id, maxEpisodeSteps, rewardThreshold: reg.rewardThreshold, kwargs };
  env.unwrapped.spec = spec;
  return env;
}

function unknownIdMessage(id: string): string {
  const ids = registeredIds();
  const base = id.replace(/-v\d+$/, '');
  const versions = ids.filter((k) => k.replace(/-v\d+$/, '') === base);
  if (versions.length > 0) return `Unknown environment id ${JSON.stringify(id)}: ${base} is registered as ${versions.join(', ')}`;
  const close = ids
    .map((k) => [k, editDistance(k.toLowerCase(), id.toLowerCase())] as const)
    .filter(([, d]) => d <= Math.max(2, Math.floor(id.length / 4)))
    .sort((a, b) => a[1] - b[1]);
  const hint = close.length > 0 ? ` Did you mean ${close[0][0]}?` : '';
  return `Unknown environment id ${JSON.stringify(id)}.${hint} Registered ids: ${ids.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}
