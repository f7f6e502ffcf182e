import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { staticImports } from '../../cli/testing/imports.js';
import type { MujocoRenderSpec } from '../../envs/render.js';
import type { Segment } from '../../prefs/segments.js';
import type { QueryJson, SegmentJson } from '../../server/api.js';
import { buildServer } from '../../server/app.js';
import { openProject } from '../../store/sqlite.js';
import { judgePair, runAnnotator, type SceneJson } from './annotator.js';
import { HOPPER_DT, HOPPER_GEOMS, base64, hopperClip, ramp } from './testing.js';

const TAU = 2 * Math.PI;
const flat = (n: number, v: number) => Array.from({ length: n }, () => v);
const SPEC: MujocoRenderSpec = { kind: 'mujoco', dt: HOPPER_DT, geoms: HOPPER_GEOMS };
const scene: SceneJson = { envId: 'Hopper-v5', spec: SPEC };

/** 125-frame clips: a landed backflip, a backflip ending on the ground, a fall backwards, a fall backwards and up again, standing, a forward somersault. */
const CLIPS = {
  flip: () => hopperClip([...flat(10, 0), ...ramp(0, -TAU, 80), ...flat(35, 0)], [...flat(10, 1.25), ...ramp(1.25, 2, 40), ...ramp(2, 1.25, 40), ...flat(35, 1.25)]),
  flipOnGround: () => hopperClip([...flat(10, 0), ...ramp(0, -TAU, 80), ...flat(35, 0)], [...flat(10, 1.25), ...ramp(1.25, 2, 40), ...ramp(2, 0.15, 40), ...flat(35, 0.15)]),
  fallBack: () => hopperClip([...ramp(0, -Math.PI / 2, 60), ...flat(65, -Math.PI / 2)], [...ramp(1.25, 0.1, 60), ...flat(65, 0.1)]),
  getUp: () => hopperClip([...flat(10, 0), ...ramp(0, -Math.PI, 40), ...ramp(-Math.PI, 0, 40), ...flat(35, 0)], [...flat(10, 1.25), ...ramp(1.25, 0.3, 40), ...ramp(0.3, 1.25, 40), ...flat(35, 1.25)]),
  stand: () => hopperClip(flat(125, 0), flat(125, 1.25)),
  forward: () => hopperClip([...flat(10, 0), ...ramp(0, TAU, 80), ...flat(35, 0)].map((p) => Math.atan2(Math.sin(p), Math.cos(p))), [...flat(10, 1.25), ...ramp(1.25, 2, 40), ...ramp(2, 1.25, 40), ...flat(35, 1.25)]),
};
type ClipName = keyof typeof CLIPS;

const clipJson = (id: string, name: ClipName): SegmentJson => {
  const c = CLIPS[name]();
  return { id, envId: 'Hopper-v5', length: c.length, renderSize: c.frameSize, render: base64(c.render), terminated: false };
};
const pair = (left: ClipName, right: ClipName): QueryJson => ({ id: `${left}-${right}`, kind: 'normal', left: clipJson('a', left), right: clipJson('b', right) });

describe('the annotator judges pairs from drawn poses', () => {
  it('prefers the clip closer to a backflip, either side', () => {
    const cases: [ClipName, ClipName, string][] = [
      ['flip', 'stand', 'left'],
      ['stand', 'flip', 'right'],
      ['flipOnGround', 'flip', 'right'],
      ['flipOnGround', 'fallBack', 'left'],
      ['fallBack', 'stand', 'left'],
      ['forward', 'fallBack', 'right'],
      ['stand', 'stand', 'equal'],
      ['forward', 'stand', 'right'],
      ['fallBack', 'getUp', 'right'],
      ['getUp', 'stand', 'left'],
      ['getUp', 'flip', 'right'],
    ];
    for (const [l, r, answer] of cases) expect(judgePair(pair(l, r), scene).answer, `${l} vs ${r}`).toBe(answer);
    const j = judgePair(pair('flip', 'stand'), scene);
    // The flip ends the clip upright after its turn: it gets the getting-up bonus (2) too.
    // ... and 3 x 0.75 for its jump to 2 m (JUMP).
    expect(j.left).toBeCloseTo(TAU + Math.PI + 1 + 2 + 2.25, 5);
    expect(j.right).toBeCloseTo(0.625, 5);
    // Falling back half a turn (the torso down to 0.3 m) and getting up: the part of the turn made high (about 1.85 of π rad), minus π/2 for turning forward to stand, 0.625 for the height, 2 for getting up.
    const up = judgePair(pair('getUp', 'fallBack'), scene);
    expect(up.left).toBeCloseTo(2.90694, 4);
    // Without the bonus it would lose to the fall that stays down (1.37): standing up costs a forward turn.
    expect(up.right).toBeCloseTo(1.37046, 4);
    expect(up.left! - 2).toBeLessThan(up.right!);
  });

  it("says it can't tell when a clip has no render states, and refuses a scene that is not a hopper's", () => {
    const p = pair('flip', 'stand');
    expect(judgePair({ ...p, right: { ...p.right, render: null } }, scene).answer).toBe('incomparable');
    expect(() => judgePair(p, { envId: 'CartPole-v1', spec: { kind: 'classic', dt: 0.02 } })).toThrow(/not a MuJoCo scene/);
  });
});

describe('the annotator reads nothing a browser could not see', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = resolve(here, '..', '..', '..');

  it('loads only itself, the shared HTTP client and its pose arithmetic: no store, no prefs, no envs, no simulator, no files, no Node modules', () => {
    expect([...staticImports(relative(root, join(here, 'annotator.ts')))].sort()).toEqual(['src/demos/backflip/annotator.ts', 'src/demos/backflip/poses.ts', 'src/demos/shared/labelingClient.ts']);
  });

  it("names no type but the labeling API's (src/server/api.ts), whose responses the page reads too", () => {
    const specifiers = (file: string) => [...readFileSync(join(here, file), 'utf8').matchAll(/^\s*(?:import|export)\s[^'";]*?['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(specifiers('annotator.ts').sort()).toEqual(['../../server/api.js', '../shared/labelingClient.js', './poses.js']);
    expect(specifiers('poses.ts')).toEqual([]);
    expect(specifiers('../shared/labelingClient.ts')).toEqual(['../../server/api.js']);
  });

  it('reads from the scene only fields the server sends (a MujocoRenderSpec is a SceneJson spec)', () => {
    // Type-level: the server's scene response ({envId, spec: RenderSpec}) must fit what the annotator reads.
    const served: { envId: string; spec: MujocoRenderSpec } = { envId: 'Hopper-v5', spec: SPEC };
    const read: SceneJson = served;
    expect(read.spec?.geoms?.map((g) => g.name)).toContain('torso_geom');
  });
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('annotator and labeling server', () => {
  it('labels over HTTP with an annotator token, from segments stored without true rewards; the labels are the ones the poses call for', async () => {
    const project = openProject(mkdtempSync(join(tmpdir(), 'overseer-backflip-')));
    project.createRun({ id: 'flip', envId: 'Hopper-v5', instructions: 'closer to a backflip?', labelBudget: 10, renderSpec: SPEC });
    const names: ClipName[] = ['flip', 'stand', 'fallBack', 'forward', 'flipOnGround'];
    const segments: Segment[] = names.map((name, i) => {
      const c = CLIPS[name]();
      return { id: name, envId: 'Hopper-v5', seed: 1, envIndex: 0, globalStep: i * 125, length: c.length, obsSize: 11, actionSize: 3, renderSize: c.frameSize, render: c.render, obs: new Float32Array(11 * c.length), actions: new Float32Array(3 * c.length), terminated: false };
    });
    // No truth: nothing of a reward exists anywhere the server could send it from.
    project.putSegments('flip', segments.map((segment) => ({ segment })));
    const pairs: [ClipName, ClipName][] = [['flip', 'stand'], ['stand', 'fallBack'], ['forward', 'fallBack'], ['flipOnGround', 'flip'], ['stand', 'forward']];
    project.putQueries('flip', pairs.map(([l, r], i) => ({ id: `q${i}`, leftId: l, rightId: r, askedAtStep: 0 })));
    const token = project.addAnnotator('script').token;
    const app = buildServer({ project });
    cleanups.push(() => project.close(), () => app.close());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });

    const result = await runAnnotator({ url, token, runId: 'flip', maxLabels: pairs.length, pollMs: 10 });
    expect(result.labels).toBe(5);
    const labels = project.labelsSince('flip', 0);
    expect(Object.fromEntries(labels.map((l) => [l.queryId, l.answer]))).toEqual({ q0: 'left', q1: 'right', q2: 'right', q3: 'right', q4: 'left' });
    expect(new Set(labels.map((l) => l.teacher))).toEqual(new Set(['script']));
    // A wrong token is refused, as it would be for the page.
    await expect(runAnnotator({ url, token: 'nope', runId: 'flip', maxLabels: 1 })).rejects.toThrow(/token/);
  });

  it('stops without an error when the server closes as the run ends: before the scene, or while an answer is being sent', async () => {
    // Nothing listening (a run so short its server closed before the annotator's first request).
    const closed = createServer();
    const port = await new Promise<number>((r) => closed.listen(0, '127.0.0.1', () => r((closed.address() as AddressInfo).port)));
    await new Promise((r) => closed.close(r));
    const before = await runAnnotator({ url: `http://127.0.0.1:${port}`, token: 't', runId: 'flip', pollMs: 1 });
    expect([before.serverGone, before.labels]).toEqual([true, 0]);

    // A server that hands out a pair, then drops the connection of the answer and every request after it.
    let gone = false;
    const posts: string[] = [];
    const server = createServer((req, res) => {
      if (gone) return req.socket.destroy();
      const send = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url?.endsWith('/scene')) return send(scene);
      if (req.url?.includes('/next')) return send({ status: { state: 'running' }, queries: [pair('flip', 'stand')] });
      posts.push(req.url ?? '');
      gone = true;
      req.socket.destroy();
    });
    const at = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const during = await runAnnotator({ url: `http://127.0.0.1:${at}`, token: 't', runId: 'flip', pollMs: 1 });
    expect([during.serverGone, during.labels, posts.length]).toEqual([true, 0, 1]);

    // Stopped (the run's process has exited) while waiting to try the scene again: it ends, it does not fail.
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 30);
    const stopped = await runAnnotator({ url: `http://127.0.0.1:${port}`, token: 't', runId: 'flip', pollMs: 20, signal: stop.signal });
    expect([stopped.serverGone, stopped.labels]).toEqual([false, 0]);
  });

  it('fails on an answer it cannot use: a server that answers, but not with JSON, is not a server that has gone', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not the labeling server</html>'));
    const at = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    await expect(runAnnotator({ url: `http://127.0.0.1:${at}`, token: 't', runId: 'flip', pollMs: 1 })).rejects.toThrow(/JSON/);
  });
});
