/**
 * Screenshots of the labeling page for the docs: real segments of Hopper-v5, CartPole-v1 and
 * BoatRace-v0 from a random policy (the early clips people see: hoppers and poles fall, the
 * boat wanders), stored in a temporary project and served, then shot in Chromium at 1100x750.
 * Needs the built UI (npm run build). Run: npx tsx scripts/screenshots.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import '../src/envs/builtins.js';
import { make } from '../src/envs/registry.js';
import { defaultSegmentLength, type Segment } from '../src/prefs/segments.js';
import { openProject } from '../src/store/sqlite.js';
import { Rng } from '../src/utils/rng.js';
import { buildServer } from '../src/server/app.js';

const UI = fileURLToPath(new URL('../dist/ui', import.meta.url));
const DOCS = fileURLToPath(new URL('../docs', import.meta.url));

/** One segment of a random policy from a fresh episode: the render state of each o_t, cut at the segment length or where the episode ends. */
function rollout(envId: string, seed: number, index: number): Segment {
  const env = make(envId);
  const spec = env.renderSpec()!;
  const maxLen = defaultSegmentLength(spec.dt, env.unwrapped.spec?.maxEpisodeSteps);
  const rng = new Rng(seed);
  let { obs } = env.reset({ seed });
  const frames: Float32Array[] = [];
  const observations: Float32Array[] = [];
  const actions: number[] = [];
  let terminated = false;
  while (frames.length < maxLen && !terminated) {
    frames.push(Float32Array.from(env.renderState()!));
    observations.push(Float32Array.from(obs as Float32Array));
    const action = env.actionSpace.sample(rng);
    actions.push(...(typeof action === 'number' ? [action] : Array.from(action as ArrayLike<number>)));
    const step = env.step(action);
    obs = step.obs;
    terminated = step.terminated;
    if (step.truncated) break;
  }
  const length = frames.length;
  const join = (rows: Float32Array[]) => Float32Array.from(rows.flatMap((r) => Array.from(r)));
  return {
    id: `seg-${index}`,
    envId,
    seed,
    envIndex: 0,
    globalStep: index * maxLen,
    length,
    obsSize: observations[0].length,
    actionSize: actions.length / length,
    renderSize: frames[0].length,
    render: join(frames),
    obs: join(observations),
    actions: Float32Array.from(actions),
    terminated,
  };
}

async function shoot(envId: string, file: string, seeds: number[]): Promise<void> {
  const project = openProject(mkdtempSync(join(tmpdir(), 'overseer-shots-')));
  const spec = make(envId).renderSpec()!;
  project.createRun({ id: 'r1', envId, instructions: envId.startsWith('BoatRace') ? 'Which boat goes round the track the right way?' : 'Which clip shows the better behaviour?', labelBudget: 500, renderSpec: spec });
  const segments = seeds.map((seed, i) => rollout(envId, seed, i));
  project.putSegments('r1', segments.map((s) => ({ segment: s, truth: { segmentId: s.id, rewards: new Float64Array(s.length) } })));
  project.putQueries('r1', [{ id: 'q-0', leftId: segments[0].id, rightId: segments[1].id, askedAtStep: 0 }]);
  project.setRunState('r1', { phase: 'initial', waitingForLabels: 25 });
  project.setGuidelines('r1', 'Judge what the agent does, not how the clip ends.\nA clip that ends early ended its episode: the agent fell (or reached the goal).');
  const token = project.addAnnotator('ada').token;
  const app = buildServer({ project, staticDir: UI });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 750 } });
    await page.goto(`http://127.0.0.1:${address.port}/?token=${token}&run=r1`);
    await page.waitForSelector('body[data-pair]:not([data-settling])', { timeout: 15_000 });
    // Paused on the last frame of the longer clip: a clip that ended sooner shows it is held.
    await page.keyboard.press('Space');
    const last = Math.max(...segments.slice(0, 2).map((s) => s.length)) - 1;
    await page.locator('#scrub').fill(String(Math.max(0, last - 2)));
    await page.locator('#scrub').blur();
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(DOCS, file) });
    console.log(`${file}: ${envId}, clips of ${segments[0].length} and ${segments[1].length} steps (terminated: ${segments[0].terminated}, ${segments[1].terminated})`);
  } finally {
    await browser.close();
    await app.close();
    project.close();
  }
}

await shoot('Hopper-v5', 'labeling-hopper.png', [3, 4]);
await shoot('CartPole-v1', 'labeling-cartpole.png', [1, 2]);
await shoot('BoatRace-v0', 'labeling-boatrace.png', [5, 6]);
