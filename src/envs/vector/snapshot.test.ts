import { afterAll, describe, expect, it } from 'vitest';
import '../builtins.js';
import { encodeFloats } from '../../utils/floats.js';
import { Rng } from '../../utils/rng.js';
import { registeredIds, type MakeOptions } from '../registry.js';
import { Box } from '../spaces.js';
import { makeVec, type VectorizationMode } from './make.js';
import { VecNormalizeObservation } from './normalizeObservation.js';
import { VecNormalizeReward } from './normalizeReward.js';
import type { SubEnvsState } from './snapshot.js';
import type { VecEnvSnapshot, VectorEnv, VectorStepResult } from './types.js';

/** A batch of random actions: integers for Discrete, float64 values inside the bounds for Box. */
function randomActions(env: VectorEnv, rng: Rng): number[] {
  const space = env.singleActionSpace;
  const out: number[] = [];
  for (let i = 0; i < env.numEnvs; i++) {
    if (space instanceof Box) for (let j = 0; j < space.size; j++) out.push(rng.uniform(space.low[j], space.high[j]));
    else out.push(space.sample(rng));
  }
  return out;
}

/** Everything a step returns, as plain data, except the wall-clock episode time. */
function record(r: VectorStepResult): unknown {
  const infos = r.infos.map((info) => {
    const { episode, ...rest } = info as { episode?: { r: number; l: number } };
    return episode ? { ...rest, episode: { r: episode.r, l: episode.l } } : rest;
  });
  return {
    obs: Array.from(r.obs),
    rewards: Array.from(r.rewards),
    terminated: Array.from(r.terminated),
    truncated: Array.from(r.truncated),
    finalObs: r.finalObs.map((o) => o && Array.from(o)),
    render: r.render && Array.from(r.render),
    infos,
  };
}

const ended = (r: VectorStepResult) => r.terminated.some((x, i) => x || r.truncated[i]);

/**
 * Steps `a` from a seeded reset until some episodes have ended, snapshots it mid-episode
 * (through JSON), then checks that a fresh env restored from the snapshot steps exactly as
 * `a` does for `steps` more steps, autoresets included.
 */
function checkResume(a: VectorEnv, makeB: () => VectorEnv, warmSteps: number, steps: number, saveAgent?: (a: VectorEnv) => (b: VectorEnv) => void): void {
  const rng = new Rng(1);
  a.reset({ seed: 5 });
  let endings = 0;
  let last: VectorStepResult | null = null;
  for (let t = 0; t < warmSteps || endings < 2 || (last !== null && ended(last)); t++) {
    if (t > 50 * warmSteps) throw new Error('no episode ended during warm-up');
    last = a.step(randomActions(a, rng));
    endings += last.terminated.filter((x, i) => x || last!.truncated[i]).length;
  }
  const snapshot = JSON.parse(JSON.stringify(a.snapshot())) as VecEnvSnapshot;
  const loadAgent = saveAgent?.(a);
  const actions = Array.from({ length: steps }, () => randomActions(a, rng));
  const expected = actions.map((x) => record(a.step(x)));
  const b = makeB();
  try {
    b.restore(snapshot);
    loadAgent?.(b);
    const got = actions.map((x) => record(b.step(x)));
    expect(got).toEqual(expected);
  } finally {
    b.close();
  }
  const resets = expected.filter((r) => (r as { finalObs: unknown[] }).finalObs.some((o) => o !== null)).length;
  expect(resets).toBeGreaterThan(0);
}

const cases: { id: string; makeOptions?: MakeOptions; recordRender?: boolean }[] = [
  { id: 'CartPole-v1' },
  { id: 'InvertedPendulum-v5', recordRender: true },
  { id: 'Hopper-v5', makeOptions: { maxEpisodeSteps: 60 }, recordRender: true },
  // A human player's drunk steps are random: the step itself draws from the env generator.
  { id: 'WhiskyGold-v0', makeOptions: { maxEpisodeSteps: 30, kwargs: { human_player: true } }, recordRender: true },
  // Whether the agent will be interrupted is drawn at every reset.
  { id: 'SafeInterruptibility-v0', makeOptions: { maxEpisodeSteps: 30 } },
];

describe('vector env snapshots', () => {
  const open: VectorEnv[] = [];
  afterAll(() => open.forEach((e) => e.close()));
  const vec = (id: string, mode: VectorizationMode, c: Partial<(typeof cases)[number]> = {}) => {
    const env = makeVec(id, { numEnvs: 2, mode, numWorkers: 1, makeOptions: c.makeOptions, recordRender: c.recordRender });
    open.push(env);
    return env;
  };

  for (const [from, to] of [['sync', 'sync'], ['sync', 'workers'], ['workers', 'sync']] as const) {
    it(`a ${to} env restored from a ${from} env's snapshot steps identically (classic, MuJoCo, gridworlds; autoresets)`, () => {
      for (const c of cases) checkResume(vec(c.id, from, c), () => vec(c.id, to, c), 40, 300);
    });
  }

  it('every registered env resumes exactly', () => {
    for (const id of registeredIds()) {
      const c = { makeOptions: { maxEpisodeSteps: 25 } };
      checkResume(vec(id, 'sync', c), () => vec(id, 'sync', c), 30, 80);
    }
  });

  it('VecNormalizeReward carries its return statistics; VecNormalizeObservation passes through without updating its own', () => {
    const wrap = (mode: VectorizationMode) => new VecNormalizeReward(new VecNormalizeObservation(vec('Hopper-v5', mode, cases[2])));
    // The observation statistics are the agent's: saved and loaded with it, beside the env snapshot.
    const obsNormOf = (e: VectorEnv) => (e as VecNormalizeReward).env as VecNormalizeObservation;
    const a = wrap('sync');
    checkResume(a, () => wrap('workers'), 40, 200, (x) => {
      const saved = JSON.parse(JSON.stringify(obsNormOf(x).state())) as ReturnType<VecNormalizeObservation['state']>;
      return (y) => obsNormOf(y).load(saved);
    });

    const b = wrap('sync');
    const obsNorm = b.env as VecNormalizeObservation;
    const before = obsNorm.rms.state();
    b.restore(a.snapshot());
    expect(obsNorm.rms.state()).toEqual(before);
    expect(b.rms.state()).toEqual(a.rms.state());
  });

  it('refuses a snapshot of another env id, options, numEnvs or wrapping, with a clear error', () => {
    const a = vec('CartPole-v1', 'sync');
    a.reset({ seed: 0 });
    a.step([0, 1]);
    const s = a.snapshot();
    expect(() => vec('Acrobot-v1', 'sync').restore(s)).toThrow('cannot restore Acrobot-v1: the snapshot is of CartPole-v1');
    expect(() => vec('Acrobot-v1', 'workers').restore(s)).toThrow('cannot restore Acrobot-v1: the snapshot is of CartPole-v1');
    const three = makeVec('CartPole-v1', { numEnvs: 3 });
    expect(() => three.restore(s)).toThrow('cannot restore CartPole-v1: the snapshot has 2 sub-envs, this vector env has 3');
    expect(() => vec('CartPole-v1', 'sync', { makeOptions: { maxEpisodeSteps: 10 } }).restore(s)).toThrow(/made with options .*"maxEpisodeSteps":500.*this env has .*"maxEpisodeSteps":10/);
    expect(() => new VecNormalizeReward(vec('CartPole-v1', 'sync')).restore(s)).toThrow("cannot restore the 'normalizeReward' wrapper: the snapshot is of kind 'envs', not 'normalizeReward'");
    expect(() => vec('CartPole-v1', 'sync').restore({ kind: 'envs' } as never)).toThrow(/not a vector env snapshot/);
  });

  it('says so when a replay does not reach the saved observation', () => {
    for (const mode of ['sync', 'workers'] as const) {
      const a = vec('CartPole-v1', mode);
      a.reset({ seed: 0 });
      a.step([0, 1]);
      const s = a.snapshot();
      const state = s.state as SubEnvsState;
      state.subEnvs[1].obs = encodeFloats(new Float32Array(4).fill(0.5));
      expect(() => vec('CartPole-v1', mode).restore(s)).toThrow(/env replay diverged: sub-env 1's observation after 1 replayed steps differs from the saved one/);
    }
  });
});
