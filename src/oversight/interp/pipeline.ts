/**
 * Explain → simulate → score for one unit (Bills et al. 2023's pipeline, issue 22 item 3): split the
 * unit's records (records.ts), give the explainer the train split alone, score each proposed
 * explanation on held-out top + random records (score.ts).
 */
import { symbolicExplainer, type Explainer, type Explanation } from './explain.js';
import { scoredRecords, splitRecords, type ActivationRecord, type FeatureSpec, type ScoringSplit, type SplitOptions } from './records.js';
import { scoreExplanation } from './score.js';

export interface ScoredExplanation {
  explanation: Explanation;
  /** Pooled Pearson against the 0–10 activations (OVERSIGHT.md §5). */
  score: number;
  /** Pooled Pearson against the raw activations (the released scoring.py). */
  rawScore: number;
}

export interface UnitResult {
  /** The explainer's ranking, each with its held-out score (and the same against raw activations, as scoring.py does). */
  explanations: ScoredExplanation[];
  /** The explainer's first choice (chosen without held-out data) and its held-out score. */
  best: ScoredExplanation;
  /** States scored (top + random records of the scoring split). */
  states: number;
}

/**
 * Explain → simulate → score for one unit: split its records, give the explainer the train split
 * alone, score every proposed explanation on the held-out split.
 */
export function explainAndScore(
  records: readonly ActivationRecord[],
  features: readonly FeatureSpec[],
  opts: { split?: Partial<SplitOptions>; which?: ScoringSplit; explainer?: Explainer } = {},
): UnitResult {
  const split = splitRecords(records, opts.split);
  const explainer = opts.explainer ?? symbolicExplainer();
  // A fresh view: the explainer cannot reach the split object, hence not the held-out records.
  const proposed = explainer({ records: [...split.explain], features });
  if (proposed.length === 0) throw new Error('the explainer proposed no explanation');
  const which = opts.which ?? 'valid';
  const explanations = proposed.map((explanation) => ({
    explanation,
    score: scoreExplanation(explanation, split, which).score,
    rawScore: scoreExplanation(explanation, split, which, 'raw').score,
  }));
  return { explanations, best: explanations[0], states: scoredRecords(split, which).reduce((n, r) => n + r.states.length, 0) };
}
