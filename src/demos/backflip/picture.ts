/**
 * The backflip as a picture: an animated SVG (SMIL, so it plays where an <img> does, e.g. in a
 * README) of a stretch of recorded poses, with a strip of ghosted frames below it showing the
 * whole motion at once. Frames are drawn with the labeling page's own geometry
 * (`mujocoPrimitives`: the geoms projected from the side), so the picture shows what a person
 * labelling saw.
 */
import type { MujocoRenderSpec } from '../../envs/render.js';
import { mujocoPrimitives, type Primitive } from '../../server/ui/draw.js';
import type { Evaluation } from './evaluate.js';
import { backwardRotation, hopperGeoms, torsoPoses } from './poses.js';

export interface PictureOptions {
  title: string;
  width?: number;
  /** Height of the animated panel; the strip below is half as high. */
  height?: number;
  /** Every how many env steps a frame is drawn (Hopper: 0.008 s a step). */
  every?: number;
  /** Time of the first frame, for the strip's labels (s). */
  startSeconds?: number;
  /** Ghosted frames in the strip. */
  ghosts?: number;
}

const fmt = (v: number) => (Math.round(v * 10) / 10).toString();
/** 'rgba(204, 153, 102, 1)' as '#cc9966' (opaque colours only; others as given). */
const hex = (c: string) => {
  const m = /^rgba\((\d+), (\d+), (\d+), 1\)$/.exec(c);
  return m ? `#${m.slice(1, 4).map((v) => Number(v).toString(16).padStart(2, '0')).join('')}` : c;
};
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An animated SVG of `frames` (render states, one array per step). */
export function backflipSvg(spec: MujocoRenderSpec, frames: readonly ArrayLike<number>[], o: PictureOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 300;
  const stripH = Math.round(H / 2);
  const every = o.every ?? 4;
  const steps = frames.map((_, t) => t).filter((t) => t % every === 0 || t === frames.length - 1);
  const shown = steps.map((t) => frames[t]);
  const prims = shown.map((f) => mujocoPrimitives(spec.geoms, f, 'side'));
  // One still camera over the whole stretch (as the page holds it over a clip), ground included.
  const b = { minU: Infinity, maxU: -Infinity, minV: 0, maxV: -Infinity };
  for (const ps of prims) {
    for (const p of ps) {
      const pts = p.kind === 'segment' ? [p.a, p.b] : p.kind === 'circle' ? [p.c] : p.kind === 'polygon' ? p.points : [];
      for (const q of pts) {
        b.minU = Math.min(b.minU, q[0] - 0.1);
        b.maxU = Math.max(b.maxU, q[0] + 0.1);
        b.minV = Math.min(b.minV, q[1] - 0.1);
        b.maxV = Math.max(b.maxV, q[1] + 0.1);
      }
    }
  }
  b.minV -= 0.15;
  const dt = spec.dt * every;
  const seconds = shown.length * dt;
  const hold = 0.8;
  const total = seconds + hold;
  const panel = (w: number, h: number, top: number) => {
    const scale = Math.min(w / (b.maxU - b.minU), (h - 24) / (b.maxV - b.minV));
    const cu = (b.minU + b.maxU) / 2;
    const x = (u: number) => w / 2 + (u - cu) * scale;
    const y = (v: number) => top + h - 4 - (v - b.minV) * scale;
    return { scale, x, y };
  };
  const draw = (ps: Primitive[], cam: ReturnType<typeof panel>, opacity = 1): string => {
    const parts: string[] = [];
    for (const p of ps) {
      if (p.kind === 'ground') continue;
      if (p.kind === 'segment') parts.push(`<line x1="${fmt(cam.x(p.a[0]))}" y1="${fmt(cam.y(p.a[1]))}" x2="${fmt(cam.x(p.b[0]))}" y2="${fmt(cam.y(p.b[1]))}" stroke="${hex(p.color)}" stroke-width="${fmt(Math.max(1, p.width * cam.scale))}" stroke-linecap="${p.round ? 'round' : 'butt'}"/>`);
      else if (p.kind === 'circle') parts.push(`<circle cx="${fmt(cam.x(p.c[0]))}" cy="${fmt(cam.y(p.c[1]))}" r="${fmt(Math.max(1, p.r * cam.scale))}" fill="${hex(p.color)}"/>`);
      else if (p.kind === 'polygon') parts.push(`<polygon points="${p.points.map(([u, v]) => `${fmt(cam.x(u))},${fmt(cam.y(v))}`).join(' ')}" fill="${hex(p.color)}"/>`);
    }
    return opacity === 1 ? parts.join('') : `<g opacity="${opacity.toFixed(2)}">${parts.join('')}</g>`;
  };
  const top = panel(W, H, 0);
  const ground = (cam: ReturnType<typeof panel>, y0: number, h: number) => `<rect x="0" y="${fmt(cam.y(0))}" width="${W}" height="${fmt(y0 + h - cam.y(0))}" fill="#8ca08f"/>`;
  const marks: string[] = [];
  for (let u = Math.ceil(b.minU * 2) / 2; u <= b.maxU; u += 0.5) marks.push(`<line x1="${fmt(top.x(u))}" y1="0" x2="${fmt(top.x(u))}" y2="${fmt(top.y(0))}" stroke="#e3e3e3"/>`);
  // Frame k is visible from k·dt to (k+1)·dt of each loop (the last one held), hidden otherwise.
  const animated = prims.map((ps, k) => {
    const on = (k * dt) / total;
    const off = k === prims.length - 1 ? 1 : ((k + 1) * dt) / total;
    const values = k === 0 ? 'visible;hidden' : 'hidden;visible;hidden';
    const times = k === 0 ? `0;${off.toFixed(4)}` : `0;${on.toFixed(4)};${off.toFixed(4)}`;
    return `<g visibility="${k === 0 ? 'visible' : 'hidden'}">${draw(ps, top)}<animate attributeName="visibility" values="${values}" keyTimes="${times}" dur="${total.toFixed(3)}s" calcMode="discrete" repeatCount="indefinite"/></g>`;
  });
  // The strip: ghost frames side by side, each cell centred on its own hopper, times below.
  const n = Math.min(o.ghosts ?? 9, prims.length);
  const ghostIdx = Array.from({ length: n }, (_, i) => Math.round((i * (prims.length - 1)) / Math.max(1, n - 1)));
  const cellW = W / n;
  const stripScale = Math.min(cellW / 1.8, (stripH - 22) / (b.maxV - b.minV));
  const ghosts = ghostIdx.map((k, i) => {
    const us = prims[k].flatMap((p) => (p.kind === 'segment' ? [p.a[0], p.b[0]] : p.kind === 'circle' ? [p.c[0]] : p.kind === 'polygon' ? p.points.map((q) => q[0]) : []));
    const mid = (Math.min(...us) + Math.max(...us)) / 2;
    const cam = { scale: stripScale, x: (u: number) => (i + 0.5) * cellW + (u - mid) * stripScale, y: (v: number) => H + stripH - 20 - (v - b.minV) * stripScale };
    const t = `${((o.startSeconds ?? 0) + steps[k] * spec.dt).toFixed(2)} s`;
    return `${draw(prims[k], cam)}<text x="${fmt((i + 0.5) * cellW)}" y="${H + stripH - 5}" text-anchor="middle" fill="#555" font-size="11">${t}</text>`;
  });
  const stripGround = `<rect x="0" y="${fmt(H + stripH - 20 - (0 - b.minV) * stripScale)}" width="${W}" height="${fmt((0 - b.minV) * stripScale)}" fill="#8ca08f"/>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + stripH + 22}" viewBox="0 0 ${W} ${H + stripH + 22}" font-family="system-ui, sans-serif" font-size="13">`,
    `<title>${esc(o.title)}</title>`,
    `<rect width="${W}" height="${H + stripH + 22}" fill="#ffffff"/>`,
    ...marks,
    ground(top, 0, H),
    ...animated,
    `<line x1="0" y1="${H}" x2="${W}" y2="${H}" stroke="#cccccc"/>`,
    stripGround,
    ...ghosts,
    `<text x="8" y="${H + stripH + 16}" fill="#333" font-size="12">${esc(o.title)}</text>`,
    `</svg>`,
    '',
  ].join('\n');
}

/** The stretch of an evaluation the picture shows, and what it says under it. */
export interface PictureClip {
  episode: number;
  from: number;
  to: number;
  frames: number[][];
  caption: string;
}

/**
 * Picks the stretch to draw: the first flip of the episode with the most landed flips (then
 * flips), from where the turn began until half a second after it completed; with no flip, the
 * 2 s in which the torso turned furthest backwards.
 */
export function pickClip(ev: Evaluation): PictureClip {
  const order = ev.episodes.map((e, k) => ({ e, k })).sort((a, b) => b.e.landedFlips - a.e.landedFlips || b.e.flips - a.e.flips || a.k - b.k);
  const { e, k } = order[0];
  const frames = ev.frames[k];
  const size = frames[0].length;
  const poses = torsoPoses(Float32Array.from(frames.flat()), size, hopperGeoms(ev.spec.geoms));
  const beta = backwardRotation(poses.map((p) => p.pitch));
  const steps = (s: number) => Math.round(s / ev.spec.dt);
  let from: number;
  let to: number;
  let caption: string;
  if (e.flips > 0) {
    const at = e.flipFrames[0];
    // Where the turn started: the last frame still a full turn short of its end.
    let start = at;
    while (start > 0 && beta[at] - beta[start] < 2 * Math.PI - 1e-6) start--;
    from = Math.max(0, start - steps(0.25));
    to = Math.min(frames.length - 1, at + steps(0.5));
    caption = `Episode ${k + 1} (seed ${e.seed}), ${(from * ev.spec.dt).toFixed(2)}-${(to * ev.spec.dt).toFixed(2)} s; ${e.flips} flip${e.flips === 1 ? '' : 's'} in the episode, ${e.landedFlips} landed`;
  } else {
    const window = Math.min(steps(2), frames.length - 1);
    let best = 0;
    let bestGain = -Infinity;
    for (let s = 0; s + window < frames.length; s += 5) {
      let lo = beta[s];
      let gain = 0;
      for (let t = s; t <= s + window; t++) {
        lo = Math.min(lo, beta[t]);
        gain = Math.max(gain, beta[t] - lo);
      }
      if (gain > bestGain + 1e-9) {
        bestGain = gain;
        best = s;
      }
    }
    from = best;
    to = best + window;
    caption = `Episode ${k + 1} (seed ${e.seed}), ${(from * ev.spec.dt).toFixed(2)}-${(to * ev.spec.dt).toFixed(2)} s; no full flip (largest backward turn ${((bestGain * 180) / Math.PI).toFixed(0)}°)`;
  }
  return { episode: k, from, to, frames: frames.slice(from, to + 1), caption };
}
