import { describe, expect, it } from 'vitest';
import { retryable, withReconnect } from './reconnect.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

class Flaky {
  calls = 0;
  constructor(private readonly failures: (() => Error)[]) {}
  async submit(x: number): Promise<number> {
    this.calls += 1;
    const f = this.failures.shift();
    if (f) throw f();
    return x * 2;
  }
  async open(): Promise<void> {
    this.calls += 1;
    throw refused();
  }
  async close(): Promise<string> {
    return 'closed';
  }
}

describe('riding out a PostgreSQL restart', () => {
  it('tells connection failures (which did not commit) from everything else', () => {
    expect(retryable(refused())).toBe(true);
    expect(retryable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(retryable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(retryable(Object.assign(new Error('Connection terminated unexpectedly'), { commitUnknown: true }))).toBe(false);
    expect(retryable(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    expect(retryable(Object.assign(new Error('no run "x"'), { name: 'NotFoundError' }))).toBe(false);
  });

  it('tries a call again until the database answers, within the budget; a failure during COMMIT, or at open, is passed on at once', async () => {
    const logs: string[] = [];
    const flaky = new Flaky([refused, () => new Error('Connection terminated unexpectedly')]);
    const b = withReconnect(flaky, 10_000, (l) => logs.push(l)) as unknown as Flaky;
    expect(await b.submit(21)).toBe(42);
    expect(flaky.calls).toBe(3);
    expect(logs).toEqual([expect.stringMatching(/^PostgreSQL unreachable \(connect ECONNREFUSED .*\); submit will be tried again for up to 10 s$/), 'PostgreSQL is back; submit went through after 2 retries']);

    const ambiguous = new Flaky([() => Object.assign(new Error('Connection terminated'), { commitUnknown: true })]);
    await expect((withReconnect(ambiguous, 10_000) as unknown as Flaky).submit(1)).rejects.toThrow('Connection terminated');
    expect(ambiguous.calls).toBe(1);

    const never = new Flaky([]);
    await expect((withReconnect(never, 10_000) as unknown as Flaky).open()).rejects.toThrow(/ECONNREFUSED/);
    expect(never.calls).toBe(1);
    expect(await (withReconnect(never, 10_000) as unknown as Flaky).close()).toBe('closed');

    const gone = new Flaky(Array.from({ length: 100 }, () => refused));
    const t0 = Date.now();
    await expect((withReconnect(gone, 300) as unknown as Flaky).submit(1)).rejects.toThrow(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
