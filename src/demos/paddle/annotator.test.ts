import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { staticImports } from '../../cli/testing/imports.js';
import { MinAtarEnv } from '../../envs/minatar/env.js';
import { BreakoutGame } from '../../envs/minatar/breakout.js';
import type { Segment } from '../../prefs/segments.js';
import type { QueryJson, SegmentJson } from '../../server/api.js';
import { buildServer } from '../../server/app.js';
import { openProject } from '../../store/sqlite.js';
import { judgePair, runAnnotator, type SceneJson } from './annotator.js';
import { breakoutLayout, paddleUnderBall, tracking } from './frames.js';

const SPEC = new MinAtarEnv(new BreakoutGame()).renderSpec();
const scene: SceneJson = { envId: 'MinAtar/Breakout-v1', spec: SPEC };
const N = SPEC.channels.length;
const [PADDLE, BALL, TRAIL, BRICK] = ['paddle', 'ball', 'trail', 'brick'].map((c) => SPEC.channels.indexOf(c));

/** One hand-made Breakout frame: the paddle in the bottom row at `paddle`, the ball at (row, col) or none, a brick wall in rows 1-3. */
function frame(paddle: number, ball: [number, number] | null, o: { trail?: [number, number] } = {}): Float32Array {
  const f = new Float32Array(10 * 10 * N);
  const set = (r: number, c: number, ch: number) => (f[(r * 10 + c) * N + ch] = 1);
  for (let r = 1; r <= 3; r++) for (let c = 0; c < 10; c++) set(r, c, BRICK);
  set(9, paddle, PADDLE);
  if (ball) set(ball[0], ball[1], BALL);
  if (o.trail) set(o.trail[0], o.trail[1], TRAIL);
  return f;
}
const clip = (...frames: Float32Array[]) => {
  const all = new Float32Array(frames.length * 10 * 10 * N);
  frames.forEach((f, t) => all.set(f, t * f.length));
  return all;
};
const base64 = (r: Float32Array) => Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('base64');
const clipJson = (id: string, render: Float32Array): SegmentJson => ({ id, envId: 'MinAtar/Breakout-v1', length: render.length / (100 * N), renderSize: 100 * N, render: base64(render), terminated: false });
const pair = (left: Float32Array, right: Float32Array): QueryJson => ({ id: 'q', kind: 'normal', left: clipJson('a', left), right: clipJson('b', right) });

/** Clips of four frames: the paddle under the ball in 3, in 1, in 1 (its other frames without a ball), in none. */
const CLIPS = {
  three: () => clip(frame(4, [5, 4]), frame(5, [6, 5]), frame(6, [7, 6]), frame(2, [8, 7])),
  one: () => clip(frame(4, [5, 4]), frame(4, [6, 5]), frame(4, [7, 6]), frame(4, [8, 7])),
  oneUnseen: () => clip(frame(4, [5, 4]), frame(4, null), frame(4, null), frame(4, null)),
  none: () => clip(frame(0, [5, 4]), frame(0, [6, 5]), frame(0, [7, 6]), frame(0, [8, 7])),
};

describe('reading frames', () => {
  const g = breakoutLayout(SPEC);

  it('the paddle is under the ball when they share a column, whatever the rows; a frame without a ball does not count', () => {
    expect(paddleUnderBall(frame(3, [2, 3]), g, 0)).toBe(true);
    // The ball over a brick (two objects in one cell) is still the ball; its trail is not.
    expect(paddleUnderBall(frame(3, [1, 3]), g, 0)).toBe(true);
    expect(paddleUnderBall(frame(3, [8, 4], { trail: [7, 3] }), g, 0)).toBe(false);
    expect(paddleUnderBall(frame(9, [9, 9]), g, 0)).toBe(true);
    expect(paddleUnderBall(frame(3, null), g, 0)).toBeNull();
    expect(tracking(CLIPS.three(), g)).toEqual({ tracked: 3, visible: 4, frames: 4 });
    expect(tracking(CLIPS.oneUnseen(), g)).toEqual({ tracked: 1, visible: 1, frames: 4 });
  });

  it("reads the env's own frames: a follower meets the ball at frame 2 and loses it when the ball comes back off the paddle's corner", () => {
    const env = new MinAtarEnv(new BreakoutGame(), { stickyActionProb: 0 });
    env.reset({ seed: 3 });
    // Seed 3: the ball starts at (3, 0) heading down-right, the paddle at column 4. Left twice, then right to follow it.
    const under: (boolean | null)[] = [];
    for (const a of [1, 1, 2, 2, 2, 2, 2, 1]) {
      under.push(paddleUnderBall(env.renderState(), g, 0));
      env.step(a);
    }
    // At frame 6 the ball sits in row 8 over the paddle; off its corner it turns back left while the paddle moved right.
    expect(under).toEqual([false, false, true, true, true, true, true, false]);
  });

  it('refuses a scene that is not a Breakout channel grid', () => {
    expect(() => breakoutLayout({ kind: 'mujoco' })).toThrow(/not a channel grid/);
    expect(() => breakoutLayout({ ...SPEC, channels: ['chicken', 'car'] })).toThrow(/no paddle and ball/);
  });
});

describe('the annotator judges pairs from the frames', () => {
  it('prefers the clip with more frames of the paddle under the ball, either side; equal counts are equal', () => {
    const cases: [keyof typeof CLIPS, keyof typeof CLIPS, string][] = [
      ['three', 'one', 'left'],
      ['one', 'three', 'right'],
      ['none', 'one', 'right'],
      ['one', 'oneUnseen', 'equal'],
      ['none', 'none', 'equal'],
      ['three', 'none', 'left'],
    ];
    for (const [l, r, answer] of cases) expect(judgePair(pair(CLIPS[l](), CLIPS[r]()), scene).answer, `${l} vs ${r}`).toBe(answer);
    expect(judgePair(pair(CLIPS.three(), CLIPS.one()), scene)).toMatchObject({ left: { tracked: 3 }, right: { tracked: 1 } });
  });

  it("says it can't tell when a clip has no render states", () => {
    const p = pair(CLIPS.three(), CLIPS.one());
    expect(judgePair({ ...p, right: { ...p.right, render: null } }, scene).answer).toBe('incomparable');
  });
});

describe('the annotator reads nothing a browser could not see', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = resolve(here, '..', '..', '..');

  it('loads only itself, the shared HTTP client and its frame arithmetic', () => {
    expect([...staticImports(relative(root, join(here, 'annotator.ts')))].sort()).toEqual(['src/demos/paddle/annotator.ts', 'src/demos/paddle/frames.ts', 'src/demos/shared/labelingClient.ts']);
    const specifiers = (file: string) => [...readFileSync(join(here, file), 'utf8').matchAll(/^\s*(?:import|export)\s[^'";]*?['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(specifiers('annotator.ts').sort()).toEqual(['../../server/api.js', '../shared/labelingClient.js', './frames.js']);
  });
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('annotator and labeling server', () => {
  it('labels over HTTP with an annotator token, from segments stored without true rewards', async () => {
    const project = openProject(mkdtempSync(join(tmpdir(), 'overseer-paddle-')));
    project.createRun({ id: 'paddle', envId: 'MinAtar/Breakout-v1', instructions: 'paddle under the ball?', labelBudget: 10, renderSpec: SPEC });
    const names = Object.keys(CLIPS) as (keyof typeof CLIPS)[];
    const segments: Segment[] = names.map((name, i) => {
      const render = CLIPS[name]();
      const length = render.length / (100 * N);
      return { id: name, envId: 'MinAtar/Breakout-v1', seed: 1, envIndex: 0, globalStep: i * 4, length, obsSize: 100 * N, actionSize: 1, renderSize: 100 * N, render, obs: render.slice(), actions: new Float32Array(length), terminated: false };
    });
    project.putSegments('paddle', segments.map((segment) => ({ segment })));
    const pairs: [string, string][] = [['three', 'one'], ['none', 'one'], ['one', 'oneUnseen']];
    project.putQueries('paddle', pairs.map(([l, r], i) => ({ id: `q${i}`, leftId: l, rightId: r, askedAtStep: 0 })));
    const token = project.addAnnotator('script').token;
    const app = buildServer({ project });
    cleanups.push(() => project.close(), () => app.close());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const result = await runAnnotator({ url, token, runId: 'paddle', maxLabels: pairs.length, pollMs: 10 });
    expect(result.labels).toBe(3);
    const labels = project.labelsSince('paddle', 0);
    expect(Object.fromEntries(labels.map((l) => [l.queryId, l.answer]))).toEqual({ q0: 'left', q1: 'right', q2: 'equal' });
  });
});
