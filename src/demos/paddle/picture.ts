/**
 * The paddle demo as a picture: a strip of consecutive Breakout frames of the learned policy,
 * each board drawn with the labeling page's own geometry and colours (`channelsPrimitives`, the
 * env's channel colours), the step and whether the paddle is under the ball written below it,
 * and the page's legend of the channels.
 */
import type { ChannelsRenderSpec } from '../../envs/render.js';
import { channelsLegend, channelsPrimitives } from '../../server/ui/draw.js';
import type { PaddleEvaluation } from './evaluate.js';
import { breakoutLayout, paddleUnderBall } from './frames.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

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

/** A strip of `count` frames (from `frames`, the episode's), `perRow` boards a row. */
export function paddleSvg(spec: ChannelsRenderSpec, frames: Float32Array, clip: PaddleClip, o: { perRow?: number; cell?: number } = {}): string {
  const g = breakoutLayout(spec);
  const frameSize = spec.rows * spec.cols * spec.channels.length;
  const perRow = o.perRow ?? 8;
  const cell = o.cell ?? 9;
  const board = spec.cols * cell;
  const gap = 10;
  const label = 16;
  const rows = Math.ceil(clip.count / perRow);
  const W = perRow * (board + gap) + gap;
  const top = 24;
  const H = top + rows * (spec.rows * cell + label + gap) + 34;
  const parts: string[] = [];
  for (let i = 0; i < clip.count; i++) {
    const t = clip.from + i;
    const frame = frames.subarray(t * frameSize, (t + 1) * frameSize);
    const x0 = gap + (i % perRow) * (board + gap);
    const y0 = top + Math.floor(i / perRow) * (spec.rows * cell + label + gap);
    // The page's geometry: unit cells, v up from the bottom row.
    const px = (u: number) => fmt(x0 + u * cell);
    const py = (v: number) => fmt(y0 + (spec.rows - v) * cell);
    for (const p of channelsPrimitives(spec, frame)) if (p.kind === 'polygon') parts.push(`<polygon points="${p.points.map(([u, v]) => `${px(u)},${py(v)}`).join(' ')}" fill="${p.color}"/>`);
    const under = paddleUnderBall(frames, g, t);
    const mark = under === null ? 'no ball' : under ? 'under' : 'off';
    parts.push(`<text x="${fmt(x0 + board / 2)}" y="${fmt(y0 + spec.rows * cell + 12)}" text-anchor="middle" fill="${under ? '#1a7f37' : '#888'}" font-size="10">t=${t} ${mark}</text>`);
  }
  const legend = channelsLegend(spec).map((e, i) => `<rect x="${gap + i * 90}" y="${H - 24}" width="10" height="10" fill="${e.color}"/><text x="${gap + i * 90 + 14}" y="${H - 15}" fill="#333" font-size="11">${esc(e.meaning)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${esc(clip.caption)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${gap}" y="16" fill="#333">${esc(clip.caption)}</text>`,
    ...parts,
    ...legend,
    `</svg>`,
    '',
  ].join('\n');
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
