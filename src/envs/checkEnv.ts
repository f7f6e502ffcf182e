import { Rng } from '../utils/rng.js';
import type { Env, StepResult } from './core.js';
import { Box, Discrete, type Action } from './spaces.js';

export interface CheckEnvOptions {
  /** Steps per trajectory used to check seeding. */
  steps: number;
  seed: number;
  /** Also check that sample()d observations of the space are finite etc. Default true. */
  checkObservationBounds: boolean;
}

/**
 * Gymnasium's `check_env` for this port: returns the list of contract violations (empty
 * when the env conforms). `makeEnv` must return a fresh env each call.
 */
export function checkEnv(makeEnv: () => Env, opts: Partial<CheckEnvOptions> = {}): string[] {
  const { steps = 200, seed = 0, checkObservationBounds = true } = opts;
  const problems: string[] = [];
  const env = makeEnv();
  const obsSpace = env.observationSpace;
  const actSpace = env.actionSpace;
  if (!(obsSpace instanceof Box)) problems.push('observationSpace must be a Box');
  if (!(actSpace instanceof Box) && !(actSpace instanceof Discrete)) problems.push('actionSpace must be a Box or a Discrete');
  if (problems.length > 0) return problems;

  const checkObs = (obs: unknown, where: string) => {
    if (!(obs instanceof Float32Array)) problems.push(`${where}: obs must be a Float32Array`);
    else if (obs.length !== obsSpace.size) problems.push(`${where}: obs has length ${obs.length}, space has ${obsSpace.size}`);
    else if (checkObservationBounds && !obsSpace.contains(obs)) problems.push(`${where}: obs ${Array.from(obs).join(', ')} is outside ${obsSpace}`);
  };
  const checkStep = (r: StepResult, where: string) => {
    checkObs(r.obs, where);
    if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) problems.push(`${where}: reward must be a finite number, got ${r.reward}`);
    if (typeof r.terminated !== 'boolean') problems.push(`${where}: terminated must be a boolean`);
    if (typeof r.truncated !== 'boolean') problems.push(`${where}: truncated must be a boolean`);
    if (typeof r.info !== 'object' || r.info === null) problems.push(`${where}: info must be an object`);
  };

  const actionRng = new Rng(seed + 1);
  const actions: Action[] = Array.from({ length: steps }, () => actSpace.sample(actionRng));
  for (const a of actions.slice(0, 10)) if (!actSpace.contains(a)) problems.push(`actionSpace.sample() gave ${String(a)}, outside ${actSpace}`);

  const rollout = (e: Env): number[][] => {
    const trace: number[][] = [];
    const r0 = e.reset({ seed });
    checkObs(r0.obs, 'reset');
    if (typeof r0.info !== 'object' || r0.info === null) problems.push('reset: info must be an object');
    trace.push(Array.from(r0.obs));
    for (let t = 0; t < steps; t++) {
      const r = e.step(actions[t]);
      checkStep(r, `step ${t}`);
      trace.push([...Array.from(r.obs), r.reward, +r.terminated, +r.truncated]);
      if (r.terminated || r.truncated) {
        const rr = e.reset();
        checkObs(rr.obs, `reset after step ${t}`);
        trace.push(Array.from(rr.obs));
      }
      if (problems.length > 20) break;
    }
    return trace;
  };

  const a = rollout(env);
  const env2 = makeEnv();
  const b = rollout(env2);
  if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`the same seed (${seed}) and actions gave different trajectories in two fresh envs`);
  const c = rollout(env);
  if (JSON.stringify(a) !== JSON.stringify(c)) problems.push(`reset({seed: ${seed}}) on a used env did not reproduce the trajectory`);

  const bad: unknown[] = actSpace instanceof Discrete ? [actSpace.start + actSpace.n, actSpace.start - 1, 0.5, Number.NaN] : [new Float32Array(actSpace.size + 1), new Float32Array(actSpace.size).fill(Number.NaN)];
  env.reset({ seed });
  for (const x of bad) {
    try {
      env.step(x as Action);
      problems.push(`step(${String(x)}) did not throw for an invalid action`);
    } catch (e) {
      if (!(e instanceof Error) || e.message.length < 10) problems.push(`step(${String(x)}) threw without a clear message`);
    }
  }
  env.close();
  env2.close();
  return problems;
}
