import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../data/mnist.js';
import { METHODS, W2sOptionsSchema, runGrid, type CellResult } from './grid.js';
import { buildReport, provenance, reportMarkdown, reportSvg } from './report.js';
import { makeSplits } from './splits.js';

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
    for (const c of honest.filter((x) => x.weak === null)) expect(c.ceiling!.testAccuracy).toBeGreaterThan(0.6);
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

  it("weak-only tuning never reads ground truth: V's labels poisoned, every weak-tuned choice and score is the same", () => {
    const val = makeSplits(1, train.count, { weak: opts.weakSize, student: opts.studentSize, val: opts.valSize, pretrain: opts.pretrainSize }).val;
    const labels = Uint8Array.from(train.labels);
    for (const i of val) labels[i] = (labels[i] + 5) % 10; // flips every lt5 label of V
    const poisoned = runGrid(opts, { train: { ...train, labels }, test, dir: join(tmp, 'poisoned'), log: () => {} });
    let gtChanged = 0;
    for (const [i, c] of poisoned.entries()) {
      for (const m of METHODS) {
        const a = honest[i].methods[m];
        const b = c.methods[m];
        if (!a || !b) continue;
        const pick = (r: typeof a.weakTuned) => [r.lr, r.epoch, r.testAccuracy, r.valSupervisorAgreement];
        expect(pick(b.weakTuned)).toEqual(pick(a.weakTuned));
        if (b.groundTruthTuned.valTrueAccuracy !== a.groundTruthTuned.valTrueAccuracy) gtChanged++;
      }
    }
    // The poison did reach what ground-truth tuning reads.
    expect(gtChanged).toBeGreaterThan(0);
  });

  it('reports PGR per cell and method, as JSON, Markdown and SVG', () => {
    const report = buildReport(honest, opts, provenance('test'), { wallSeconds: 1, invocations: [], cellSeconds: 1, cachedModelSeconds: 1 });
    expect(report.rows.filter((r) => r.tuning === 'weak')).toHaveLength(3 * 2 * METHODS.length);
    const md = reportMarkdown(report);
    expect(md).toMatch(/\| rf-64 \| lr-4x4 \|/);
    expect(reportSvg(report)).toMatch(/^<svg/);
  });
});
