/**
 * A strip of consecutive channel-grid frames (MinAtar) as an SVG picture: each board drawn with
 * the labeling page's own geometry and colours (`channelsPrimitives`), a caption under each
 * frame, and the page's legend of the channels. For README pictures of what a policy does.
 */
import type { ChannelsRenderSpec } from '../../envs/render.js';
import { channelsLegend, channelsPrimitives } from '../../server/ui/draw.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

export interface StripOptions {
  /** First frame (index into `frames`) and how many follow. */
  from: number;
  count: number;
  /** The title line above the frames. */
  caption: string;
  /** The caption under frame t, and its colour. */
  label: (t: number) => { text: string; color: string };
  perRow?: number;
  /** Pixels a cell. */
  cell?: number;
}

/** `frames` holds whole frames back to back (rows x cols x channels each). */
export function channelStripSvg(spec: ChannelsRenderSpec, frames: Float32Array, o: StripOptions): string {
  const frameSize = spec.rows * spec.cols * spec.channels.length;
  const perRow = o.perRow ?? 8;
  const cell = o.cell ?? 9;
  const board = spec.cols * cell;
  const gap = 10;
  const label = 16;
  const rows = Math.ceil(o.count / perRow);
  const W = perRow * (board + gap) + gap;
  const top = 24;
  const H = top + rows * (spec.rows * cell + label + gap) + 34;
  const parts: string[] = [];
  for (let i = 0; i < o.count; i++) {
    const t = o.from + i;
    const frame = frames.subarray(t * frameSize, (t + 1) * frameSize);
    const x0 = gap + (i % perRow) * (board + gap);
    const y0 = top + Math.floor(i / perRow) * (spec.rows * cell + label + gap);
    // The page's geometry: unit cells, v up from the bottom row.
    const px = (u: number) => fmt(x0 + u * cell);
    const py = (v: number) => fmt(y0 + (spec.rows - v) * cell);
    for (const p of channelsPrimitives(spec, frame)) if (p.kind === 'polygon') parts.push(`<polygon points="${p.points.map(([u, v]) => `${px(u)},${py(v)}`).join(' ')}" fill="${p.color}"/>`);
    const { text, color } = o.label(t);
    parts.push(`<text x="${fmt(x0 + board / 2)}" y="${fmt(y0 + spec.rows * cell + 12)}" text-anchor="middle" fill="${color}" font-size="10">${esc(text)}</text>`);
  }
  const legend = channelsLegend(spec).map((e, i) => `<rect x="${gap + i * 90}" y="${H - 24}" width="10" height="10" fill="${e.color}"/><text x="${gap + i * 90 + 14}" y="${H - 15}" fill="#333" font-size="11">${esc(e.meaning)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${esc(o.caption)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${gap}" y="16" fill="#333">${esc(o.caption)}</text>`,
    ...parts,
    ...legend,
    `</svg>`,
    '',
  ].join('\n');
}
