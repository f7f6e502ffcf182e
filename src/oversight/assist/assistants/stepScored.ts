/**
 * Assistants that score the steps of a pair and reveal at the best-scored ones: each chosen
 * step gets one reveal the view takes there (its kinds in turn; a hidden cell drawn at random
 * where the kind is a cell), so a step model points in time and leaves the "what" to the view.
 */
import { Rng, type RngState } from '../../../utils/rng.js';
import type { RevealTarget } from '../../views/view.js';
import { revealCandidates, type Assistant, type Critique, type CritiqueContext } from '../critique.js';
import type { Segment } from '../../../prefs/segments.js';

type Pair = { id: string; left: Segment; right: Segment };

export class StepScoredAssistant implements Assistant {
  private readonly rng: Rng;

  constructor(
    readonly name: string,
    /** Per step of the pair (the shorter clip's length), how much worth showing. */
    private readonly stepScores: (pair: Pair) => Float64Array,
    /** The critique's one line, given the chosen steps. */
    private readonly because: string,
    seed: number | Rng,
  ) {
    this.rng = typeof seed === 'number' ? new Rng(seed) : seed;
  }

  critique(pair: Pair, ctx: CritiqueContext): Critique {
    const candidates = revealCandidates(ctx.view, pair, ctx.spec);
    if (candidates.length === 0) return { reveals: [], reason: 'nothing hidden to show' };
    const byStep = new Map<number, RevealTarget[]>();
    for (const c of candidates) byStep.set(c.step, [...(byStep.get(c.step) ?? []), c]);
    const s = this.stepScores(pair);
    const steps = [...byStep.keys()].sort((a, b) => s[b] - s[a] || a - b);
    const reveals: RevealTarget[] = [];
    // Best steps first, one reveal each; round again while budget remains.
    for (let round = 0; reveals.length < ctx.budget && round < ctx.view.revealKinds.length + 64; round++) {
      for (const step of steps) {
        if (reveals.length >= ctx.budget) break;
        const left = byStep.get(step)!.filter((c) => !reveals.includes(c));
        if (left.length === 0) continue;
        const kinds = [...new Set(left.map((c) => c.kind))];
        const kind = kinds[round % kinds.length];
        const ofKind = left.filter((c) => c.kind === kind);
        reveals.push(ofKind[this.rng.integer(ofKind.length)]);
      }
      if (steps.every((st) => byStep.get(st)!.every((c) => reveals.includes(c)))) break;
    }
    return { reveals, reason: `${this.because} (steps ${[...new Set(reveals.map((r) => r.step))].join(', ')})` };
  }

  state(): RngState {
    return this.rng.getState();
  }

  load(state: unknown): void {
    this.rng.setState(state as RngState);
  }
}
