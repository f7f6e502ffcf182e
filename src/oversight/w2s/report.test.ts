import { describe, expect, it } from 'vitest';
import { CELL_FORMAT, CELL_VERSION, W2sOptionsSchema, type CellResult, type TunedResult } from './grid.js';
import { findings, gapStandardError, pgrRows } from './report.js';

const opts = W2sOptionsSchema.parse({ tasks: ['lt5'], seeds: [1, 2], weak: ['lr-4x4'], strong: ['rf-32', 'rf-64'], methods: ['naive', 'bootstrap'] });
const tuned = (testAccuracy: number, epoch = 6): TunedResult => ({ lr: 0.01, epoch, testAccuracy, valTrueAccuracy: 0, valSupervisorAgreement: 0 });

/** A ceiling cell and a weak cell of one (seed, strong): weak 0.80, the student `student` under every tuning. */
function cells(seed: number, strong: string, ceiling: number, student: number): CellResult[] {
  const base = { format: CELL_FORMAT, version: CELL_VERSION, task: 'lt5', seed, strong, aMax: strong === 'rf-64' ? 0.75 : 0.5, family: ['rf-32', 'rf-64'], methods: {}, seconds: 0, options: opts } as const;
  const m = { weakTuned: tuned(student), lastEpoch: tuned(student), groundTruthTuned: tuned(student), testAgreementWithSupervisor: 0.9 };
  return [
    { ...base, family: [...base.family], weak: null, weakTestAccuracy: null, ceiling: tuned(ceiling), methods: {} },
    { ...base, family: [...base.family], weak: 'lr-4x4', weakTestAccuracy: 0.8, methods: { naive: m, bootstrap: m } },
  ];
}

describe('the PGR rows', () => {
  const all = [...cells(1, 'rf-32', 0.81, 0.805), ...cells(2, 'rf-32', 0.9, 0.81), ...cells(1, 'rf-64', 0.9, 0.85), ...cells(2, 'rf-64', 0.9, 0.87)];
  const rows = pgrRows(all);
  const row = (strong: string, method: string) => rows.find((r) => r.strong === strong && r.method === method && r.tuning === 'weak')!;

  it('pools PGR over the mean accuracies beside the mean of per-seed PGRs', () => {
    const r = row('rf-32', 'naive');
    expect(r.pgrs).toEqual([expect.closeTo(0.5, 9), expect.closeTo(0.1, 9)]);
    expect(r.pgr!.mean).toBeCloseTo(0.3, 9);
    // (0.8075 - 0.8) / (0.855 - 0.8)
    expect(r.pooledPgr).toBeCloseTo(0.0075 / 0.055, 9);
  });

  it('flags gaps below 2 binomial standard errors, and the smallest student\'s bootstrapping as naive', () => {
    expect(gapStandardError(0.8, 0.9)).toBeCloseTo(Math.sqrt(0.16 / 1e4 + 0.09 / 1e4), 12);
    expect(row('rf-64', 'naive').smallGap).toBe(false);
    const tiny = pgrRows(cells(1, 'rf-32', 0.805, 0.803)).find((r) => r.method === 'naive')!;
    expect(tiny.smallGap).toBe(true);
    expect(row('rf-32', 'bootstrap').naiveByConstruction).toBe(true);
    expect(row('rf-64', 'bootstrap').naiveByConstruction).toBe(false);
  });

  it('states growth with size as a paired per-seed difference, and leaves naive-by-construction rows out of bootstrap counts', () => {
    const f = findings(rows, opts);
    // Seed 1: 0.5 - 0.5 = 0; seed 2: 0.7 - 0.1 = 0.6; mean +0.30.
    expect(f.find((x) => x.startsWith('lt5, naive, weak-selected epoch: largest minus smallest'))).toMatch(/PGR difference \+0\.30 \(95% CI/);
    expect(f.find((x) => x.startsWith('lt5, bootstrap, weak-selected epoch: PGR > 0'))).toMatch(/in 1 of 1 weak x strong cells .*the smallest student of each family is left out/);
  });
});
