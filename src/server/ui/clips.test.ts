import { afterEach, describe, expect, it, vi } from 'vitest';
import { advanceClock, clockFrame, HOLD_SECONDS, MIN_CLIP_SECONDS, prepareClips } from './clips.js';
import { clipFrames, decode } from './client.js';
import type { SegmentJson } from '../api.js';
import type { RenderSpec } from './draw.js';

const PENDULUM: RenderSpec = { kind: 'classic', scene: 'Pendulum', dt: 0.05, fields: ['theta', 'theta_dot'] };
const b64 = (xs: number[]) => btoa(String.fromCharCode(...new Uint8Array(Float32Array.from(xs).buffer)));
const clip = (id: string, length: number, swing: number): SegmentJson => ({ id, envId: 'Pendulum-v1', length, renderSize: 2, terminated: false, clip: null, render: b64(Array.from({ length: 2 * length }, (_, k) => (k % 2 === 0 ? (swing * k) / (2 * length) : 0))) });

describe('the clips clock', () => {
  it('never runs backwards: a frame timestamp from before the last advance leaves the clock where it was', () => {
    expect(advanceClock(0, -4, 1, 2)).toBe(0);
    expect(clockFrame(advanceClock(0, -4, 1, 2), 0.05)).toBe(0);
    expect(advanceClock(0.5, -16, 0.5, 2)).toBe(0.5);
    expect(advanceClock(0.5, 1000, 0.5, 2)).toBeCloseTo(1);
    expect(advanceClock(1.9, 200, 1, 2)).toBeCloseTo(0.1);
  });

  it('a pair shares one scale and lasts at least MIN_CLIP_SECONDS plus the hold', () => {
    const segments = [clip('a', 8, 0.2), clip('b', 12, 3)];
    const clips = prepareClips(PENDULUM, segments, segments.map((s) => decode(s.render!)), 320, 240);
    expect(clips.frames1x).toBe(12);
    expect(clips.period).toBeCloseTo(MIN_CLIP_SECONDS + HOLD_SECONDS);
    expect(clips.bounds).toHaveLength(2);
    // Side view: one vertical window for both.
    expect([clips.bounds[0].minV, clips.bounds[0].maxV]).toEqual([clips.bounds[1].minV, clips.bounds[1].maxV]);
  });
});

describe('clip frames', () => {
  const fetched: string[] = [];
  const serve = (floats: number) => {
    fetched.length = 0;
    vi.stubGlobal('fetch', async (url: string) => {
      fetched.push(url);
      return new Response(new Float32Array(floats).fill(0.5).buffer, { status: 200 });
    });
  };
  afterEach(() => vi.unstubAllGlobals());

  it('fetches a clip by its address once, and reads its bytes as float32', async () => {
    serve(4);
    const s: SegmentJson = { id: 'x', envId: 'Pendulum-v1', length: 2, renderSize: 2, terminated: false, render: null, clip: '/api/runs/r/clips/x' };
    expect([...(await clipFrames(s))]).toEqual([0.5, 0.5, 0.5, 0.5]);
    await clipFrames(s);
    expect(fetched).toEqual(['/api/runs/r/clips/x']);
  });

  it('refuses a clip whose size is not length x renderSize floats, and asks again next time', async () => {
    serve(3);
    const s: SegmentJson = { id: 'y', envId: 'Pendulum-v1', length: 2, renderSize: 2, terminated: false, render: null, clip: '/api/runs/r/clips/y' };
    await expect(clipFrames(s)).rejects.toThrow('clip y: 12 bytes, expected 2 x 2 floats');
    await expect(clipFrames(s)).rejects.toThrow(/12 bytes/);
    expect(fetched).toHaveLength(2);
  });

  it('decodes an inline clip without fetching', async () => {
    serve(0);
    expect((await clipFrames(clip('z', 3, 1))).length).toBe(6);
    expect(fetched).toEqual([]);
  });
});
