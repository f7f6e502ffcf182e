/**
 * The projection view: Reacher-v5 filmed from the side. The camera looks along the world y
 * axis, so it sees each geom's x and z but neither its y nor its orientation; being a camera, it
 * sees no observations (sensors) and no actions (torques), as a person watching the labeling
 * page in this view does not. The fingertip seems on the target whenever it is aligned in x
 * (the hovering-hand illusion), and the effort it took is invisible.
 */
import { POSE_SIZE } from '../../envs/render.js';
import { reacherIntent } from './intent.js';
import { defineView, maskedCopy, sumTerms, type ClipView } from './view.js';

/** World axes the side camera keeps. */
const SEEN_AXES = [0, 2];

export function projectionView(): ClipView {
  const intent = reacherIntent(SEEN_AXES);
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
    // A camera judges where things are, not the torques that put them there: the task term alone.
    judge: (seen, spec) => sumTerms(intent.stepTerms(seen, spec), ['task'], seen.length),
  });
}
