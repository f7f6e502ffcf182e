import { availableParallelism } from 'node:os';
import { Worker, type TransferListItem } from 'node:worker_threads';

/**
 * Threads one job may keep busy: the cores, or `OVERSEER_THREADS` when set. With
 * OVERSEER_THREADS=1 a run steps its envs and computes its gradients on the calling thread
 * alone, with results identical to the threaded run, so two jobs can share a 2-core machine
 * without spin-waiting threads competing for the cores.
 */
export function threadBudget(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OVERSEER_THREADS;
  if (raw === undefined || raw === '') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`OVERSEER_THREADS must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Starts a worker thread on a sibling module given as `new URL('./x.js', import.meta.url)`.
 * Compiled, that is the .js file. Run from TypeScript source (tests, tsx), the worker boots
 * through tsx's ESM loader, registered inside the worker: Node 20 does not pass `--import`
 * hooks on to worker threads.
 */
export function spawnWorker(script: URL, workerData: unknown, transferList: TransferListItem[] = []): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(script, { workerData, transferList });
  const ts = script.href.replace(/\.js$/, '.ts');
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(boot, { eval: true, workerData, transferList });
}

/**
 * How long a waiting thread spins before it sleeps on Atomics.wait, learned from how its waits
 * end. Spinning pays when the answer comes within the spin, as it does with a core per thread;
 * when more threads are runnable than there are cores (two runs on a 2-core machine), the
 * thread waited for is often not running, and a spinner holds the very core it needs: raw
 * InvertedPendulum stepping fell from ~116k to ~3.6k steps/s beside two other runs. Each
 * wait moves the budget an eighth of the way towards `max` if it was answered within `max`
 * (a full spin would have caught it), else towards 0, so waits that miss anyway go straight to
 * sleep. The budget only costs when a spin misses: an answered spin ends at once.
 */
export class SpinBudget {
  micros: number;

  constructor(readonly max: number) {
    if (!(max >= 0)) throw new RangeError(`spin budget must be >= 0 microseconds, got ${max}`);
    this.micros = max;
  }

  /** Records how long a wait took until it was answered. */
  record(latencyMicros: number): void {
    const target = latencyMicros <= this.max ? this.max : 0;
    this.micros += (target - this.micros) / 8;
  }
}

/** Busy-waits up to `micros` for `arr[index]` to differ from `value`; true if it did. */
export function spinUntilChanged(arr: Int32Array, index: number, value: number, micros: number): boolean {
  const deadline = performance.now() + micros / 1000;
  for (;;) {
    for (let i = 0; i < 256; i++) if (Atomics.load(arr, index) !== value) return true;
    if (performance.now() > deadline) return false;
  }
}

/** Waits, with no time limit, until `arr[index]` differs from `value`: spins for the budget, then sleeps; the wait's latency goes to the budget. */
export function waitForChange(arr: Int32Array, index: number, value: number, spin: SpinBudget): void {
  const t0 = performance.now();
  if (!spinUntilChanged(arr, index, value, spin.micros)) Atomics.wait(arr, index, value);
  spin.record(1000 * (performance.now() - t0));
}

/**
 * Waits until `arr[index]` equals `target`: spins for the budget, then sleeps on Atomics.wait
 * in slices, giving up with an error after `timeoutMs`.
 */
export function waitForValue(arr: Int32Array, index: number, target: number, spin: SpinBudget, timeoutMs: number, what: string): void {
  const t0 = performance.now();
  const deadline = t0 + timeoutMs;
  for (;;) {
    const current = Atomics.load(arr, index);
    if (current === target) break;
    if (spinUntilChanged(arr, index, current, spin.micros)) continue;
    if (performance.now() > deadline) throw new Error(`${what} did not answer within ${timeoutMs} ms`);
    Atomics.wait(arr, index, current, 50);
  }
  spin.record(1000 * (performance.now() - t0));
}
