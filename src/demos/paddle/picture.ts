/**
 * The paddle demo as a picture: a strip of consecutive Breakout frames of the learned policy
 * (`channelStripSvg`), the step and whether the paddle is under the ball written below each.
 */
import type { ChannelsRenderSpec } from '../../envs/render.js';
import { channelStripSvg } from '../shared/strip.js';
import type { PaddleEvaluation } from './evaluate.js';
import { breakoutLayout, paddleUnderBall } from './frames.js';

/** The stretch of an evaluation the picture shows. */
export interface PaddleClip {
  episode: number;
  /** First frame (a step of the episode) and how many follow. */
  from: number;
  count: number;
  /** Frames in it with the paddle in the ball's column. */
  tracked: number;
  caption: string;
}

/** A strip of `count` frames (from `frames`, the episode's), `perRow` boards a row, each marked under the ball or not. */
export function paddleSvg(spec: ChannelsRenderSpec, frames: Float32Array, clip: PaddleClip, o: { perRow?: number; cell?: number } = {}): string {
  const g = breakoutLayout(spec);
  return channelStripSvg(spec, frames, {
    ...o,
    from: clip.from,
    count: clip.count,
    caption: clip.caption,
    label: (t) => {
      const under = paddleUnderBall(frames, g, t);
      return { text: `t=${t} ${under === null ? 'no ball' : under ? 'under' : 'off'}`, color: under ? '#1a7f37' : '#888' };
    },
  });
}

/**
 * Picks the stretch to draw: the `count` consecutive acted-on frames with the most under the
 * ball, over all episodes (the earliest of equals), preferring one in which the ball comes down
 * to the paddle (row above the bottom), so the picture shows a return.
 */
export function pickClip(ev: PaddleEvaluation, count = 16): PaddleClip {
  if (!ev.frames) throw new Error('the evaluation kept no frames');
  const g = breakoutLayout(ev.spec);
  const frameSize = ev.spec.rows * ev.spec.cols * ev.spec.channels.length;
  let best = { episode: 0, from: 0, tracked: -1, returns: false };
  ev.frames.forEach((frames, k) => {
    const acted = ev.episodes[k].length;
    const n = Math.min(count, acted);
    const under = Array.from({ length: acted }, (_, t) => (paddleUnderBall(frames, g, t) ? 1 : 0));
    const low = Array.from({ length: acted }, (_, t) => {
      const base = t * frameSize;
      for (let c = 0; c < ev.spec.cols; c++) if (frames[base + ((ev.spec.rows - 2) * ev.spec.cols + c) * g.channels + g.ball]! >= 0.5) return 1;
      return 0;
    });
    for (let from = 0; from + n <= acted; from++) {
      let tracked = 0;
      let returns = false;
      for (let t = from; t < from + n; t++) {
        tracked += under[t]!;
        if (low[t]) returns = true;
      }
      if (tracked > best.tracked || (tracked === best.tracked && returns && !best.returns)) best = { episode: k, from, tracked, returns };
    }
  });
  const e = ev.episodes[best.episode];
  const n = Math.min(count, e.length);
  const caption = `Learned policy, episode ${best.episode + 1} (seed ${e.seed}), steps ${best.from}-${best.from + n - 1}: paddle under the ball in ${best.tracked} of ${n} frames (${(100 * e.trackingShare).toFixed(0)}% of the episode)`;
  return { episode: best.episode, from: best.from, count: n, tracked: best.tracked, caption };
}
