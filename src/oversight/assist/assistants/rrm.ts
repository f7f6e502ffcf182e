/**
 * The rrm assistant: recursive reward modeling, one level down (Leike et al. 2018). The task
 * the overseer cannot judge well is "which clip is better"; the easier one it can judge is
 * "which of these two pieces of evidence showed me more that I had missed?": it looks at each
 * reveal and sees how far it moved its own comparison of the pair. The assistant is a reward
 * model, fitted by Bradley-Terry to the overseer's answers to that easier question, that scores
 * a candidate reveal from the full recording; its critique is the `budget` best-scored reveals.
 *
 * Its training signal is the overseer's check alone (the limited view plus the revealed
 * evidence): nothing here reads the task's intent, the full view or a planted flaw.
 *
 *   1. draw a training pair and two candidate reveals r1, r2 of it;
 *   2. the overseer judges each: worth(r) = |d(with r) - d(without)|, d = its return difference;
 *   3. it answers which showed more (B-Pref noise on the worths): a comparison;
 *   4. fit r̂(φ(pair, r)) to the comparisons (src/prefs/rewardModel.ts, segments of one step);
 *   5. critique = the top-`budget` candidates by r̂.
 */
import type { RenderSpec } from '../../../envs/render.js';
import { poisson1, RewardModel, type Comparison, type FitStats, type PreferenceTarget } from '../../../prefs/rewardModel.js';
import type { Segment } from '../../../prefs/segments.js';
import { simulatedAnswer, type SimulatedTeacherParams } from '../../../prefs/teachers.js';
import { Rng } from '../../../utils/rng.js';
import type { ClipView, RevealTarget } from '../../views/view.js';
import { revealCandidates, seenWithCritique, type Assistant, type ClipPair, type Critique, type CritiqueContext } from '../critique.js';

/** The overseer's comparison of a pair (its return difference, left minus right) when shown `reveals`. */
export function judgedDifference(view: ClipView, spec: RenderSpec, pair: ClipPair, reveals: readonly RevealTarget[]): number {
  const seen = seenWithCritique(pair, { reveals: [...reveals], reason: '' }, { view, spec });
  const sum = (s: Segment) => view.judge(s, spec).reduce((a, b) => a + b, 0);
  return sum(seen.left) - sum(seen.right);
}

/** The overseer's own check of a reveal: how far the evidence moved its comparison of the pair (`unshown`: the comparison without it). */
export function revealWorth(view: ClipView, spec: RenderSpec, pair: ClipPair, r: RevealTarget, unshown = judgedDifference(view, spec, pair, [])): number {
  return Math.abs(judgedDifference(view, spec, pair, [r]) - unshown);
}

/** How a reveal is described to the model: its kind, when, where, and what the recording holds there in each clip. */
export interface FeatureLayout {
  kinds: readonly string[];
  cells: number;
  /** Numbers a reveal shows per clip, at most (shorter ones are padded with 0). */
  width: number;
}

export function featureLayout(view: ClipView, spec: RenderSpec, sample: Segment): FeatureLayout {
  const cells = spec.kind === 'grid' ? spec.rows * spec.cols : 0;
  const width = Math.max(...view.revealKinds.map((kind) => view.revealPositions({ kind, step: 0, ...(kind === 'cell' ? { cell: 0 } : {}) }, sample, spec).reduce((n, p) => n + p.to - p.from, 0)));
  return { kinds: view.revealKinds, cells, width };
}

export const featureSize = (l: FeatureLayout) => l.kinds.length + 1 + l.cells + 3 * l.width;

/** φ(pair, r): kind one-hot, step / length, cell one-hot, the recorded numbers in the left and right clips and their difference. */
export function revealFeatures(view: ClipView, spec: RenderSpec, pair: ClipPair, r: RevealTarget, l: FeatureLayout, out = new Float32Array(featureSize(l))): Float32Array {
  out.fill(0);
  out[l.kinds.indexOf(r.kind)] = 1;
  let o = l.kinds.length;
  out[o++] = r.step / Math.max(1, pair.left.length - 1);
  if (r.cell !== undefined && l.cells) out[o + r.cell] = 1;
  o += l.cells;
  const values = (s: Segment) => view.revealPositions(r, s, spec).flatMap(({ array, from, to }) => Array.from(s[array]!.subarray(from, to)));
  const [a, b] = [values(pair.left), values(pair.right)];
  for (let i = 0; i < Math.min(l.width, a.length); i++) {
    out[o + i] = a[i];
    out[o + l.width + i] = b[i];
    out[o + 2 * l.width + i] = a[i] - b[i];
  }
  return out;
}

/** A reveal's features as a one-step segment, the reward model's unit. */
const asSegment = (id: string, x: Float32Array): Segment => ({ id, envId: 'reveal', seed: 0, envIndex: 0, globalStep: 0, length: 1, obsSize: x.length, actionSize: 0, renderSize: 0, render: null, terminated: false, obs: x, actions: new Float32Array(0) });

export interface RrmTraining {
  /** Comparisons of reveals the overseer answers (its labels for the easier task). */
  labels: number;
  epochs: number;
  /** The overseer's B-Pref noise when it compares two reveals. */
  params: SimulatedTeacherParams;
  ensembleSize: number;
}

export const RRM_DEFAULTS: Omit<RrmTraining, 'params'> = { labels: 500, epochs: 40, ensembleSize: 3 };

export class RrmAssistant implements Assistant {
  readonly name = 'rrm';
  constructor(
    readonly model: RewardModel,
    readonly layout: FeatureLayout,
    /** Held-out accuracy of the model on the overseer's reveal comparisons, and how many it was fitted on. */
    readonly stats: { labels: number; fit: FitStats },
  ) {}

  /** r̂ of each reveal, mean over the ensemble. */
  scores(pair: ClipPair, candidates: readonly RevealTarget[], view: ClipView, spec: RenderSpec): Float64Array {
    const F = featureSize(this.layout);
    const x = new Float32Array(candidates.length * F);
    candidates.forEach((r, i) => revealFeatures(view, spec, pair, r, this.layout, x.subarray(i * F, (i + 1) * F)));
    const raw = this.model.memberRewards(x, new Float32Array(0), candidates.length);
    const out = new Float64Array(candidates.length);
    const M = this.model.ensembleSize;
    for (let k = 0; k < M; k++) for (let i = 0; i < candidates.length; i++) out[i] += raw[k * candidates.length + i] / M;
    return out;
  }

  critique(pair: ClipPair, ctx: CritiqueContext): Critique {
    const candidates = revealCandidates(ctx.view, pair, ctx.spec);
    // Nothing hidden (a watched episode): nothing to show.
    if (candidates.length === 0) return { reveals: [], reason: 'nothing hidden to show' };
    const s = this.scores(pair, candidates, ctx.view, ctx.spec);
    const order = candidates.map((_, i) => i).sort((i, j) => s[j] - s[i] || i - j);
    const reveals = order.slice(0, ctx.budget).map((i) => candidates[i]);
    return { reveals, reason: reveals.length ? `the evidence most likely to change your verdict (${reveals.map((r) => `${r.kind} at step ${r.step}${r.cell === undefined ? '' : `, cell ${r.cell}`}`).join('; ')})` : 'nothing hidden to show' };
  }
}

/** Trains the rrm assistant on `pairs` (none of them the trial's) from the overseer's judgments of reveals. */
export function trainRrm(view: ClipView, spec: RenderSpec, pairs: readonly ClipPair[], opts: RrmTraining, rng: Rng): RrmAssistant {
  if (pairs.length === 0) throw new Error('rrm: no training pairs');
  if (view.revealKinds.length === 0) throw new Error(`rrm: the ${view.name} view takes no reveals`);
  const layout = featureLayout(view, spec, pairs[0].left);
  const comparisons: Comparison[] = [];
  let worthSum = 0;
  for (let n = 0; n < opts.labels; n++) {
    // 1. A training pair and two candidate reveals of it.
    const pair = pairs[rng.integer(pairs.length)];
    const candidates = revealCandidates(view, pair, spec);
    if (candidates.length < 2) continue;
    const r1 = candidates[rng.integer(candidates.length)];
    const r2 = candidates[rng.integer(candidates.length)];
    // 2-3. The overseer's check of each, and its answer (thresholds scaled by the mean worth so far).
    const unshown = judgedDifference(view, spec, pair, []);
    const w1 = revealWorth(view, spec, pair, r1, unshown);
    const w2 = revealWorth(view, spec, pair, r2, unshown);
    worthSum += w1 + w2;
    const answer = simulatedAnswer(opts.params, [w1], [w2], 1, worthSum / (2 * (n + 1)), rng);
    if (answer === 'incomparable') continue;
    const mu: PreferenceTarget = answer === 'left' ? 1 : answer === 'right' ? 0 : 0.5;
    comparisons.push({ left: asSegment(`${pair.id}/${n}a`, revealFeatures(view, spec, pair, r1, layout)), right: asSegment(`${pair.id}/${n}b`, revealFeatures(view, spec, pair, r2, layout)), mu, validation: rng.random() < 0.2, counts: Uint8Array.from({ length: opts.ensembleSize }, () => poisson1(rng)) });
  }
  // 4. Fit r̂ to the comparisons.
  const model = new RewardModel(featureSize(layout), 0, { ensembleSize: opts.ensembleSize }, rng);
  model.fitInputNormalization(comparisons.flatMap((c) => [c.left, c.right]));
  const fit = model.fit(comparisons, opts.epochs, rng);
  return new RrmAssistant(model, layout, { labels: comparisons.length, fit });
}

