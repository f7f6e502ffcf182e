/**
 * A person as the limited overseer: the labeling page of a run with a labeling view, in real
 * Chromium. The server sends the clips as the view sees them (NaN where it is blind), the page
 * says which view it is and what it hides, and draws the clips that way (Reacher's projection
 * view from the side); answers are stored as usual. Also: for every view of every env that has
 * views, what the page would draw of real clips holds no NaN. Needs the built UI (npm run build)
 * and Debian's Chromium.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { POSE_SIZE, type RenderSpec } from '../envs/render.js';
import { LABELING_VIEWS_MODULE, labelingViewOf } from '../cli/labelingView.js';
import { resolvePrefsConfig } from '../cli/prefs.js';
import { startServer } from '../cli/serve.js';
import { staticImports } from '../cli/testing/imports.js';
import { startServerThread } from './thread.js';
import { clipOf, randomBox, randomMove, rollout } from '../oversight/views/testing.js';
import { VIEWS_BY_ENV, viewFor } from '../oversight/views/registry.js';
import type { Segment } from '../prefs/segments.js';
import { openProject } from '../store/sqlite.js';
import type { ProjectStore } from '../store/store.js';
import { buildServer } from './app.js';
import { newPage, UI, useBrowser } from './testing/browser.js';
import { cameraFor, framePrimitives, type Primitive } from './ui/draw.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { browser, cleanup } = useBrowser();

/** Real Reacher-v5 clips of a random policy (render state per step), 25 steps each. */
const reacher = rollout('Reacher-v5', 5, 100, randomBox(2));
const reacherClips = [0, 25, 50, 75].map((start) => clipOf(reacher, start, 25));

/** A project with a Reacher run `id` (in `view`, or full) holding pairs over consecutive clips, and a server that applies runs' views. */
async function serve(runs: { id: string; view: string | null }[]): Promise<{ project: ProjectStore; origin: string; ada: string }> {
  const project = openProject(mkdtempSync(join(tmpdir(), 'overseer-views-')), { repeatEvery: 0, goldEvery: 0 });
  for (const { id, view } of runs) {
    project.createRun({ id, envId: 'Reacher-v5', instructions: 'Which arm reaches the red target?', labelBudget: 50, config: { prefs: { labelingView: view } }, renderSpec: reacher.spec });
    project.putSegments(id, reacherClips.map((segment) => ({ segment, truth: { segmentId: segment.id, rewards: new Float64Array(segment.length) } })));
    project.putQueries(id, reacherClips.slice(1).map((s, i) => ({ id: `q-${i}`, leftId: reacherClips[i].id, rightId: s.id, askedAtStep: 0 })));
  }
  const ada = project.addAnnotator('ada').token;
  const app = buildServer({ project, staticDir: UI, labelingView: labelingViewOf });
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  cleanup(() => project.close(), () => app.close());
  return { project, origin, ada };
}

interface PairSeen {
  id: string;
  left: { render: string };
  right: { render: string };
}

/** Opens run `runId`'s labeling page; collects every pair the page receives over the API. */
async function open(origin: string, token: string, runId: string): Promise<{ page: Page; errors: string[]; received: PairSeen[] }> {
  const { page, errors } = await newPage(browser(), cleanup, { viewport: { width: 1100, height: 750 }, ignore: /Failed to load resource/ });
  const received: PairSeen[] = [];
  page.on('response', (r) => {
    if (!/\/api\/runs\/[^/]+\/next/.test(r.url()) || !r.ok()) return;
    // A pair prefetched as the test closes the page has no body left to read: not an error of the page.
    r.json().then(
      (b: { queries: PairSeen[] }) => received.push(...b.queries),
      (e: Error) => /has been closed/.test(e.message) || errors.push(`reading ${r.url()}: ${e.message}`),
    );
  });
  await page.goto(`${origin}/?token=${token}&run=${runId}`);
  await page.waitForSelector('body[data-pair]:not([data-settling])', { timeout: 20_000 });
  return { page, errors, received };
}

const floats = (b64: string) => new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);
/** Each geom's y in each frame of a clip the page received. */
function ys(b64: string): number[] {
  const r = floats(b64);
  const out: number[] = [];
  for (let o = 0; o < r.length; o += POSE_SIZE) out.push(r[o + 1]);
  return out;
}

describe('a person labels through a limited view', () => {
  it("Reacher in the projection view: the banner names the view and what it hides, the clips come masked and are drawn from the side, and answers are stored as usual; the full run's are not", async () => {
    const { project, origin, ada } = await serve([
      { id: 'side', view: 'projection' },
      { id: 'full', view: null },
    ]);
    const { page, errors, received } = await open(origin, ada, 'side');
    const banner = page.locator('#view-banner');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toMatch(/as the limited overseer does \(the projection view\): it cannot see the y coordinate/);
    expect(await page.locator('body').getAttribute('data-view')).toBe('projection');
    // The canvases look from the side (Reacher is otherwise drawn from above), and play.
    for (const side of ['#left', '#right']) expect(await page.locator(side).getAttribute('data-view')).toBe('side');
    await page.waitForSelector('#left[data-frame]:not([data-frame="0"])');
    // Every clip received has NaN for every geom's y (and its x and z), as the view sees it.
    expect(received.length).toBeGreaterThan(0);
    for (const q of received) for (const clip of [q.left, q.right]) expect(ys(clip.render).every(Number.isNaN)).toBe(true);

    const first = await page.locator('body').getAttribute('data-pair');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('body[data-sent="1"]', { timeout: 10_000 });
    await page.waitForSelector(`body:not([data-pair="${first}"])`);
    const ada1 = project.listAnnotators().find((a) => a.name === 'ada')!.id;
    expect(project.peopleLabelCounts('side', ada1)).toEqual({ labels: 1, mine: 1 });
    expect(errors).toEqual([]);

    const full = await open(origin, ada, 'full');
    expect(await full.page.locator('#view-banner').isHidden()).toBe(true);
    expect(await full.page.locator('#left').getAttribute('data-view')).toBe('top');
    expect(full.received.length).toBeGreaterThan(0);
    for (const q of full.received) for (const clip of [q.left, q.right]) expect(floats(clip.render).some(Number.isNaN)).toBe(false);
    expect(full.errors).toEqual([]);
  }, 120_000);

  it('keyframes: the page holds each frame the view saw until the next one', async () => {
    const { origin, ada } = await serve([{ id: 'keys', view: 'keyframes:3' }]);
    const { page, errors, received } = await open(origin, ada, 'keys');
    expect(await page.locator('#view-banner').textContent()).toMatch(/keyframes:3.*every frame but 3/);
    expect(ys(received[0].left.render).some(Number.isNaN)).toBe(true);
    await page.keyboard.press('Space');
    // Keyframes of a 25-step clip: 0, 12, 24. Frame 20 shows keyframe 12.
    for (const [at, shown] of [[5, 0], [12, 12], [20, 12], [24, 24]]) {
      await page.locator('#scrub').fill(String(at));
      await page.waitForSelector(`#left[data-frame="${at}"]`);
      expect(await page.locator('#left').getAttribute('data-shown')).toBe(String(shown));
    }
    expect(errors).toEqual([]);
  }, 120_000);
});

/** Every number in a list of primitives. */
const numbers = (prims: Primitive[]): number[] => prims.flatMap((p) => Object.values(p).flat(2).filter((x): x is number => typeof x === 'number'));

describe('what the page draws of a view', () => {
  const clipsOf: Record<string, { spec: RenderSpec; clips: Segment[] }> = {
    'Reacher-v5': { spec: reacher.spec, clips: reacherClips.slice(0, 2) },
    ...Object.fromEntries(
      ['TomatoWatering-v0', 'AbsentSupervisor-v0', 'MinAtar/Seaquest-v0', 'MinAtar/Seaquest-v1'].map((envId) => {
        const r = rollout(envId, 2, 40, envId.startsWith('MinAtar/') ? (_t, rng) => rng.integer(6) : randomMove);
        return [envId, { spec: r.spec, clips: [clipOf(r, 0, Math.min(20, r.actions.length))] }];
      }),
    ),
  };

  it('never hands the canvas a NaN, for every view of every env that has views (the views do mask something)', () => {
    for (const [envId, views] of Object.entries(VIEWS_BY_ENV)) {
      const { spec, clips } = clipsOf[envId];
      for (const name of views) {
        const view = viewFor(envId, name);
        for (const clip of clips) {
          const seen = view.visible(clip, spec);
          const camera = cameraFor(envId, view.name);
          for (let t = 0; t < seen.length; t++) {
            const prims = framePrimitives(envId, spec, seen.render!, seen.renderSize, t, camera);
            expect(prims.length, `${envId} ${name} frame ${t}`).toBeGreaterThan(0);
            expect(numbers(prims).some(Number.isNaN), `${envId} ${name} frame ${t}`).toBe(false);
          }
        }
      }
    }
  });
});

describe('--labeling-view', () => {
  const flags = (more: Record<string, unknown>) => ({ env: 'Reacher-v5', teacher: 'human', evalEpisodes: 1, progress: false, ...more });

  it("is checked against the env's views, naming the allowed ones, and only with people labeling", () => {
    expect(resolvePrefsConfig(flags({ labelingView: 'projection' })).labelingView).toBe('projection');
    expect(resolvePrefsConfig(flags({})).labelingView).toBeNull();
    expect(() => resolvePrefsConfig(flags({ labelingView: 'from-above' }))).toThrow(/--labeling-view: view "from-above" does not apply to Reacher-v5; allowed: full, projection, keyframes\[:K\], sensor-blind/);
    expect(() => resolvePrefsConfig(flags({ env: 'Hopper-v5', labelingView: 'projection' }))).toThrow(/--labeling-view: Hopper-v5 has no limited views; envs with views: Reacher-v5/);
    expect(() => resolvePrefsConfig(flags({ teacher: 'oracle', labelingView: 'projection' }))).toThrow(/--labeling-view: only with --teacher human/);
    expect(resolvePrefsConfig(flags({ env: 'MinAtar/Seaquest-v1', labelingView: 'hidden-channels:oxygen_guage' })).labelingView).toBe('hidden-channels:oxygen_guage');
    expect(() => resolvePrefsConfig(flags({ env: 'MinAtar/Seaquest-v1', labelingView: 'hidden-channels:air' }))).toThrow(/--labeling-view: hidden-channels: MinAtar\/Seaquest-v1 has no channel "air"; MinAtar\/Seaquest-v1's channels: sub_front, .*, diver$/);
  });

  it("the server's own thread (prefs --teacher human) applies the run's view", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overseer-views-thread-'));
    const project = openProject(dir);
    project.createRun({ id: 'r1', envId: 'Reacher-v5', labelBudget: 5, config: { prefs: { labelingView: 'projection' } }, renderSpec: reacher.spec });
    const token = project.addAnnotator('ada').token;
    project.close();
    const server = await startServerThread({ dir, host: '127.0.0.1', port: 0, staticDir: null, viewsModule: LABELING_VIEWS_MODULE });
    cleanup(() => server.close());
    const status = (await (await fetch(`${server.url}/api/runs/r1`, { headers: { authorization: `Bearer ${token}` } })).json()) as { view: { name: string } | null };
    expect(status.view?.name).toBe('projection');
  }, 60_000);

  it('serve shows a run in its view, and loads the views (and MuJoCo) only for a project that has such a run', async () => {
    const loaded = staticImports('src/cli/serve.ts');
    for (const heavy of ['src/oversight/views/registry.ts', 'src/envs/builtins.ts', 'mujoco-js']) expect(loaded.has(heavy), heavy).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'overseer-views-serve-'));
    const project = openProject(dir);
    project.createRun({ id: 'r1', envId: 'Reacher-v5', labelBudget: 5, config: { prefs: { labelingView: 'keyframes:4' } }, renderSpec: reacher.spec });
    project.close();
    const served = await startServer(dir, '127.0.0.1', 0);
    cleanup(() => served.stop());
    const status = (await (await fetch(`${served.url}/api/runs/r1`, { headers: { authorization: `Bearer ${served.adminToken}` } })).json()) as { view: { name: string } | null };
    expect(status.view?.name).toBe('keyframes:4');
  }, 60_000);
});
