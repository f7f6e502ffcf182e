/**
 * A symbolic explainer standing in for Bills et al. 2023's language model (there is no LLM here;
 * issue 22). Like theirs it reads only a unit's top-activating records — whole clips, so the quiet
 * states around each peak are its contrast — with activations shown as 0–10 integers by the max over
 * those records (`calculate_max_activation(train_activation_records)` in their demo).
 *
 * It proposes explanations from the feature library: a boolean feature's value, a number above or
 * below a threshold (the 5%…95% quantiles of the feature over the records it saw, rounded to the 3
 * significant digits the sentence shows), the same as a graded response, and conjunctions of two
 * conditions on different features built from the best single ones. Each is a sentence and the
 * structured predicate that simulate.ts evaluates. It ranks them by the pooled correlation of their
 * simulation with the activations it saw — in-sample, its own records only — with a small penalty per
 * extra condition so that a conjunction must earn its second clause.
 */
import { z } from 'zod';
import { Rng } from '../../utils/rng.js';
import type { ActivationRecord, FeatureSpec } from './records.js';
import { maxActivation } from './records.js';
import { scoreOnRecords } from './score.js';

export type Condition = { kind: 'is'; feature: string; value: boolean } | { kind: 'above' | 'below'; feature: string; threshold: number };

export interface Explanation {
  /** What a person reads, e.g. "fires when forwardVelocity is above 1.2 and footContact is true". */
  sentence: string;
  /** One or two conditions, all of which must hold for the unit to fire. */
  conditions: Condition[];
  /** 'step': a fixed response where the conditions hold; 'graded': rising with the first condition's feature (simulate.ts). */
  shape: 'step' | 'graded';
  /** Graded only: the first feature's value at which the response is full. */
  full?: number;
}

/** All an explainer is given: the explainer split's records and the feature library. */
export interface ExplainerView {
  records: readonly ActivationRecord[];
  features: readonly FeatureSpec[];
}

/** Proposes explanations, best first. */
export type Explainer = (view: ExplainerView) => Explanation[];

export const ExplainerOptionsSchema = z.strictObject({
  /** Candidate thresholds per numeric feature: this many evenly spaced inner quantiles (19: 5%, 10%, …, 95%). */
  quantiles: z.number().int().positive().default(19),
  /** Best single conditions paired into conjunctions. */
  beam: z.number().int().min(2).default(8),
  /** Explanations returned. */
  keep: z.number().int().positive().default(5),
  /** In-sample correlation a conjunction gives up per extra condition when ranked. */
  conjunctionPenalty: z.number().min(0).default(0.02),
});
export type ExplainerOptions = z.infer<typeof ExplainerOptionsSchema>;

/** The symbolic explainer with its options parsed once. */
export function symbolicExplainer(input: z.input<typeof ExplainerOptionsSchema> = {}): Explainer {
  const parsed = ExplainerOptionsSchema.safeParse(input);
  if (!parsed.success) throw new RangeError(`invalid explainer options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const opts = parsed.data;
  return (view) => explainUnit(view, opts);
}

interface Candidate {
  explanation: Explanation;
  fit: number;
}

export function explainUnit(view: ExplainerView, opts: ExplainerOptions): Explanation[] {
  const { records, features } = view;
  if (records.length === 0) throw new Error('the explainer needs at least one record');
  const max = maxActivation(records);
  const states = records.flatMap((r) => r.states);
  const fit = (e: Explanation): Candidate => ({ explanation: e, fit: scoreOnRecords(e, records, max).score });

  const singles: Candidate[] = [];
  for (const spec of features) {
    if (spec.kind === 'boolean') {
      for (const value of [true, false]) singles.push(fit(explanation([{ kind: 'is', feature: spec.name, value }], 'step')));
      continue;
    }
    const values = states.map((s) => Number(s[spec.name])).sort((a, b) => a - b);
    const lo = values[0];
    const hi = values[values.length - 1];
    const thresholds = new Set<number>();
    for (let q = 1; q <= opts.quantiles; q++) thresholds.add(round3(values[Math.floor((q / (opts.quantiles + 1)) * (values.length - 1))]));
    for (const threshold of thresholds) {
      for (const kind of ['above', 'below'] as const) {
        const c: Condition = { kind, feature: spec.name, threshold };
        singles.push(fit(explanation([c], 'step')));
        const full = round3(kind === 'above' ? hi : lo);
        if (full !== threshold) singles.push(fit(explanation([c], 'graded', full)));
      }
    }
  }
  singles.sort((a, b) => b.fit - a.fit);

  const pairs: Candidate[] = [];
  const beam = singles.slice(0, opts.beam);
  // Second clauses: the best condition of every feature, so a conjunction can join a weak but necessary one.
  const seconds = bestPerFeature(singles).map((c) => c.explanation.conditions[0]);
  for (const first of beam) {
    const c1 = first.explanation.conditions[0];
    for (const c2 of seconds) {
      if (c2.feature === c1.feature) continue;
      pairs.push(fit(explanation([c1, c2], first.explanation.shape, first.explanation.full)));
    }
  }
  const ranked = [...singles, ...pairs]
    .map((c) => ({ ...c, rank: c.fit - opts.conjunctionPenalty * (c.explanation.conditions.length - 1) }))
    .sort((a, b) => b.rank - a.rank);
  const out: Explanation[] = [];
  const seen = new Set<string>();
  for (const c of ranked) {
    const key = canonicalKey(c.explanation);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c.explanation);
    if (out.length === opts.keep) break;
  }
  return out;
}

/** A random explanation for the baseline: a random feature, and for a number a random side and a threshold uniform over the range the explainer saw. */
export function randomExplanation(view: ExplainerView, rng: Rng): Explanation {
  const spec = view.features[rng.integer(view.features.length)];
  if (spec.kind === 'boolean') return explanation([{ kind: 'is', feature: spec.name, value: rng.random() < 0.5 }], 'step');
  const values = view.records.flatMap((r) => r.states.map((s) => Number(s[spec.name])));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return explanation([{ kind: rng.random() < 0.5 ? 'above' : 'below', feature: spec.name, threshold: round3(rng.uniform(lo, hi)) }], 'step');
}

/** Builds the sentence from the structure, so that the two always say the same thing. */
export function explanation(conditions: Condition[], shape: Explanation['shape'], full?: number): Explanation {
  if (conditions.length < 1 || conditions.length > 2) throw new RangeError(`an explanation has one or two conditions, got ${conditions.length}`);
  const first = conditions[0];
  const clause = (c: Condition) => (c.kind === 'is' ? `${c.feature} is ${c.value}` : `${c.feature} is ${c.kind} ${c.threshold}`);
  let sentence: string;
  if (shape === 'graded') {
    if (first.kind === 'is' || full === undefined) throw new RangeError('a graded explanation needs a threshold first and a full value');
    sentence = `fires in proportion to how far ${first.feature} is ${first.kind} ${first.threshold}, reaching its maximum at ${full}`;
    if (conditions.length === 2) sentence += `, when ${clause(conditions[1])}`;
  } else {
    sentence = `fires when ${conditions.map(clause).join(' and ')}`;
  }
  return shape === 'graded' ? { sentence, conditions, shape, full } : { sentence, conditions, shape };
}

function bestPerFeature(sorted: readonly Candidate[]): Candidate[] {
  const byFeature = new Map<string, Candidate>();
  for (const c of sorted) {
    if (c.explanation.shape !== 'step') continue;
    const f = c.explanation.conditions[0].feature;
    if (!byFeature.has(f)) byFeature.set(f, c);
  }
  return [...byFeature.values()];
}

/** The same explanation whatever the order of its step conditions ("A and B" is "B and A"). */
function canonicalKey(e: Explanation): string {
  const clauses = e.conditions.map((c) => JSON.stringify(c));
  if (e.shape === 'step') clauses.sort();
  return `${e.shape}|${e.full ?? ''}|${clauses.join('&')}`;
}

const round3 = (x: number) => Number(x.toPrecision(3));

