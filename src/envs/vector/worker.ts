// A vector-env worker: owns a slice of sub-envs and steps them when the main thread signals.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import '../builtins.js';
import type { Env, Info } from '../core.js';
import { make } from '../registry.js';
import { RecordEpisodeStatistics } from '../wrappers/recordEpisodeStatistics.js';
import { CONTROL_STRIDE, Command, Slot, Status, type ResetPayload, type WorkerInit, type WorkerMessage } from './protocol.js';

const init = (workerData as { init: WorkerInit; port: MessagePort }).init;
const port = (workerData as { init: WorkerInit; port: MessagePort }).port;
const control = new Int32Array(init.buffers.control);
const base = init.workerIndex * CONTROL_STRIDE;
const actions = new Float64Array(init.buffers.actions);
const obs = new Float32Array(init.buffers.obs);
const finalObs = new Float32Array(init.buffers.finalObs);
const rewards = new Float64Array(init.buffers.rewards);
const terminated = new Uint8Array(init.buffers.terminated);
const truncated = new Uint8Array(init.buffers.truncated);

function post(msg: WorkerMessage): void {
  port.postMessage(msg);
}

function finish(seq: number, status: Status): void {
  Atomics.store(control, base + Slot.Status, status);
  Atomics.store(control, base + Slot.DoneSeq, seq);
  Atomics.notify(control, base + Slot.DoneSeq);
}

function isEmpty(info: Info): boolean {
  for (const _ in info) return false;
  return true;
}

async function main(): Promise<void> {
  let envs: Env[] = [];
  let setupError: string | null = null;
  try {
    for (const m of init.modules) await import(m);
    for (let i = init.first; i < init.last; i++) {
      const env = make(init.envId, init.makeOptions);
      envs.push(init.recordEpisodeStatistics ? new RecordEpisodeStatistics(env) : env);
    }
  } catch (e) {
    setupError = e instanceof Error ? e.message : String(e);
    envs = [];
  }

  const { obsSize, actionSize, first } = init;
  let lastSeq = 0;
  for (;;) {
    Atomics.wait(control, base + Slot.CommandSeq, lastSeq);
    const seq = Atomics.load(control, base + Slot.CommandSeq);
    if (seq === lastSeq) continue;
    lastSeq = seq;
    const command = Atomics.load(control, base + Slot.Command) as Command;
    if (command === Command.Close) {
      for (const env of envs) env.close();
      finish(seq, Status.Ok);
      port.close();
      return;
    }
    if (setupError !== null) {
      post({ kind: 'error', message: `worker ${init.workerIndex} could not create ${init.envId}: ${setupError}` });
      finish(seq, Status.Error);
      continue;
    }
    try {
      const infos: [number, Info][] = [];
      if (command === Command.Reset) {
        const payload = (receiveMessageOnPort(port)?.message ?? {}) as ResetPayload;
        envs.forEach((env, k) => {
          const g = first + k;
          const r = env.reset({ seed: payload.seed === undefined ? undefined : payload.seed + g, options: payload.options });
          obs.set(r.obs, g * obsSize);
          if (!isEmpty(r.info)) infos.push([g, r.info]);
        });
      } else {
        for (let k = 0; k < envs.length; k++) {
          const g = first + k;
          const a = init.discrete ? actions[g] : actions.slice(g * actionSize, (g + 1) * actionSize);
          let r;
          try {
            r = envs[k].step(a);
          } catch (e) {
            throw new Error(`sub-env ${g}: ${e instanceof Error ? e.message : String(e)}`);
          }
          let info = r.info;
          if (r.terminated || r.truncated) {
            finalObs.set(r.obs, g * obsSize);
            const reset = envs[k].reset();
            info = { ...info, reset_info: reset.info };
            obs.set(reset.obs, g * obsSize);
          } else {
            obs.set(r.obs, g * obsSize);
          }
          rewards[g] = r.reward;
          terminated[g] = r.terminated ? 1 : 0;
          truncated[g] = r.truncated ? 1 : 0;
          if (!isEmpty(info)) infos.push([g, info]);
        }
      }
      if (infos.length > 0) post({ kind: 'infos', infos });
      finish(seq, Status.Ok);
    } catch (e) {
      post({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      finish(seq, Status.Error);
    }
  }
}

void main();
