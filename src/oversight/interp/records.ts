/**
 * Activation records and their split, following Bills et al. 2023 (openai/automated-interpretability,
 * neuron_explainer/activations/): a record is one sequence — here a clip of states — with the unit's
 * activation at each step; a unit's records are its top-activating ones (ranked by their largest
 * activation) plus a random sample. Top records are dealt out interleaved into train / calibration /
 * valid / test (stride 4), random ones into calibration / valid / test (stride 3), as in
 * `NeuronRecord._get_top_activation_slices`; their demo uses 5 records a split. The explainer sees
 * the train split only; scoring uses top + random of valid (or test), pooled.
 *
 * Activations are shown and scored as integers 0–10: min(10, floor(10 · relu(a) / max)), with max
 * the unit's largest activation over its top records (`normalize_activations`, `max_activation`).
 */
import { Rng } from '../../utils/rng.js';

export type FeatureValue = number | boolean;
/** A state's named features: the explainer's vocabulary (issue 22's feature library). */
export type StateFeatures = Readonly<Record<string, FeatureValue>>;

export interface FeatureSpec {
  name: string;
  kind: 'number' | 'boolean';
  /** What the quantity is, for people. */
  description: string;
}

/** One clip: its states' features and the unit's activation at each state. */
export interface ActivationRecord {
  /** Unique among a unit's records. */
  id: string;
  states: readonly StateFeatures[];
  activations: readonly number[];
}

/** The largest positive activation over the records (0 if none is positive). */
export function maxActivation(records: readonly ActivationRecord[]): number {
  let max = 0;
  for (const r of records) for (const a of r.activations) if (a > max) max = a;
  return max;
}

/** Bills et al.'s 0–10 integers: min(10, floor(10 · relu(a) / max)); all 0 when max ≤ 0. */
export function normaliseActivations(activations: readonly number[], max: number): number[] {
  if (!(max > 0)) return activations.map(() => 0);
  return activations.map((a) => Math.min(10, Math.floor((10 * Math.max(0, a)) / max)));
}

export const SCORING_SPLITS = ['valid', 'test'] as const;
export type ScoringSplit = (typeof SCORING_SPLITS)[number];

/** A unit's records dealt out so that what the explainer sees is never scored. */
export interface UnitSplit {
  /** The explainer's records (top-activating, train slice). */
  readonly explain: readonly ActivationRecord[];
  /** Top-activating records of the calibration slice (unused by the Pearson score, which ignores affine calibration). */
  readonly calibration: readonly ActivationRecord[];
  /** Scoring sets: top-activating and random records, each never shown to the explainer. */
  readonly valid: { readonly top: readonly ActivationRecord[]; readonly random: readonly ActivationRecord[] };
  readonly test: { readonly top: readonly ActivationRecord[]; readonly random: readonly ActivationRecord[] };
  /** The unit's max over all its top-activating records, the scale of the 0–10 scores. */
  readonly maxActivation: number;
}

export interface SplitOptions {
  /** Records per split (Bills et al.'s demo: 5). */
  perSplit: number;
  /** Seed for the random sample. */
  seed: number;
}

export const splitDefaults = { perSplit: 5, seed: 0 } satisfies SplitOptions;

/**
 * Deals a unit's records out as Bills et al. do. Random records are drawn from the records outside
 * the top 4 × perSplit, so no random record is one the explainer saw.
 */
export function splitRecords(records: readonly ActivationRecord[], input: Partial<SplitOptions> = {}): UnitSplit {
  const { perSplit, seed } = { ...splitDefaults, ...input };
  if (!Number.isInteger(perSplit) || perSplit <= 0) throw new RangeError(`perSplit must be a positive integer, got ${perSplit}`);
  const need = 7 * perSplit;
  if (records.length < need) throw new RangeError(`a unit needs at least ${need} records (4 × ${perSplit} top, 3 × ${perSplit} random), got ${records.length}`);
  for (const r of records) {
    if (r.states.length === 0 || r.states.length !== r.activations.length) throw new RangeError(`record ${r.id} has ${r.states.length} states and ${r.activations.length} activations; it needs one activation per state, at least one`);
    if (!r.activations.every(Number.isFinite)) throw new RangeError(`record ${r.id} has a non-finite activation`);
  }
  const peak = (r: ActivationRecord) => Math.max(...r.activations);
  const ranked = [...records].sort((a, b) => peak(b) - peak(a));
  const top = ranked.slice(0, 4 * perSplit);
  const rest = new Rng(seed).shuffle(ranked.slice(4 * perSplit)).slice(0, 3 * perSplit);
  const slice = (xs: readonly ActivationRecord[], start: number, stride: number) => xs.filter((_, i) => i % stride === start);
  const split: UnitSplit = {
    explain: slice(top, 0, 4),
    calibration: slice(top, 1, 4),
    valid: { top: slice(top, 2, 4), random: slice(rest, 1, 3) },
    test: { top: slice(top, 3, 4), random: slice(rest, 2, 3) },
    maxActivation: maxActivation(top),
  };
  assertHeldOut(split, 'valid');
  assertHeldOut(split, 'test');
  return split;
}

/** The scored records of one split, top then random. */
export function scoredRecords(split: UnitSplit, which: ScoringSplit): ActivationRecord[] {
  return [...split[which].top, ...split[which].random];
}

/** Throws if any record scored under `which` is (by id) one the explainer was given. */
export function assertHeldOut(split: UnitSplit, which: ScoringSplit): void {
  const seen = new Set(split.explain.map((r) => r.id));
  const leaked = scoredRecords(split, which).filter((r) => seen.has(r.id));
  if (leaked.length > 0) throw new Error(`held-out ${which} records were shown to the explainer: ${leaked.map((r) => r.id).join(', ')}`);
  const ids = new Set<string>();
  for (const r of scoredRecords(split, which)) {
    if (ids.has(r.id)) throw new Error(`record ${r.id} is scored twice in ${which}`);
    ids.add(r.id);
  }
}
