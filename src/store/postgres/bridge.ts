/**
 * Synchronous calls into an asynchronous backend on its own thread. The project store's
 * interface is synchronous (SQLite answers at once, and the loop, the server and the contract
 * suite rely on it); node-postgres is asynchronous. So the PostgreSQL store runs its backend
 * (`backend.ts`, plain async `pg` code) on a worker thread, and each call here posts the method
 * and its arguments, blocks on a shared flag (`Atomics.wait`) until the worker has answered,
 * and reads the answer off the port (`receiveMessageOnPort`). A call costs a thread hop (tens
 * of microseconds) on top of the database's round trip.
 *
 * Errors cross by name: the store's refusals come back as the same classes (`NotFoundError`,
 * `ConflictError`, ...), anything else as an Error naming the thread. A worker that does not
 * answer within `timeoutMs` (a database that hangs, a thread that died) is an error too, never
 * a hang.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { spawnWorker } from '../../utils/workers.js';
import { StoreConflictError, StoreError } from '../../prefs/store.js';
import { ConflictError, CorruptProjectError, ForbiddenError, InvalidInputError, NotFoundError } from '../store.js';

/** What the worker posts back for one call. */
export type Reply = { ok: true; value: unknown } | { ok: false; name: string; message: string; stack?: string; code?: string };

/** What the worker is started with. */
export interface BridgeData {
  /** Whatever the backend needs to open (a URL, options). */
  init: unknown;
  port: MessagePort;
  /** Calls that do not block their caller: each carries an id, answered on this port in any order. */
  asyncPort: MessagePort;
  /** Int32 flag: 0 while a call is on its way, 1 once its reply is posted. */
  flag: SharedArrayBuffer;
}

const ERRORS: Record<string, new (message: string) => Error> = {
  NotFoundError,
  ConflictError,
  InvalidInputError,
  ForbiddenError,
  CorruptProjectError,
  StoreConflictError,
  StoreError,
};

/** The error a reply carries, as the class it was thrown as (store refusals), else a plain Error saying where. */
export function errorOf(reply: Extract<Reply, { ok: false }>, where: string): Error {
  const Kind = ERRORS[reply.name];
  if (Kind) return new Kind(reply.message);
  const err = new Error(`${reply.message} (${where})`);
  if (reply.code) (err as NodeJS.ErrnoException).code = reply.code;
  return err;
}

export class SyncThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly asyncPort: MessagePort;
  private readonly flag: Int32Array;
  private closed = false;
  /** Why the thread takes no more blocking calls (one timed out), or null. */
  private broken: string | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  /**
   * @param script the worker module (`new URL('./worker.js', import.meta.url)`), which calls `serveBridge`.
   * @param where names the thread in errors, e.g. 'the PostgreSQL store at postgres://…'.
   */
  constructor(
    script: URL,
    init: unknown,
    private readonly where: string,
    private readonly timeoutMs = 60_000,
  ) {
    const shared = new SharedArrayBuffer(4);
    this.flag = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    const channel = new MessageChannel();
    this.port = port1;
    this.asyncPort = channel.port1;
    const data: BridgeData = { init, port: port2, asyncPort: channel.port2, flag: shared };
    this.worker = spawnWorker(script, data, [port2, channel.port2]);
    this.asyncPort.on('message', ({ id, reply }: { id: number; reply: Reply }) => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (this.pending.size === 0) this.asyncPort.unref();
      if (reply.ok) p.resolve(reply.value);
      else p.reject(errorOf(reply, this.where));
    });
    // A thread that dies answers nothing more: calls waiting on it fail, saying so.
    const died = (why: string) => {
      this.broken ??= why;
      for (const p of this.pending.values()) p.reject(new Error(`${this.where}: ${why}`));
      this.pending.clear();
    };
    this.worker.once('error', (e) => died(`its thread failed: ${e.message}`));
    this.worker.once('exit', (code) => {
      if (!this.closed) died(`its thread exited (${code})`);
    });
    // A store left open must not keep the process alive (async calls hold it while they wait).
    this.worker.unref();
    this.port.unref();
    this.asyncPort.unref();
  }

  /**
   * Calls `method` without blocking: the worker answers calls in the order they finish, several
   * at once (each on its own connection), so a server awaiting the database keeps serving others.
   */
  callAsync<T>(method: string, args: readonly unknown[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${this.where} is closed`));
    if (this.broken) return Promise.reject(new Error(`${this.where} stopped answering (${this.broken}); open the project again`));
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.asyncPort.ref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.asyncPort.postMessage({ id, method, args });
    });
  }

  /** Calls `method` on the backend with `args` and returns its result, blocking until it answers (at most `timeoutMs`). */
  call<T>(method: string, args: readonly unknown[] = [], timeoutMs = this.timeoutMs): T {
    if (this.closed) throw new Error(`${this.where} is closed`);
    if (this.broken) throw new Error(`${this.where} stopped answering (${this.broken}); open the project again`);
    const id = ++this.nextId;
    this.port.postMessage({ id, method, args });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Cleared before each look at the port: the worker sets it after posting a reply, so a
      // reply posted after this look wakes the wait below at once.
      Atomics.store(this.flag, 0, 0);
      const message = receiveMessageOnPort(this.port);
      if (message) {
        const { id: answered, reply } = message.message as { id: number; reply: Reply };
        // A reply to another call (none while the thread is sound) is never this one's.
        if (answered !== id) continue;
        if (!reply.ok) throw errorOf(reply, this.where);
        return reply.value as T;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        // Its answer may still come (and the call may still commit): no later call may take it
        // for its own, so this thread takes no more calls.
        this.broken = `${method} did not answer within ${timeoutMs / 1000} s`;
        throw new Error(`${this.where} did not answer ${method} within ${timeoutMs / 1000} s; whether it took effect is unknown`);
      }
      Atomics.wait(this.flag, 0, 0, Math.min(left, 1000));
    }
  }

  /** Calls the backend's `close` (if any), then ends the thread. */
  close(): void {
    if (this.closed) return;
    try {
      // A thread that stopped answering is ended without asking it.
      if (!this.broken) this.call('close');
    } finally {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error(`${this.where} closed before answering`));
      this.pending.clear();
      this.port.close();
      this.asyncPort.close();
      void this.worker.terminate();
    }
  }
}

/**
 * The worker side: answers each call by awaiting `backend[method](...args)`: blocking calls one
 * at a time (their caller waits), calls that do not block as they come, side by side.
 */
export function serveBridge(data: BridgeData, backend: Record<string, unknown>): void {
  const flag = new Int32Array(data.flag);
  const answer = async (method: string, args: unknown[]): Promise<Reply> => {
    try {
      const f = backend[method];
      if (typeof f !== 'function') throw new Error(`the backend has no method ${method}`);
      return { ok: true, value: await (f as (...a: unknown[]) => unknown).apply(backend, args) };
    } catch (e) {
      const err = e as Error & { code?: string };
      return { ok: false, name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack, ...(typeof err?.code === 'string' ? { code: err.code } : {}) };
    }
  };
  data.asyncPort.on('message', async ({ id, method, args }: { id: number; method: string; args: unknown[] }) => {
    const reply = await answer(method, args);
    try {
      data.asyncPort.postMessage({ id, reply });
    } catch (e) {
      data.asyncPort.postMessage({ id, reply: { ok: false, name: 'Error', message: `the reply to ${method} could not be sent: ${(e as Error).message}` } satisfies Reply });
    }
  });
  // Blocking calls one after another, each reply naming its call.
  let queue: Promise<void> = Promise.resolve();
  data.port.on('message', ({ id, method, args }: { id: number; method: string; args: unknown[] }) => {
    queue = queue.then(async () => {
      const reply = await answer(method, args);
      try {
        data.port.postMessage({ id, reply });
      } catch (e) {
        // A value that cannot be cloned: say so rather than leave the caller waiting.
        data.port.postMessage({ id, reply: { ok: false, name: 'Error', message: `the reply to ${method} could not be sent: ${(e as Error).message}` } satisfies Reply });
      }
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
  });
}
