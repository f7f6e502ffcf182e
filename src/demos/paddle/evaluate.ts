/**
 * The measure: whole episodes of a policy on MinAtar/Breakout-v1 (episode k reset with seed + k,
 * capped at `maxEpisodeSteps` so a tracker that never misses cannot play forever), counting the
 * frames the policy acted on that show the paddle in the ball's column, beside the game's score
 * (bricks broken, which the learned policy never saw) and the episode's length.
 */
import '../../envs/builtins.js';
import { make } from '../../envs/registry.js';
import type { ChannelsRenderSpec } from '../../envs/render.js';
import { Rng } from '../../utils/rng.js';
import { loadAgent } from '../shared/humanRun.js';
import { breakoutLayout, tracking } from './frames.js';

export const PADDLE_ENV = 'MinAtar/Breakout-v1';

/** Evaluation episodes end (truncated) after this many steps: a good tracker may never miss the ball. */
export const EVAL_MAX_STEPS = 2000;

export interface PaddleEpisode {
  seed: number;
  length: number;
  /** The game's score: bricks broken. */
  score: number;
  /** Frames acted on (o_0 .. o_{T-1}) with the paddle in the ball's column, and with a ball visible. */
  tracked: number;
  visible: number;
  /** tracked / visible. */
  trackingShare: number;
  /** Cut at the step cap rather than ended by a miss. */
  capped: boolean;
}

export interface PaddleEvaluation {
  checkpoint: string | null;
  maxEpisodeSteps: number;
  spec: ChannelsRenderSpec;
  episodes: PaddleEpisode[];
  /** Each episode's frames (o_0 .. o_T), when asked for. */
  frames: Float32Array[] | null;
}

/** A policy: an action for an observation (its own random draws from `rng`). */
export type Policy = (obs: Float32Array, rng: Rng) => number;

/** The deterministic policy of a run's checkpoint. */
export function checkpointPolicy(checkpoint: string): Policy {
  const agent = loadAgent(checkpoint);
  return (obs, rng) => agent.act(obs, true, rng) as number;
}

/** Uniformly random actions (Breakout-v1's three: no-op, left, right). */
export const randomPolicy: Policy = (_obs, rng) => rng.integer(3);

export function evaluatePaddle(policy: Policy, opts: { episodes: number; seed: number; maxEpisodeSteps?: number; keepFrames?: boolean; checkpoint?: string | null }): PaddleEvaluation {
  const maxEpisodeSteps = opts.maxEpisodeSteps ?? EVAL_MAX_STEPS;
  const env = make(PADDLE_ENV, { maxEpisodeSteps });
  const spec = env.renderSpec() as ChannelsRenderSpec;
  const layout = breakoutLayout(spec);
  const frameSize = spec.rows * spec.cols * spec.channels.length;
  const rng = new Rng(opts.seed);
  const episodes: PaddleEpisode[] = [];
  const frames: Float32Array[] = [];
  try {
    for (let k = 0; k < opts.episodes; k++) {
      const seed = opts.seed + k;
      let { obs } = env.reset({ seed });
      const ep: Float32Array[] = [env.renderState()!];
      let score = 0;
      let capped = false;
      for (;;) {
        const r = env.step(policy(obs, rng));
        obs = r.obs;
        score += r.reward;
        ep.push(env.renderState()!);
        if (r.terminated || r.truncated) {
          capped = !r.terminated;
          break;
        }
      }
      const all = new Float32Array(ep.length * frameSize);
      ep.forEach((f, t) => all.set(f, t * frameSize));
      // The frames acted on: the last frame (after the final step) is no decision.
      const acted = tracking(all.subarray(0, (ep.length - 1) * frameSize), layout);
      episodes.push({ seed, length: ep.length - 1, score, tracked: acted.tracked, visible: acted.visible, trackingShare: acted.visible > 0 ? acted.tracked / acted.visible : 0, capped });
      if (opts.keepFrames) frames.push(all);
    }
  } finally {
    env.close();
  }
  return { checkpoint: opts.checkpoint ?? null, maxEpisodeSteps, spec, episodes, frames: opts.keepFrames ? frames : null };
}
