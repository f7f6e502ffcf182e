/**
 * Assistants that score the steps of a pair and reveal at the best-scored ones: each chosen
 * step gets one reveal the view takes there (its kinds in turn; a hidden cell drawn at random
 * where the kind is a cell), so a step model points in time and leaves the "what" to the view.
 */
import { Rng, type RngState } from '../../../utils/rng.js';
import type { RevealTarget } from '../../views/view.js';
import { revealCandidates, type Assistant, type ClipPair, type Critique, type CritiqueContext } from '../critique.js';

export class StepScoredAssistant implements Assistant {
  private readonly rng: Rng;

  constructor(
    readonly name: string,
    /** Per step of the pair (the shorter clip's length), how much worth showing. */
    private readonly stepScores: (pair: ClipPair) => Float64Array,
    /** The critique's one line, given the chosen steps. */
    private readonly because: string,
    seed: number | Rng,
  ) {
    this.rng = typeof seed === 'number' ? new Rng(seed) : seed;
  }

  critique(pair: ClipPair, ctx: CritiqueContext): Critique {
    const candidates = revealCandidates(ctx.view, pair, ctx.spec);
    if (candidates.length === 0) return { reveals: [], reason: 'nothing hidden to show' };
    const byStep = new Map<number, RevealTarget[]>();
    for (const c of candidates) byStep.set(c.step, [...(byStep.get(c.step) ?? []), c]);
    const s = this.stepScores(pair);
    const steps = [...byStep.keys()].sort((a, b) => s[b] - s[a] || a - b);
    const reveals: RevealTarget[] = [];
    const chosen = new Set<RevealTarget>();
    const left = (step: number) => byStep.get(step)!.filter((c) => !chosen.has(c));
    // Best steps first, one reveal each; round again (the next kind) while budget and candidates remain.
    for (let round = 0; reveals.length < ctx.budget && steps.some((st) => left(st).length > 0); round++) {
      for (const step of steps) {
        if (reveals.length >= ctx.budget) break;
        const here = left(step);
        if (here.length === 0) continue;
        const kinds = [...new Set(here.map((c) => c.kind))];
        const ofKind = here.filter((c) => c.kind === kinds[round % kinds.length]);
        const pick = ofKind[this.rng.integer(ofKind.length)];
        reveals.push(pick);
        chosen.add(pick);
      }
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
