/**
 * Critiques: an assistant looks at a pair of clips (the full recordings) and the overseer's
 * view, and points to a few pieces of recorded evidence the overseer cannot see by itself (a
 * frame, the top view, the torques, a hidden cell at a step). It names places only; the numbers
 * shown come from the recording (`withReveals`), so a critique cannot forge evidence. Each
 * reveal costs the overseer time, so a critique holds at most `budget` of them.
 *
 * A reveal shows its evidence in both clips at once (the torques at step t of each): evidence
 * from one clip only would charge that clip for what the other's hidden part may hide too, and
 * a pointer that knew nothing would then tilt the overseer against whichever clip it picked.
 */
import type { RenderSpec } from '../../envs/render.js';
import type { Segment } from '../../prefs/segments.js';
import type { Query } from '../../prefs/teachers.js';
import { withReveals, type ClipView, type RevealTarget } from '../views/view.js';

/** A pair of clips as an assistant sees them: the full recordings. */
export type ClipPair = Pick<Query, 'id' | 'left' | 'right'>;

export interface Critique {
  /** Each shown in both clips. */
  reveals: RevealTarget[];
  /** One line for the overseer (a person sees it beside the evidence). */
  reason: string;
}

export interface CritiqueContext {
  view: ClipView;
  spec: RenderSpec;
  /** The most reveals the critique may hold. */
  budget: number;
}

/** An assistant: from a pair of full recordings and the overseer's view, a critique. */
export interface Assistant {
  readonly name: string;
  critique(pair: ClipPair, ctx: CritiqueContext): Critique;
  /** For resumable runs: the assistant's own state (its random stream, a trained model). */
  state?(): unknown;
  load?(state: unknown): void;
}

/** Checks a critique against its budget and the view (kinds, steps, cells): the assistant's output is validated like any input. */
export function checkCritique(c: Critique, pair: { left: Segment; right: Segment }, ctx: CritiqueContext): void {
  if (c.reveals.length > ctx.budget) throw new Error(`critique holds ${c.reveals.length} reveals; the budget is ${ctx.budget}`);
  for (const r of c.reveals) for (const s of [pair.left, pair.right]) ctx.view.revealPositions(r, s, ctx.spec);
}

/** What the overseer sees of each clip of the pair once the critique's evidence is shown. */
export function seenWithCritique(pair: { left: Segment; right: Segment }, c: Critique, ctx: Omit<CritiqueContext, 'budget'>): { left: Segment; right: Segment } {
  const side = (s: Segment) => withReveals(ctx.view, ctx.view.visible(s, ctx.spec), s, c.reveals, ctx.spec);
  return { left: side(pair.left), right: side(pair.right) };
}

/**
 * Every reveal that would show the view something it does not see (a position it masks) in
 * either clip of the pair: the candidates a pointer chooses among.
 */
export function revealCandidates(view: ClipView, pair: { left: Segment; right: Segment }, spec: RenderSpec): RevealTarget[] {
  const seen = [view.visible(pair.left, spec), view.visible(pair.right, spec)];
  const out: RevealTarget[] = [];
  const cells = spec.kind === 'grid' ? spec.rows * spec.cols : 0;
  const length = Math.min(pair.left.length, pair.right.length);
  for (const kind of view.revealKinds) {
    for (let step = 0; step < length; step++) {
      for (const cell of kind === 'cell' ? Array.from({ length: cells }, (_, c) => c) : [undefined]) {
        const target: RevealTarget = cell === undefined ? { kind, step } : { kind, step, cell };
        const hidden = seen.some((s) =>
          view.revealPositions(target, s, spec).some(({ array, from, to }) => {
            const a = s[array];
            for (let i = from; i < to; i++) if (a && Number.isNaN(a[i])) return true;
            return false;
          }),
        );
        if (hidden) out.push(target);
      }
    }
  }
  return out;
}
