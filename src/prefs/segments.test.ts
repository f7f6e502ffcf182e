import { describe, expect, it } from 'vitest';
import { SegmentRecorder, defaultSegmentLength } from './segments.js';

describe('segments', () => {
  it('are 1.5 s of simulated time within 15-60 steps and one episode', () => {
    expect(defaultSegmentLength(0.05, 1000)).toBe(30); // HalfCheetah, Ant, InvertedDoublePendulum
    expect(defaultSegmentLength(0.04, 1000)).toBe(38); // Swimmer, InvertedPendulum
    expect(defaultSegmentLength(0.008, 1000)).toBe(60); // Hopper, Walker2d
    expect(defaultSegmentLength(0.2, 500)).toBe(15); // Acrobot
    expect(defaultSegmentLength(0.02, 50)).toBe(50); // Reacher: a whole episode
  });

  it('cut each sub-env into segments; keep segments cut by termination, drop those cut by a time limit', () => {
    const rec = new SegmentRecorder({ envId: 'T', seed: 3, numEnvs: 2, obsSize: 1, actionSize: 1, renderSize: 2, segmentLength: 3 });
    const out: ReturnType<SegmentRecorder['record']> = [];
    // Env 0 runs 7 steps and terminates at step 5 (t = 4); env 1 is truncated at t = 4.
    for (let t = 0; t < 7; t++) {
      const segments = rec.record(
        t * 2,
        Float32Array.of(t, 100 + t),
        Float32Array.of(t, 0 - t + 0, 100 + t, -100 - t),
        [t / 10, -t / 10],
        [t, 10 * t],
        [t === 4 ? 1 : 0, 0],
        [0, t === 4 ? 1 : 0],
      );
      out.push(...segments);
    }
    const byEnv = (e: number) => out.filter((c) => c.segment.envIndex === e);
    expect(byEnv(0).map((c) => [Array.from(c.segment.obs), c.segment.terminated, Array.from(c.truth.rewards)])).toEqual([
      [[0, 1, 2], false, [0, 1, 2]],
      [[3, 4], true, [3, 4]],
    ]);
    // Env 1: [0,1,2], then [3,4] cut by the time limit is dropped; [5,6] is still open.
    expect(byEnv(1).map((c) => Array.from(c.segment.obs))).toEqual([[100, 101, 102]]);
    const first = byEnv(0)[0].segment;
    expect(first).toMatchObject({ seed: 3, envId: 'T', length: 3, globalStep: 0, renderSize: 2 });
    expect(Array.from(first.render!, (v) => v + 0)).toEqual([0, 0, 1, -1, 2, -2]);
    expect(Array.from(first.actions)).toEqual([0, 0.1, 0.2].map(Math.fround));
    // Segments carry no true rewards: those are only in `truth`.
    expect(Object.keys(first)).not.toContain('rewards');
    expect(JSON.stringify(Object.keys(first))).not.toMatch(/reward/i);
    expect(new Set(out.map((c) => c.segment.id)).size).toBe(out.length);
  });
});
