// A vector-env worker: owns a slice of sub-envs and steps them when the main thread signals.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import '../builtins.js';
import { CONTROL_STRIDE, Command, Slot, Status, type ResetPayload, type RestorePayload, type WorkerInit, type WorkerMessage } from './protocol.js';
import { SpinBudget, waitForChange } from '../../utils/workers.js';
import { EnvSlice, makeEnvs, type SharedViews } from './slice.js';

const { init, port } = workerData as { init: WorkerInit; port: MessagePort };
const control = new Int32Array(init.buffers.control);
const base = init.workerIndex * CONTROL_STRIDE;
const views: SharedViews = {
  actions: new Float64Array(init.buffers.actions),
  obs: new Float32Array(init.buffers.obs),
  finalObs: new Float32Array(init.buffers.finalObs),
  rewards: new Float64Array(init.buffers.rewards),
  terminated: new Uint8Array(init.buffers.terminated),
  truncated: new Uint8Array(init.buffers.truncated),
  render: init.buffers.render ? new Float32Array(init.buffers.render) : null,
};

function post(msg: WorkerMessage): void {
  port.postMessage(msg);
}

function finish(seq: number, status: Status): void {
  Atomics.store(control, base + Slot.Status, status);
  Atomics.store(control, base + Slot.DoneSeq, seq);
  Atomics.notify(control, base + Slot.DoneSeq);
}

async function main(): Promise<void> {
  let slice: EnvSlice | null = null;
  let setupError: string | null = null;
  try {
    for (const m of init.modules) await import(m);
    const envs = makeEnvs(init.envId, init.makeOptions, init.recordEpisodeStatistics, init.last - init.first);
    slice = new EnvSlice(envs, init.first, init.obsSize, init.actionSize, init.discrete, init.infoKeys, init.renderSize);
  } catch (e) {
    setupError = e instanceof Error ? e.message : String(e);
  }

  let lastSeq = 0;
  const spin = new SpinBudget(init.spinMicros);
  for (;;) {
    // During a rollout the next command follows within microseconds: spin (while that pays) before sleeping.
    waitForChange(control, base + Slot.CommandSeq, lastSeq, spin);
    const seq = Atomics.load(control, base + Slot.CommandSeq);
    if (seq === lastSeq) continue;
    lastSeq = seq;
    const command = Atomics.load(control, base + Slot.Command) as Command;
    if (command === Command.Close) {
      slice?.close();
      finish(seq, Status.Ok);
      port.close();
      return;
    }
    if (slice === null) {
      post({ kind: 'error', message: `worker ${init.workerIndex} could not create ${init.envId}: ${setupError}` });
      finish(seq, Status.Error);
      continue;
    }
    try {
      if (command === Command.Snapshot) {
        post({ kind: 'snapshot', first: init.first, subEnvs: slice.snapshot() });
      } else if (command === Command.Restore) {
        const payload = receiveMessageOnPort(port)?.message as RestorePayload | undefined;
        if (payload === undefined) throw new Error(`worker ${init.workerIndex}: restore without its sub-env states`);
        slice.restore(payload.replays);
      } else {
        let infos;
        if (command === Command.Reset) {
          const payload = (receiveMessageOnPort(port)?.message ?? {}) as ResetPayload;
          infos = slice.reset(views, payload.seed, payload.options);
        } else {
          infos = slice.step(views);
        }
        if (infos.length > 0) post({ kind: 'infos', infos });
      }
      finish(seq, Status.Ok);
    } catch (e) {
      post({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      finish(seq, Status.Error);
    }
  }
}

void main();
