/**
 * Riding out a PostgreSQL restart: a call that failed because the server could not be reached
 * (refused, reset, shutting down, starting up) is tried again, with growing pauses, for up to
 * `budgetMs`, so app servers and runs carry on once the database is back instead of failing the
 * request or the run. A call is tried again only when it cannot have committed: the failure came
 * before its COMMIT was sent (a transaction the server saw end with the connection is rolled
 * back). A failure during COMMIT is passed on: whether it committed is unknown.
 */

/**
 * Writes of one statement, which commit on their own: a dropped reply cannot tell whether they
 * did, and doing them again is not the same (a second token for an annotator, a run that now
 * "already exists"). They are passed on at once.
 */
const ONCE = new Set(['createRun', 'addAnnotator']);

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const CONNECTION_MESSAGES = /Connection terminated|connection error|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|terminating connection due to administrator command|Client was closed and is not queryable/i;

/** Whether an error means the database could not be reached, and the call did not commit. */
export function retryable(e: unknown): boolean {
  const err = e as { code?: string; message?: string; commitUnknown?: boolean } | null;
  if (!err || err.commitUnknown) return false;
  return (err.code !== undefined && CONNECTION_CODES.has(err.code)) || CONNECTION_MESSAGES.test(err.message ?? '');
}

/**
 * `backend` with each method tried again on connection failures, for up to `budgetMs` in all;
 * but `open` (a database never reached is a wrong URL or a server not started: said at once)
 * and `close`.
 */
export function withReconnect<T extends object>(backend: T, budgetMs: number, log: (line: string) => void = () => {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let proto: object | null = backend;
  const names = new Set<string>();
  while (proto && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  for (const name of names) {
    const f = (backend as Record<string, unknown>)[name];
    if (typeof f !== 'function') continue;
    out[name] =
      name === 'close' || name === 'open' || ONCE.has(name)
        ? f.bind(backend)
        : async (...args: unknown[]) => {
            const deadline = Date.now() + budgetMs;
            for (let attempt = 0; ; attempt++) {
              try {
                const value = await (f as (...a: unknown[]) => Promise<unknown>).apply(backend, args);
                if (attempt > 0) log(`PostgreSQL is back; ${name} went through after ${attempt} retries`);
                return value;
              } catch (e) {
                if (!retryable(e) || Date.now() >= deadline) throw e;
                if (attempt === 0) log(`PostgreSQL unreachable (${(e as Error).message}); ${name} will be tried again for up to ${Math.round(budgetMs / 1000)} s`);
                await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
              }
            }
          };
  }
  return out;
}
