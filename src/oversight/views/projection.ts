/**
 * The projection view: Reacher-v5 filmed from the side. The camera looks along the world y
 * axis, so it sees each geom's x and z but neither its y nor its orientation; being a camera, it
 * sees no observations (sensors) and no actions (torques), as a person watching the labeling
 * page in this view does not. The fingertip seems on the target whenever it is aligned in x
 * (the hovering-hand illusion), and the effort it took is invisible. An assistant can show it
 * the view from above at a step (the lost y) or the torques at a step.
 */
import { POSE_SIZE } from '../../envs/render.js';
import { reacherIntent } from './intent.js';
import { defineView, maskedCopy, sumTerms, torqueAt, type ClipView } from './view.js';
import type { Segment } from '../../prefs/segments.js';

export function projectionView(): ClipView {
  // Judged over every axis the seen clip shows: x and z, and y where a top view was revealed.
  const intent = reacherIntent();
  return defineView({
    name: 'projection',
    hides: 'the y coordinate and orientation of every geom, the observations and the torques: it is a camera filming from the side',
    visible: (segment) =>
      maskedCopy(segment, (c) => {
        c.obs.fill(NaN);
        c.actions.fill(NaN);
        const r = c.render;
        if (!r) return;
        for (let o = 0; o < r.length; o += POSE_SIZE) {
          r[o + 1] = NaN;
          r.fill(NaN, o + 3, o + POSE_SIZE);
        }
      }),
    // A camera judges where things are; torques cost only where they were revealed. Shown the
    // top view or the torques at some steps, it takes the nearest shown ones for the steps it was
    // not shown (an arm off the target in y at step 20 is likely off at step 21 too).
    judge: (seen, spec) => sumTerms(intent.stepTerms(imputedFromNearest(seen), spec), intent.terms, seen.length),
    reveals: {
      // The view from above at step t: every geom's y in frame t.
      top: (t, segment) => Array.from({ length: segment.renderSize / POSE_SIZE }, (_, g) => {
        const at = t.step * segment.renderSize + g * POSE_SIZE + 1;
        return { array: 'render' as const, from: at, to: at + 1 };
      }),
      torque: torqueAt,
    },
  });
}

/**
 * The seen clip with each hidden geom y and each hidden step's torques taken from the nearest
 * step where they were revealed (the earlier one on a tie); unchanged where nothing was.
 */
export function imputedFromNearest(seen: Segment): Segment {
  const R = seen.renderSize;
  const A = seen.actionSize;
  const render = seen.render;
  return maskedCopy(seen, (c) => {
    // Each geom's y, frame by frame.
    if (render && c.render) for (let o = 1; o < R; o += POSE_SIZE) fillNearest(seen.length, (t) => !Number.isNaN(render[t * R + o]), (t, from) => (c.render![t * R + o] = render[from * R + o]));
    fillNearest(seen.length, (t) => !Number.isNaN(seen.actions[t * A]), (t, from) => c.actions.set(seen.actions.subarray(from * A, (from + 1) * A), t * A));
  });
}

/** For each t in [0, n) that is not `known`, calls fill(t, nearest known t); nothing when none is known. */
function fillNearest(n: number, known: (t: number) => boolean, fill: (t: number, from: number) => void): void {
  const at = Array.from({ length: n }, (_, t) => t).filter(known);
  if (at.length === 0 || at.length === n) return;
  let k = 0;
  for (let t = 0; t < n; t++) {
    if (known(t)) continue;
    while (k + 1 < at.length && Math.abs(at[k + 1] - t) < Math.abs(at[k] - t)) k += 1;
    fill(t, at[k]);
  }
}
