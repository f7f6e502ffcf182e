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

/** Busy-waits up to `micros` for `arr[index]` to differ from `value`; true if it did. */
export function spinUntilChanged(arr: Int32Array, index: number, value: number, micros: number): boolean {
  const deadline = performance.now() + micros / 1000;
  for (;;) {
    for (let i = 0; i < 256; i++) if (Atomics.load(arr, index) !== value) return true;
    if (performance.now() > deadline) return false;
  }
}

/**
 * Waits until `arr[index]` equals `target`: spins for `spinMicros`, then sleeps on
 * Atomics.wait in slices, giving up with an error after `timeoutMs`.
 */
export function waitForValue(arr: Int32Array, index: number, target: number, spinMicros: number, timeoutMs: number, what: string): void {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const current = Atomics.load(arr, index);
    if (current === target) return;
    if (spinUntilChanged(arr, index, current, spinMicros)) continue;
    if (performance.now() > deadline) throw new Error(`${what} did not answer within ${timeoutMs} ms`);
    Atomics.wait(arr, index, current, 50);
  }
}
