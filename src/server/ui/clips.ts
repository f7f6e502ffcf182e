/**
 * Clips drawn as annotators see them, for the labeling page and the dashboard alike: the clips
 * of a pair share one camera scale (and, in side views, one vertical window), play on one clock
 * that lasts at least MIN_CLIP_SECONDS, and a clip past its end holds its last frame under
 * "episode ended" or "end of clip". An admin judging a gold pair sees what people will see.
 * Clips of a run with a labeling view are drawn as that view sees them (see draw.ts).
 */
import type { SegmentJson } from '../api.js';
import { paint } from './canvas.js';
import { decode } from './client.js';
import { cameraFor, framePrimitives, isBoard, pairViews, segmentBounds, shownFrame, type Bounds, type RenderSpec, type View } from './draw.js';

/** Clips shorter than this (at 1x) hold their last frame until this much time has passed. */
export const MIN_CLIP_SECONDS = 1.5;
/** Every loop ends with the last frames held this long, so the end of a clip can be seen. */
export const HOLD_SECONDS = 0.5;

/** One or two segments, ready to draw side by side. */
export interface Clips {
  segments: SegmentJson[];
  frames: Float32Array[];
  bounds: Bounds[];
  scale: number;
  /** Frames of motion in the longest clip (a scrub bar's range). */
  frames1x: number;
  /** Simulated seconds of one loop: max(longest clip, MIN_CLIP_SECONDS) + HOLD_SECONDS. */
  period: number;
  /** Where MuJoCo scenes are looked at from (null: not a MuJoCo scene). */
  camera: View | null;
}

/** Decodes the segments and sets the camera for canvases of `width` x `height`; `labelingView`: the run's view (RunStatusJson.view), if any. */
export function prepareClips(spec: RenderSpec, segments: SegmentJson[], width: number, height: number, labelingView: string | null = null): Clips {
  const frames = segments.map((s) => decode(s.render ?? ''));
  const camera = spec.kind === 'mujoco' ? cameraFor(segments[0].envId, labelingView) : null;
  const own = segments.map((s, i) => segmentBounds(s.envId, spec, frames[i], s.renderSize, s.length, camera ?? undefined));
  const { bounds, scale } = pairViews([own[0], own[own.length - 1]], width, height, camera);
  const frames1x = Math.max(...segments.map((s) => s.length));
  return { segments, frames, bounds: bounds.slice(0, segments.length), scale, frames1x, period: Math.max(frames1x * spec.dt, MIN_CLIP_SECONDS) + HOLD_SECONDS, camera };
}

/**
 * Simulated seconds into the loop after `elapsedMs` of real time. Never backwards: an animation
 * frame's timestamp is when the frame began, so it can fall before a performance.now() taken in
 * a key handler just before (a replay), and a negative step would show frame -1.
 */
export function advanceClock(t: number, elapsedMs: number, speed: number, period: number): number {
  return (t + (Math.max(0, elapsedMs) / 1000) * speed) % period;
}

/**
 * The clock's frame at `t` seconds into a loop of `period` seconds. The 1e-6 absorbs rounding below a whole frame; the
 * clamp keeps a `t` a hair under the period (the modulo's float remainder) on the loop's last frame, not one past it.
 */
export const clockFrame = (t: number, dt: number, period: number): number =>
  Math.max(0, Math.min(Math.floor(t / dt + 1e-6), Math.ceil(period / dt - 1e-6) - 1));

/** Paints each clip at the clock's frame; a clip past its end holds its last frame and its overlay says why. */
export function drawClips(spec: RenderSpec, clips: Clips, clock: number, canvases: HTMLCanvasElement[], overlays: (HTMLElement | null)[]): void {
  clips.segments.forEach((segment, i) => {
    const frame = Math.min(clock, segment.length - 1);
    const canvas = canvases[i];
    canvas.dataset.frame = String(frame);
    // The frame on screen: an earlier one when the view did not see this one (keyframes).
    canvas.dataset.shown = String(shownFrame(clips.frames[i], segment.renderSize, frame));
    if (clips.camera) canvas.dataset.view = clips.camera;
    // Boards (gridworlds, channel grids) show motion by their cells: no reference lines.
    paint(canvas, framePrimitives(segment.envId, spec, clips.frames[i], segment.renderSize, frame, clips.camera ?? undefined), clips.bounds[i], clips.scale, clips.camera, !isBoard(spec));
    const overlay = overlays[i];
    if (!overlay) return;
    const held = clock >= segment.length;
    overlay.hidden = !held;
    if (held) {
      const text = segment.terminated ? 'episode ended' : 'end of clip';
      if (overlay.textContent !== text) overlay.textContent = text;
      overlay.classList.toggle('terminated', segment.terminated === true);
    }
  });
}

/** Clears the canvases and hides their overlays. */
export function clearClips(canvases: HTMLCanvasElement[], overlays: (HTMLElement | null)[]): void {
  for (const c of canvases) {
    c.getContext('2d')!.clearRect(0, 0, c.width, c.height);
    delete c.dataset.frame;
    delete c.dataset.shown;
    delete c.dataset.view;
  }
  for (const o of overlays) if (o) o.hidden = true;
}
