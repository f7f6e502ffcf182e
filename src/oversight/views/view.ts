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
  /** The kinds of recorded evidence an assistant can show this overseer (none for the full view). */
  readonly revealKinds: readonly RevealKind[];
  /** A copy of the segment with everything the view cannot see replaced by NaN. */
  visible(segment: Segment, spec: RenderSpec): Segment;
  /** Per-step apparent rewards [length], computed from `visible(segment, spec)` alone. */
  apparentRewards(segment: Segment, spec: RenderSpec): Float64Array;
  /**
   * Per-step rewards as judged from a seen copy: `visible(...)`, possibly with revealed evidence
   * copied in. Judges charge what they can see, so a revealed number counts and a hidden one
   * (NaN) does not.
   */
  judge(seen: Segment, spec: RenderSpec): Float64Array;
  /** Where in a segment's arrays the evidence of a reveal lies (what it would unmask). */
  revealPositions(target: RevealTarget, segment: Segment, spec: RenderSpec): RevealPositions;
}

/**
 * Recorded evidence a critique can point the overseer to, which it cannot see by itself:
 * - `frame`: the whole render state at step t (a view that sees only some frames);
 * - `top`: the view from above at step t (the coordinate a side camera loses);
 * - `torque`: the actions at step t;
 * - `cell`: one hidden board cell at step t (the truth layer, or a masked tile).
 */
export const REVEAL_KINDS = ['frame', 'top', 'torque', 'cell'] as const;
export type RevealKind = (typeof REVEAL_KINDS)[number];

/** What a reveal points at: a kind, a step of the clip and, for `cell`, the board cell (row * cols + col). */
export interface RevealTarget {
  kind: RevealKind;
  step: number;
  cell?: number;
}

/** Index ranges [from, to) of a segment's arrays. */
export type RevealPositions = { array: 'obs' | 'actions' | 'render'; from: number; to: number }[];

/** A view's reveal rules: for each kind it accepts, the positions that kind unmasks at a step. */
export type RevealRules = Partial<Record<RevealKind, (target: RevealTarget, segment: Segment, spec: RenderSpec) => RevealPositions>>;

/** The actions at step t: the `torque` reveal of any view that hides actions. */
export const torqueAt: NonNullable<RevealRules['torque']> = (t, segment) => [{ array: 'actions', from: t.step * segment.actionSize, to: (t.step + 1) * segment.actionSize }];

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

/** A view from what it masks, how it judges what is left, and what evidence may be revealed to it. */
export function defineView(v: {
  name: string;
  hides: string;
  visible(segment: Segment, spec: RenderSpec): Segment;
  judge(seen: Segment, spec: RenderSpec): Float64Array;
  reveals?: RevealRules;
}): ClipView {
  const rules = v.reveals ?? {};
  const kinds = REVEAL_KINDS.filter((k) => rules[k]);
  return {
    name: v.name,
    hides: v.hides,
    revealKinds: kinds,
    visible: v.visible,
    judge: v.judge,
    apparentRewards: (segment, spec) => v.judge(v.visible(segment, spec), spec),
    revealPositions(target, segment, spec) {
      const rule = rules[target.kind];
      if (!rule) throw new Error(`view ${v.name} takes no ${JSON.stringify(target.kind)} reveal; it takes ${kinds.length ? kinds.join(', ') : 'none (it sees everything)'}`);
      if (!Number.isInteger(target.step) || target.step < 0 || target.step >= segment.length) throw new RangeError(`reveal step ${target.step} outside the clip's ${segment.length} steps`);
      return rule(target, segment, spec);
    },
  };
}

/**
 * `seen` with the evidence of each target copied in from the recorded segment: real recorded
 * numbers only (whoever chose the targets supplies no data, so cannot forge any).
 */
export function withReveals(view: ClipView, seen: Segment, recorded: Segment, targets: readonly RevealTarget[], spec: RenderSpec): Segment {
  if (seen.id !== recorded.id || seen.length !== recorded.length) throw new Error(`reveal: the seen clip ${seen.id} is not a view of ${recorded.id}`);
  if (targets.length === 0) return seen;
  return maskedCopy(seen, (c) => {
    for (const target of targets) {
      for (const { array, from, to } of view.revealPositions(target, recorded, spec)) {
        const src = recorded[array];
        const dst = c[array];
        if (!src || !dst) throw new Error(`reveal: segment ${recorded.id} has no ${array}`);
        dst.set(src.subarray(from, to), from);
      }
    }
  });
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
