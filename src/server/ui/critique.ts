/**
 * An assistant's critique on the labeling page (the assisted arm of a run's trial of
 * assistance): its one-line reason and each piece of evidence it revealed, in words and, for a
 * frame or the view from above, as a small picture of that step in each clip. The evidence is
 * the recording's (the server copies it in); the page only shows it. Kept apart from main.ts so
 * the words can be tested without a browser.
 */
import type { RevealJson, SegmentJson } from '../api.js';
import { paint } from './canvas.js';
import { framePrimitives, isBoard, pairViews, segmentBounds, type RenderSpec, type View } from './draw.js';

export interface RevealText {
  /** What it shows and when, e.g. "Step 12 (0.24 s): the torques". */
  title: string;
  /** The numbers it shows in each clip, in words ('' when a picture shows them). */
  left: string;
  right: string;
  /** A picture of the step: how to look at it (a MuJoCo camera, or 'board' for a gridworld), or null for numbers only. */
  picture: View | 'board' | null;
}

/** Readable numbers: two decimals, no "-0.00"; anything not a number (JSON's null for NaN) as "?". */
const num = (v: number | null) => (typeof v !== 'number' || !Number.isFinite(v) ? '?' : Math.abs(v) < 0.005 ? '0.00' : v.toFixed(2));

/** The reveal in words; `camera`: how the run's clips are looked at (the picture of a whole frame uses it). */
export function describeReveal(spec: RenderSpec, r: RevealJson, camera: View | null): RevealText {
  const when = `Step ${r.step} (${(r.step * spec.dt).toFixed(2)} s)`;
  switch (r.kind) {
    case 'frame':
      return { title: `${when}: the whole frame, which this view skips`, left: '', right: '', picture: isBoard(spec) ? 'board' : (camera ?? 'side') };
    case 'top':
      return { title: `${when}: seen from above`, left: '', right: '', picture: 'top' };
    case 'torque': {
      const words = (v: number[]) => `${v.map(num).join(', ')} (effort ${num(v.reduce((s, x) => s + x * x, 0))})`;
      return { title: `${when}: the torques (the control cost is their sum of squares, the effort)`, left: words(r.left), right: words(r.right), picture: null };
    }
    case 'cell': {
      const cols = isBoard(spec) ? spec.cols : 1;
      const cell = r.cell ?? 0;
      const where = `row ${Math.floor(cell / cols) + 1}, column ${(cell % cols) + 1}`;
      const meaning = (v: number[]) => {
        if (spec.kind === 'channels') {
          // The cell's numbers, one per channel: the channels set in it, by their readable names.
          if (!v.slice(0, spec.channels.length).every((x) => typeof x === 'number' && Number.isFinite(x))) return '?';
          const set = spec.channels.flatMap((name, i) => (v[i] >= 0.5 ? [spec.legend?.[i] ?? name] : []));
          return set.length ? set.join(', ') : 'empty';
        }
        const ch = Number.isFinite(v[0]) ? String.fromCharCode(v[0]) : '?';
        const legend = spec.kind === 'grid' ? spec.legend?.[ch] : undefined;
        return legend ? `${legend} (${JSON.stringify(ch)})` : JSON.stringify(ch);
      };
      const layer = spec.kind === 'grid' && spec.truthLayer ? 'in truth' : 'hidden from you';
      return { title: `${when}: the cell at ${where}, ${layer}`, left: meaning(r.left), right: meaning(r.right), picture: null };
    }
  }
}

/** Draws step `step` of each clip (their decoded render states, evidence included) on two small canvases. */
export function drawStep(spec: RenderSpec, segments: SegmentJson[], frames: Float32Array[], step: number, picture: View | 'board', canvases: HTMLCanvasElement[]): void {
  const camera: View = picture === 'board' ? 'top' : picture;
  const one = segments.map((s, i) => frames[i].subarray(step * s.renderSize, (step + 1) * s.renderSize));
  const own = segments.map((s, i) => segmentBounds(s.envId, spec, one[i], s.renderSize, 1, camera));
  // Nothing of the step drawable (the view hid it all): blank rather than a NaN camera.
  if (!own.every((b) => Number.isFinite(b.minU + b.maxU + b.minV + b.maxV))) {
    for (const c of canvases) c.getContext('2d')!.clearRect(0, 0, c.width, c.height);
    return;
  }
  const { bounds, scale } = pairViews([own[0], own[own.length - 1]], canvases[0].width, canvases[0].height, camera);
  segments.forEach((s, i) => {
    paint(canvases[i], framePrimitives(s.envId, spec, one[i], s.renderSize, 0, camera), bounds[i], scale, spec.kind === 'mujoco' ? camera : null, !isBoard(spec));
  });
}
