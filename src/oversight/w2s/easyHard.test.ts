import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../data/mnist.js';
import { difficultySplit, margins, runEasyHard, splitByMargin, type EasyHardCell } from './easyHard.js';
import { easyHardReport, easyHardMarkdown } from './easyHardReport.js';
import { W2sOptionsSchema, prepare, seedContext } from './grid.js';
import { buildReport, reportMarkdown } from './report.js';

const prov = { command: 'test', date: 'now', gitCommit: null, machine: { cpu: 'cpu', cores: 2, memoryGiB: 1, os: 'os', node: 'v20' } };


const tmp = mkdtempSync(join(tmpdir(), 'w2s-easy-hard-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const opts = W2sOptionsSchema.parse({
  tasks: ['lt5'],
  seeds: [1],
  weak: ['lr-4x4'],
  strong: ['rf-32', 'dae-16'],
  studentEpochs: 2,
  studentLrs: [1e-2],
  daeEpochs: 1,
  weakSize: 400,
  studentSize: 600,
  valSize: 300,
  pretrainSize: 3000,
  parts: ['easy-hard'],
});

const files = (dir: string) => {
  const out: [string, number][] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk(join(d, e.name)) : out.push([join(d, e.name), statSync(join(d, e.name)).mtimeMs]));
  };
  walk(join(dir, 'cells'));
  return out.sort();
};

describe('the difficulty split', () => {
  it('margins are top-1 minus top-2', () => {
    const m = margins({ n: 2, d: 3, data: Float32Array.from([0.2, 0.7, 0.1, 0.4, 0.35, 0.25]) });
    expect(m[0]).toBeCloseTo(0.5);
    expect(m[1]).toBeCloseTo(0.05);
  });

  it('cuts S into an easy and a hard part of the same count, disjoint, and V and test at S thresholds', () => {
    const student = Float32Array.from({ length: 30 }, (_, i) => (i * 7) % 30 / 30);
    const val = Float32Array.from([0, 0.1, 0.5, 0.9, 0.3, 0.7]);
    const test = Float32Array.from([0.05, 0.95, 0.32, 0.33]);
    const s = splitByMargin({ student, val, test }, 1 / 3);
    expect(s.student.easy.length).toBe(10);
    expect(s.student.hard.length).toBe(10);
    const inBoth = (a: Int32Array, b: Int32Array) => [...a].filter((i) => b.includes(i));
    expect(inBoth(s.student.easy, s.student.hard)).toEqual([]);
    expect(inBoth(s.val.easy, s.val.hard)).toEqual([]);
    expect(Math.max(...[...s.student.hard].map((i) => student[i]))).toBeLessThan(Math.min(...[...s.student.easy].map((i) => student[i])));
    for (const i of s.testHard) expect(test[i]).toBeLessThanOrEqual(s.thresholds.hard);
    expect(s.thresholds.hard).toBeCloseTo(9 / 30);
    expect([...s.testHard]).toEqual([0]);
    // Ties at both thresholds (all margins equal): hard wins, the parts stay disjoint.
    const flat = splitByMargin({ student: new Float32Array(9).fill(0.5), val: new Float32Array(4).fill(0.5), test: new Float32Array(2).fill(0.5) }, 1 / 3);
    expect(inBoth(flat.student.easy, flat.student.hard)).toEqual([]);
    expect(flat.val.easy.length).toBe(0);
    expect(() => splitByMargin({ student, val, test }, 0.01)).toThrow(RangeError);
  });

  it('reads only W labels: poisoning every label of S, V and test changes nothing', () => {
    const train = loadMnist('train');
    const test = loadMnist('test');
    const env = { train, test, dir: join(tmp, 'split'), log: () => {} };
    const c = seedContext(opts, env, 1, prepare(env));
    const honest = difficultySplit(c, train.labels, 'digits', 1 / 3).split;
    const poisoned = Uint8Array.from(train.labels);
    for (const r of [c.splits.student, c.splits.val, c.splits.pretrain]) for (const i of r) poisoned[i] = (poisoned[i] + 3) % 10;
    expect(difficultySplit(c, poisoned, 'digits', 1 / 3).split).toEqual(honest);
    // Hard images are about a third of test: the thresholds transfer.
    expect(honest.testHard.length / test.count).toBeGreaterThan(0.2);
    expect(honest.testHard.length / test.count).toBeLessThan(0.5);
  });
});

describe('the easy-hard cells', () => {
  const train = loadMnist('train');
  const test = loadMnist('test');
  const dir = join(tmp, 'cells');
  let honest: EasyHardCell[] = [];

  it('trains easy, hard and all arms on truth, and naive and easy-only arms per weak supervisor', () => {
    honest = runEasyHard(opts, { train, test, dir, log: () => {} });
    expect(honest).toHaveLength(2 * 2);
    for (const c of honest) {
      expect(c.counts.studentEasy).toBe(200);
      expect(c.counts.studentHard).toBe(200);
      if (c.weak === null) {
        expect(c.truth!.easy.n).toBe(200);
        expect(c.truth!.all.n).toBe(600);
        // Hard images are hard: the all-S probe does worse on them than on all test.
        expect(c.truth!.all.hardTestAccuracy).toBeLessThan(c.truth!.all.testAccuracy);
      } else {
        expect(c.students!.easyOnly.n).toBe(200);
        expect(c.supervisor!.labelAccuracyEasy).toBeGreaterThan(c.supervisor!.labelAccuracyAll);
      }
    }
  });

  it('resumes: a rerun reads every cell and rewrites none; other settings are refused', () => {
    const before = files(dir);
    const logs: string[] = [];
    expect(runEasyHard(opts, { train, test, dir, log: (l) => logs.push(l) })).toEqual(honest);
    expect(logs).toEqual([]);
    expect(files(dir)).toEqual(before);
    expect(() => runEasyHard({ ...opts, easyHardShare: 0.25 }, { train, test, dir, log: () => {} })).toThrow(/other settings .*"easyHardShare":0\.3/);
    // A lost cell is recomputed identically.
    rmSync(join(dir, 'cells', 'lt5', 'seed1', 'easy-hard', 'dae-16__lr-4x4.json'));
    const strip = (cs: EasyHardCell[]) => cs.map(({ seconds: _, ...c }) => c);
    expect(strip(runEasyHard(opts, { train, test, dir, log: () => {} }))).toEqual(strip(honest));
  });

  it('no test label chooses anything: poisoned test labels leave every split and every chosen epoch the same', () => {
    const labels = test.labels.map((d) => (d + 5) % 10);
    const poisoned = runEasyHard(opts, { train, test: { ...test, labels }, dir: join(tmp, 'poisoned'), log: () => {} });
    const choices = (cs: EasyHardCell[]) => cs.map((c) => [c.counts, c.thresholds, Object.values(c.truth ?? c.students!).map((a) => [a.n, a.lr, a.epoch])]);
    expect(choices(poisoned)).toEqual(choices(honest));
    // The poison did reach the test accuracies.
    expect(poisoned[0].truth!.all.hardTestAccuracy).not.toEqual(honest[0].truth!.all.hardTestAccuracy);
  });

  it('reports the gap recovered from chance per strong student, and PGR on hard images per weak supervisor', () => {
    const r = easyHardReport(honest);
    expect(r.truth.map((x) => x.strong)).toEqual(['dae-16', 'rf-32']);
    const t = honest.find((c) => c.strong === 'rf-32' && c.weak === null)!.truth!;
    expect(r.truth[1].recovered!.mean).toBeCloseTo((t.easy.hardTestAccuracy - 0.5) / (t.hard.hardTestAccuracy - 0.5));
    expect(r.weak).toHaveLength(2);
    expect(easyHardMarkdown(r).join('\n')).toMatch(/\| lt5 \| rf-32 \| lr-4x4 \|/);
    const md = reportMarkdown(buildReport([], opts, prov, { wallSeconds: 1, invocations: [], cellSeconds: 0, cachedModelSeconds: 0 }, honest, null));
    expect(md).toMatch(/## Easy-to-hard on images/);
    expect(md).toMatch(/Not in this report: no w2s-reward.json/);
  });
});

