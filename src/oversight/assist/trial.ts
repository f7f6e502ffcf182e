/**
 * A randomized trial of an assistant (Saunders et al. 2022's design, with a simulated overseer):
 * each pair is assigned at random to the assisted or the unassisted arm, and judged by the same
 * limited overseer (the same view and B-Pref noise), with or without the assistant's critique.
 * Pairs come from one distribution for both arms: planted-flaw pairs (a clean clip and the same
 * clip with a flaw at a known place, sides shuffled) mixed with pairs of clean clips.
 *
 * Measured per arm, with 95% intervals:
 * - accuracy: the overseer prefers the clip the task's intent (the full view) prefers;
 * - flaws found: on planted pairs, the overseer prefers the clean clip;
 * - reveals spent per pair, and (assisted) hits: a reveal inside the flaw.
 */
import type { RenderSpec } from '../../envs/render.js';
import type { Segment } from '../../prefs/segments.js';
import type { Answer, Query, SimulatedTeacherParams } from '../../prefs/teachers.js';
import { Rng } from '../../utils/rng.js';
import { proportionDifference, wilson, type Proportion } from '../../utils/stats.js';
import { LimitedOverseer } from '../views/overseer.js';
import { viewFor } from '../views/registry.js';
import type { Critique, Assistant } from './critique.js';
import type { RevealKind, RevealTarget } from '../views/view.js';
import { cleanPairs, plantedPairs, type Flaw, type FlawType } from './flaws.js';
import { AssistedOverseer } from './overseer.js';

export const TRIAL_ARMS = ['assisted', 'unassisted'] as const;
export type TrialArm = (typeof TRIAL_ARMS)[number];

/** One pair of the trial: its clips as shown (left, right), and what is known of them. */
export interface TrialPair {
  id: string;
  left: Segment;
  right: Segment;
  /** Planted pairs: the flawed clip's side and its flaws. */
  planted?: { flawedSide: 'left' | 'right'; flaws: Flaw[] };
}

/** What the trial stores per pair: the assignment, the answer, and how it is scored. */
export interface TrialRecord {
  pairId: string;
  arm: TrialArm;
  flawType: FlawType | null;
  /** The side the task's intent prefers (null when the two clips are worth the same). */
  truthPrefers: 'left' | 'right' | null;
  answer: Answer;
  correct: boolean | null;
  /** Planted pairs: the overseer preferred the clean clip. */
  found: boolean | null;
  reveals: number;
  /** Planted pairs, assisted: some reveal showed a flaw (`onFlaw`). */
  hit: boolean | null;
  /** Assisted pairs: the critique's reveals, so hits can be scored again. */
  revealed?: RevealTarget[];
}

export interface ArmResult {
  pairs: number;
  accuracy: Proportion;
  flawsFound: Proportion;
  revealsPerPair: number;
  hits: Proportion;
  /** Per flaw type: flaws found, hits, and confirmed (a hit after which the overseer preferred the clean clip: the critique's C). */
  byFlaw: Record<string, { found: Proportion; hits: Proportion; confirmed: Proportion }>;
}

export interface TrialResult {
  records: TrialRecord[];
  arms: Record<TrialArm, ArmResult>;
  /** Assisted minus unassisted, with Newcombe's 95% interval. */
  difference: { accuracy: { diff: number; lo: number; hi: number }; flawsFound: { diff: number; lo: number; hi: number } };
  /** Flaws found assisted / unassisted (Saunders et al.: about 1.5). */
  flawsFoundRatio: number;
}

export interface TrialSetup {
  envId: string;
  viewName: string;
  spec: RenderSpec;
  segmentLength: number;
  params: SimulatedTeacherParams;
  assistant: Assistant;
  /** Reveals per label. */
  budget: number;
  seed: number;
}

/**
 * A trial's pairs: `planted` planted-flaw pairs (the flawed clip on a random side) and `clean`
 * pairs of clean clips, in a random order, all from `seed`.
 */
export function trialPairs(envId: string, planted: number, clean: number, seed: number, segmentLength: number): TrialPair[] {
  // A stream apart from the trial's own (which is seeded by `seed`).
  const rng = new Rng(seed + 7919);
  const out: TrialPair[] = plantedPairs(envId, planted, seed, { segmentLength }).map((p) =>
    rng.random() < 0.5 ? { id: p.id, left: p.flawed, right: p.clean, planted: { flawedSide: 'left', flaws: p.flaws } } : { id: p.id, left: p.clean, right: p.flawed, planted: { flawedSide: 'right', flaws: p.flaws } },
  );
  if (clean > 0) out.push(...cleanPairs(envId, clean, seed + 100_003, { segmentLength }));
  return rng.shuffle(out);
}

/** Runs the trial over `pairs`; the assignment and each overseer's noise come from `seed`'s named streams. */
export function runTrial(pairs: readonly TrialPair[], setup: TrialSetup): TrialResult {
  const { envId, viewName, spec, segmentLength, params, assistant, budget, seed } = setup;
  const root = new Rng(seed);
  const assignment = root.spawn();
  const view = viewFor(envId, viewName);
  const truthView = viewFor(envId, 'full');
  const critiques = new Map<string, Critique>();
  const overseers: Record<TrialArm, LimitedOverseer> = {
    unassisted: new LimitedOverseer(`overseer:${viewName}`, view, spec, params, segmentLength, root.spawn()),
    assisted: new AssistedOverseer(`overseer:${viewName}+${assistant.name}`, view, spec, params, segmentLength, root.spawn(), assistant, budget, (id, c) => critiques.set(id, c)),
  };

  // 1. Randomize: each pair to an arm by a fair coin, recorded.
  const armOf = new Map(pairs.map((p) => [p.id, assignment.random() < 0.5 ? ('assisted' as const) : ('unassisted' as const)]));

  // 2. Each arm's overseer answers its pairs.
  const answers = new Map<string, Answer>();
  for (const arm of TRIAL_ARMS) {
    const queries: Query[] = pairs.filter((p) => armOf.get(p.id) === arm).map((p) => ({ id: p.id, left: p.left, right: p.right, askedAtStep: 0 }));
    overseers[arm].ask(queries);
    for (const a of overseers[arm].poll()) answers.set(a.queryId, a.answer);
    const unanswered = queries.filter((q) => !answers.has(q.id)).length;
    if (unanswered > 0) throw new Error(`trial: the ${arm} overseer left ${unanswered} of its ${queries.length} pairs unanswered`);
  }

  // 3. Score against the task's intent and the planted flaws.
  const total = (s: Segment) => truthView.apparentRewards(s, spec).reduce((a, b) => a + b, 0);
  const records: TrialRecord[] = pairs.map((p) => {
    const arm = armOf.get(p.id)!;
    const answer = answers.get(p.id) ?? 'incomparable';
    const [l, r] = [total(p.left), total(p.right)];
    const truthPrefers = Math.abs(l - r) < 1e-9 ? null : l > r ? 'left' : 'right';
    const critique = critiques.get(p.id);
    const cleanSide = p.planted ? (p.planted.flawedSide === 'left' ? 'right' : 'left') : null;
    const hit = p.planted && arm === 'assisted' ? (critique?.reveals ?? []).some((rv) => p.planted!.flaws.some((f) => onFlaw(rv, f))) : null;
    return {
      pairId: p.id,
      arm,
      flawType: p.planted?.flaws[0]?.type ?? null,
      truthPrefers,
      answer,
      correct: truthPrefers === null ? null : answer === truthPrefers,
      found: cleanSide === null ? null : answer === cleanSide,
      reveals: critique?.reveals.length ?? 0,
      hit,
      ...(critique ? { revealed: critique.reveals } : {}),
    };
  });

  const arms = Object.fromEntries(TRIAL_ARMS.map((arm) => [arm, summarizeArm(records.filter((r) => r.arm === arm))])) as Record<TrialArm, ArmResult>;
  return {
    records,
    arms,
    difference: {
      accuracy: proportionDifference(arms.assisted.accuracy, arms.unassisted.accuracy),
      flawsFound: proportionDifference(arms.assisted.flawsFound, arms.unassisted.flawsFound),
    },
    flawsFoundRatio: arms.assisted.flawsFound.rate / arms.unassisted.flawsFound.rate,
  };
}

/**
 * Where each flaw's evidence is: the reveal kinds that show it, and whether they show the flaw
 * at its action steps [from, to) (torques; the tile, charged from the frame before the step onto
 * it) or in the frames those steps lead to, from + 1 .. to (a frame or top view at step t shows
 * the state before step t, so the state a flawed step left is frame t + 1). A flaw at a cell
 * whose evidence is that cell (the tile) needs that cell revealed.
 */
const FLAW_EVIDENCE: Readonly<Record<FlawType, { kinds: readonly RevealKind[]; at: 'action' | 'frame'; atCell: boolean }>> = {
  'wasted-torque': { kinds: ['torque'], at: 'action', atCell: false },
  'depth-miss': { kinds: ['top', 'frame'], at: 'frame', atCell: false },
  'hidden-reversal': { kinds: ['frame', 'top'], at: 'frame', atCell: false },
  transformer: { kinds: ['cell', 'frame'], at: 'frame', atCell: false },
  'broken-rule': { kinds: ['cell'], at: 'action', atCell: true },
};

/** A reveal that shows a flaw: a kind that shows it, at a step (or frame) of it, at its cell where that matters. */
export function onFlaw(r: RevealTarget, f: Flaw): boolean {
  const e = FLAW_EVIDENCE[f.type];
  if (!e.kinds.includes(r.kind)) return false;
  const inside = e.at === 'action' ? r.step >= f.from && r.step < f.to : r.step > f.from && r.step <= f.to;
  return inside && (!e.atCell || f.cell === undefined || r.cell === f.cell);
}

const count = (rs: readonly TrialRecord[], key: 'correct' | 'found' | 'hit') => {
  const scored = rs.filter((r) => r[key] !== null);
  return wilson(scored.filter((r) => r[key]).length, scored.length);
};

export function summarizeArm(rs: readonly TrialRecord[]): ArmResult {
  const types = [...new Set(rs.map((r) => r.flawType).filter((t): t is FlawType => t !== null))].sort();
  return {
    pairs: rs.length,
    accuracy: count(rs, 'correct'),
    flawsFound: count(rs, 'found'),
    revealsPerPair: rs.length ? rs.reduce((s, r) => s + r.reveals, 0) / rs.length : Number.NaN,
    hits: count(rs, 'hit'),
    byFlaw: Object.fromEntries(
      types.map((t) => {
        const of = rs.filter((r) => r.flawType === t);
        const shown = of.filter((r) => r.hit !== null);
        return [t, { found: count(of, 'found'), hits: count(of, 'hit'), confirmed: wilson(shown.filter((r) => r.hit && r.found).length, shown.length) }];
      }),
    ),
  };
}
