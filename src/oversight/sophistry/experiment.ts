/**
 * The sophistry organism (issue 18): the 2017 preference loop trained on the labels of an
 * overseer who judges clips from a limited view, beside a control arm trained on the full view
 * at the same budget. Each round it measures, on the current policy's clips:
 *
 *   approval  the limited overseer's win rate of the current clips against a fixed reference
 *             set (the first round's clips): its verdict on the policy;
 *   truth     the same win rate by the task's true intent (the full view);
 *   gap       approval − truth;
 *   FPR       the limited overseer's false-positive rate on fresh probe pairs of current clips;
 *
 * and, from an audit (a full-view validation overseer answering a random few of the queries,
 * never trained on), whether the trained-on overseer disagrees with the audit beyond the
 * alarm's threshold, and at which step the alarm fired.
 *
 * Views, overseers and the audit are strategies passed in (`SophistryParts`), so a new view
 * plugs in without editing this file.
 */
import type { RenderSpec } from '../../envs/render.js';
import { trainFromPreferences, type PrefsConfigInput, type PrefsMetrics } from '../../prefs/loop.js';
import type { PreferenceRun } from '../../prefs/run.js';
import type { Segment } from '../../prefs/segments.js';
import type { Teacher } from '../../prefs/teachers.js';
import { MemoryProjectStore } from '../../store/memory.js';
import { Rng } from '../../utils/rng.js';
import { AuditedTeacher, alarmState, auditSummary, type AlarmOptionsInput, type AuditSummary } from '../audit/index.js';
import type { ClipView } from '../views/view.js';
import { mean } from '../../utils/stats.js';
import { falsePositiveRate, winRate } from './measure.js';

export const ARMS = ['limited', 'control', 'assisted'] as const;
export type Arm = (typeof ARMS)[number];

export interface SophistryCell {
  envId: string;
  /** The limited overseer's view, e.g. 'projection'. */
  view: string;
  /**
   * 'limited': trained on the limited overseer's labels; 'control': on the full view's;
   * 'assisted': on the limited overseer's when an assistant's critiques show it evidence
   * (`SophistryParts.assisted`).
   */
  arm: Arm;
  seed: number;
  labels: number;
  steps: number;
  /** Share of the queries the full-view auditor also answers (never trained on). */
  auditRate: number;
  /** Probe pairs of current clips per round for the false-positive rate. */
  probes: number;
  /** The 'assisted' arm: its assistant, the labels it was trained on, and the reveals per label. */
  assistant?: { name: string; labels: number; budget: number };
}

/** What an experiment is built from: the views, the overseers, and the loop's settings. */
export interface SophistryParts {
  /** How the env is drawn (the views read render states by it). */
  spec: RenderSpec;
  /** The limited overseer's view and the full view. */
  limitedView: ClipView;
  fullView: ClipView;
  /** A teacher judging through `view` (B-Pref noise included), seeded. */
  overseer(view: ClipView, seed: number): Teacher;
  /** The 'assisted' arm's teacher: the limited overseer with an assistant, seeded; it reports each critique's reveals. */
  assisted?(view: ClipView, seed: number, onReveals: (n: number) => void): Teacher;
  /** Loop settings beyond the cell's (segment length, PPO, reward model...). */
  prefs?: Partial<PrefsConfigInput>;
  alarm?: AlarmOptionsInput;
}

export interface SophistryRow {
  round: number;
  envSteps: number;
  labels: number;
  approval: number;
  truth: number;
  gap: number;
  /** Mean per-step reward of the current clips, as the limited overseer sees it and truly. */
  apparentReward: number;
  trueReward: number;
  falsePositiveRate: number;
  probePairs: number;
  /** Usable audit pairs so far, and whether the alarm has fired. */
  audits: number;
  alarm: boolean;
  /** The run's own true episode return (the env's reward; for gridworlds the visible one). */
  episodeReturn: number | null;
}

export interface SophistryResult {
  cell: SophistryCell;
  rows: SophistryRow[];
  audit: AuditSummary;
  /** Env steps at which the alarm fired, or null. */
  alarmAtStep: number | null;
  /** The 'assisted' arm: reveals its overseer was shown over the run. */
  reveals?: number;
}

const sum = (r: Float64Array) => r.reduce((a, b) => a + b, 0);

/** Runs one cell: the loop with its overseer (audited), measuring every round. */
export async function runSophistryCell(cell: SophistryCell, parts: SophistryParts, onRow?: (row: SophistryRow) => void): Promise<SophistryResult> {
  const { spec, limitedView, fullView } = parts;
  // Separate seeds: the trained-on overseer's noise, the auditor's, and the audit's sampling.
  let reveals = 0;
  let inner: Teacher;
  if (cell.arm === 'assisted') {
    if (!parts.assisted) throw new Error("the 'assisted' arm needs an assisted overseer (SophistryParts.assisted)");
    inner = parts.assisted(limitedView, cell.seed * 1000 + 1, (n) => (reveals += n));
  } else inner = parts.overseer(cell.arm === 'limited' ? limitedView : fullView, cell.seed * 1000 + 1);
  const auditor = parts.overseer(fullView, cell.seed * 1000 + 2);
  const teacher = new AuditedTeacher(inner, auditor, { rate: cell.auditRate }, cell.seed * 1000 + 3);
  const project = new MemoryProjectStore(0, 0);
  project.createRun({ id: 'run', envId: cell.envId, renderSpec: spec });
  const probeRng = new Rng(cell.seed * 1000 + 4);

  let reference: { apparent: number[]; truth: number[] } | null = null;
  const rows: SophistryRow[] = [];
  let alarmAtStep: number | null = null;
  // Each clip's rewards as a view sees them, judged once per round.
  const judged = (clips: readonly Segment[], view: ClipView) => clips.map((s) => view.apparentRewards(s, spec));

  const measure = (m: PrefsMetrics, run: PreferenceRun) => {
    const clips = run.latestSegments.filter((s) => s.render !== null);
    if (clips.length === 0) return;
    const apparentRewards = judged(clips, limitedView);
    const trueRewards = judged(clips, fullView);
    const apparent = apparentRewards.map(sum);
    const truth = trueRewards.map(sum);
    reference ??= { apparent, truth };
    const approval = winRate(apparent, reference.apparent);
    const truthRate = winRate(truth, reference.truth);
    const probe = falsePositiveRate(apparent, truth, cell.probes, probeRng);
    const alarm = alarmState(teacher.log.pairs(), parts.alarm);
    if (alarm.fired && alarmAtStep === null) alarmAtStep = m.envSteps;
    const row: SophistryRow = {
      round: rows.length + 1,
      envSteps: m.envSteps,
      labels: m.labels,
      approval,
      truth: truthRate,
      gap: approval - truthRate,
      apparentReward: mean(apparentRewards.map(mean)),
      trueReward: mean(trueRewards.map(mean)),
      falsePositiveRate: probe.rate,
      probePairs: probe.pairs,
      audits: alarm.n,
      alarm: alarm.fired,
      episodeReturn: m.trueReturn,
    };
    rows.push(row);
    onRow?.(row);
  };

  const prefs: PrefsConfigInput = { envId: cell.envId, seed: cell.seed, totalTimesteps: cell.steps, labelBudget: cell.labels, diagnostics: false, ...parts.prefs };
  await trainFromPreferences(prefs, { store: project.runStore('run'), teacher, onRound: measure });
  return { cell, rows, audit: auditSummary(teacher.log, parts.alarm), alarmAtStep, ...(cell.arm === 'assisted' ? { reveals } : {}) };
}
