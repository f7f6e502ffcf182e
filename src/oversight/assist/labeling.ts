/**
 * Critiques for people: an assistant of the trials behind the labeling server's small interface
 * (`LabelingAssistant`), so a run with `--labeling-assistant` shows people in the assisted arm
 * what it shows the simulated overseer. The critique is checked like any input, its evidence is
 * copied from the recording (`seenWithCritique`), and the numbers sent beside it are read from
 * the recording too: nothing the assistant returns but places reaches the page.
 *
 * A person may fetch a pair again (prefetch, undo, a restarted server), so a critique must be
 * the same each time: the random pointer draws from a stream seeded by the pair's id, and a
 * trained assistant is deterministic once trained.
 */
import { createHash } from 'node:crypto';
import type { RenderSpec } from '../../envs/render.js';
import type { Segment } from '../../prefs/segments.js';
import type { LabelingAssistant, ServedCritique } from '../../server/app.js';
import type { RevealJson } from '../../server/api.js';
import type { ClipView } from '../views/view.js';
import { checkCritique, seenWithCritique, type Assistant, type ClipPair } from './critique.js';

/** The recorded numbers a reveal shows in one clip, in the order of the view's positions. */
export function revealedValues(view: ClipView, spec: RenderSpec, segment: Segment, target: RevealJson | { kind: RevealJson['kind']; step: number; cell?: number }): number[] {
  return view.revealPositions(target, segment, spec).flatMap(({ array, from, to }) => Array.from(segment[array]!.subarray(from, to)));
}

/** A 32-bit seed from a pair's id (and a salt): a pair's stream, the same in every process. */
export function pairSeed(salt: string, pairId: string): number {
  return createHash('sha256').update(`${salt}\0${pairId}`).digest().readUInt32LE(0);
}

/**
 * The labeling server's assistant from one of ours: `assistantFor(pairId)` gives the assistant
 * that critiques that pair (a fresh seeded pointer, or the one trained model), with at most
 * `budget` reveals; `prepare` trains what must be trained (called by the server at start).
 */
export function labelingAssistant(name: string, view: ClipView, budget: number, assistantFor: (pairId: string) => Assistant, prepare?: () => void): LabelingAssistant {
  if (view.revealKinds.length === 0) throw new Error(`the ${view.name} view sees everything: an assistant has nothing to reveal to it`);
  if (!Number.isInteger(budget) || budget < 1) throw new RangeError(`a critique's reveal budget must be a positive whole number (got ${budget})`);
  return {
    name,
    reveals: budget,
    ...(prepare ? { prepare } : {}),
    critique(pair: ClipPair, spec: RenderSpec): ServedCritique {
      const ctx = { view, spec, budget };
      const c = assistantFor(pair.id).critique(pair, ctx);
      checkCritique(c, pair, ctx);
      const seen = seenWithCritique(pair, c, ctx);
      const reveals: RevealJson[] = c.reveals.map((r) => ({
        kind: r.kind,
        step: r.step,
        ...(r.cell === undefined ? {} : { cell: r.cell }),
        left: revealedValues(view, spec, pair.left, r),
        right: revealedValues(view, spec, pair.right, r),
      }));
      return { reason: c.reason, reveals, left: seen.left, right: seen.right };
    },
  };
}
