import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { threadBudget } from './workers.js';

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
