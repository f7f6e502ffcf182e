import { describe, expect, it } from 'vitest';
import { advanceClock, clockFrame, HOLD_SECONDS, MIN_CLIP_SECONDS, prepareClips } from './clips.js';
import type { SegmentJson } from '../api.js';
import type { RenderSpec } from './draw.js';

const PENDULUM: RenderSpec = { kind: 'classic', scene: 'Pendulum', dt: 0.05, fields: ['theta', 'theta_dot'] };
const b64 = (xs: number[]) => btoa(String.fromCharCode(...new Uint8Array(Float32Array.from(xs).buffer)));
const clip = (id: string, length: number, swing: number): SegmentJson => ({ id, envId: 'Pendulum-v1', length, renderSize: 2, terminated: false, render: b64(Array.from({ length: 2 * length }, (_, k) => (k % 2 === 0 ? (swing * k) / (2 * length) : 0))) });

describe('the clips clock', () => {
  it('never runs backwards: a frame timestamp from before the last advance leaves the clock where it was', () => {
    expect(advanceClock(0, -4, 1, 2)).toBe(0);
    expect(clockFrame(advanceClock(0, -4, 1, 2), 0.05, 2)).toBe(0);
    expect(advanceClock(0.5, -16, 0.5, 2)).toBe(0.5);
    expect(advanceClock(0.5, 1000, 0.5, 2)).toBeCloseTo(1);
    expect(advanceClock(1.9, 200, 1, 2)).toBeCloseTo(0.1);
  });

  it("a time a hair under the period stays on the loop's last frame (CI once showed frame 40 of a 40-frame loop)", () => {
    expect(clockFrame(2 - 1e-9, 0.05, 2)).toBe(39);
    expect(clockFrame(1.99999995, 0.05, 2)).toBe(39);
    expect(clockFrame(1.95, 0.05, 2)).toBe(39);
    expect(clockFrame(1.9499, 0.05, 2)).toBe(38);
    expect(clockFrame(0.1 + 0.2, 0.1, 2)).toBe(3);
  });

  it('a pair shares one scale and lasts at least MIN_CLIP_SECONDS plus the hold', () => {
    const clips = prepareClips(PENDULUM, [clip('a', 8, 0.2), clip('b', 12, 3)], 320, 240);
    expect(clips.frames1x).toBe(12);
    expect(clips.period).toBeCloseTo(MIN_CLIP_SECONDS + HOLD_SECONDS);
    expect(clips.bounds).toHaveLength(2);
    // Side view: one vertical window for both.
    expect([clips.bounds[0].minV, clips.bounds[0].maxV]).toEqual([clips.bounds[1].minV, clips.bounds[1].maxV]);
  });

  it('MinAtar clips (channel grids): both boards framed whole on one scale, no MuJoCo camera, played at 0.1 s a frame', () => {
    const spec: RenderSpec = { kind: 'channels', rows: 10, cols: 10, dt: 0.1, channels: ['paddle', 'ball'], colors: ['#00f', '#ff0'] };
    const board = (id: string, length: number): SegmentJson => ({ id, envId: 'MinAtar/Breakout-v1', length, renderSize: 200, terminated: id === 'a', render: b64(Array.from({ length: 200 * length }, (_, k) => (k % 200 === 2 * 94 ? 1 : 0))) });
    const clips = prepareClips(spec, [board('a', 6), board('b', 25)], 480, 360);
    expect(clips.camera).toBeNull();
    expect(clips.bounds).toEqual([{ minU: 0, maxU: 10, minV: 0, maxV: 10 }, { minU: 0, maxU: 10, minV: 0, maxV: 10 }]);
    expect(clips.scale).toBeCloseTo(360 / 11.5);
    expect(clips.period).toBeCloseTo(2.5 + HOLD_SECONDS);
  });
});
