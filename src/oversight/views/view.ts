/**
 * Views of a clip: what a limited overseer sees of a segment. A view masks what it cannot see
 * (`visible`: a copy with those numbers replaced by NaN) and judges the task's intent from the
 * rest (`apparentRewards`, computed from `visible(...)` alone, so hiding is enforced by
 * construction and a judge that reads a hidden number gets NaN back).
 */
import type { RenderSpec } from '../../envs/render.js';
import type { Segment } from '../../prefs/segments.js';

export interface ClipView {
  /** The view's name as given on the command line, e.g. 'keyframes:2'. */
  readonly name: string;
  /** One line: what the view cannot see. */
  readonly hides: string;
  /** A copy of the segment with everything the view cannot see replaced by NaN. */
  visible(segment: Segment, spec: RenderSpec): Segment;
  /** Per-step apparent rewards [length], computed from `visible(segment, spec)` alone. */
  apparentRewards(segment: Segment, spec: RenderSpec): Float64Array;
}

/**
 * The task's intent on one env: per-step reward terms that add up to the true reward, computed
 * from a clip's render states and actions. Step t's after-state is frame t + 1; the clip has no
 * frame after its last step, so each model says how it judges that step.
 */
export interface IntentModel {
  readonly envId: string;
  /** Names of the per-step terms, e.g. ['task', 'control']. */
  readonly terms: readonly string[];
  /** Each term per step [length]. */
  stepTerms(segment: Segment, spec: RenderSpec): Record<string, Float64Array>;
  /** The intent's per-step worth of being in one frame, where the intent is a function of states (views that see only some frames use it). */
  frameValue?(frame: Float32Array, spec: RenderSpec): number;
}

/** A view from what it masks and how it judges what is left. */
export function defineView(v: {
  name: string;
  hides: string;
  visible(segment: Segment, spec: RenderSpec): Segment;
  judge(seen: Segment, spec: RenderSpec): Float64Array;
}): ClipView {
  return {
    name: v.name,
    hides: v.hides,
    visible: v.visible,
    apparentRewards: (segment, spec) => v.judge(v.visible(segment, spec), spec),
  };
}

/** A copy of the segment whose arrays `mask` may edit in place (the segment itself is never touched). */
export function maskedCopy(segment: Segment, mask: (copy: { obs: Float32Array; actions: Float32Array; render: Float32Array | null }) => void): Segment {
  const copy = { obs: segment.obs.slice(), actions: segment.actions.slice(), render: segment.render ? segment.render.slice() : null };
  mask(copy);
  return { ...segment, ...copy };
}

/** Frame t of a segment's render states. */
export function frameOf(segment: Segment, t: number): Float32Array {
  if (!segment.render) throw new Error(`segment ${segment.id} of ${segment.envId} has no render states; views judge clips by them`);
  return segment.render.subarray(t * segment.renderSize, (t + 1) * segment.renderSize);
}

/** The sum of the named terms per step. */
export function sumTerms(terms: Record<string, Float64Array>, names: readonly string[], length: number): Float64Array {
  const out = new Float64Array(length);
  for (const n of names) {
    const term = terms[n];
    if (!term) throw new Error(`no intent term ${JSON.stringify(n)}`);
    for (let t = 0; t < length; t++) out[t] += term[t];
  }
  return out;
}
