/**
 * The easy-to-hard section of the weak-to-strong report: per task and strong student, hard-test
 * accuracy of the probe trained on easy, hard and all of S (ground truth) and the gap recovered
 * from chance; per weak supervisor, naive training on all its labels beside training only on its
 * labels of easy images, as PGR on the hard test images. Means and 95% t intervals over seeds.
 */
import { mean, median } from '../../utils/stats.js';
import { EASY_HARD_DIFFICULTY, type EasyHardCell } from './easyHard.js';
import { orderStrong } from './grid.js';
import type { WeakName } from './models.js';
import { meanCi, pgr, type MeanCi } from './pgr.js';
import { taskClasses, type Task } from './splits.js';

/** Hase et al. 2024: easy-only training recovers ~70-100% of the gap to hard training [2nd-hand, OVERSIGHT.md §3]. */
export const HASE_RECOVERED: [number, number] = [0.7, 1.0];

export interface EasyHardTruthRow {
  task: Task;
  strong: string;
  seeds: number[];
  /** Chance, 1 / classes: the unsupervised baseline of the gap recovered. */
  baseline: number;
  easyToHard: MeanCi | null;
  hardToHard: MeanCi | null;
  allToHard: MeanCi | null;
  /** (easy->hard - chance) / (hard->hard - chance), per seed then averaged. */
  recovered: MeanCi | null;
  /** Easy->hard minus hard->hard, in accuracy. */
  easyMinusHard: MeanCi | null;
}

export interface EasyHardWeakRow {
  task: Task;
  strong: string;
  weak: WeakName;
  seeds: number[];
  supervisorHard: MeanCi | null;
  /** Accuracy of the supervisor's labels on all of S and on easy S. */
  labelAccuracyAll: MeanCi | null;
  labelAccuracyEasy: MeanCi | null;
  naiveHard: MeanCi | null;
  easyOnlyHard: MeanCi | null;
  /** The all-S ground-truth probe on hard test: the ceiling of PGR on hard images. */
  ceilingHard: MeanCi | null;
  pgrHardNaive: MeanCi | null;
  pgrHardEasyOnly: MeanCi | null;
  /** Seeds where training on easy weak labels only beat naive training on all of them (hard test). */
  easyOnlyBeatsNaive: number;
}

export interface EasyHardReport {
  /** How difficulty is defined (the text of easyHard.ts's rule). */
  difficulty: string;
  share: number | null;
  /** Per task: the reference model's test accuracy, on all and on hard test images, and the count of hard test images. */
  reference: {
    task: Task;
    testAccuracy: MeanCi | null;
    hardTestAccuracy: MeanCi | null;
    testHard: MeanCi | null;
    studentPart: number;
    /** Mean over seeds of each class's share of easy S, hard S and hard test images. */
    classShares: { studentEasy: number[]; studentHard: number[]; testHard: number[] } | null;
  }[];
  truth: EasyHardTruthRow[];
  weak: EasyHardWeakRow[];
  findings: string[];
  cells: number;
}

export function easyHardReport(cells: readonly EasyHardCell[]): EasyHardReport {
  const tasks = [...new Set(cells.map((c) => c.task))];
  const strongs = orderStrong([...new Set(cells.map((c) => c.strong))]).map((s) => s.name);
  const weaks = [...new Set(cells.flatMap((c) => (c.weak === null ? [] : [c.weak])))];
  const truth: EasyHardTruthRow[] = [];
  const weak: EasyHardWeakRow[] = [];
  const reference: EasyHardReport['reference'] = [];
  for (const task of tasks) {
    const t = cells.filter((c) => c.task === task && c.weak === null);
    const oneStrong = t.filter((c) => c.strong === t[0]?.strong);
    reference.push({
      task,
      testAccuracy: meanCi(oneStrong.map((c) => c.reference.testAccuracy)),
      hardTestAccuracy: meanCi(oneStrong.map((c) => c.reference.hardTestAccuracy)),
      testHard: meanCi(oneStrong.map((c) => c.counts.testHard)),
      studentPart: oneStrong[0]?.counts.studentEasy ?? 0,
      classShares: meanShares(oneStrong),
    });
    const baseline = 1 / taskClasses(task);
    for (const strong of strongs) {
      const cs = t.filter((c) => c.strong === strong && c.truth);
      if (cs.length === 0) continue;
      const recovered = cs.map((c) => {
        const gap = c.truth!.hard.hardTestAccuracy - baseline;
        return gap > 0 ? (c.truth!.easy.hardTestAccuracy - baseline) / gap : null;
      });
      truth.push({
        task,
        strong,
        seeds: cs.map((c) => c.seed),
        baseline,
        easyToHard: meanCi(cs.map((c) => c.truth!.easy.hardTestAccuracy)),
        hardToHard: meanCi(cs.map((c) => c.truth!.hard.hardTestAccuracy)),
        allToHard: meanCi(cs.map((c) => c.truth!.all.hardTestAccuracy)),
        recovered: meanCi(recovered),
        easyMinusHard: meanCi(cs.map((c) => c.truth!.easy.hardTestAccuracy - c.truth!.hard.hardTestAccuracy)),
      });
      for (const w of weaks) {
        const ws = cells.filter((c) => c.task === task && c.strong === strong && c.weak === w && c.students);
        if (ws.length === 0) continue;
        const ceilingOf = (seed: number) => cs.find((c) => c.seed === seed)?.truth!.all.hardTestAccuracy;
        const pgrOn = (arm: 'naive' | 'easyOnly') =>
          meanCi(ws.map((c) => {
            const ceil = ceilingOf(c.seed);
            return ceil === undefined ? null : pgr(c.supervisor!.hardTestAccuracy, c.students![arm].hardTestAccuracy, ceil);
          }));
        weak.push({
          task,
          strong,
          weak: w,
          seeds: ws.map((c) => c.seed),
          supervisorHard: meanCi(ws.map((c) => c.supervisor!.hardTestAccuracy)),
          labelAccuracyAll: meanCi(ws.map((c) => c.supervisor!.labelAccuracyAll)),
          labelAccuracyEasy: meanCi(ws.map((c) => c.supervisor!.labelAccuracyEasy)),
          naiveHard: meanCi(ws.map((c) => c.students!.naive.hardTestAccuracy)),
          easyOnlyHard: meanCi(ws.map((c) => c.students!.easyOnly.hardTestAccuracy)),
          ceilingHard: meanCi(ws.map((c) => ceilingOf(c.seed) ?? null)),
          pgrHardNaive: pgrOn('naive'),
          pgrHardEasyOnly: pgrOn('easyOnly'),
          easyOnlyBeatsNaive: ws.filter((c) => c.students!.easyOnly.hardTestAccuracy > c.students!.naive.hardTestAccuracy).length,
        });
      }
    }
  }
  return { difficulty: EASY_HARD_DIFFICULTY, share: cells[0]?.options.easyHardShare ?? null, reference, truth, weak, findings: easyHardFindings(truth, weak), cells: cells.length };
}

function meanShares(cells: readonly EasyHardCell[]): EasyHardReport['reference'][number]['classShares'] {
  const cs = cells.flatMap((c) => (c.classShares ? [c.classShares] : []));
  if (cs.length === 0) return null;
  const avg = (key: 'studentEasy' | 'studentHard' | 'testHard') => cs[0][key].map((_, j) => mean(cs.map((c) => c[key][j])));
  return { studentEasy: avg('studentEasy'), studentHard: avg('studentHard'), testHard: avg('testHard') };
}

const signedPoints = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} points`;
const frac = (x: MeanCi | null | undefined) => (!x ? 'n/a' : `${x.mean.toFixed(2)}${x.halfWidth === null ? '' : ` ± ${x.halfWidth.toFixed(2)}`}`);
const pct = (x: MeanCi | null | undefined) => (!x ? 'n/a' : `${(100 * x.mean).toFixed(1)}${x.halfWidth === null ? '' : ` ± ${(100 * x.halfWidth).toFixed(1)}`}`);

/** Findings stated from the numbers, beside Hase et al. */
export function easyHardFindings(truth: readonly EasyHardTruthRow[], weak: readonly EasyHardWeakRow[]): string[] {
  const out: string[] = [];
  for (const task of [...new Set(truth.map((r) => r.task))]) {
    const rs = truth.filter((r) => r.task === task && r.recovered);
    if (rs.length === 0) continue;
    const rec = rs.map((r) => r.recovered!.mean);
    const inHase = rs.filter((r) => r.recovered!.mean >= HASE_RECOVERED[0]).length;
    const worst = rs.reduce((a, b) => (b.recovered!.mean < a.recovered!.mean ? b : a));
    out.push(
      `${task}: training the probe on the easiest images recovers ${mean(rec).toFixed(2)} of the gap from chance to training on the hardest (mean over ${rs.length} strong students, range ${Math.min(...rec).toFixed(2)}-${Math.max(...rec).toFixed(2)}); ${inHase} of ${rs.length} are in or above Hase et al.'s ~${HASE_RECOVERED[0]}-${HASE_RECOVERED[1]}. Easy training costs ${(-100 * mean(rs.map((r) => r.easyMinusHard!.mean))).toFixed(1)} points of hard-test accuracy on average (most with ${worst.strong}: ${(-100 * worst.easyMinusHard!.mean).toFixed(1)}).`,
    );
    const ws = weak.filter((r) => r.task === task && r.naiveHard && r.easyOnlyHard);
    if (ws.length > 0) {
      // In accuracy points, not mean PGR: where the supervisor is about as good as the ceiling on hard images, PGR's gap is near 0 and its mean explodes.
      const change = ws.map((r) => r.easyOnlyHard!.mean - r.naiveHard!.mean);
      const better = change.filter((x) => x > 0).length;
      const cleaner = mean(ws.map((r) => r.labelAccuracyEasy!.mean - r.labelAccuracyAll!.mean));
      const pgrs = (k: 'pgrHardNaive' | 'pgrHardEasyOnly') => (median(ws.flatMap((r) => (r[k] ? [r[k]!.mean] : []))) ?? NaN).toFixed(2);
      out.push(
        `${task}: trusting the weak supervisor only on easy images (its labels there are ${(100 * cleaner).toFixed(1)} points more accurate, but a third as many) beats naive training on all its labels on hard test images in ${better} of ${ws.length} (strong, weak) cells; the mean change is ${signedPoints(mean(change))} (median PGR on hard images: naive ${pgrs('pgrHardNaive')}, easy-only ${pgrs('pgrHardEasyOnly')})${mean(change) < 0 ? ': cleaner easy labels do not make up for never seeing a hard image' : ''}.`,
      );
    }
  }
  return out;
}

export function easyHardMarkdown(r: EasyHardReport): string[] {
  const L: string[] = [];
  if (r.cells === 0) return L;
  L.push('## Easy-to-hard on images', '');
  L.push(`Difficulty: ${r.difficulty} Easy S = the ${r.share === null ? '?' : (100 * r.share).toFixed(0)}% of S with the highest margin, hard S = the same count with the lowest; V and test are cut at S's thresholds (no label of S, V or test is read to cut them; the reference model's test accuracy below is reporting only).`, '');
  L.push('| task | easy / hard S images | hard test images | reference model: test acc. | on hard test |');
  L.push('|---|---:|---:|---:|---:|');
  for (const x of r.reference) L.push(`| ${x.task} | ${x.studentPart} | ${x.testHard ? x.testHard.mean.toFixed(0) : 'n/a'} | ${pct(x.testAccuracy)} | ${pct(x.hardTestAccuracy)} |`);
  L.push('');
  const shifted = r.reference.filter((x) => x.classShares);
  if (shifted.length > 0) {
    L.push('Difficulty is not spread evenly over classes, so easy S also has another class mix than hard S and hard test (share of each class in %, classes 0, 1, ...; mean over seeds; read from labels for this table only):', '');
    L.push('| task | easy S | hard S | hard test |');
    L.push('|---|---|---|---|');
    const row = (xs: number[]) => xs.map((v) => (100 * v).toFixed(0)).join(' ');
    for (const x of shifted) L.push(`| ${x.task} | ${row(x.classShares!.studentEasy)} | ${row(x.classShares!.studentHard)} | ${row(x.classShares!.testHard)} |`);
    L.push('');
  }
  L.push(
    'The ceiling probe (linear, on the frozen encoder) trained on ground truth of easy S only, of hard S only (same count), or of all S; each early-stopped on ground truth of the matching part of V (easy V for easy training: no hard label is used), tested on the hard test images. Gap recovered = (easy→hard − chance) / (hard→hard − chance), per seed, then mean ± 95% t interval; the baseline is chance (10% for digits, 50% for lt5), the analogue of Hase et al.\'s unsupervised baseline. Hase et al. 2024 report ~70–100% on language tasks.',
    '',
  );
  L.push('| task | strong | easy → hard (%) | hard → hard (%) | all S → hard (%) | gap recovered |');
  L.push('|---|---|---:|---:|---:|---:|');
  for (const x of r.truth) L.push(`| ${x.task} | ${x.strong} | ${pct(x.easyToHard)} | ${pct(x.hardToHard)} | ${pct(x.allToHard)} | ${frac(x.recovered)} |`);
  L.push('');
  if (r.weak.length > 0) {
    L.push('### The weak supervisor trusted only on easy images', '');
    L.push(
      'Naive training on the weak supervisor\'s soft labels of all S (early stopping on V\'s weak labels) beside naive training on its labels of easy S only (early stopping on easy V\'s weak labels); tested on the hard test images. PGR on hard = (student − weak) / (all-S ground-truth probe − weak), all on hard test images. Label acc.: the share of S (all, easy) where the supervisor\'s argmax is right (reporting only).',
      '',
    );
    L.push('| task | strong | weak | label acc. all / easy S | weak on hard | naive on hard | easy-only on hard | ceiling on hard | PGR on hard, naive | PGR on hard, easy-only |');
    L.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const x of r.weak) L.push(`| ${x.task} | ${x.strong} | ${x.weak} | ${pct(x.labelAccuracyAll)} / ${pct(x.labelAccuracyEasy)} | ${pct(x.supervisorHard)} | ${pct(x.naiveHard)} | ${pct(x.easyOnlyHard)} | ${pct(x.ceilingHard)} | ${frac(x.pgrHardNaive)} | ${frac(x.pgrHardEasyOnly)} |`);
    L.push('');
  }
  if (r.findings.length > 0) {
    L.push('Findings:', '');
    for (const f of r.findings) L.push(`- ${f}`);
    L.push('');
  }
  return L;
}
