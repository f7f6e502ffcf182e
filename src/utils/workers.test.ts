import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SpinBudget, threadBudget, waitForChange, waitForValue } from './workers.js';

describe('threadBudget', () => {
  it('is the core count unless OVERSEER_THREADS names a positive integer', () => {
    expect(threadBudget({})).toBe(availableParallelism());
    expect(threadBudget({ OVERSEER_THREADS: '' })).toBe(availableParallelism());
    expect(threadBudget({ OVERSEER_THREADS: '1' })).toBe(1);
    expect(threadBudget({ OVERSEER_THREADS: '3' })).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'two', ' ']) {
      expect(() => threadBudget({ OVERSEER_THREADS: bad })).toThrow(`OVERSEER_THREADS must be a positive integer, got ${JSON.stringify(bad)}`);
    }
  });
});

describe('SpinBudget', () => {
  it('stays at its maximum while waits are answered within it', () => {
    const b = new SpinBudget(300);
    for (const latency of [1, 50, 299, 300]) b.record(latency);
    expect(b.micros).toBe(300);
  });

  it('falls towards 0 while waits outlast it, an eighth of the way per wait, and climbs back', () => {
    const b = new SpinBudget(300);
    b.record(301);
    expect(b.micros).toBeCloseTo(262.5, 10);
    for (let i = 1; i < 20; i++) b.record(5000);
    // 300 (7/8)^20
    expect(b.micros).toBeCloseTo(300 * (7 / 8) ** 20, 10);
    expect(b.micros).toBeLessThan(21);
    // One quick answer moves it an eighth of the way back to the maximum.
    const before = b.micros;
    b.record(10);
    expect(b.micros).toBeCloseTo(before + (300 - before) / 8, 10);
  });

  it('refuses a negative maximum', () => {
    expect(() => new SpinBudget(-1)).toThrow('spin budget must be >= 0 microseconds, got -1');
  });

  it('is fed by the waits: an answer already there counts as answered within the spin', () => {
    const arr = new Int32Array(new SharedArrayBuffer(8));
    const b = new SpinBudget(300);
    b.micros = 100;
    arr[0] = 1;
    waitForChange(arr, 0, 0, b);
    expect(b.micros).toBeCloseTo(100 + 200 / 8, 6);
    b.micros = 100;
    waitForValue(arr, 0, 1, b, 1000, 'test');
    expect(b.micros).toBeCloseTo(100 + 200 / 8, 6);
    // A value that never comes: the wait gives up after its timeout, naming what it waited for.
    expect(() => waitForValue(arr, 0, 2, new SpinBudget(0), 120, 'the test worker')).toThrow('the test worker did not answer within 120 ms');
  });
});
