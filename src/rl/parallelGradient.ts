import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { ParamGroup } from '../nn/params.js';
import { zeroGrad } from '../nn/params.js';
import { scratchKernels } from '../nn/wasm/kernels.js';
import { SpinBudget, spawnWorker, threadBudget, waitForValue } from '../utils/workers.js';
import { ActorCritic, type ActorCriticSpec } from './agent.js';
import { GradientScratch, allocMinibatch, ppoMinibatchGradient, type LossCoefs, type LossStats, type Minibatch } from './ppoLoss.js';

/** Shared-memory layout between the caller and its gradient worker. */
export interface GradientWorkerInit {
  spec: ActorCriticSpec;
  rows: number;
  control: SharedArrayBuffer;
  args: SharedArrayBuffer;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  minibatch: { [K in keyof Minibatch]: SharedArrayBuffer };
  spinMicros: number;
}

export const CTRL = { CommandSeq: 0, DoneSeq: 1, Command: 2, Status: 3 } as const;
export const CMD = { Gradient: 1, Close: 2 } as const;
/** args: [from, to, B, clipCoef, valueClip (NaN: none), entCoef, vfCoef]. */
export const ARGS = 7;
export const STATS = 5;

export function paramCount(groups: readonly ParamGroup[]): number {
  return groups.reduce((n, g) => n + g.params.length, 0);
}

/** Copies every group's params (or grads) into one flat array. */
export function packInto(groups: readonly ParamGroup[], which: 'params' | 'grads', flat: Float32Array): void {
  let o = 0;
  for (const g of groups) {
    const a = g[which];
    flat.set(a, o);
    o += a.length;
  }
}

/**
 * Copies a flat array back into every group's params, or adds it to every group's grads. The
 * float32 addition runs in the WebAssembly kernels (through scratch memory), which round
 * exactly as the JS loop: a float64 sum of two float32 values rounds to their float32 sum.
 */
export function unpackFrom(groups: readonly ParamGroup[], flat: Float32Array, which: 'params' | 'add-grads'): void {
  if (which === 'add-grads' && addGradsWasm(groups, flat)) return;
  let o = 0;
  for (const g of groups) {
    if (which === 'params') {
      const p = g.params;
      p.set(flat.subarray(o, o + p.length));
      o += p.length;
    } else {
      const gr = g.grads;
      for (let i = 0; i < gr.length; i++) gr[i] += flat[o + i];
      o += gr.length;
    }
  }
}

/** unpackFrom's 'add-grads' in the WebAssembly kernels; false (nothing done) unless all gradients are float32 and SIMD is available. */
function addGradsWasm(groups: readonly ParamGroup[], flat: Float32Array): boolean {
  const all = groups.map((g) => g.grads);
  if (!all.every((a) => a instanceof Float32Array)) return false;
  const n = all.reduce((k, a) => k + a.length, 0);
  const s = scratchKernels(2 * n);
  if (!s) return false;
  // Scratch: the flat gradients at [0, n), the groups' gradients end to end at [n, 2n).
  s.f32.set(flat.subarray(0, n), 0);
  let o = n;
  for (const a of all) {
    s.f32.set(a, o);
    o += a.length;
  }
  s.kernels.addInto(0, 4 * n, n);
  o = n;
  for (const a of all) {
    a.set(s.f32.subarray(o, o + a.length));
    o += a.length;
  }
  return true;
}

export function statsToArray(s: LossStats, out: Float64Array): void {
  out[0] = s.policyLoss;
  out[1] = s.valueLoss;
  out[2] = s.entropy;
  out[3] = s.approxKl;
  out[4] = s.clipFraction;
}

/** PPO gradients over a minibatch split in two halves, summed in a fixed order. */
export interface HalvedGradient {
  /** Gather minibatches here, then call `compute`. */
  readonly mb: Minibatch;
  /** Adds the gradient over all B rows of `mb` to the agent's gradients; returns the summed loss terms. */
  compute(B: number, coefs: LossCoefs): LossStats;
  close(): void;
}

/**
 * Two threads when the thread budget allows, otherwise the same arithmetic on this thread
 * (`SerialHalvesGradient`): a run's numbers do not depend on how many threads it had.
 */
export function halvedGradient(agent: ActorCritic, rows: number): HalvedGradient {
  return threadBudget() >= 2 ? new ParallelGradient(agent, rows) : new SerialHalvesGradient(agent, rows);
}

/** Adds the loss terms of the second half to the first's, as ParallelGradient does. */
function sumStats(local: LossStats, s: Float64Array): LossStats {
  return {
    policyLoss: local.policyLoss + s[0],
    valueLoss: local.valueLoss + s[1],
    entropy: local.entropy + s[2],
    approxKl: local.approxKl + s[3],
    clipFraction: local.clipFraction + s[4],
  };
}

/**
 * The second half's work, as the worker does it and as SerialHalvesGradient repeats it: load
 * `params` into the replica, zero its gradients, compute rows [from, to) of B, and leave the
 * gradients in `grads` and the loss terms in `stats`.
 */
export function replicaGradient(replica: ActorCritic, params: Float32Array, mb: Minibatch, from: number, to: number, B: number, coefs: LossCoefs, scratch: GradientScratch, grads: Float32Array, stats: Float64Array): void {
  const groups = replica.paramGroups;
  unpackFrom(groups, params, 'params');
  zeroGrad(groups);
  statsToArray(ppoMinibatchGradient(replica, mb, from, to, B, coefs, scratch), stats);
  packInto(groups, 'grads', grads);
}

/**
 * ParallelGradient's computation on the calling thread: the second half goes through a
 * replica of the agent with zeroed gradients and is then added, so sums round exactly as
 * with the worker.
 */
export class SerialHalvesGradient implements HalvedGradient {
  readonly mb: Minibatch;
  private readonly replica: ActorCritic;
  private readonly flatParams: Float32Array;
  private readonly flatGrads: Float32Array;
  private readonly stats = new Float64Array(STATS);
  private readonly scratchA: GradientScratch;
  private readonly scratchB: GradientScratch;

  constructor(
    private readonly agent: ActorCritic,
    readonly rows: number,
  ) {
    const n = paramCount(agent.paramGroups);
    this.mb = allocMinibatch(rows, agent.obsSize, agent.head.actionSize, true);
    this.replica = new ActorCritic(agent.spec);
    this.flatParams = new Float32Array(n);
    this.flatGrads = new Float32Array(n);
    this.scratchA = new GradientScratch(rows, agent.head.inputSize);
    this.scratchB = new GradientScratch(rows, agent.head.inputSize);
  }

  compute(B: number, coefs: LossCoefs): LossStats {
    if (!Number.isInteger(B) || B < 2 || B > this.rows) throw new RangeError(`minibatch of ${B} rows does not fit ${this.rows}`);
    const half = B >> 1;
    const local = ppoMinibatchGradient(this.agent, this.mb, 0, half, B, coefs, this.scratchA);
    packInto(this.agent.paramGroups, 'params', this.flatParams);
    replicaGradient(this.replica, this.flatParams, this.mb, half, B, B, coefs, this.scratchB, this.flatGrads, this.stats);
    unpackFrom(this.agent.paramGroups, this.flatGrads, 'add-grads');
    return sumStats(local, this.stats);
  }

  close(): void {}
}

/**
 * Data-parallel PPO gradients on two threads: the caller takes the first half of each
 * minibatch's rows and a worker, holding a replica of the agent, the second. Parameters go
 * out and gradients come back through shared memory, once per minibatch. Gather minibatches
 * into `mb` (shared), then call `compute`.
 */
export class ParallelGradient implements HalvedGradient {
  readonly mb: Minibatch;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly control: Int32Array;
  private readonly args: Float64Array;
  private readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly stats: Float64Array;
  private readonly scratch: GradientScratch;
  private readonly spin: SpinBudget;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly agent: ActorCritic,
    readonly rows: number,
    private readonly timeoutMs = 120_000,
    spinMicros = 300,
  ) {
    const n = paramCount(agent.paramGroups);
    const sab = (bytes: number) => new SharedArrayBuffer(bytes);
    this.mb = allocMinibatch(rows, agent.obsSize, agent.head.actionSize, true);
    const init: GradientWorkerInit = {
      spec: agent.spec,
      rows,
      control: sab(16),
      args: sab(8 * ARGS),
      params: sab(4 * n),
      grads: sab(4 * n),
      stats: sab(8 * STATS),
      minibatch: Object.fromEntries(Object.entries(this.mb).map(([k, v]) => [k, (v as Float32Array).buffer as SharedArrayBuffer])) as GradientWorkerInit['minibatch'],
      spinMicros,
    };
    this.control = new Int32Array(init.control);
    this.args = new Float64Array(init.args);
    this.params = new Float32Array(init.params);
    this.grads = new Float32Array(init.grads);
    this.stats = new Float64Array(init.stats);
    this.scratch = new GradientScratch(rows, agent.head.inputSize);
    this.spin = new SpinBudget(spinMicros);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = spawnWorker(new URL('./gradientWorker.js', import.meta.url), { init, port: port2 }, [port2]);
    this.worker.unref();
  }

  /** Adds the gradient over all B rows of `mb` to the agent's gradients; returns the summed loss terms. */
  compute(B: number, coefs: LossCoefs): LossStats {
    if (this.closed) throw new Error('ParallelGradient is closed');
    if (!Number.isInteger(B) || B < 2 || B > this.rows) throw new RangeError(`minibatch of ${B} rows does not fit ${this.rows}`);
    const half = B >> 1;
    packInto(this.agent.paramGroups, 'params', this.params);
    const a = this.args;
    a[0] = half;
    a[1] = B;
    a[2] = B;
    a[3] = coefs.clipCoef;
    a[4] = coefs.valueClip ?? Number.NaN;
    a[5] = coefs.entCoef;
    a[6] = coefs.vfCoef;
    this.signal(CMD.Gradient);
    const local = ppoMinibatchGradient(this.agent, this.mb, 0, half, B, coefs, this.scratch);
    this.wait();
    unpackFrom(this.agent.paramGroups, this.grads, 'add-grads');
    return sumStats(local, this.stats);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.signal(CMD.Close);
      this.wait();
    } catch {
      // Terminated below either way.
    }
    this.port.close();
    void this.worker.terminate();
  }

  private signal(command: number): void {
    Atomics.store(this.control, CTRL.Command, command);
    this.seq += 1;
    Atomics.store(this.control, CTRL.CommandSeq, this.seq);
    Atomics.notify(this.control, CTRL.CommandSeq);
  }

  private wait(): void {
    waitForValue(this.control, CTRL.DoneSeq, this.seq, this.spin, this.timeoutMs, 'gradient worker');
    if (Atomics.load(this.control, CTRL.Status) !== 0) {
      const msg = receiveMessageOnPort(this.port)?.message as string | undefined;
      throw new Error(`gradient worker failed: ${msg ?? 'no message'}`);
    }
  }
}
