/**
 * The keyframes view (`keyframes:K`, K >= 2): sees only K frames of a clip, evenly spaced and
 * including the first and the last; no other frame, no observations, no actions. It judges the
 * intent's worth of being in each frame it sees and spreads the mean over every step of the
 * clip, blind to what happens between. An assistant can show it another frame (which joins the
 * mean) or, where the intent has a control cost, the torques at a step (charged at that step).
 */
import type { Segment } from '../../prefs/segments.js';
import { defineView, frameOf, maskedCopy, torqueAt, type ClipView, type IntentModel, type RevealRules } from './view.js';

/** The frames a K-keyframe view sees of a clip of `length` steps. */
export function keyframeIndices(length: number, k: number): number[] {
  if (length === 1) return [0];
  return [...new Set(Array.from({ length: k }, (_, i) => Math.round((i * (length - 1)) / (k - 1))))];
}

export function keyframesView(intent: IntentModel, k = 2): ClipView {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`keyframes:K needs an integer K >= 2, got ${k}`);
  const frameValue = intent.frameValue;
  if (!frameValue) throw new Error(`keyframes needs an intent that values single frames; ${intent.envId}'s values transitions`);
  const hasControl = intent.terms.includes('control');
  const reveals: RevealRules = { frame: (t, segment) => [{ array: 'render', from: t.step * segment.renderSize, to: (t.step + 1) * segment.renderSize }] };
  if (hasControl) reveals.torque = torqueAt;
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
      // The frames it sees: its keyframes, and any frame revealed to it.
      const values: number[] = [];
      for (let t = 0; t < seen.length; t++) {
        const frame = frameOf(seen, t);
        if (frame.every((v) => !Number.isNaN(v))) values.push(frameValue(frame, spec));
      }
      if (values.length === 0) throw new Error(`keyframes: no frame of ${seen.id} is seen`);
      const out = new Float64Array(seen.length).fill(values.reduce((s, v) => s + v, 0) / values.length);
      if (hasControl) {
        const control = intent.stepTerms(seen, spec).control;
        for (let t = 0; t < seen.length; t++) out[t] += control[t];
      }
      return out;
    },
    reveals,
  });
}
