import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../store.js';
import { SyncThread } from './bridge.js';

const open = () => new SyncThread(new URL('./testing/fakeWorker.js', import.meta.url), null, 'the fake store');

describe('calls across the bridge', () => {
  it('answers blocking calls in order with their own replies, and the store refusals as their own classes', async () => {
    const t = open();
    try {
      expect(['a', 'b', 'c'].map((x) => t.call<string>('fast', [x]))).toEqual(['fast-a', 'fast-b', 'fast-c']);
      expect(() => t.call('fails')).toThrow(NotFoundError);
      expect(await Promise.all([t.callAsync('slow', [50]), t.callAsync('fast', ['d'])])).toEqual(['slow-result', 'fast-d']);
      expect(t.call<string>('fast', ['e'])).toBe('fast-e');
    } finally {
      t.close();
    }
  });

  it('a call that does not answer in time leaves the thread refusing calls, never handing its late reply to the next one', async () => {
    const t = open();
    try {
      expect(() => t.call('slow', [400], 100)).toThrow(/the fake store did not answer slow within 0.1 s; whether it took effect is unknown/);
      await new Promise((r) => setTimeout(r, 500));
      expect(() => t.call('fast', ['a'])).toThrow(/the fake store stopped answering \(slow did not answer within 0.1 s\); open the project again/);
      await expect(t.callAsync('fast', ['b'])).rejects.toThrow(/stopped answering/);
    } finally {
      t.close();
    }
  });
});
