import { CHANNELS_BACKGROUND, channelsSquares } from '../channelGrid.js';
import type { ChannelsRenderSpec } from '../render.js';

/** Pixels per grid cell in an RGB frame: MinAtar's 10 x 10 grid becomes 40 x 40 x 3. */
export const FRAME_CELL_PIXELS = 4;

const parsed = new Map<string, readonly [number, number, number]>();

/** A CSS colour as the channel grid uses them ('#rrggbb', or 'hsl(h, s%, l%)' past CHANNEL_COLORS) as RGB in [0, 1]. */
export function cssToRgb(css: string): readonly [number, number, number] {
  let rgb = parsed.get(css);
  if (rgb) return rgb;
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  const hsl = /^hsl\(\s*([\d.]+)\s*,\s*([\d.]+)%\s*,\s*([\d.]+)%\s*\)$/i.exec(css);
  if (hex) rgb = [1, 2, 3].map((i) => parseInt(hex[i]!, 16) / 255) as unknown as [number, number, number];
  else if (hsl) {
    // CSS Color 4's hsl-to-rgb.
    const h = Number(hsl[1]) % 360;
    const s = Number(hsl[2]) / 100;
    const l = Number(hsl[3]) / 100;
    const f = (n: number) => {
      const k = (n + h / 30) % 12;
      return l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    };
    rgb = [f(0), f(8), f(4)];
  } else throw new Error(`cannot rasterise colour ${JSON.stringify(css)}: expected '#rrggbb' or 'hsl(h, s%, l%)'`);
  parsed.set(css, rgb);
  return rgb;
}

/**
 * A channel grid rasterised as the labeling page draws it (`channelsSquares` over a
 * CHANNELS_BACKGROUND board): `rows * k` x `cols * k` x 3 floats in [0, 1], HWC (the conv
 * nets' layout), row 0 on top, `k` pixels per cell. Each pixel is the mean colour of the picture
 * over its area, squares painted in order with their coverage as alpha (a canvas's
 * antialiasing), so at 4 pixels a cell the 0.04-cell gaps between cells tint the cells' edges and
 * a second object's inner square covers 64% of the cell's middle 2 x 2 pixels.
 */
export function rasterizeChannels(spec: ChannelsRenderSpec, grid: ArrayLike<number>, k = FRAME_CELL_PIXELS, out?: Float32Array): Float32Array {
  const W = spec.cols * k;
  const size = spec.rows * k * W * 3;
  if (grid.length !== spec.rows * spec.cols * spec.channels.length) throw new RangeError(`rasterizeChannels: a ${spec.rows} x ${spec.cols} x ${spec.channels.length} grid has ${spec.rows * spec.cols * spec.channels.length} values, got ${grid.length}`);
  const img = out ?? new Float32Array(size);
  if (img.length !== size) throw new RangeError(`rasterizeChannels: the frame needs ${size} floats, got ${img.length}`);
  const bg = cssToRgb(CHANNELS_BACKGROUND);
  for (let i = 0; i < size; i += 3) img.set(bg, i);
  for (const { row, col, inset, color } of channelsSquares(spec, grid)) {
    const rgb = cssToRgb(color);
    const x0 = (col + inset) * k;
    const x1 = (col + 1 - inset) * k;
    const y0 = (row + inset) * k;
    const y1 = (row + 1 - inset) * k;
    for (let py = Math.floor(y0); py < Math.ceil(y1); py++) {
      const cy = Math.min(py + 1, y1) - Math.max(py, y0);
      for (let px = Math.floor(x0); px < Math.ceil(x1); px++) {
        const a = cy * (Math.min(px + 1, x1) - Math.max(px, x0));
        const o = (py * W + px) * 3;
        for (let c = 0; c < 3; c++) img[o + c] = img[o + c]! * (1 - a) + rgb[c]! * a;
      }
    }
  }
  return img;
}
