/**
 * Screenshots of the labeling page for the docs: real segments of Hopper-v5, CartPole-v1 and
 * BoatRace-v0 from a random policy (the early clips people see: hoppers and poles fall, the
 * boat wanders), stored in a temporary project and served, then shot in Chromium at 1100x750;
 * and Reacher-v5 in the projection view (a run with --labeling-view projection: what the
 * limited overseer sees, from the side).
 * The dashboard's shot is of a real run: a short `overseer prefs` Hopper run with the oracle
 * teacher (its curves), then two scripted annotators label more pairs of its segments (one
 * prefers the larger true return, one always answers "left"), with one gold pair.
 * And the same Reacher pair in the assisted arm of a trial of assistance (--labeling-assistant
 * rrm, which points at torques; and the random pointer, whose reveals include the view from
 * above): the critique, its evidence, accept and dismiss.
 * And the page "What is the reward model paying attention to?" of a real prefs run whose project
 * holds the report `overseer interp` stored (attention RUN_DIR): the whole page, and the second
 * unit's clips and chart.
 * And the debate page (issue 23): a debate session (k = 6, MCTS debaters, 200 rollouts a move)
 * with the trained judge of bench/results/debate if there is one (else a tiny judge trained here):
 * a person who has judged three debates sees the fourth's result beside the model judge's
 * (debate-judge.png), and a person who argued the truth against the MCTS liar, picking the
 * greedy honest move each turn, sees the model judge's verdict (debate-debater.png).
 * Needs the built UI (npm run build). Run: npx tsx scripts/screenshots.ts [dashboard|projection|critique|attention RUN_DIR|debate]
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import '../src/envs/builtins.js';
import { make } from '../src/envs/registry.js';
import { defaultSegmentLength, type Segment } from '../src/prefs/segments.js';
import { openProject, PROJECT_DB } from '../src/store/sqlite.js';
import type { ProjectStore } from '../src/store/store.js';
import { Rng } from '../src/utils/rng.js';
import { armOf, buildServer } from '../src/server/app.js';
import { labelingViewOf } from '../src/cli/labelingView.js';
import { runCli } from '../src/cli/program.js';
import { projectOfRun, runStoreRef } from '../src/cli/runStore.js';
import { openProjectAt, projectExists } from '../src/store/open.js';
import type { Answer } from '../src/prefs/teachers.js';

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

/**
 * `labelingView`: the run's limited view, as `--labeling-view` sets it (null: the full clips);
 * `assistant`: its labeling assistant (`--labeling-assistant`): the pair shown is then one in
 * the assisted arm, with the critique.
 */
async function shoot(envId: string, file: string, seeds: number[], labelingView: string | null = null, assistant: string | null = null): Promise<void> {
  const project = openProject(mkdtempSync(join(tmpdir(), 'overseer-shots-')));
  const spec = make(envId).renderSpec()!;
  const instructions = envId.startsWith('BoatRace') ? 'Which boat goes round the track the right way?' : envId.startsWith('Reacher') ? 'Which arm brings its fingertip to the red target?' : 'Which clip shows the better behaviour?';
  project.createRun({ id: 'r1', envId, instructions, labelBudget: 500, renderSpec: spec, config: { prefs: { labelingView, labelingAssistant: assistant, labelingReveals: 3 } } });
  const segments = seeds.map((seed, i) => rollout(envId, seed, i));
  project.putSegments('r1', segments.map((s) => ({ segment: s, truth: { segmentId: s.id, rewards: new Float64Array(s.length) } })));
  const { annotator, token } = project.addAnnotator('ada');
  // With an assistant, the first pair id whose arm (for ada) is the assisted one.
  let id = 0;
  while (assistant && armOf('r1', `q-${id}`, annotator.id) !== 'assisted') id++;
  project.putQueries('r1', [{ id: `q-${id}`, leftId: segments[0].id, rightId: segments[1].id, askedAtStep: 0 }]);
  project.setRunState('r1', { phase: 'initial', waitingForLabels: 25 });
  project.setGuidelines('r1', 'Judge what the agent does, not how the clip ends.\nA clip that ends early ended its episode: the agent fell (or reached the goal).');
  await inBrowser(project, { width: 1100, height: assistant ? 1250 : 750 }, `/?token=${token}&run=r1`, async (page) => {
    await page.waitForSelector('body[data-pair]:not([data-settling])', { timeout: 15_000 });
    // Paused on the last frame of the longer clip: a clip that ended sooner shows it is held.
    await page.keyboard.press('Space');
    const last = Math.max(...segments.slice(0, 2).map((s) => s.length)) - 1;
    await page.locator('#scrub').fill(String(Math.max(0, last - 2)));
    await page.locator('#scrub').blur();
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(DOCS, file) });
  });
  console.log(`${file}: ${envId}, clips of ${segments[0].length} and ${segments[1].length} steps (terminated: ${segments[0].terminated}, ${segments[1].terminated})`);
}

/** Serves `project` with the built UI, opens `path` in Chromium at `viewport`, runs `shoot`; closes everything (the project too). */
async function inBrowser(project: ProjectStore, viewport: { width: number; height: number }, path: string, shoot: (page: Page) => Promise<void>, before?: (page: Page) => Promise<void>): Promise<void> {
  const app = buildServer({ project, staticDir: UI, labelingView: labelingViewOf });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const origin = await app.listen({ host: '127.0.0.1', port: 0 });
    const page = await browser.newPage({ viewport });
    await before?.(page);
    await page.goto(`${origin}${path}`);
    await shoot(page);
  } finally {
    await browser.close();
    await app.close();
    project.close();
  }
}

/** The dashboard of a short real run, with two annotators' answers and a gold pair. */
async function shootDashboard(file: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'overseer-shots-'));
  const out = join(dir, 'hopper');
  const quiet = { stdout: () => {}, stderr: () => {}, isTTY: false };
  const code = await runCli(['prefs', '--env', 'Hopper-v5', '--teacher', 'oracle', '--label-budget', '120', '--steps', '150000', '--seed', '1', '--eval-episodes', '1', '--out', out, '--no-progress', '--instructions', 'Prefer the hopper that hops forward faster without falling over'], quiet);
  if (code !== 0) throw new Error(`prefs exited ${code}`);
  const project = openProject(out);
  // The run has finished (and takes no more labels): its segments and curves go into a second
  // run of the project, as if it were still training, for the people's answers.
  const done = project.listRuns()[0];
  const runId = 'hopper-with-people';
  const { segments, truths } = project.loadRun(done.id);
  project.createRun({ id: runId, envId: done.envId, instructions: done.instructions, labelBudget: done.labelBudget, config: done.config, renderSpec: done.renderSpec });
  project.putSegments(runId, [...segments.values()].map((segment) => ({ segment, truth: truths.get(segment.id) })));
  for (const { row } of project.metricsSince(done.id, 0)) project.appendMetrics(runId, row as { envSteps: number });
  project.setRunState(runId, { phase: 'rl', waitingForLabels: null });
  project.setGuidelines(runId, 'Prefer forward progress. A fall is worse than standing still.');
  const ids = [...segments.keys()];
  const ret = (id: string) => Array.from(truths.get(id)?.rewards ?? []).reduce((a, b) => a + b, 0);
  project.putQueries(runId, ids.slice(0, 41).slice(1).map((id, i) => ({ id: `q-${i}`, leftId: ids[i], rightId: id, askedAtStep: segments.get(id)!.globalStep })));
  // A gold pair whose right clip is the better one (a labeler who always says "left" gets it wrong), from the later pairs.
  const gold = [...Array(40).keys()].reverse().find((i) => ret(ids[i + 1]) - ret(ids[i]) > 1) ?? 39;
  project.setGoldPair(runId, `q-${gold}`, ret(ids[gold]) >= ret(ids[gold + 1]) ? 'left' : 'right');
  const rng = new Rng(7);
  const people: [string, (l: string, r: string) => Answer, number][] = [
    ['careful', (l, r) => (Math.abs(ret(l) - ret(r)) < 1 ? 'equal' : ret(l) > ret(r) ? 'left' : 'right'), 6],
    ['hasty', () => 'left', 1.2],
  ];
  for (const [name] of people) project.addAnnotator(name);
  for (let round = 0; round < 14; round++) {
    for (const [name, judge, seconds] of people) {
      const who = project.listAnnotators().find((a) => a.name === name)!.id;
      const [q] = project.assignQueries(runId, who, 1);
      if (!q) continue;
      project.submitLabel({ runId, queryId: q.query.id, annotatorId: who, answer: judge(q.left.id, q.right.id), seconds: seconds * (0.6 + 0.8 * rng.random()), clientId: `${name}-${round}` });
    }
  }
  const admin = project.addAnnotator('admin', 'admin').token;
  const rows = project.metricsSince(runId, 0).length;
  await inBrowser(project, { width: 1100, height: 1400 }, `/dashboard.html?token=${admin}&run=${encodeURIComponent(runId)}`, async (page) => {
    await page.waitForSelector('body[data-rows]:not([data-rows="0"])', { timeout: 15_000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(DOCS, file) });
  });
  console.log(`${file}: ${runId}, ${rows} metrics rows`);
}

/**
 * Stops the page's clock, then steps it a frame at a time until the charted clip shows its middle
 * third (not its first frame, nor held at its end; a short clip's middle lasts a few frames, less
 * than a full-page shot takes). A clip that cannot be replayed never gets there: at most 8 s of
 * page time. `page.clock.resume()` goes on.
 */
async function midClip(page: Page): Promise<void> {
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 30);
  const inMiddle = `(() => {
    const step = Number(document.querySelector('#chart')?.dataset.step);
    const n = globalThis.attentionCharts?.[0]?.data[0].length ?? 0;
    return n > 0 && step >= n / 3 && step <= (2 * n) / 3;
  })()`;
  for (let ms = 0; ms < 8_000 && !(await page.evaluate(inMiddle)); ms += 16) await page.clock.runFor(16);
}

/**
 * The attention page of a prefs run directory, from the report stored in its project (the run
 * directory itself unless the run was made with --project; a run made before the database keeps
 * it in its own directory under its name). A SQLite project is copied and the copy served, so the
 * shots' admin never enters the run's database; a PostgreSQL one gets an admin that expires in
 * 10 minutes and is revoked after the shots.
 */
async function shootAttention(runDir: string): Promise<void> {
  const at = projectOfRun(runStoreRef(runDir)) ?? { loc: { kind: 'sqlite' as const, dir: runDir }, runId: basename(resolve(runDir)) };
  if (!projectExists(at.loc)) throw new Error(`${runDir}: its project database is missing`);
  if (at.loc.kind === 'sqlite') {
    const copy = mkdtempSync(join(tmpdir(), 'overseer-attention-shots-'));
    for (const f of [PROJECT_DB, `${PROJECT_DB}-wal`]) if (existsSync(join(at.loc.dir, f))) copyFileSync(join(at.loc.dir, f), join(copy, f));
    at.loc = { kind: 'sqlite', dir: copy };
  }
  const project = openProjectAt(at.loc);
  const name = `screenshots-${Date.now()}`;
  const admin = project.addAnnotator(name, 'admin', { expiresAt: new Date(Date.now() + 600_000).toISOString() }).token;
  const path = `/attention.html?token=${admin}&run=${encodeURIComponent(at.runId)}`;
  await inBrowser(project, { width: 1100, height: 900 }, path, async (page) => {
    try {
      await page.waitForSelector('body[data-state]', { timeout: 15_000 });
      if ((await page.locator('body').getAttribute('data-state')) !== 'ready') throw new Error(`the page says: ${await page.locator('#message').textContent()}`);
      // The vocabulary is folded away on the page; the shot shows it.
      await page.locator('#vocabulary summary').click();
      await midClip(page);
      await page.screenshot({ path: join(DOCS, 'attention.png'), fullPage: true });
      await page.clock.resume();
      const units = await page.locator('#units tbody tr').count();
      if (units > 1) {
        await page.locator('#unit-1').check();
        await page.waitForSelector('body[data-unit="1"]');
      }
      await page.locator('#detail').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await midClip(page);
      await page.screenshot({ path: join(DOCS, 'attention-unit.png') });
      console.log(`attention.png, attention-unit.png: run ${at.runId}, ${units} units, unit ${units > 1 ? 2 : 1} shown: ${await page.locator('#detail-title').textContent()}`);
    } finally {
      project.revokeAnnotator(name);
    }
  }, (page) => page.clock.install());
}

/** The trained k = 6 judge the MCTS cell of bench/results/debate played with (or any k = 6 checkpoint there), or null. */
function benchJudge(): string | null {
  const bench = fileURLToPath(new URL('../bench/results/debate', import.meta.url));
  const cells = join(bench, 'cells');
  if (existsSync(cells)) {
    for (const f of readdirSync(cells).filter((n) => n.startsWith('k6-') && n.endsWith('-mcts.json'))) {
      const path = /— (\S+)$/.exec((JSON.parse(readFileSync(join(cells, f), 'utf8')) as { judge: string }).judge)?.[1];
      if (path && existsSync(resolve(bench, '..', '..', '..', path))) return resolve(bench, '..', '..', '..', path);
    }
  }
  const judges = join(bench, 'judges');
  const any = existsSync(judges) ? readdirSync(judges).filter((n) => n.startsWith('judge-k6-') && n.endsWith('.json')).sort() : [];
  return any.length > 0 ? join(judges, any[0]) : null;
}

async function shootDebate(): Promise<void> {
  const { loadMnist } = await import('../src/data/mnist.js');
  const { registerDebateRoutes } = await import('../src/oversight/debate/server.js');
  const { loadJudgeCheckpoint } = await import('../src/cli/debatePlay.js');
  const { DebateGame } = await import('../src/oversight/debate/game.js');
  const { greedyDebater } = await import('../src/oversight/debate/greedy.js');
  const k = 6;
  let judgePath = benchJudge();
  if (!judgePath) {
    const { trainTinyJudge, saveTinyJudge, randomRevealAccuracy } = await import('../src/oversight/debate/sparseJudges.js');
    const tiny = trainTinyJudge(loadMnist('train'), { k, hidden: 128, steps: 3000, batch: 128, lr: 1e-3, seed: 1 });
    judgePath = join(mkdtempSync(join(tmpdir(), 'overseer-debate-judge-')), 'tiny-judge-k6.json');
    writeFileSync(judgePath, JSON.stringify(saveTinyJudge(tiny, k, 3000, randomRevealAccuracy(tiny, loadMnist('test'), k))));
  }
  const { judge, name } = await loadJudgeCheckpoint(judgePath, k);
  const project = openProject(mkdtempSync(join(tmpdir(), 'overseer-shots-')));
  project.createRun({ id: 'debate-k6', envId: 'MNIST-debate', instructions: 'Debate on MNIST', labelBudget: null, config: { debate: { k, judge: judgePath, debater: 'mcts', rollouts: 200, precommit: true } } });
  const judgeToken = project.addAnnotator('ada').token;
  const debaterToken = project.addAnnotator('grace').token;
  const app = buildServer({ project, staticDir: UI });
  registerDebateRoutes(app, { project, loadJudge: () => judge, rng: new Rng(23) });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const origin = await app.listen({ host: '127.0.0.1', port: 0 });
    const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
    await page.goto(`${origin}/debate.html?token=${judgeToken}&run=debate-k6&mode=judge&pace=100`);
    // A scripted person who picks the first claim, then the second, and so on; the shot is the fourth debate's result.
    for (let round = 0; round < 4; round++) {
      await page.waitForSelector('body[data-state="choosing"]', { timeout: 60_000 });
      await page.keyboard.press(round % 2 === 0 ? '1' : '2');
      await page.waitForSelector('body[data-state="result"]');
      if (round < 3) await page.keyboard.press('Enter');
    }
    await page.screenshot({ path: join(DOCS, 'debate-judge.png') });
    console.log(`debate-judge.png: ${await page.locator('#accuracy').textContent()}; judge ${name}`);

    type Played = { image: number[]; truth: number; lie: number; first: 'honest' | 'liar'; reveals: { pixel: number }[] };
    const dealt = page.waitForResponse((r) => r.url().endsWith('/debater/next'));
    await page.goto(`${origin}/debate.html?token=${debaterToken}&run=debate-k6&mode=debater`);
    let game = (await (await dealt).json()) as Played;
    await page.waitForSelector('body[data-state="your-turn"]', { timeout: 60_000 });
    while ((await page.locator('body').getAttribute('data-state')) !== 'over') {
      const g = new DebateGame(Float32Array.from(game.image, (v) => v / 255), game.truth, game.lie, { k, precommit: true, first: game.first });
      for (const r of game.reveals) g.reveal(r.pixel);
      const pixel = greedyDebater.choose(g, judge);
      const box = (await page.locator('#board').boundingBox())!;
      const answered = page.waitForResponse((r) => r.url().endsWith('/reveal'));
      await page.mouse.click(box.x + ((pixel % 28) + 0.5) * (box.width / 28), box.y + (Math.floor(pixel / 28) + 0.5) * (box.height / 28));
      game = (await (await answered).json()) as Played;
      await page.waitForSelector(`body[data-shown="${game.reveals.length}"]:is([data-state="your-turn"], [data-state="over"])`);
    }
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(DOCS, 'debate-debater.png') });
    console.log(`debate-debater.png: ${await page.locator('#verdict').textContent()}`);
  } finally {
    await browser.close();
    await app.close();
    project.close();
  }
}

const only = process.argv[2];
if (only === 'debate') {
  await shootDebate();
  process.exit(0);
}
if (only === 'attention') {
  const runDir = process.argv[3];
  if (!runDir) throw new Error('usage: npx tsx scripts/screenshots.ts attention RUN_DIR');
  await shootAttention(runDir);
  process.exit(0);
}
if (only === 'dashboard') {
  await shootDashboard('dashboard.png');
  process.exit(0);
}
if (only === 'critique') {
  await shoot('Reacher-v5', 'labeling-reacher-critique.png', [7, 8], 'projection', 'rrm');
  await shoot('Reacher-v5', 'labeling-reacher-critique-top.png', [7, 8], 'projection', 'random');
  process.exit(0);
}
if (only === 'projection') {
  await shoot('Reacher-v5', 'labeling-reacher-projection.png', [7, 8], 'projection');
  process.exit(0);
}
await shootDashboard('dashboard.png');
await shoot('Hopper-v5', 'labeling-hopper.png', [3, 4]);
await shoot('CartPole-v1', 'labeling-cartpole.png', [1, 2]);
await shoot('BoatRace-v0', 'labeling-boatrace.png', [5, 6]);
await shoot('Reacher-v5', 'labeling-reacher-projection.png', [7, 8], 'projection');
await shoot('Reacher-v5', 'labeling-reacher-critique.png', [7, 8], 'projection', 'rrm');
await shoot('Reacher-v5', 'labeling-reacher-critique-top.png', [7, 8], 'projection', 'random');
