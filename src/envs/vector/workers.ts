import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { assertSeed } from '../../utils/rng.js';
import type { Info } from '../core.js';
import { make, registration, type MakeOptions } from '../registry.js';
import { Box, flatActionSize, type Discrete } from '../spaces.js';
import { CONTROL_STRIDE, Command, Slot, Status, type ResetPayload, type RestorePayload, type WorkerInit, type WorkerMessage } from './protocol.js';
import { SpinBudget, spawnWorker, threadBudget, waitForValue } from '../../utils/workers.js';
import { EnvSlice, finalObservations, makeEnvs, probeRenderSize, type SharedViews } from './slice.js';
import { checkActionBatch } from './sync.js';
import { decodeSubEnvs, subEnvsIdentity, subEnvsSnapshot, type SubEnvSnapshot, type SubEnvsIdentity } from './snapshot.js';
import type { VecEnvSnapshot, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';

export interface WorkerVectorEnvOptions {
  numEnvs: number;
  /** Worker threads; defaults to one per core (`threadBudget`), minus the calling thread when it steps envs too. */
  numWorkers?: number;
  /**
   * Whether the calling thread steps a share of the envs while the workers step theirs
   * (default true: with N cores, N - 1 workers plus the caller keep every core busy).
   */
  stepOnCaller?: boolean;
  makeOptions?: MakeOptions;
  recordEpisodeStatistics?: boolean;
  /** Extra modules each worker imports before `make` (for envs registered outside the built-ins). */
  modules?: string[];
  /** How long to wait for a worker before giving up, in ms. */
  timeoutMs?: number;
  /** Busy-wait before sleeping, in microseconds: trades idle CPU for wake-up latency. */
  spinMicros?: number;
  /** Forward only these info keys, e.g. ['episode'] (default: every key). */
  infoKeys?: string[];
  /** Return each observation's render state too (see `VectorStepResult.render`). */
  recordRender?: boolean;
}

/**
 * Sub-envs spread over `worker_threads` (and, by default, the calling thread). Actions,
 * observations, rewards and flags travel through shared memory; the caller blocks on
 * `Atomics.wait` so the interface stays synchronous, identical to `SyncVectorEnv`. Infos
 * travel as messages read synchronously.
 */
export class WorkerVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly numWorkers: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Box | Discrete;
  readonly obsSize: number;
  readonly actionSize: number;
  readonly renderSize: number;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly control: Int32Array;
  private readonly views: SharedViews;
  private readonly local: EnvSlice | null;
  private readonly seqs: number[];
  private readonly timeoutMs: number;
  private readonly spinMicros: number;
  private readonly spin: SpinBudget;
  /** Global indices [first, last) of each worker's sub-envs. */
  private readonly workerBounds: [number, number][] = [];
  private readonly identity: SubEnvsIdentity;
  private closed = false;

  constructor(
    readonly envId: string,
    opts: WorkerVectorEnvOptions,
  ) {
    const { numEnvs } = opts;
    if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new RangeError(`numEnvs must be a positive integer, got ${numEnvs}`);
    registration(envId); // unknown ids fail here, with the registry's message
    const probe = make(envId, opts.makeOptions);
    this.singleObservationSpace = probe.observationSpace;
    this.singleActionSpace = probe.actionSpace;
    const spec = probe.spec;
    probe.close();
    this.numEnvs = numEnvs;
    this.obsSize = this.singleObservationSpace.size;
    this.actionSize = flatActionSize(this.singleActionSpace);
    this.identity = subEnvsIdentity(spec, this.obsSize, this.actionSize);
    this.renderSize = opts.recordRender ? probeRenderSize(envId, opts.makeOptions ?? {}) : 0;
    const onCaller = opts.stepOnCaller ?? true;
    const cores = threadBudget();
    const wanted = opts.numWorkers ?? (onCaller ? cores - 1 : cores);
    const participants = Math.min(numEnvs, wanted + (onCaller ? 1 : 0));
    this.numWorkers = Math.max(onCaller ? 0 : 1, participants - (onCaller ? 1 : 0));
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.spinMicros = opts.spinMicros ?? 300;
    this.spin = new SpinBudget(this.spinMicros);

    const sab = (bytes: number) => new SharedArrayBuffer(bytes);
    const buffers = {
      control: sab(4 * CONTROL_STRIDE * Math.max(1, this.numWorkers)),
      actions: sab(8 * numEnvs * this.actionSize),
      obs: sab(4 * numEnvs * this.obsSize),
      finalObs: sab(4 * numEnvs * this.obsSize),
      rewards: sab(8 * numEnvs),
      terminated: sab(numEnvs),
      truncated: sab(numEnvs),
      render: this.renderSize > 0 ? sab(4 * numEnvs * this.renderSize) : null,
    };
    this.control = new Int32Array(buffers.control);
    this.views = {
      actions: new Float64Array(buffers.actions),
      obs: new Float32Array(buffers.obs),
      finalObs: new Float32Array(buffers.finalObs),
      rewards: new Float64Array(buffers.rewards),
      terminated: new Uint8Array(buffers.terminated),
      truncated: new Uint8Array(buffers.truncated),
      render: buffers.render ? new Float32Array(buffers.render) : null,
    };
    this.seqs = new Array<number>(this.numWorkers).fill(0);

    // Participant p owns envs [p * numEnvs / P, (p + 1) * numEnvs / P); the caller is the last one.
    const P = this.numWorkers + (onCaller ? 1 : 0);
    const bounds = (p: number): [number, number] => [Math.floor((p * numEnvs) / P), Math.floor(((p + 1) * numEnvs) / P)];
    const discrete = !(this.singleActionSpace instanceof Box);
    const recordStats = opts.recordEpisodeStatistics ?? true;
    const makeOptions = opts.makeOptions ?? {};
    for (let w = 0; w < this.numWorkers; w++) {
      const [first, last] = bounds(w);
      this.workerBounds.push([first, last]);
      const { port1, port2 } = new MessageChannel();
      const init: WorkerInit = {
        envId,
        makeOptions,
        recordEpisodeStatistics: recordStats,
        modules: opts.modules ?? [],
        workerIndex: w,
        first,
        last,
        obsSize: this.obsSize,
        actionSize: this.actionSize,
        renderSize: this.renderSize,
        discrete,
        spinMicros: this.spinMicros,
        infoKeys: opts.infoKeys ?? null,
        buffers,
      };
      const worker = spawnWorker(new URL('./worker.js', import.meta.url), { init, port: port2 }, [port2]);
      worker.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
    if (onCaller) {
      const [first, last] = bounds(P - 1);
      const envs = makeEnvs(envId, makeOptions, recordStats, last - first);
      this.local = new EnvSlice(envs, first, this.obsSize, this.actionSize, discrete, opts.infoKeys ?? null, this.renderSize);
    } else {
      this.local = null;
    }
  }

  reset(opts: VectorResetOptions = {}): VectorResetResult {
    if (opts.seed !== undefined) assertSeed(opts.seed);
    const payload: ResetPayload = { seed: opts.seed, options: opts.options };
    for (const port of this.ports) port.postMessage(payload);
    const infos = this.run(Command.Reset, () => this.local?.reset(this.views, opts.seed, opts.options) ?? []);
    const render = this.views.render;
    return render ? { obs: this.views.obs.slice(), infos, render: render.slice() } : { obs: this.views.obs.slice(), infos };
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    checkActionBatch(actions, this.numEnvs, this.actionSize);
    const v = this.views;
    v.actions.set(actions);
    const infos = this.run(Command.Step, () => this.local?.step(v) ?? []);
    const finalObs = finalObservations(v, this.numEnvs, this.obsSize);
    const result: VectorStepResult = {
      obs: v.obs.slice(),
      rewards: v.rewards.slice(),
      terminated: v.terminated.slice(),
      truncated: v.truncated.slice(),
      infos,
      finalObs,
    };
    if (v.render) result.render = v.render.slice();
    return result;
  }

  snapshot(): VecEnvSnapshot {
    const subEnvs = new Array<SubEnvSnapshot>(this.numEnvs);
    const place = (first: number, states: SubEnvSnapshot[]) => states.forEach((st, k) => (subEnvs[first + k] = st));
    this.run(
      Command.Snapshot,
      () => {
        if (this.local) place(this.local.first, this.local.snapshot());
        return [];
      },
      (msg) => place(msg.first, msg.subEnvs),
    );
    return subEnvsSnapshot(this.identity, subEnvs);
  }

  restore(snapshot: VecEnvSnapshot): void {
    // Checked and decoded here, so that a mismatch fails before any sub-env changes.
    const replays = decodeSubEnvs(snapshot, this.identity, this.numEnvs);
    if (this.closed) throw new Error(`vector env for ${this.envId} is closed`);
    this.workerBounds.forEach(([first, last], w) => {
      const payload: RestorePayload = { replays: replays.slice(first, last) };
      this.ports[w].postMessage(payload);
    });
    const local = this.local;
    this.run(Command.Restore, () => {
      local?.restore(replays.slice(local.first, local.first + local.envs.length));
      return [];
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.signal(Command.Close);
      this.waitAll();
    } catch {
      // A worker that cannot close cleanly is terminated below anyway.
    }
    this.local?.close();
    for (const port of this.ports) port.close();
    for (const w of this.workers) void w.terminate();
  }

  /**
   * Sends one command to every worker, does the caller's share meanwhile, waits for all,
   * and gathers infos and errors.
   */
  private run(
    command: Command,
    localWork: () => [number, Info][],
    onSnapshot?: (msg: Extract<WorkerMessage, { kind: 'snapshot' }>) => void,
  ): Info[] {
    if (this.closed) throw new Error(`vector env for ${this.envId} is closed`);
    this.signal(command);
    const infos: Info[] = Array.from({ length: this.numEnvs }, () => ({}));
    const errors: string[] = [];
    try {
      for (const [i, info] of localWork()) infos[i] = info;
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
    this.waitAll();
    for (let w = 0; w < this.numWorkers; w++) {
      for (let m = receiveMessageOnPort(this.ports[w]); m !== undefined; m = receiveMessageOnPort(this.ports[w])) {
        const msg = m.message as WorkerMessage;
        if (msg.kind === 'infos') for (const [i, info] of msg.infos) infos[i] = info;
        else if (msg.kind === 'snapshot') onSnapshot?.(msg);
        else errors.push(msg.message);
      }
      if (Atomics.load(this.control, w * CONTROL_STRIDE + Slot.Status) === Status.Error && errors.length === 0) {
        errors.push(`worker ${w} failed without a message`);
      }
    }
    if (errors.length > 0) throw new Error(`${this.envId}: ${errors.join('; ')}`);
    return infos;
  }

  private signal(command: Command): void {
    for (let w = 0; w < this.numWorkers; w++) {
      const base = w * CONTROL_STRIDE;
      Atomics.store(this.control, base + Slot.Command, command);
      this.seqs[w] += 1;
      Atomics.store(this.control, base + Slot.CommandSeq, this.seqs[w]);
      Atomics.notify(this.control, base + Slot.CommandSeq);
    }
  }

  private waitAll(): void {
    for (let w = 0; w < this.numWorkers; w++) {
      waitForValue(this.control, w * CONTROL_STRIDE + Slot.DoneSeq, this.seqs[w], this.spin, this.timeoutMs, `${this.envId}: worker ${w}`);
    }
  }
}
