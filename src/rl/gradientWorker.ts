// The second thread of ParallelGradient: a replica of the agent computing gradients on half of each minibatch.
import { workerData, type MessagePort } from 'node:worker_threads';
import { SpinBudget, waitForChange } from '../utils/workers.js';
import { ActorCritic } from './agent.js';
import { ARGS, CMD, CTRL, replicaGradient, type GradientWorkerInit } from './parallelGradient.js';
import { GradientScratch, type Minibatch } from './ppoLoss.js';

const { init, port } = workerData as { init: GradientWorkerInit; port: MessagePort };
const control = new Int32Array(init.control);
const args = new Float64Array(init.args);
const params = new Float32Array(init.params);
const grads = new Float32Array(init.grads);
const stats = new Float64Array(init.stats);
const m = init.minibatch;
const mb: Minibatch = {
  obs: new Float32Array(m.obs),
  actions: new Float32Array(m.actions),
  oldLogProb: new Float64Array(m.oldLogProb),
  advantages: new Float64Array(m.advantages),
  returns: new Float64Array(m.returns),
  oldValues: new Float64Array(m.oldValues),
};
const agent = new ActorCritic(init.spec);
const scratch = new GradientScratch(init.rows, agent.head.inputSize);

function finish(seq: number, status: number): void {
  Atomics.store(control, CTRL.Status, status);
  Atomics.store(control, CTRL.DoneSeq, seq);
  Atomics.notify(control, CTRL.DoneSeq);
}

let lastSeq = 0;
const spin = new SpinBudget(init.spinMicros);
for (;;) {
  // Minibatches follow each other within a millisecond: spin (while that pays) before sleeping.
  waitForChange(control, CTRL.CommandSeq, lastSeq, spin);
  const seq = Atomics.load(control, CTRL.CommandSeq);
  if (seq === lastSeq) continue;
  lastSeq = seq;
  if (Atomics.load(control, CTRL.Command) === CMD.Close) {
    finish(seq, 0);
    port.close();
    break;
  }
  try {
    if (args.length !== ARGS) throw new Error('argument block has the wrong size');
    const valueClip = Number.isNaN(args[4]) ? null : args[4];
    replicaGradient(agent, params, mb, args[0], args[1], args[2], { clipCoef: args[3], valueClip, entCoef: args[5], vfCoef: args[6] }, scratch, grads, stats);
    finish(seq, 0);
  } catch (e) {
    port.postMessage(e instanceof Error ? e.message : String(e));
    finish(seq, 1);
  }
}
