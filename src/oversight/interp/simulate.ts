/**
 * The simulator of Bills et al. 2023 (neuron_explainer/explanations/simulator.py), for symbolic
 * explanations: from the explanation and a state's features alone — never an activation — it
 * predicts the unit's activation as an expected value on the 0–10 scale.
 *
 * What the prediction is, per explanation shape:
 * - 'step': 10 where every condition holds, 0 elsewhere (the reading of "fires when …": most
 *   activations are 0, as Bills et al.'s simulator prompt says). The score is a Pearson correlation,
 *   which is the same for any two levels in the same order, so only this order matters.
 * - 'graded': 0 where a condition fails; where all hold, a monotone (linear, clipped) map of the first
 *   condition's feature: 10 · clamp((value − threshold) / (full − threshold), 0, 1), mirrored for
 *   'below'. `full` is part of the explanation ("…reaching its maximum at 3.1").
 */
import type { Condition, Explanation } from './explain.js';
import type { ActivationRecord, StateFeatures } from './records.js';

export function holds(c: Condition, state: StateFeatures): boolean {
  const v = state[c.feature];
  if (v === undefined) throw new Error(`the explanation reads feature ${c.feature}, which the state does not have (it has ${Object.keys(state).join(', ')})`);
  switch (c.kind) {
    case 'is':
      return v === c.value;
    case 'above':
      return Number(v) > c.threshold;
    case 'below':
      return Number(v) < c.threshold;
  }
}

/** The expected activation (0–10) the explanation predicts for one state. */
export function simulateState(e: Explanation, state: StateFeatures): number {
  for (const c of e.conditions) if (!holds(c, state)) return 0;
  if (e.shape === 'step') return 10;
  const first = e.conditions[0];
  if (first.kind === 'is' || e.full === undefined) throw new Error(`a graded explanation needs a threshold first condition and a full value: ${e.sentence}`);
  const v = Number(state[first.feature]);
  const t = (v - first.threshold) / (e.full - first.threshold);
  return 10 * Math.min(1, Math.max(0, t));
}

/** The simulation of one record: an expected value per state. */
export function simulateRecord(e: Explanation, record: Pick<ActivationRecord, 'states'>): number[] {
  return record.states.map((s) => simulateState(e, s));
}
