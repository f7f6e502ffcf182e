/**
 * The assistance report: per env × view × assistant × reveal budget, pooled over seeds, the
 * overseer's accuracy and flaws found in each arm of the randomized trial, with 95% intervals,
 * the assisted-minus-unassisted difference, and flaws found per flaw type; set beside Saunders
 * et al. 2022 (critiques helped people find about 50% more flaws).
 */
import { lineChart, stackCharts, type Series } from '../../utils/svg.js';
import { proportionDifference, wilson, type Proportion } from '../../utils/stats.js';
import { summarizeArm, TRIAL_ARMS, type ArmResult, type TrialArm, type TrialRecord } from './trial.js';

/** Saunders et al. 2022: assisted people found about 50% more flaws than unassisted ones. */
export const SAUNDERS_2022_FLAWS_RATIO = 1.5;

export interface TrialCell {
  envId: string;
  view: string;
  assistant: string;
  /** Labels a trained assistant got from the overseer (null: untrained). */
  assistantLabels: number | null;
  budget: number;
  seed: number;
  pairs: number;
  cleanPairs: number;
  teacher: string;
}

export interface SavedTrial {
  cell: TrialCell;
  records: TrialRecord[];
  /** D per flaw type on this seed's pairs (see discriminator.ts). */
  discriminator?: Record<string, Proportion>;
}

export interface TrialGroup {
  envId: string;
  view: string;
  assistant: string;
  budget: number;
  seeds: number[];
  arms: Record<TrialArm, ArmResult>;
  difference: { accuracy: { diff: number; lo: number; hi: number }; flawsFound: { diff: number; lo: number; hi: number } };
  flawsFoundRatio: number;
  /** D per flaw type, pooled over seeds. */
  discriminator: Record<string, Proportion>;
}

/** Pools the seeds of each env × view × assistant × budget: every pair is one more randomized unit. */
export function groupTrials(trials: readonly SavedTrial[]): TrialGroup[] {
  const groups = new Map<string, SavedTrial[]>();
  for (const t of trials) {
    // Everything that makes a trial but the seed: cells differing in any of it are not pooled.
    const key = [t.cell.envId, t.cell.view, t.cell.assistant, t.cell.assistantLabels ?? '', t.cell.budget, t.cell.teacher, t.cell.pairs, t.cell.cleanPairs].join('\u0000');
    const group = groups.get(key) ?? [];
    if (group.some((g) => g.cell.seed === t.cell.seed)) throw new Error(`two trials of ${t.cell.envId} ${t.cell.view} ${t.cell.assistant} budget ${t.cell.budget} with seed ${t.cell.seed}: a seed is pooled once`);
    groups.set(key, [...group, t]);
  }
  const order = (t: SavedTrial) => [t.cell.envId, t.cell.view, t.cell.assistant, String(t.cell.assistantLabels ?? 0).padStart(9, '0'), String(t.cell.budget).padStart(4, '0')].join('\u0000');
  return [...groups.values()].sort((a, b) => (order(a[0]) < order(b[0]) ? -1 : 1)).map((ts) => {
    const records = ts.flatMap((t) => t.records);
    const arms = Object.fromEntries(TRIAL_ARMS.map((arm) => [arm, summarizeArm(records.filter((r) => r.arm === arm))])) as Record<TrialArm, ArmResult>;
    return {
      envId: ts[0].cell.envId,
      view: ts[0].cell.view,
      assistant: ts[0].cell.assistantLabels === null || ts[0].cell.assistantLabels === undefined ? ts[0].cell.assistant : `${ts[0].cell.assistant} (${ts[0].cell.assistantLabels} labels)`,
      budget: ts[0].cell.budget,
      seeds: ts.map((t) => t.cell.seed).sort((a, b) => a - b),
      arms,
      difference: {
        accuracy: proportionDifference(arms.assisted.accuracy, arms.unassisted.accuracy),
        flawsFound: proportionDifference(arms.assisted.flawsFound, arms.unassisted.flawsFound),
      },
      flawsFoundRatio: arms.assisted.flawsFound.rate / arms.unassisted.flawsFound.rate,
      discriminator: pooled(ts.map((t) => t.discriminator ?? {})),
    };
  });
}

/** Proportions per key summed over parts (k and n added), with the Wilson interval of the sums. */
function pooled(parts: readonly Record<string, Proportion>[]): Record<string, Proportion> {
  const keys = [...new Set(parts.flatMap((p) => Object.keys(p)))].sort();
  return Object.fromEntries(keys.map((k) => [k, wilson(parts.reduce((s, p) => s + (p[k]?.k ?? 0), 0), parts.reduce((s, p) => s + (p[k]?.n ?? 0), 0))]));
}

const pct = (p: Proportion) => (Number.isFinite(p.rate) ? `${(100 * p.rate).toFixed(1)}% [${(100 * p.lo).toFixed(1)}, ${(100 * p.hi).toFixed(1)}] (n ${p.n})` : '-');
const pts = (d: { diff: number; lo: number; hi: number }) => (Number.isFinite(d.diff) ? `${d.diff >= 0 ? '+' : ''}${(100 * d.diff).toFixed(1)} [${(100 * d.lo).toFixed(1)}, ${(100 * d.hi).toFixed(1)}]` : '-');

export function markdownTables(groups: readonly TrialGroup[]): string {
  const main = [
    '| env | view | assistant | reveals per label | seeds | accuracy unassisted | accuracy assisted | Δ accuracy (points) | flaws found unassisted | flaws found assisted | Δ flaws found (points) | flaws found ratio | reveals spent per pair | reveals on the flaw |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...groups.map(
      (g) =>
        `| ${g.envId} | ${g.view} | ${g.assistant} | ${g.budget} | ${g.seeds.join(',')} | ${pct(g.arms.unassisted.accuracy)} | ${pct(g.arms.assisted.accuracy)} | ${pts(g.difference.accuracy)} | ${pct(g.arms.unassisted.flawsFound)} | ${pct(g.arms.assisted.flawsFound)} | ${pts(g.difference.flawsFound)} | ${Number.isFinite(g.flawsFoundRatio) ? `${g.flawsFoundRatio.toFixed(2)}x` : '-'} | ${g.arms.assisted.revealsPerPair.toFixed(2)} | ${pct(g.arms.assisted.hits)} |`,
    ),
  ];
  const byFlaw = [
    '| env | view | assistant | reveals per label | flaw | found unassisted | found assisted | reveals on the flaw |',
    '|---|---|---|---|---|---|---|---|',
    ...groups.flatMap((g) =>
      Object.keys({ ...g.arms.assisted.byFlaw, ...g.arms.unassisted.byFlaw })
        .sort()
        .map((f) => `| ${g.envId} | ${g.view} | ${g.assistant} | ${g.budget} | ${f} | ${pct(g.arms.unassisted.byFlaw[f]?.found ?? wilson(0, 0))} | ${pct(g.arms.assisted.byFlaw[f]?.found ?? wilson(0, 0))} | ${pct(g.arms.assisted.byFlaw[f]?.hits ?? wilson(0, 0))} |`),
    ),
  ];
  const gap = [
    '| env | view | assistant | reveals per label | flaw | D: discriminator prefers the clean clip | C: critique shows the flaw and the overseer confirms it | D - C (points) |',
    '|---|---|---|---|---|---|---|---|',
    ...groups.flatMap((g) =>
      Object.keys(g.discriminator).map((f) => {
        const d = g.discriminator[f];
        const c = g.arms.assisted.byFlaw[f]?.confirmed ?? wilson(0, 0);
        return `| ${g.envId} | ${g.view} | ${g.assistant} | ${g.budget} | ${f} | ${pct(d)} | ${pct(c)} | ${Number.isFinite(d.rate - c.rate) ? (100 * (d.rate - c.rate)).toFixed(1) : '-'} |`;
      }),
    ),
  ];
  return [...main, '', 'Per flaw type:', '', ...byFlaw, '', 'The discriminator-critique gap per flaw type (Saunders et al. 2022): D, how often a reward model over the full recording, fitted to 500 of the full view\'s preferences on other pairs, scores the clean clip above the flawed one; C, how often the critique showed the flaw and the overseer then preferred the clean clip.', '', ...gap].join('\n');
}

/** Flaws found against the reveal budget, per env × view (one line per assistant and arm). */
export function reportSvg(groups: readonly TrialGroup[]): string {
  const panels = new Map<string, TrialGroup[]>();
  for (const g of groups) panels.set(`${g.envId} / ${g.view}`, [...(panels.get(`${g.envId} / ${g.view}`) ?? []), g]);
  const colors = ['#d9822b', '#1f6fb5', '#2a9d4b', '#8e44ad'];
  const charts = [...panels.entries()].map(([title, gs]) => {
    const series: Series[] = [];
    [...new Set(gs.map((g) => g.assistant))].forEach((a, i) => {
      const mine = gs.filter((g) => g.assistant === a).sort((x, y) => x.budget - y.budget);
      series.push({ label: `${a}: assisted`, points: mine.map((g) => [g.budget, g.arms.assisted.flawsFound.rate]), color: colors[i % colors.length] });
      series.push({ label: `${a}: unassisted`, points: mine.map((g) => [g.budget, g.arms.unassisted.flawsFound.rate]), color: colors[i % colors.length], dashed: true });
    });
    return lineChart(series, { title: `${title}: flaws found against reveals per label`, xLabel: 'reveals per label', yLabel: 'planted flaws found' });
  });
  return stackCharts(charts);
}
