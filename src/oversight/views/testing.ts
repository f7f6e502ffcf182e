/** Rollouts of real envs cut into clips, for the views' tests. */
import '../../envs/builtins.js';
import { make } from '../../envs/registry.js';
import type { RenderSpec } from '../../envs/render.js';
import type { Segment } from '../../prefs/segments.js';
import { Rng } from '../../utils/rng.js';
import { concatFloat32 } from '../../utils/arrays.js';

export interface Rollout {
  envId: string;
  spec: RenderSpec;
  /** [steps + 1] render states: before each step, then after the last. */
  frames: Float32Array[];
  /** [steps + 1] observations, likewise. */
  obs: Float32Array[];
  actions: Float32Array[];
  /** The env's reward per step (what the agent is paid). */
  rewards: number[];
  /** info.hiddenReward per step (gridworlds), else the reward. */
  hidden: number[];
  terminated: boolean;
}

/** One episode of `envId` from `seed`, at most `steps` steps, with actions from `act`. */
export function rollout(envId: string, seed: number, steps: number, act: (t: number, rng: Rng) => number | number[], kwargs: Record<string, unknown> = {}): Rollout {
  const env = make(envId, { kwargs, maxEpisodeSteps: null });
  const rng = new Rng(seed + 1000);
  const first = env.reset({ seed });
  const out: Rollout = { envId, spec: env.renderSpec()!, frames: [env.renderState()!], obs: [first.obs], actions: [], rewards: [], hidden: [], terminated: false };
  for (let t = 0; t < steps; t++) {
    const a = act(t, rng);
    const r = env.step(a);
    out.actions.push(Float32Array.from(typeof a === 'number' ? [a] : a));
    out.rewards.push(r.reward);
    out.hidden.push(typeof r.info.hiddenReward === 'number' ? r.info.hiddenReward : r.reward);
    out.frames.push(env.renderState()!);
    out.obs.push(r.obs);
    if (r.terminated) {
      out.terminated = true;
      break;
    }
  }
  env.close();
  return out;
}


/** Steps [start, start + length) of a rollout as a segment, as the recorder would cut it. */
export function clipOf(r: Rollout, start: number, length: number, id = `seg-${start}`): Segment {
  const end = start + length;
  if (end > r.actions.length) throw new RangeError(`clip [${start}, ${end}) beyond the rollout's ${r.actions.length} steps`);
  return {
    id,
    envId: r.envId,
    seed: 0,
    envIndex: 0,
    globalStep: start,
    length,
    obsSize: r.obs[0].length,
    actionSize: r.actions[0].length,
    obs: concatFloat32(r.obs.slice(start, end)),
    actions: concatFloat32(r.actions.slice(start, end)),
    renderSize: r.frames[0].length,
    render: concatFloat32(r.frames.slice(start, end)),
    terminated: r.terminated && end === r.actions.length,
  };
}

/** Uniform random actions in [-1, 1]^n. */
export const randomBox = (n: number) => (_t: number, rng: Rng) => Array.from({ length: n }, () => rng.uniform(-1, 1));
/** Uniform random moves of a gridworld (4 actions). */
export const randomMove = (_t: number, rng: Rng) => rng.integer(4);
