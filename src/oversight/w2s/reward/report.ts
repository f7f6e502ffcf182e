/**
 * The reward-model section of the weak-to-strong report: per task, held-out true-preference
 * accuracy of the weak model, each weak-to-strong method and the ceiling, PGR (mean and 95% t
 * interval over seeds) beside the paper's ~10%, tuning inflation, easy-to-hard, and the
 * downstream RL returns; as JSON and Markdown.
 */
import { meanCi, pgr, type MeanCi } from '../pgr.js';
import type { Provenance } from '../report.js';
import { W2S_METHODS, type RewardSeedResult, type RewardW2sOptions, type W2sMethod } from './experiment.js';

/** Burns et al. 2023: reward modelling is the worst case, ~10% PGR with naive training [2nd-hand, OVERSIGHT.md §3]. */
export const PAPER_RM_PGR = 0.1;
/** Hase et al. 2024: easy-only training recovers ~70-100% of the gap to hard training [2nd-hand]. */
export const HASE_GAP_RECOVERED: [number, number] = [0.7, 1.0];

export const RL_ARMS = ['true', 'weak', 'naive', 'ceiling'] as const;
export type RlArm = (typeof RL_ARMS)[number];

export interface RlCell {
  envId: string;
  arm: RlArm;
  seed: number;
  steps: number;
  meanReturn: number;
  returns: number[];
  seconds: number;
}

export interface TaskSummary {
  envId: string;
  seeds: number[];
  accuracy: { weak: MeanCi | null; ceiling: MeanCi | null; ceilingLastEpoch: MeanCi | null; randomTrunkCeiling: MeanCi | null } & Record<W2sMethod, MeanCi | null>;
  pgr: Record<W2sMethod, MeanCi | null>;
  /**
   * PGR of the means over seeds, (mean student - mean weak) / (mean ceiling - mean weak): a seed
   * whose gap is small cannot swing it as it swings the mean of per-seed ratios.
   */
  pgrPooled: Record<W2sMethod, number | null>;
  /** Per seed, ceiling minus weak on T (points of accuracy): how much gap there is to recover. */
  gaps: number[];
  pgrLastEpoch: Record<W2sMethod, MeanCi | null>;
  pgrTruthTuned: Record<W2sMethod, MeanCi | null>;
  /** Per method: seeds where it beat naive on T (weak-only selection). */
  beatsNaive: Record<W2sMethod, number>;
  easyHard: { margin: { easy: MeanCi | null; hard: MeanCi | null; recovered: MeanCi | null }; stage: { easy: MeanCi | null; hard: MeanCi | null; recovered: MeanCi | null } };
  pretrainLoss: MeanCi | null;
  seedSeconds: MeanCi | null;
  rl: RlCell[];
}

export interface RewardReport {
  format: 'overseer.w2s-reward-report';
  version: 1;
  provenance: Provenance;
  options: RewardW2sOptions;
  pool: { envId: string; seed: number; steps: number; segments: number; segmentLength: number; seconds: number; referenceReturn: number }[];
  tasks: TaskSummary[];
  findings: string[];
  /** How the settings were chosen, and what was looked at before choosing them. */
  notes: string[];
  timing: { wallSeconds: number; seedSeconds: number; rlSeconds: number; poolSeconds: number; estimateFullSeconds: number | null; estimateNote: string };
}

const ci = (xs: (number | null)[]) => meanCi(xs);

export function summarizeTask(envId: string, seeds: readonly RewardSeedResult[], rl: RlCell[]): TaskSummary {
  const per = <T>(f: (r: RewardSeedResult) => T) => seeds.map(f);
  const byMethod = <T>(f: (m: W2sMethod) => T) => Object.fromEntries(W2S_METHODS.map((m) => [m, f(m)])) as Record<W2sMethod, T>;
  const lastPgr = (r: RewardSeedResult, m: W2sMethod) => {
    const gap = r.ceiling.truthSelected.testAccuracy - r.weak.testAccuracy;
    return gap > 0 ? (r.students[m].last.testAccuracy - r.weak.testAccuracy) / gap : null;
  };
  const eh = (k: 'margin' | 'stage') => ({
    easy: ci(per((r) => r.easyHard[k].easyToHard)),
    hard: ci(per((r) => r.easyHard[k].hardToHard)),
    recovered: ci(per((r) => r.easyHard[k].gapRecovered)),
  });
  return {
    envId,
    seeds: per((r) => r.seed),
    accuracy: {
      weak: ci(per((r) => r.weak.testAccuracy)),
      ceiling: ci(per((r) => r.ceiling.truthSelected.testAccuracy)),
      ceilingLastEpoch: ci(per((r) => r.ceiling.last.testAccuracy)),
      randomTrunkCeiling: ci(per((r) => r.randomTrunkCeiling)),
      ...byMethod((m) => ci(per((r) => r.students[m].weakSelected.testAccuracy))),
    },
    pgr: byMethod((m) => ci(per((r) => r.pgr[m]))),
    pgrPooled: byMethod((m) => {
      const avg = (f: (r: RewardSeedResult) => number) => seeds.reduce((a, r) => a + f(r), 0) / seeds.length;
      return pgr(avg((r) => r.weak.testAccuracy), avg((r) => r.students[m].weakSelected.testAccuracy), avg((r) => r.ceiling.truthSelected.testAccuracy));
    }),
    gaps: per((r) => 100 * (r.ceiling.truthSelected.testAccuracy - r.weak.testAccuracy)),
    pgrLastEpoch: byMethod((m) => ci(per((r) => lastPgr(r, m)))),
    pgrTruthTuned: byMethod((m) => ci(per((r) => r.pgrTruthTuned[m]))),
    beatsNaive: byMethod((m) => seeds.filter((r) => r.students[m].weakSelected.testAccuracy > r.students.naive.weakSelected.testAccuracy).length),
    easyHard: { margin: eh('margin'), stage: eh('stage') },
    pretrainLoss: ci(per((r) => r.pretrain.losses[r.pretrain.losses.length - 1])),
    seedSeconds: ci(per((r) => r.seconds)),
    rl,
  };
}

const pooled = (x: number | null) => (x === null ? '–' : x.toFixed(2));
const pct = (x: MeanCi | null) => (x === null ? '–' : `${(100 * x.mean).toFixed(1)}${x.halfWidth === null ? '' : ` ± ${(100 * x.halfWidth).toFixed(1)}`}`);
const frac = (x: MeanCi | null) => (x === null ? '–' : `${x.mean.toFixed(2)}${x.halfWidth === null ? '' : ` ± ${x.halfWidth.toFixed(2)}`}`);

/** Findings stated from the numbers (each says what it compares). */
export function rewardFindings(tasks: readonly TaskSummary[]): string[] {
  const out: string[] = [];
  for (const t of tasks) {
    const naive = t.pgr.naive;
    if (naive) {
      const lo = naive.halfWidth === null ? naive.mean : naive.mean - naive.halfWidth;
      const hi = naive.halfWidth === null ? naive.mean : naive.mean + naive.halfWidth;
      const vsPaper = hi < PAPER_RM_PGR ? 'below' : lo > PAPER_RM_PGR ? 'above' : 'consistent with';
      out.push(`${t.envId}: naive reward-model PGR ${frac(naive)} (${t.seeds.length} seeds; of the means over seeds ${pooled(t.pgrPooled.naive)}) is ${vsPaper} the paper's ~${PAPER_RM_PGR} and ${lo > 0 ? 'positive' : 'not clearly positive'}.`);
    }
    // How much there was to recover: a weak model nearly as good as the ceiling leaves a gap of a
    // few points, within which a PGR interval cannot tell 0 from the paper's 0.1.
    const [w, c] = [t.accuracy.weak, t.accuracy.ceiling];
    if (w && c) {
      const small = t.gaps.filter((g) => g < 3).length;
      out.push(`${t.envId}: the gap to recover is ${t.gaps.map((g) => g.toFixed(1)).join(', ')} points (weak ${pct(w)}% against ceiling ${pct(c)}%)${small > 0 ? `; ${small} seed(s) under 3 points, where one point of test accuracy moves PGR by a third or more` : ''}. The weak model here is not much weaker than the strong one, so this cannot tell naive PGR of 0 from the paper's ~0.1.`);
    }
    for (const m of W2S_METHODS) {
      if (m === 'naive' || !t.pgr[m]) continue;
      out.push(`${t.envId}: ${m} PGR ${frac(t.pgr[m])} against naive ${frac(naive)}; beat naive on ${t.beatsNaive[m]} of ${t.seeds.length} seeds.`);
    }
    const tt = t.pgrTruthTuned.naive;
    if (naive && tt) out.push(`${t.envId}: choosing the naive student's epoch on V's true preferences would report PGR ${frac(tt)} against ${frac(naive)} on weak labels only (tuning inflation ${(tt.mean - naive.mean).toFixed(2)}).`);
    // Both at their last epoch, so the comparison uses one rule.
    const [pre, rnd] = [t.accuracy.ceilingLastEpoch, t.accuracy.randomTrunkCeiling];
    if (pre && rnd) out.push(`${t.envId}: the ceiling's probe on an untrained trunk of the same width scores ${pct(rnd)}% against ${pct(pre)}% on the pretrained one (both at their last epoch): forward-dynamics pretraining adds ${(100 * (pre.mean - rnd.mean)).toFixed(1)} points, so the strong model's edge comes mostly from its width and its labels, not from latent knowledge as in the paper.`);
    const arms = RL_ARMS.map((arm) => ({ arm, cells: t.rl.filter((c) => c.arm === arm) })).filter((a) => a.cells.length > 0);
    if (arms.length > 1) out.push(`${t.envId}: downstream PPO (${t.rl[0]?.steps ?? '?'} steps), mean true return over seeds: ${arms.map((a) => `${a.arm} ${(a.cells.reduce((x, c) => x + c.meanReturn, 0) / a.cells.length).toFixed(0)} (${a.cells.length})`).join(', ')}. With ${Math.max(...arms.map((a) => a.cells.length))} PPO seeds per reward model, one true-reward run and ${t.rl[0]?.steps ?? '?'} steps, these runs cannot rank the reward models.`);
    const eh = t.easyHard.margin.recovered;
    if (eh) out.push(`${t.envId}: easy-to-hard (large-margin pairs -> small-margin pairs) recovers ${frac(eh)} of the gap from chance to hard training (Hase et al. 2024: ~${HASE_GAP_RECOVERED[0]}-${HASE_GAP_RECOVERED[1]}).`);
  }
  return out;
}

export function reportMarkdown(r: RewardReport): string {
  const L: string[] = [];
  L.push('## Weak-to-strong on reward models');
  L.push('');
  const m = r.provenance.machine;
  L.push(`Command: \`${r.provenance.command}\` at ${r.provenance.gitCommit ?? 'unknown commit'}, ${r.provenance.date}; ${m.cpu}, ${m.cores} cores (shared), ${m.os}, Node ${m.node}.`);
  L.push('');
  L.push(
    `Setup (src/oversight/w2s/reward/): a pool of clips recorded over one true-reward PPO run per task (seed ${r.pool[0]?.seed ?? 1}), split by segment into W/S/V/T. ` +
      `Weak: RewardModel, 1 member, hidden [${r.options.weak.hidden.join(', ')}], ${r.options.pairs.W} '${r.options.weak.teacher}' B-Pref labels of W pairs. ` +
      `Strong: a [${r.options.trunk.hidden.join(', ')}] trunk pretrained on forward dynamics (predict Δo from (o, a)) over the unlabelled clips of W, S and V, then a linear probe (frozen trunk) on ${r.options.pairs.S} S pairs. ` +
      `Ceiling: the same probe on S's true preferences. Test: ${r.options.pairs.T} T pairs, true preferences. Early stopping of weak-to-strong students: agreement with the weak model's labels on ${r.options.pairs.V} V pairs only.`,
  );
  L.push('');
  L.push(`Accuracy on T (%, mean ± 95% t interval over seeds) and PGR (mean of per-seed PGRs; "pooled": of the means); the paper's reward-modelling PGR is ~${PAPER_RM_PGR} (naive). Every seed draws its splits, weak model and probes from the same pool, recorded by one PPO run per task: the intervals cover those, not the pool.`);
  L.push('');
  L.push(`| task | seeds | weak | ${W2S_METHODS.join(' | ')} | ceiling | ceiling, untrained trunk (last epoch) | ${W2S_METHODS.map((m) => `PGR ${m} (pooled)`).join(' | ')} |`);
  L.push(`|---|---|---|${W2S_METHODS.map(() => '---|').join('')}---|---|${W2S_METHODS.map(() => '---|').join('')}`);
  for (const t of r.tasks) {
    L.push(`| ${t.envId} | ${t.seeds.join(', ')} | ${pct(t.accuracy.weak)} | ${W2S_METHODS.map((m) => pct(t.accuracy[m])).join(' | ')} | ${pct(t.accuracy.ceiling)} | ${pct(t.accuracy.randomTrunkCeiling)} | ${W2S_METHODS.map((m) => `${frac(t.pgr[m])} (${pooled(t.pgrPooled[m])})`).join(' | ')} |`);
  }
  L.push('');
  L.push('PGR by how the student\'s epoch is chosen: on weak labels (honest), the last epoch, or on V\'s true preferences (what tuning on ground truth would report).');
  L.push('');
  L.push(`| task | method | weak-selected | last epoch | truth-selected |`);
  L.push('|---|---|---|---|---|');
  for (const t of r.tasks) for (const m of W2S_METHODS) L.push(`| ${t.envId} | ${m} | ${frac(t.pgr[m])} | ${frac(t.pgrLastEpoch[m])} | ${frac(t.pgrTruthTuned[m])} |`);
  L.push('');
  L.push('### Easy-to-hard (reward models)');
  L.push('');
  L.push(
    `The strong probe trained on true preferences of ${r.options.easyHard.pairs} easy S pairs or ${r.options.easyHard.pairs} hard S pairs, tested on hard T pairs. ` +
      `margin: easy = true-return difference above the ${(1 - r.options.easyHard.quantile).toFixed(2)} quantile of S's pairs' differences, hard = below the ${r.options.easyHard.quantile.toFixed(2)} quantile. ` +
      `stage: easy = both clips from the first half of the recording run, hard = both from the second half. Gap recovered = (easy − 50%) / (hard − 50%): chance is the unsupervised baseline. ` +
      `Hase et al. 2024 report ~${HASE_GAP_RECOVERED[0] * 100}–${HASE_GAP_RECOVERED[1] * 100}% on language tasks; Sun et al. 2024 find reward models (evaluators) trained on easy problems generalise to hard ones better than generators do.`,
  );
  L.push('');
  L.push('| task | split | easy → hard (%) | hard → hard (%) | gap recovered |');
  L.push('|---|---|---|---|---|');
  for (const t of r.tasks) for (const k of ['margin', 'stage'] as const) L.push(`| ${t.envId} | ${k} | ${pct(t.easyHard[k].easy)} | ${pct(t.easyHard[k].hard)} | ${frac(t.easyHard[k].recovered)} |`);
  L.push('');
  L.push('### Downstream RL');
  L.push('');
  L.push('True return (deterministic evaluation, 5 episodes) of PPO trained on each reward model through the learned-reward env, same PPO settings and steps as the true-reward run that recorded the pool (its final policy is the `true` row).');
  L.push('');
  L.push('| task | reward | seed | steps | true return | seconds |');
  L.push('|---|---|---|---|---|---|');
  for (const t of r.tasks) for (const c of t.rl) L.push(`| ${t.envId} | ${c.arm} | ${c.seed} | ${c.steps} | ${c.meanReturn.toFixed(1)} | ${c.seconds.toFixed(0)} |`);
  L.push('');
  L.push('### Findings');
  L.push('');
  for (const f of r.findings) L.push(`- ${f}`);
  L.push('');
  if (r.notes.length > 0) {
    L.push('### How the settings were chosen');
    L.push('');
    for (const n of r.notes) L.push(`- ${n}`);
    L.push('');
  }
  L.push(`Timing: ${r.timing.wallSeconds.toFixed(0)} s wall-clock for this invocation (cached cells are read, not rerun); recording pools ${r.timing.poolSeconds.toFixed(0)} s, seeds ${r.timing.seedSeconds.toFixed(0)} s, RL ${r.timing.rlSeconds.toFixed(0)} s (as recorded in the cached cells). ${r.timing.estimateNote}`);
  L.push('');
  return L.join('\n');
}
