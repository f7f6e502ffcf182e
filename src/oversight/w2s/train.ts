/**
 * Weak-to-strong training of one student: a linear probe on a frozen encoder's features, fitted
 * to a supervisor's soft labels on S, early-stopped on the supervisor's labels of V.
 *
 * Reads top to bottom: config -> probe and optimizer -> for each learning rate, epochs of
 * minibatches (logits -> naive or confidence loss -> backward -> Adam with cosine decay) ->
 * at each epoch's end, agreement with the supervisor on V (the only signal tuning may use) and
 * whatever the caller's `evaluate` hook measures (test and V ground-truth accuracy: recorded for
 * the report, never read here).
 */
import { Adam, Mlp } from '../../nn/index.js';
import { Rng } from '../../utils/rng.js';
import { auxCoefficient, confidenceLoss, softCrossEntropy, type ConfidenceSchedule } from './confidence.js';
import { argmaxRow, forwardAll, rows, type Matrix } from './models.js';

export interface StudentConfig {
  /** 'naive': cross-entropy to the supervisor's soft labels; a schedule: the auxiliary confidence loss under it. */
  loss: 'naive' | ConfidenceSchedule;
  /** The ramp schedule's final a (the paper: 0.75 for the largest students, else 0.5). */
  aMax: number;
  /** Epochs per learning rate; early stopping chooses among them. */
  epochs: number;
  /** Learning rates tried (a hyper-parameter chosen like the epoch). */
  lrs: readonly number[];
  /** Minibatch size. */
  batch: number;
  /** Seeds the probe's init and the minibatch order. */
  seed: number;
}

export interface StudentData {
  /** The student's features of S. */
  train: Matrix;
  /** The supervisor's soft labels of S [n, k]. */
  trainLabels: Matrix;
  /** The student's features of V. */
  val: Matrix;
  /** The supervisor's soft labels of V: all that weak-only tuning may read. */
  valLabels: Matrix;
}

/** One candidate (learning rate, epoch) of the run, with what was measured at its end. */
export interface EpochRecord {
  lr: number;
  /** 1-based. */
  epoch: number;
  /** Share of V where the student's argmax is the supervisor's. */
  valSupervisorAgreement: number;
  /** Mean cross-entropy of the student to the supervisor's soft labels on V. */
  valSupervisorXent: number;
  /** The caller's measurements (e.g. testAccuracy, valTrueAccuracy). */
  evals: Record<string, number>;
}

export interface StudentRun {
  history: EpochRecord[];
  /** Probe parameters at the end of each candidate, same order as history. */
  snapshots: Float32Array[];
  width: number;
  classes: number;
}

/** Trains the probe for every learning rate, recording each epoch; `evaluate` sees the probe, never the choice. */
export function trainStudent(config: StudentConfig, data: StudentData, evaluate?: (probe: Mlp) => Record<string, number>): StudentRun {
  const { train, trainLabels, val, valLabels } = data;
  const k = trainLabels.d;
  if (train.n !== trainLabels.n || val.n !== valLabels.n || val.d !== train.d || valLabels.d !== k) {
    throw new RangeError(`student data shapes: S ${train.n}x${train.d} with labels ${trainLabels.n}x${trainLabels.d}, V ${val.n}x${val.d} with labels ${valLabels.n}x${valLabels.d}`);
  }
  const history: EpochRecord[] = [];
  const snapshots: Float32Array[] = [];
  const xb = new Float32Array(config.batch * train.d);
  const yb = new Float32Array(config.batch * k);
  const grad = new Float32Array(config.batch * k);

  for (const lr of config.lrs) {
    // Same init and minibatch order for every learning rate, so they differ only in lr.
    const rng = new Rng(config.seed);
    const probe = new Mlp({ sizes: [train.d, k], activation: 'identity' }).init(rng, { scheme: 'fan_in_uniform' });
    const adam = new Adam([probe], { lr });
    const order = Int32Array.from({ length: train.n }, (_, i) => i);
    const stepsPerEpoch = Math.ceil(train.n / config.batch);
    const totalSteps = stepsPerEpoch * config.epochs;
    let step = 0;

    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      rng.shuffle(order);
      for (let at = 0; at < train.n; at += config.batch) {
        const idx = order.subarray(at, Math.min(train.n, at + config.batch));
        const b = idx.length;
        rows(train, idx, xb);
        rows(trainLabels, idx, yb);
        const stepFrac = step / totalSteps;
        const logits = probe.forward(xb, b);
        if (config.loss === 'naive') softCrossEntropy(logits, yb, b, k, grad);
        else confidenceLoss(logits, yb, b, k, auxCoefficient(config.loss, stepFrac, config.aMax), grad);
        probe.zeroGrad();
        probe.backward(grad);
        // Cosine annealing over the whole run, as the reference code's train_model.
        adam.lr = lr * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
        adam.step();
        step++;
      }
      history.push({ lr, epoch, ...agreement(probe, val, valLabels), evals: evaluate ? evaluate(probe) : {} });
      snapshots.push(Float32Array.from(probe.params));
    }
  }
  return { history, snapshots, width: train.d, classes: k };
}

/** Agreement with the supervisor's labels of V, and cross-entropy to them. */
export function agreement(probe: Mlp, val: Matrix, valLabels: Matrix): { valSupervisorAgreement: number; valSupervisorXent: number } {
  const logits = forwardAll(probe, val, false);
  let agree = 0;
  for (let i = 0; i < val.n; i++) if (argmaxRow(logits, i) === argmaxRow(valLabels, i)) agree++;
  return { valSupervisorAgreement: agree / val.n, valSupervisorXent: softCrossEntropy(logits.data, valLabels.data, val.n, valLabels.d) };
}

/**
 * Weak-only tuning: the (lr, epoch) that agrees best with the supervisor on V (ties: lower
 * cross-entropy, then earlier). Reads only the supervisor's columns of the history.
 */
export function selectBySupervisor(history: readonly EpochRecord[]): number {
  let best = 0;
  for (let i = 1; i < history.length; i++) {
    const a = history[i];
    const b = history[best];
    if (a.valSupervisorAgreement > b.valSupervisorAgreement || (a.valSupervisorAgreement === b.valSupervisorAgreement && a.valSupervisorXent < b.valSupervisorXent)) best = i;
  }
  return best;
}

/**
 * The fixed schedule, as the paper and the reference code train: the last epoch, no early stopping.
 * Only the learning rate is chosen, by the supervisor's labels of V at that epoch (as selectBySupervisor).
 */
export function selectLastEpoch(history: readonly EpochRecord[]): number {
  const last = Math.max(...history.map((r) => r.epoch));
  const candidates = history.flatMap((r, i) => (r.epoch === last ? [i] : []));
  const pick = selectBySupervisor(candidates.map((i) => history[i]));
  return candidates[pick];
}

/** Ground-truth tuning (the inflated comparison, and the ceiling's own tuning): the best of `evals[key]`, earliest on ties. */
export function selectByEval(history: readonly EpochRecord[], key: string): number {
  let best = -1;
  for (let i = 0; i < history.length; i++) {
    const v = history[i].evals[key];
    if (v === undefined) throw new Error(`epoch record ${i} has no evaluation ${key}`);
    if (best < 0 || v > history[best].evals[key]) best = i;
  }
  return best;
}

/** The probe as it was at candidate `i` of a run. */
export function probeAt(run: StudentRun, i: number): Mlp {
  const probe = new Mlp({ sizes: [run.width, run.classes], activation: 'identity' });
  probe.params.set(run.snapshots[i]);
  return probe;
}
