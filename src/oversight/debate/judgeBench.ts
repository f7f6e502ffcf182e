/**
 * Where a judge training step spends its time: drawing the pixels, the gather layer, the Mlp,
 * the backward passes and Adam, each timed over the same minibatches as `trainJudge` runs. It
 * says which part to speed up (Adam over the 2 × 784 × width first-layer weights, for small
 * widths), and it extrapolates a schedule's training time from a few hundred batches.
 */
import { Adam } from '../../nn/adam.js';
import { softCrossEntropy } from '../w2s/confidence.js';
import { Rng } from '../../utils/rng.js';
import { MNIST_CLASSES } from './judge.js';
import { sampleRevealed, type JudgeImages, type JudgeSplit } from './judgeData.js';
import { MnistJudge } from './judgeModel.js';
import type { JudgeOptions } from './judgeTrain.js';
import { allocSparseBatch } from './sparseLayer.js';

export const STEP_PHASES = ['sample', 'gatherForward', 'mlpForward', 'loss', 'mlpBackward', 'gatherBackward', 'adam'] as const;
export type StepPhase = (typeof STEP_PHASES)[number];

export interface JudgeStepTiming {
  batches: number;
  /** Median wall milliseconds of each phase per batch. */
  phaseMs: Record<StepPhase, number>;
  /** Mean wall and process-CPU milliseconds of a whole step (CPU is the figure to trust on a shared machine). */
  stepMs: number;
  stepCpuMs: number;
  parameters: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Times `batches` training steps (after `warmup` untimed ones, for the JIT) of a judge shaped by `opts`. */
export function timeJudgeSteps(opts: JudgeOptions, images: JudgeImages, split: JudgeSplit, batches: number, warmup = 50): JudgeStepTiming {
  if (images.set !== 'train') throw new Error(`timeJudgeSteps: given the MNIST ${images.set} set; timing trains on the training set only`);
  const rng = new Rng(opts.seed);
  const judge = new MnistJudge({ hidden: opts.hidden, activation: opts.activation }).init(rng, opts.k);
  const adam = new Adam(judge.groups, { lr: opts.lr });
  const B = opts.batchSize;
  const batch = allocSparseBatch(B, opts.k);
  const labels = new Uint8Array(B);
  const targets = new Float32Array(B * MNIST_CLASSES);
  const grad = new Float32Array(B * MNIST_CLASSES);
  const idx = new Int32Array(B);
  const samples: Record<StepPhase, number[]> = Object.fromEntries(STEP_PHASES.map((p) => [p, []])) as unknown as Record<StepPhase, number[]>;
  let wall = 0;
  let cpu = 0;
  for (let t = 0; t < warmup + batches; t++) {
    const timed = t >= warmup;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    let last = start;
    const mark = (phase: StepPhase) => {
      const now = performance.now();
      if (timed) samples[phase].push(now - last);
      last = now;
    };
    for (let r = 0; r < B; r++) idx[r] = split.train[rng.integer(split.train.length)];
    sampleRevealed(images, idx, opts.k, rng, batch, labels);
    mark('sample');
    const h = judge.gather.forward(batch);
    mark('gatherForward');
    const logits = judge.mlp.forward(h, B);
    mark('mlpForward');
    targets.fill(0);
    for (let r = 0; r < B; r++) targets[r * MNIST_CLASSES + labels[r]] = 1;
    softCrossEntropy(logits, targets, B, MNIST_CLASSES, grad);
    judge.zeroGrad();
    mark('loss');
    const dH = judge.mlp.backward(grad, true)!;
    mark('mlpBackward');
    judge.gather.backward(dH);
    mark('gatherBackward');
    adam.step();
    mark('adam');
    if (timed) {
      wall += performance.now() - start;
      const c = process.cpuUsage(cpu0);
      cpu += (c.user + c.system) / 1000;
    }
  }
  const phaseMs = Object.fromEntries(STEP_PHASES.map((p) => [p, median(samples[p])])) as Record<StepPhase, number>;
  return { batches, phaseMs, stepMs: wall / batches, stepCpuMs: cpu / batches, parameters: judge.numParams };
}
