/**
 * The keyframes view (`keyframes:K`, K >= 2): sees only K frames of a clip, evenly spaced and
 * including the first and the last; no other frame, no observations, no actions. It judges the
 * intent's worth of being in each keyframe and spreads the mean over every step of the clip,
 * blind to what happens between.
 */
import type { Segment } from '../../prefs/segments.js';
import { defineView, frameOf, maskedCopy, type ClipView, type IntentModel } from './view.js';

/** The frames a K-keyframe view sees of a clip of `length` steps. */
export function keyframeIndices(length: number, k: number): number[] {
  if (length === 1) return [0];
  return [...new Set(Array.from({ length: k }, (_, i) => Math.round((i * (length - 1)) / (k - 1))))];
}

export function keyframesView(intent: IntentModel, k = 2): ClipView {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`keyframes:K needs an integer K >= 2, got ${k}`);
  const frameValue = intent.frameValue;
  if (!frameValue) throw new Error(`keyframes needs an intent that values single frames; ${intent.envId}'s values transitions`);
  return defineView({
    name: `keyframes:${k}`,
    hides: `every frame but ${k} evenly spaced ones (first and last included), the observations and the actions`,
    visible: (segment: Segment) =>
      maskedCopy(segment, (c) => {
        c.obs.fill(NaN);
        c.actions.fill(NaN);
        const keep = new Set(keyframeIndices(segment.length, k));
        for (let t = 0; t < segment.length; t++) if (!keep.has(t)) c.render?.fill(NaN, t * segment.renderSize, (t + 1) * segment.renderSize);
      }),
    judge: (seen, spec) => {
      const keys = keyframeIndices(seen.length, k);
      const mean = keys.reduce((s, t) => s + frameValue(frameOf(seen, t), spec), 0) / keys.length;
      return new Float64Array(seen.length).fill(mean);
    },
  });
}
