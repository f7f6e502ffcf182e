import { describe, expect, it } from 'vitest';
import type { Mlp } from '../../nn/index.js';
import { Rng } from '../../utils/rng.js';
import { accuracy, forwardAll, oneHot, type Matrix } from './models.js';
import { selectByEval, selectBySupervisor, selectLastEpoch, trainStudent, type EpochRecord } from './train.js';

/** A linearly separable 3-class problem, a weak supervisor that errs on a third of it, and features. */
function problem(seed: number) {
  const rng = new Rng(seed);
  const n = 300;
  const d = 6;
  const k = 3;
  const make = (m: number) => {
    const x = new Float32Array(m * d);
    const y = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < d; j++) x[i * d + j] = rng.normal();
      y[i] = x[i * d] > 0.5 ? 0 : x[i * d + 1] > 0 ? 1 : 2;
    }
    return { x: { n: m, d, data: x } as Matrix, y };
  };
  const train = make(n);
  const val = make(100);
  // The weak supervisor confuses class 2 with class 1 where feature 2 is positive: a systematic error.
  const weakOf = (p: { x: Matrix; y: Uint8Array }) => {
    const w = Uint8Array.from(p.y, (c, i) => (c === 2 && p.x.data[i * d + 2] > 0 ? 1 : c));
    const soft = oneHot(w, k).map((v) => 0.05 + 0.85 * v);
    return { n: p.x.n, d: k, data: soft } as Matrix;
  };
  return { train, val, data: { train: train.x, trainLabels: weakOf(train), val: val.x, valLabels: weakOf(val) } };
}

describe('weak-to-strong trainer', () => {
  it('weak-only tuning never reads ground truth: poisoning V\'s ground truth changes nothing it chooses', () => {
    const p = problem(1);
    const config = { loss: 'warmup-jump' as const, aMax: 0.5, epochs: 4, lrs: [3e-3, 3e-2], batch: 32, seed: 9 };
    let truthReads = 0;
    const evaluate = (labels: Uint8Array) => (probe: Mlp) => {
      truthReads++;
      return { valTrueAccuracy: accuracy(forwardAll(probe, p.val.x, false), labels) };
    };
    const honest = trainStudent(config, p.data, evaluate(p.val.y));
    const poisoned = trainStudent(config, p.data, evaluate(Uint8Array.from(p.val.y, (c) => (c + 1) % 3)));
    expect(truthReads).toBe(2 * 8);
    const i = selectBySupervisor(honest.history);
    expect(selectBySupervisor(poisoned.history)).toBe(i);
    expect(poisoned.snapshots[i]).toEqual(honest.snapshots[i]);
    // The ground-truth choice reads the poisoned numbers (and is meant to).
    expect(honest.history.map((h) => h.evals.valTrueAccuracy)).not.toEqual(poisoned.history.map((h) => h.evals.valTrueAccuracy));
  });

  it('selectBySupervisor does not touch the evaluations (they throw here); selectByEval does', () => {
    const trap = new Proxy({}, { get: () => { throw new Error('ground truth read'); } }) as Record<string, number>;
    const history: EpochRecord[] = [
      { lr: 1, epoch: 1, valSupervisorAgreement: 0.7, valSupervisorXent: 0.9, evals: trap },
      { lr: 1, epoch: 2, valSupervisorAgreement: 0.8, valSupervisorXent: 0.8, evals: trap },
      { lr: 1, epoch: 3, valSupervisorAgreement: 0.8, valSupervisorXent: 0.7, evals: trap },
    ];
    expect(selectBySupervisor(history)).toBe(2);
    expect(() => selectByEval(history, 'valTrueAccuracy')).toThrow(/ground truth read/);
  });

  it('selectLastEpoch keeps the last epoch and picks the lr on the supervisor alone', () => {
    const trap = new Proxy({}, { get: () => { throw new Error('ground truth read'); } }) as Record<string, number>;
    const rec = (lr: number, epoch: number, agree: number): EpochRecord => ({ lr, epoch, valSupervisorAgreement: agree, valSupervisorXent: 1, evals: trap });
    // The best agreement overall is epoch 1 of lr 2; the last epoch's best is lr 1's.
    const history = [rec(1, 1, 0.7), rec(1, 2, 0.75), rec(2, 1, 0.9), rec(2, 2, 0.6)];
    expect(selectBySupervisor(history)).toBe(2);
    expect(selectLastEpoch(history)).toBe(1);
  });

  it('learns: the naive student agrees with its supervisor on V', () => {
    const p = problem(2);
    const run = trainStudent({ loss: 'naive', aMax: 0.5, epochs: 6, lrs: [3e-2], batch: 32, seed: 1 }, p.data);
    expect(run.history[selectBySupervisor(run.history)].valSupervisorAgreement).toBeGreaterThan(0.8);
  });
});
