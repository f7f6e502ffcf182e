/**
 * The clips whose states the interpretability tools read (issue 22 item 1): a run's stored
 * segments, and rollouts of its policy cut into clips of the segment length. Both carry what the
 * reward model sees (observations, actions; one-hot for discrete actions) and the render state,
 * which the gridworld features read.
 */
import type { Env } from '../../envs/core.js';
import { Discrete } from '../../envs/spaces.js';
import type { Segment } from '../../prefs/segments.js';
import type { ClipSteps } from './features/library.js';
import { concatFloat32 } from '../../utils/arrays.js';

export interface Clip extends ClipSteps {
  /** Unique among a study's clips: the segment's id, or `rollout-<episode>-<k>`. */
  readonly id: string;
  readonly source: 'segment' | 'rollout';
  /** The episode ended (terminated, not truncated) at the clip's last state. */
  readonly terminated?: boolean;
}

export function clipOfSegment(s: Segment): Clip {
  return { id: s.id, source: 'segment', length: s.length, obsSize: s.obsSize, actionSize: s.actionSize, obs: s.obs, actions: s.actions, renderSize: s.renderSize, render: s.render, terminated: s.terminated };
}

export interface RolloutOptions {
  episodes: number;
  /** States per clip; an episode's last, shorter piece is kept when it has at least 2 states. */
  clipLength: number;
  /** Seed of the first episode's reset (episode e resets with seed + e). */
  seed: number;
  /** Stops an episode after this many steps even if the env would go on. */
  maxSteps: number;
}

/**
 * Plays `act` in `env` for whole episodes and cuts them into clips. The observation of each
 * state is the one the action was chosen from, as in a segment.
 */
export function rolloutClips(env: Env, act: (obs: Float32Array) => number | Float32Array, opts: RolloutOptions): Clip[] {
  const space = env.actionSpace;
  const actionSize = space instanceof Discrete ? space.n : space.size;
  const clips: Clip[] = [];
  for (let e = 0; e < opts.episodes; e++) {
    let { obs } = env.reset({ seed: opts.seed + e });
    const states: { obs: Float32Array; action: Float32Array; render: Float32Array | null }[] = [];
    let terminated = false;
    for (let t = 0; t < opts.maxSteps; t++) {
      const render = env.renderState();
      const a = act(obs);
      const action = new Float32Array(actionSize);
      if (typeof a === 'number') action[a - (space as Discrete).start] = 1;
      else action.set(a);
      states.push({ obs: Float32Array.from(obs), action, render: render ? Float32Array.from(render) : null });
      const r = env.step(a);
      obs = r.obs;
      terminated = r.terminated;
      if (r.terminated || r.truncated) break;
    }
    for (let start = 0, k = 0; start < states.length; start += opts.clipLength, k++) {
      const piece = states.slice(start, start + opts.clipLength);
      if (piece.length < 2) break;
      const renderSize = piece[0].render?.length ?? 0;
      clips.push({
        id: `rollout-${e}-${k}`,
        source: 'rollout',
        length: piece.length,
        obsSize: obs.length,
        actionSize,
        obs: concatFloat32(piece.map((p) => p.obs)),
        actions: concatFloat32(piece.map((p) => p.action)),
        renderSize,
        render: renderSize > 0 ? concatFloat32(piece.map((p) => p.render!)) : null,
        terminated: terminated && start + opts.clipLength >= states.length,
      });
    }
  }
  return clips;
}

