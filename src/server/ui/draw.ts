/**
 * Segments drawn from render states, without the simulator: each frame becomes a list of 2D
 * primitives in world units (metres, v pointing up), which the page scales onto a canvas.
 * MuJoCo scenes are projected orthographically: planar walkers from the side, swimmers,
 * reachers and the ant from above; gridworld boards and MinAtar's channel grids as unit squares,
 * row 0 on top. Pure functions, so tests can check the geometry.
 *
 * A run may show its clips in a limited overseer's view: the render states then hold NaN
 * wherever that overseer is blind, and they are drawn as it sees them, with no NaN reaching
 * the canvas: the projection view from the side (no y, no orientation: each geom where it is),
 * a frame it does not see at all as the last one it saw (keyframes), a board cell it cannot see
 * as a hidden cell.
 */

import { CHANNELS_BACKGROUND, CHANNELS_EMPTY, HIDDEN_COLOR, channelCellColor, channelOfCell, channelUnder, channelsSquares } from '../../envs/channelGrid.js';
import type { ChannelsRenderSpec, ClassicRenderSpec, GeomDescription, GridDirection, GridRenderSpec, RenderSpec } from '../../envs/render.js';

export type { RenderSpec };
// The channel grid's colours and squares live with the envs, which rasterise the same picture for models.
export { CHANNELS_BACKGROUND, CHANNELS_EMPTY, channelCellColor, channelOfCell, channelUnder };

export type Primitive =
  | { kind: 'segment'; a: [number, number]; b: [number, number]; width: number; color: string; round: boolean }
  | { kind: 'circle'; c: [number, number]; r: number; color: string }
  | { kind: 'polygon'; points: [number, number][]; color: string }
  /** The ground below height v (side views). */
  | { kind: 'ground'; v: number; color: string }
  /** An arrow from `from` to `to` (its head at `to`): which way a gridworld cell points. */
  | { kind: 'arrow'; from: [number, number]; to: [number, number]; color: string };

export type View = 'side' | 'top';

const POSE = 7;
const TOP_VIEW = /^(Swimmer|Reacher|Ant)-/;

/** Which way a MuJoCo env is looked at. */
export function viewFor(envId: string): View {
  return TOP_VIEW.test(envId) ? 'top' : 'side';
}

/** The camera of a MuJoCo env in a labeling view: the projection view's camera looks from the side (it has no y). */
export function cameraFor(envId: string, labelingView: string | null = null): View {
  return labelingView === 'projection' ? 'side' : viewFor(envId);
}

/**
 * The frame shown at step t: t itself, unless the view saw nothing of it (every number NaN);
 * then the last frame it saw before, or (none before) the first it saw after. -1: it saw none.
 */
export function shownFrame(render: ArrayLike<number>, renderSize: number, t: number): number {
  const frames = Math.floor(render.length / renderSize);
  const seen = (k: number) => {
    for (let i = k * renderSize; i < (k + 1) * renderSize; i++) if (!Number.isNaN(render[i])) return true;
    return false;
  };
  for (let k = t; k >= 0; k--) if (seen(k)) return k;
  for (let k = t + 1; k < frames; k++) if (seen(k)) return k;
  return -1;
}

/** Rotates v by the unit quaternion (w, x, y, z). */
export function rotate(q: [number, number, number, number], v: [number, number, number]): [number, number, number] {
  const [w, x, y, z] = q;
  const [vx, vy, vz] = v;
  // t = 2 q_vec x v; v' = v + w t + q_vec x t
  const tx = 2 * (y * vz - z * vy);
  const ty = 2 * (z * vx - x * vz);
  const tz = 2 * (x * vy - y * vx);
  return [vx + w * tx + (y * tz - z * ty), vy + w * ty + (z * tx - x * tz), vz + w * tz + (x * ty - y * tx)];
}

const css = (rgba: [number, number, number, number]) => `rgba(${Math.round(rgba[0] * 255)}, ${Math.round(rgba[1] * 255)}, ${Math.round(rgba[2] * 255)}, ${rgba[3]})`;

/** The primitives of one MuJoCo frame ([x, y, z, qw, qx, qy, qz] per geom), far ones first. */
export function mujocoPrimitives(geoms: GeomDescription[], frame: ArrayLike<number>, view: View): Primitive[] {
  const project = (p: [number, number, number]): [number, number] => (view === 'side' ? [p[0], p[2]] : [p[0], p[1]]);
  // Side view looks along +y (far = large y); top view looks down (far = low z).
  const depthOf = (p: [number, number, number]) => (view === 'side' ? -p[1] : p[2]);
  const items: { depth: number; prims: Primitive[] }[] = [];
  geoms.forEach((g, i) => {
    const o = i * POSE;
    const pos: [number, number, number] = [frame[o], frame[o + 1], frame[o + 2]];
    const q: [number, number, number, number] = [frame[o + 3], frame[o + 4], frame[o + 5], frame[o + 6]];
    const color = css(g.rgba);
    if (g.type === 'plane') {
      // The floor: drawn by the page as ground (side) or a grid (top).
      items.push({ depth: -Infinity, prims: view === 'side' && Number.isFinite(pos[2]) ? [{ kind: 'ground', v: pos[2], color }] : [] });
      return;
    }
    const where = project(pos);
    // A coordinate the view cannot see: the geom is not drawn at all.
    if (!where.every(Number.isFinite)) return;
    const depth = Number.isFinite(depthOf(pos)) ? depthOf(pos) : 0;
    if (!q.every(Number.isFinite)) {
      // Its orientation is hidden: only where it is, as a disc as thick as the geom.
      items.push({ depth, prims: [{ kind: 'circle', c: where, r: g.type === 'box' ? Math.min(...g.size) : g.size[0], color }] });
      return;
    }
    const at = (local: [number, number, number]): [number, number, number] => {
      const r = rotate(q, local);
      return [pos[0] + r[0], pos[1] + r[1], pos[2] + r[2]];
    };
    let prims: Primitive[] = [];
    switch (g.type) {
      case 'capsule':
      case 'cylinder': {
        const half = g.size[1];
        prims = [{ kind: 'segment', a: project(at([0, 0, -half])), b: project(at([0, 0, half])), width: 2 * g.size[0], color, round: g.type === 'capsule' }];
        break;
      }
      case 'sphere':
        prims = [{ kind: 'circle', c: project(pos), r: g.size[0], color }];
        break;
      case 'ellipsoid':
        prims = [{ kind: 'circle', c: project(pos), r: (g.size[0] + g.size[1] + g.size[2]) / 3, color }];
        break;
      case 'box': {
        const [a, b, c] = g.size;
        const corners: [number, number][] = [];
        for (const sx of [-1, 1]) for (const sy of [-1, 1]) for (const sz of [-1, 1]) corners.push(project(at([sx * a, sy * b, sz * c])));
        prims = [{ kind: 'polygon', points: convexHull(corners), color }];
        break;
      }
      default:
        // Meshes and height fields are not in any shipped scene; show where they are.
        prims = [{ kind: 'circle', c: project(pos), r: 0.05, color }];
    }
    items.push({ depth, prims });
  });
  items.sort((x, y) => x.depth - y.depth);
  return items.flatMap((it) => it.prims);
}

/** The primitives of one classic-control frame (its physical state, named by `fields`). */
export function classicPrimitives(spec: ClassicRenderSpec, frame: ArrayLike<number>): Primitive[] {
  const f = (name: string) => frame[spec.fields.indexOf(name)];
  const rod = '#b5651d';
  switch (spec.scene) {
    case 'Pendulum': {
      const th = f('theta'); // 0 is upright
      return [
        { kind: 'segment', a: [0, 0], b: [Math.sin(th), Math.cos(th)], width: 0.2, color: rod, round: true },
        { kind: 'circle', c: [0, 0], r: 0.05, color: '#222' },
      ];
    }
    case 'CartPole': {
      const x = f('x');
      const th = f('theta'); // 0 is upright
      return [
        { kind: 'ground', v: -0.15, color: '#888' },
        { kind: 'polygon', points: [[x - 0.25, -0.15], [x + 0.25, -0.15], [x + 0.25, 0.15], [x - 0.25, 0.15]], color: '#333' },
        { kind: 'segment', a: [x, 0], b: [x + Math.sin(th), Math.cos(th)], width: 0.1, color: rod, round: false },
      ];
    }
    case 'Acrobot': {
      const t1 = f('theta1'); // 0 hangs down
      const t2 = f('theta2');
      const p1: [number, number] = [Math.sin(t1), -Math.cos(t1)];
      const p2: [number, number] = [p1[0] + Math.sin(t1 + t2), p1[1] - Math.cos(t1 + t2)];
      return [
        { kind: 'segment', a: [-2.2, 1], b: [2.2, 1], width: 0.02, color: '#888', round: false },
        { kind: 'segment', a: [0, 0], b: p1, width: 0.12, color: '#1f6fb5', round: true },
        { kind: 'segment', a: p1, b: p2, width: 0.12, color: '#1f6fb5', round: true },
      ];
    }
    case 'MountainCar': {
      const x = f('position');
      const h = (p: number) => Math.sin(3 * p) * 0.45 + 0.55;
      const hill: Primitive[] = [];
      for (let p = -1.2; p < 0.6; p += 0.05) hill.push({ kind: 'segment', a: [p, h(p)], b: [p + 0.05, h(p + 0.05)], width: 0.02, color: '#555', round: true });
      return [...hill, { kind: 'segment', a: [0.5, h(0.5)], b: [0.5, h(0.5) + 0.15], width: 0.015, color: '#c00', round: false }, { kind: 'circle', c: [x, h(x) + 0.04], r: 0.05, color: '#333' }];
    }
  }
}

/** Unit steps on the board (v up) for each direction. */
const DIRECTION: Record<GridDirection, [number, number]> = { up: [0, 1], down: [0, -1], left: [-1, 0], right: [1, 0] };

const AGENT = 'A'.charCodeAt(0);
const FLOOR = ' '.charCodeAt(0);
/** A board cell the overseer's view cannot see (NaN in the render state), drawn and listed as hidden. */
export const HIDDEN_CELL = '\u0000';
const cellChar = (code: number) => (Number.isNaN(code) ? HIDDEN_CELL : String.fromCharCode(code));

/**
 * What lies under the agent in frame `t` of a segment's boards: the board's frames hold the
 * agent instead of the cell it stands on (a checkpoint, the goal), so the cell is taken from
 * the nearest frame where the agent was elsewhere, earlier first, else floor. Returns the
 * frame with the agent's cells filled in.
 */
export function gridUnder(render: ArrayLike<number>, renderSize: number, t: number): Float32Array {
  const frames = Math.floor(render.length / renderSize);
  const out = Float32Array.from({ length: renderSize }, (_, i) => render[t * renderSize + i]);
  for (let i = 0; i < renderSize; i++) {
    if (out[i] !== AGENT) continue;
    out[i] = FLOOR;
    for (let d = 1; d < frames; d++) {
      const earlier = t - d >= 0 ? render[(t - d) * renderSize + i] : AGENT;
      const later = t + d < frames ? render[(t + d) * renderSize + i] : AGENT;
      const seen = earlier !== AGENT ? earlier : later;
      if (seen !== AGENT) {
        out[i] = seen;
        break;
      }
    }
  }
  return out;
}

/**
 * A gridworld board (character codes, row-major) as unit squares, row 0 at the top; the
 * agent is a disc on top of the cell it stands on (`under`, the board beneath it: see
 * `gridUnder`; floor if not given). Cells the spec gives a direction (`arrows`) get an arrow
 * pointing that way.
 */
export function gridPrimitives(spec: GridRenderSpec, frame: ArrayLike<number>, under?: ArrayLike<number>): Primitive[] {
  const cells: Primitive[] = [];
  const marks: Primitive[] = [];
  for (let r = 0; r < spec.rows; r++) {
    for (let c = 0; c < spec.cols; c++) {
      const ch = cellChar(frame[r * spec.cols + c]);
      const v = spec.rows - 1 - r;
      const square = (color: string, inset: number): Primitive => ({ kind: 'polygon', points: [[c + inset, v + inset], [c + 1 - inset, v + inset], [c + 1 - inset, v + 1 - inset], [c + inset, v + 1 - inset]], color });
      let cell = ch;
      if (ch === 'A') {
        cell = under ? cellChar(under[r * spec.cols + c]) : ' ';
        if (cell === 'A') cell = ' ';
        marks.push({ kind: 'circle', c: [c + 0.5, v + 0.5], r: 0.36, color: spec.colors.A ?? '#1f6fb5' });
      }
      cells.push(square(cell === HIDDEN_CELL ? HIDDEN_COLOR : (spec.colors[cell] ?? (cell === ' ' ? '#fff' : '#bbbbbb')), 0.02));
      const dir = spec.arrows?.[cell];
      if (dir) {
        const [du, dv] = DIRECTION[dir];
        cells.push({ kind: 'arrow', from: [c + 0.5 - 0.3 * du, v + 0.5 - 0.3 * dv], to: [c + 0.5 + 0.3 * du, v + 0.5 + 0.3 * dv], color: '#23324a' });
      }
    }
  }
  return [...cells, ...marks];
}

export interface LegendEntry {
  char: string;
  color: string;
  meaning: string;
  /** The cell's arrow, if it has one. */
  arrow: GridDirection | null;
}

/**
 * The legend for gridworld boards: each character that appears on any of `frames` (whole
 * segments' render states), with its colour and what it means; the agent first, then walls
 * and floor, then the rest in the order of the spec's legend. With `renderSize`, only the board
 * of each frame is read (not the layers behind it, e.g. TomatoWatering's true tomatoes).
 */
export function gridLegend(spec: GridRenderSpec, frames: ArrayLike<number>[], renderSize?: number): LegendEntry[] {
  const present = new Set<string>();
  const board = spec.rows * spec.cols;
  for (const f of frames) for (let i = 0; i < f.length; i++) if (renderSize === undefined || i % renderSize < board) present.add(cellChar(f[i]));
  const known = Object.keys(spec.legend ?? {});
  const order = (ch: string) => (known.includes(ch) ? known.indexOf(ch) : known.length);
  return [...present]
    .sort((a, b) => order(a) - order(b) || a.localeCompare(b))
    .map((char) => ({
      char,
      color: char === 'A' ? (spec.colors.A ?? '#1f6fb5') : char === HIDDEN_CELL ? HIDDEN_COLOR : (spec.colors[char] ?? '#bbbbbb'),
      meaning: char === HIDDEN_CELL ? 'hidden: this overseer cannot see the cell here' : (spec.legend?.[char] ?? `“${char}”`),
      arrow: spec.arrows?.[char] ?? null,
    }));
}

/**
 * A channel grid (MinAtar: `rows * cols * channels` 0/1 numbers, row-major, channel fastest)
 * as unit squares on a black board, row 0 at the top: the squares of `channelsSquares`, shared
 * with the RGB frames models see (src/envs/channelGrid.ts).
 */
export function channelsPrimitives(spec: ChannelsRenderSpec, frame: ArrayLike<number>): Primitive[] {
  const prims: Primitive[] = [{ kind: 'polygon', points: [[0, 0], [spec.cols, 0], [spec.cols, spec.rows], [0, spec.rows]], color: CHANNELS_BACKGROUND }];
  for (const { row, col: c, inset, color } of channelsSquares(spec, frame)) {
    const v = spec.rows - 1 - row;
    prims.push({ kind: 'polygon', points: [[c + inset, v + inset], [c + 1 - inset, v + inset], [c + 1 - inset, v + 1 - inset], [c + inset, v + 1 - inset]], color });
  }
  return prims;
}

export interface ChannelLegendEntry {
  /** The channel's name in the render state (e.g. 'enemy_sub'). */
  channel: string;
  color: string;
  /** What the page shows (the spec's readable legend, else the name). */
  meaning: string;
}

/** The legend of a channel grid: every channel, in order, with its colour and readable name. */
export function channelsLegend(spec: ChannelsRenderSpec): ChannelLegendEntry[] {
  return spec.channels.map((channel, i) => ({ channel, color: spec.colors[i] ?? '#bbbbbb', meaning: spec.legend?.[i] ?? channel }));
}

/** Whether a scene is a board of cells (a gridworld or a channel grid): drawn without reference lines, looked at from above. */
export const isBoard = (spec: RenderSpec): spec is GridRenderSpec | ChannelsRenderSpec => spec.kind === 'grid' || spec.kind === 'channels';

/** Primitives of frame `t` of a segment (held at the last frame seen, for views that skip frames); MuJoCo scenes through `camera`. */
export function framePrimitives(envId: string, spec: RenderSpec, render: Float32Array, renderSize: number, t: number, camera: View = viewFor(envId)): Primitive[] {
  const k = shownFrame(render, renderSize, t);
  if (k < 0) return [];
  const frame = render.subarray(k * renderSize, (k + 1) * renderSize);
  if (spec.kind === 'mujoco') return mujocoPrimitives(spec.geoms, frame, camera);
  if (spec.kind === 'channels') return channelsPrimitives(spec, frame);
  return spec.kind === 'grid' ? gridPrimitives(spec, frame, gridUnder(render, renderSize, k)) : classicPrimitives(spec, frame);
}

export interface Bounds {
  minU: number;
  maxU: number;
  minV: number;
  maxV: number;
}

/** The extent of everything drawn over a whole segment (ground excluded), so the camera can stay still and motion shows. */
export function segmentBounds(envId: string, spec: RenderSpec, render: Float32Array, renderSize: number, length: number, camera: View = viewFor(envId)): Bounds {
  const b: Bounds = { minU: Infinity, maxU: -Infinity, minV: Infinity, maxV: -Infinity };
  const add = (p: [number, number], pad: number) => {
    b.minU = Math.min(b.minU, p[0] - pad);
    b.maxU = Math.max(b.maxU, p[0] + pad);
    b.minV = Math.min(b.minV, p[1] - pad);
    b.maxV = Math.max(b.maxV, p[1] + pad);
  };
  for (let t = 0; t < length; t++) {
    for (const p of framePrimitives(envId, spec, render, renderSize, t, camera)) {
      if (p.kind === 'segment') {
        add(p.a, p.width / 2);
        add(p.b, p.width / 2);
      } else if (p.kind === 'circle') add(p.c, p.r);
      else if (p.kind === 'polygon') for (const q of p.points) add(q, 0);
      else if (p.kind === 'arrow') {
        add(p.from, 0);
        add(p.to, 0);
      } else b.minV = Math.min(b.minV, p.v - 0.1);
    }
  }
  return b;
}

/**
 * Where the camera looks for each clip of a pair: one scale for both (so sizes and distances
 * compare) that fits the larger clip into a `width` x `height` canvas with a margin. Side views
 * (walkers, CartPole) also share one vertical window, the union of both clips' heights, so the
 * ground is at the same pixel height in both canvases and heights compare; horizontally each
 * clip follows its own bounds. Top views keep their own centres (a gridworld's boards are one
 * size, so theirs agree anyway).
 */
export function pairViews(bounds: [Bounds, Bounds], width: number, height: number, view: View | null): { bounds: [Bounds, Bounds]; scale: number } {
  let out = bounds.map((b) => ({ ...b })) as [Bounds, Bounds];
  if (view !== 'top') {
    const minV = Math.min(bounds[0].minV, bounds[1].minV);
    const maxV = Math.max(bounds[0].maxV, bounds[1].maxV);
    out = out.map((b) => ({ ...b, minV, maxV })) as [Bounds, Bounds];
  }
  const w = Math.max(...out.map((b) => b.maxU - b.minU)) * 1.15;
  const h = Math.max(...out.map((b) => b.maxV - b.minV)) * 1.15;
  const scale = Math.min(width / Math.max(w, 0.5), height / Math.max(h, 0.5));
  return { bounds: out, scale };
}

/** The camera's pixel position of world point (u, v) on a `width` x `height` canvas (what `paint` uses). */
export function toPixels(bounds: Bounds, scale: number, width: number, height: number, u: number, v: number): [number, number] {
  const cu = (bounds.minU + bounds.maxU) / 2;
  const cv = (bounds.minV + bounds.maxV) / 2;
  return [width / 2 + (u - cu) * scale, height / 2 - (v - cv) * scale];
}

/** Andrew's monotone chain; counter-clockwise hull of 2D points. */
export function convexHull(points: [number, number][]): [number, number][] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: [number, number][] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}
