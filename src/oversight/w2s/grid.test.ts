import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../data/mnist.js';
import { METHODS, W2sOptionsSchema, runGrid, type CellResult, type TunedResult } from './grid.js';
import { buildReport, reportMarkdown, reportSvg } from './report.js';
import { makeSplits } from './splits.js';


const prov = { command: 'test', date: 'now', gitCommit: null, machine: { cpu: 'cpu', cores: 2, memoryGiB: 1, os: 'os', node: 'v20' } };
const tmp = mkdtempSync(join(tmpdir(), 'w2s-grid-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A tiny grid on the real MNIST: small splits, one short epoch of pretraining, two epochs per student.
const opts = W2sOptionsSchema.parse({
  tasks: ['lt5'],
  seeds: [1],
  weak: ['lr-4x4', 'mlp-7x7-300'],
  strong: ['rf-32', 'dae-16', 'rf-64'],
  studentEpochs: 2,
  studentLrs: [1e-2],
  daeEpochs: 1,
  weakSize: 400,
  studentSize: 600,
  valSize: 300,
  pretrainSize: 3000,
});

function cellFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  walk(join(dir, 'cells'));
  return out.sort();
}

describe('the weak-to-strong grid', () => {
  const train = loadMnist('train');
  const test = loadMnist('test');
  const dir = join(tmp, 'honest');
  const logs: string[] = [];
  let honest: CellResult[] = [];

  it('runs every cell and method, bootstrapping up each family', () => {
    honest = runGrid(opts, { train, test, dir, log: (l) => logs.push(l) });
    expect(honest).toHaveLength(3 * 3);
    const students = honest.filter((c) => c.weak !== null);
    for (const c of students) expect(Object.keys(c.methods).sort()).toEqual([...METHODS].sort());
    const rf64 = students.find((c) => c.strong === 'rf-64' && c.weak === 'lr-4x4')!;
    expect(rf64.methods.bootstrap!.chain).toEqual(['lr-4x4', 'rf-32']);
    // The smallest student's bootstrap is plain naive training.
    const rf32 = students.find((c) => c.strong === 'rf-32' && c.weak === 'lr-4x4')!;
    expect(rf32.methods.bootstrap!.weakTuned).toEqual(rf32.methods.naive!.weakTuned);
    // Tiny encoders (16-64 features, 600 images, 2 epochs) sit well below MNIST's usual numbers, but above chance (0.5).
    for (const c of honest.filter((x) => x.weak === null)) expect(c.ceiling!.testAccuracy).toBeGreaterThan(0.55);
  });

  it('resumes: a rerun reads the finished cells and rewrites none', () => {
    const before = cellFiles(dir).map((f) => [f, statSync(f).mtimeMs]);
    const again: string[] = [];
    const cells = runGrid(opts, { train, test, dir, log: (l) => again.push(l) });
    expect(again).toEqual([]);
    expect(cells).toEqual(honest);
    expect(cellFiles(dir).map((f) => [f, statSync(f).mtimeMs])).toEqual(before);
  });

  it('refuses cells computed with other settings, and rebuilds a lost bootstrap chain identically', () => {
    expect(() => runGrid({ ...opts, studentEpochs: 3 }, { train, test, dir, log: () => {} })).toThrow(/computed with other settings .*"studentEpochs":2/);
    const cache = join(dir, 'cache', 'seed1', 'lt5');
    for (const f of readdirSync(cache)) if (f.startsWith('boot-')) rmSync(join(cache, f));
    for (const w of ['lr-4x4', 'mlp-7x7-300']) rmSync(join(dir, 'cells', 'lt5', 'seed1', `rf-64__${w}.json`));
    const again = runGrid(opts, { train, test, dir, log: () => {} });
    const strip = (cs: CellResult[]) => cs.map(({ seconds: _, ...c }) => c);
    expect(strip(again)).toEqual(strip(honest));
  });

  it('does not reuse a cell computed under another chain: another --strong list changes aMax and the bootstrap family', () => {
    // rf-64 alone in its family: aMax stays 0.75 but its chain loses rf-32.
    expect(() => runGrid({ ...opts, strong: ['rf-64', 'dae-16'] }, { train, test, dir, log: () => {} })).toThrow(/rf-64__lr-4x4\.json was computed under another chain \(family \["rf-32","rf-64"\]/);
    // rf-32 no longer the largest: its ramp's aMax would be 0.5, not 0.75.
    expect(() => runGrid({ ...opts, strong: ['rf-32', 'rf-64', 'rf-128', 'dae-16'] }, { train, test, dir, log: () => {} })).toThrow(/rf-32__lr-4x4\.json was computed under another chain/);
    const cells = honest.filter((c) => c.weak !== null);
    expect(cells.find((c) => c.strong === 'rf-64')!.aMax).toBe(0.75);
    expect(cells.find((c) => c.strong === 'rf-32')!.aMax).toBe(0.5);
    expect(cells.find((c) => c.strong === 'rf-64')!.family).toEqual(['rf-32', 'rf-64']);
  });

  it("weak-only tuning never reads ground truth: S's and V's labels poisoned, every field but the ceiling's and the ground-truth-tuned comparison is the same", () => {
    const splits = makeSplits(1, train.count, { weak: opts.weakSize, student: opts.studentSize, val: opts.valSize, pretrain: opts.pretrainSize });
    const labels = Uint8Array.from(train.labels);
    for (const i of [...splits.student, ...splits.val]) labels[i] = (labels[i] + 5) % 10; // flips every lt5 label of S and V
    const poisoned = runGrid(opts, { train: { ...train, labels }, test, dir: join(tmp, 'poisoned'), log: () => {} });
    expect(poisoned).toHaveLength(honest.length);
    let gtChanged = 0;
    let ceilingsChanged = 0;
    for (const [i, c] of poisoned.entries()) {
      // Everything a cell holds, less its timing, the ceiling (trained on S's ground truth) and
      // groundTruthTuned (chosen on V's ground truth: the inflated comparison, by design).
      // valTrueAccuracy, like testAccuracy, is measured for the report at the chosen epoch, never read by the choice.
      const measured = ({ valTrueAccuracy: _, ...t }: TunedResult) => t;
      const weakOnly = ({ seconds: _, ceiling: __, methods, ...rest }: CellResult) => ({
        ...rest,
        methods: Object.fromEntries(Object.entries(methods).map(([m, r]) => [m, { ...r!, weakTuned: measured(r!.weakTuned), lastEpoch: measured(r!.lastEpoch), groundTruthTuned: undefined }])),
      });
      expect(weakOnly(c)).toEqual(weakOnly(honest[i]));
      if (c.ceiling && c.ceiling.testAccuracy !== honest[i].ceiling!.testAccuracy) ceilingsChanged++;
      for (const m of METHODS) {
        const a = honest[i].methods[m];
        const b = c.methods[m];
        if (a && b && b.groundTruthTuned.valTrueAccuracy !== a.groundTruthTuned.valTrueAccuracy) gtChanged++;
      }
    }
    // The poison did reach what the ceiling and ground-truth tuning read.
    expect(ceilingsChanged).toBeGreaterThan(0);
    expect(gtChanged).toBeGreaterThan(0);
  });

  it('reports PGR per cell and method, as JSON, Markdown and SVG', () => {
    const report = buildReport(honest, opts, prov, { wallSeconds: 1, invocations: [], cellSeconds: 1, cachedModelSeconds: 1 });
    expect(report.rows.filter((r) => r.tuning === 'weak')).toHaveLength(3 * 2 * METHODS.length);
    const md = reportMarkdown(report);
    expect(md).toMatch(/\| rf-64 \| lr-4x4 \|/);
    expect(reportSvg(report)).toMatch(/^<svg/);
  });
});
