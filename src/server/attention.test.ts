/**
 * The attention page ("What is the reward model paying attention to?") in real Chromium, against
 * a server on a temporary project holding a hand-made report (testing/attention.ts), and its
 * route without a browser. Needs the built UI (npm run build) and Debian's Chromium.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ATTENTION_REPORT, type AttentionReportJson } from './api.js';
import { buildServer } from './app.js';
import { attentionReport } from './testing/attention.js';
import { listen, newPage, pendulumProject, useBrowser } from './testing/browser.js';

const { browser, cleanup } = useBrowser();

/** Run r1 (Pendulum), with the report stored unless `stored` is false; an admin and an annotator. */
function withReport(stored = true) {
  const { project } = pendulumProject('overseer-attention-');
  const report = attentionReport();
  if (stored) project.putRunReport('r1', ATTENTION_REPORT, report);
  const admin = project.addAnnotator('admin', 'admin').token;
  const ada = project.addAnnotator('ada').token;
  cleanup(() => project.close());
  return { project, report, admin, ada };
}

async function serve(stored = true) {
  const p = withReport(stored);
  const { app, origin } = await listen(p.project);
  cleanup(() => app.close());
  return { ...p, origin };
}

async function open(origin: string, token: string, viewport = { width: 1100, height: 900 }, run = 'r1'): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await newPage(browser(), cleanup, { viewport });
  const response = await page.goto(`${origin}/attention.html?token=${token}&run=${run}`);
  expect(response!.headers()['content-security-policy']).toMatch(/default-src 'self'; script-src 'self'; style-src 'self'/);
  await page.waitForSelector('body[data-state]', { timeout: 10_000 });
  return { page, errors };
}

/** ATTENTION_SHOTS=dir keeps screenshots of the page, to look at. */
async function shot(page: Page, name: string): Promise<void> {
  if (process.env.ATTENTION_SHOTS) await page.screenshot({ path: join(process.env.ATTENTION_SHOTS, `${name}.png`), fullPage: true });
}

const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

interface ChartState {
  labels: string[];
  shown: boolean[];
  data: (number | null)[][];
  step: string | undefined;
}

/** What the page's uPlot chart holds, and the step its marker is at. */
function chart(page: Page): Promise<ChartState> {
  return page.evaluate(() => {
    type UPlotLike = { series: { label?: unknown; show?: boolean }[]; data: ArrayLike<number | null>[]; root: { parentElement: { dataset: Record<string, string | undefined> } } };
    const [u] = (globalThis as unknown as { attentionCharts?: UPlotLike[] }).attentionCharts ?? [];
    return { labels: u.series.map((s) => String(s.label)), shown: u.series.map((s) => s.show !== false), data: u.data.map((col) => Array.from(col)), step: u.root.parentElement.dataset.step };
  });
}

/** Pixels drawn on the canvas (alpha > 0). */
const painted = (page: Page, selector: string) =>
  page.locator(selector).evaluate((c) => {
    const canvas = c as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
    return n;
  });

const scaledOf = (activations: number[], max: number) => activations.map((a) => (10 * Math.max(0, a)) / max);

/** The readout under clip j and the step it is at, read at one moment. */
const readout = (page: Page, j: number): Promise<{ step: number; text: string }> =>
  page.evaluate(`(() => {
    const fig = document.querySelectorAll('#clips figure')[${j}];
    return { step: Number(fig.dataset.step), text: fig.querySelector('.readout').textContent };
  })()`);

/** The cells' texts of each row of a table body. */
const cells = (page: Page, table: string): Promise<string[][]> =>
  page.evaluate(`Array.from(document.querySelectorAll('${table} tbody tr'), (tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent))`);

/** The clip ids of the figures shown, in order. */
const clipIds = (page: Page): Promise<string[]> => page.evaluate(`Array.from(document.querySelectorAll('#clips figure'), (f) => f.dataset.clip)`);

describe('the attention page', () => {
  it('shows the summary, the ranked units, and the picked unit with its clips replayed beside its attribution chart', async () => {
    const { origin, admin, report } = await serve();
    const { page, errors } = await open(origin, admin);
    expect(await page.locator('body').getAttribute('data-state')).toBe('ready');
    expect(await text(page, 'h1')).toBe('What is the reward model paying attention to?');

    // The summary.
    expect(await text(page, '#env')).toBe('Pendulum-v1');
    expect(await text(page, '#layer')).toBe('reward-model/0, hidden layer 1 (64 neurons)');
    expect(await text(page, '#labels')).toBe('400');
    expect(await text(page, '#checkpoint')).toBe('checkpoints/final');
    expect(await text(page, '#made-by')).toBe('Made by overseer interp runs/pendulum-1 --units 64 on 2025-03-14 09:26 UTC.');
    expect(await text(page, '#sae')).toContain('A dictionary of 256 features');
    expect(await text(page, '#sae')).toContain('Held-out fraction of variance unexplained: 0.083; 6.4 features active per state on average (L0); 231 of 256 features alive (174 when trained without resampling dead ones).');
    expect(await text(page, '#accuracy-pairs')).toContain('on 120 held-out labelled pairs');
    expect(await page.locator('#accuracy tbody td').allTextContents()).toEqual(['85.8%', '84.2%', '53.3%']);
    const scores = await cells(page, '#scores');
    expect(scores).toEqual([
      ['reward-model/0 layer 1 neurons', '64', '0.412', '0.437', '3 (4.7%)'],
      ['SAE features (sample of alive ones)', '64', '0.486', '0.521', '7 (10.9%)'],
      ['random directions', '64', '0.297', '0.305', '0 (0.0%)'],
    ]);
    // The vocabulary, folded away until opened.
    expect(await page.locator('#features').isVisible()).toBe(false);
    await page.locator('#vocabulary summary').click();
    expect(await page.locator('#features tbody tr').count()).toBe(6);
    expect((await cells(page, '#features'))[0]).toEqual(['uprightness', 'number', 'cosine of the angle from upright (1 upright, -1 hanging down)']);
    expect((await cells(page, '#features'))[5]).toEqual(['upright', 'yes / no', 'the pendulum within 0.5 rad of upright']);
    expect(await text(page, '#vocabulary summary')).toBe("The explainer's vocabulary: 6 named features of the env");

    // One row per unit, in the report's order, the first picked.
    const rows = await cells(page, '#units');
    expect(rows).toEqual([
      ['SAE feature 104', 'fires when the pendulum is near upright and moving slowly', '0.81', '+0.163 std', '12.4%'],
      ['neuron 20', 'fires when the pendulum swings fast through the bottom', '0.64', '-0.087 std', '38.1%'],
      ['SAE feature 7', 'fires when the torque pushes the pendulum counter-clockwise', '0.42', '+0.041 std', '20.7%'],
    ]);
    expect(await page.getByRole('radio', { name: 'SAE feature 104' }).isChecked()).toBe(true);
    expect(await text(page, '#detail-title')).toBe('SAE feature 104');
    expect(await text(page, '#detail-explanation')).toBe('fires when the pendulum is near upright and moving slowly');
    expect(await text(page, '#detail-numbers')).toMatch(/^Score 0\.81 · effect on the reward \+0\.163 std · active on 12\.4% of states/);

    // Its three top clips, each drawn, named for the unit and the clip.
    const [u0, u1] = report.units;
    expect(await clipIds(page)).toEqual(['seg-3', 'seg-8', 'rollout-0']);
    for (const [j, name] of [/^SAE feature 104, clip 1: segment seg-3, 16 steps$/, /^SAE feature 104, clip 2: segment seg-8, 12 steps$/, /^SAE feature 104, clip 3: policy rollout rollout-0, 20 steps$/].entries()) {
      expect(await page.getByRole('img', { name }).isVisible()).toBe(true);
      await expect.poll(() => painted(page, `#clip-${j}`)).toBeGreaterThan(500);
    }

    // The chart: the first clip's activation (0–10), the simulator's, each attribution feature, the reward (off at first).
    let c = await chart(page);
    expect(c.labels).toEqual(['step', 'activation (0–10)', 'simulated (0–10)', 'uprightness', 'angularSpeed', 'torque', 'reward (std)']);
    expect(c.shown).toEqual([true, true, true, true, true, true, false]);
    expect(c.data[0]).toEqual(Array.from({ length: 16 }, (_, k) => k));
    c.data[1].forEach((v, k) => expect(v).toBeCloseTo(scaledOf(u0.topClips[0].activations, u0.maxActivation)[k], 9));
    expect(Math.max(...(c.data[1] as number[]))).toBeLessThanOrEqual(10);
    expect(c.data[2]).toEqual(u0.topClips[0].simulated);
    expect(c.data.slice(3, 6)).toEqual(u0.topClips[0].attribution);
    expect(c.data[6]).toEqual(report.clips[0].reward);
    expect(await text(page, '#chart-caption')).toContain('the fit explains r² = 0.74 of the variance; weights: uprightness +1.20, angularSpeed -0.60, torque +0.10');

    // The clips play: the readout moves on with the frame, saying that step's numbers, and the chart's marker follows the first clip.
    const seen = new Set<number>();
    await expect
      .poll(
        async () => {
          const r = await readout(page, 0);
          const a = u0.topClips[0].activations[r.step];
          expect(r.text).toBe(
            `step ${r.step} · activation ${a.toFixed(2)} (${((10 * Math.max(0, a)) / u0.maxActivation).toFixed(1)}/10) · simulated ${u0.topClips[0].simulated[r.step].toFixed(1)}/10 · reward ${report.clips[0].reward[r.step] >= 0 ? '+' : '-'}${Math.abs(report.clips[0].reward[r.step]).toFixed(2)} std`,
          );
          seen.add(r.step);
          return seen.size;
        },
        { timeout: 5_000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(3);
    await expect.poll(async () => {
      const [r, ch] = [await readout(page, 0), await chart(page)];
      return Math.abs(r.step - Number(ch.step));
    }).toBeLessThanOrEqual(1);
    await shot(page, 'attention');

    // Another clip (a click on it) goes into the chart.
    await page.locator('#clip-1').click();
    await page.waitForSelector('body[data-clip="seg-8"]');
    c = await chart(page);
    expect(c.data[0]).toHaveLength(12);
    c.data[1].forEach((v, k) => expect(v).toBeCloseTo(scaledOf(u0.topClips[1].activations, u0.maxActivation)[k], 9));
    expect(await page.getByRole('radio', { name: /clip 2: segment seg-8/ }).isChecked()).toBe(true);

    // Another unit, by keyboard (arrow keys move along the radio buttons): its detail, its clips, its chart.
    await page.getByRole('radio', { name: 'SAE feature 104' }).focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('body[data-unit="1"]');
    expect(await page.getByRole('radio', { name: 'neuron 20' }).isChecked()).toBe(true);
    expect(await text(page, '#detail-title')).toBe('neuron 20');
    expect(await text(page, '#detail-explanation')).toBe('fires when the pendulum swings fast through the bottom');
    expect(await text(page, '#detail-numbers')).toMatch(/^Score 0\.64 · effect on the reward -0\.087 std/);
    expect(await clipIds(page)).toEqual(['rollout-0', 'seg-8']);
    expect(await page.getByRole('img', { name: /^neuron 20, clip 1: policy rollout rollout-0, 20 steps$/ }).isVisible()).toBe(true);
    c = await chart(page);
    expect(c.labels).toEqual(['step', 'activation (0–10)', 'simulated (0–10)', 'angularSpeed', 'uprightness', 'angle', 'reward (std)']);
    expect(c.data[0]).toHaveLength(20);
    c.data[1].forEach((v, k) => expect(v).toBeCloseTo(scaledOf(u1.topClips[0].activations, u1.maxActivation)[k], 9));
    expect(c.data[2]).toEqual(u1.topClips[0].simulated);
    expect(c.data.slice(3, 6)).toEqual(u1.topClips[0].attribution);
    expect(c.data[6]).toEqual(report.clips[1].reward);
    expect(await text(page, '#chart-caption')).toContain('r² = 0.58');
    await expect.poll(() => painted(page, '#clip-0')).toBeGreaterThan(500);

    // A click anywhere on a row picks its unit too.
    await page.locator('#units tbody tr').nth(2).locator('td').nth(1).click();
    await page.waitForSelector('body[data-unit="2"]');
    expect((await chart(page)).labels.slice(3, 6)).toEqual(['torque', 'angularVelocity', 'upright']);
    await shot(page, 'attention-unit');
    expect(errors).toEqual([]);
  }, 30_000);

  it('a run without a report shows the server\'s words on how to make one; an annotator is refused', async () => {
    const { origin, admin, ada } = await serve(false);
    let { page, errors } = await open(origin, admin);
    expect(await page.locator('body').getAttribute('data-state')).toBe('missing');
    expect(await text(page, '#message')).toBe("run r1 has no attention report yet: make one with overseer interp RUN_DIR (the run's directory)");
    expect(await page.locator('#report').isVisible()).toBe(false);
    expect(await text(page, 'h1')).toBe('What is the reward model paying attention to?');
    // The one 404 asked for, and nothing else.
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 404 (Not Found)']);

    ({ page, errors } = await open(origin, ada));
    expect(await page.locator('body').getAttribute('data-state')).toBe('refused');
    expect(await text(page, '#message')).toBe('This page needs the admin token (printed by overseer serve).');
    expect(await page.locator('#report').isVisible()).toBe(false);
    expect(errors).toEqual([]);
  }, 30_000);

  it('a run whose env has no render spec shows everything but the replays, and says why', async () => {
    const { project, origin, admin } = await serve();
    project.createRun({ id: 'r2', envId: 'Unrendered-v0', instructions: 'x', labelBudget: 10 });
    project.putRunReport('r2', ATTENTION_REPORT, attentionReport('r2', 'Unrendered-v0'));
    const { page, errors } = await open(origin, admin, { width: 1100, height: 900 }, 'r2');
    expect(await page.locator('body').getAttribute('data-state')).toBe('ready');
    expect(await text(page, '#clips-message')).toBe("This run's clips cannot be replayed here (its env has no render spec); the readouts show the step where the unit peaks, and the chart is below.");
    expect(await page.getByRole('img', { name: /^SAE feature 104, clip 1: segment seg-3, 16 steps: cannot be replayed$/ }).isVisible()).toBe(true);
    expect(await painted(page, '#clip-0')).toBe(0);
    // The readout holds the step where the unit peaks; the chart and the rows are all there.
    const acts = attentionReport().units[0].topClips[0].activations;
    const peak = acts.indexOf(Math.max(...acts));
    expect((await readout(page, 0)).step).toBe(peak);
    expect(await page.locator('#units tbody tr').count()).toBe(3);
    const c = await chart(page);
    expect(c.data[0]).toHaveLength(16);
    expect(c.step).toBe(String(peak));
    // The run selector names both runs, this one chosen.
    expect(await page.locator('#run option').allTextContents()).toEqual(['r1 (Pendulum-v1)', 'r2 (Unrendered-v0)']);
    expect(await page.locator('#run').inputValue()).toBe('r2');
    expect(errors).toEqual([]);
  }, 30_000);

  it('a report with numbers it could not define (NaN, stored as null) shows dashes and says why accuracy is missing', async () => {
    const { project, origin, admin } = await serve();
    const nan = attentionReport();
    nan.sae.fvu = Number.NaN;
    nan.sae.l0 = Number.NaN;
    nan.accuracy = { pairs: 0, intact: Number.NaN, saeReconstruction: Number.NaN, meanAblation: Number.NaN };
    nan.scores[1] = { units: 'SAE features (sample of alive ones)', count: 0, mean: Number.NaN, median: Number.NaN, above08: 0 };
    nan.units[0].score = Number.NaN;
    nan.units[0].attribution.r2 = Number.NaN;
    project.putRunReport('r1', ATTENTION_REPORT, nan);
    const { page, errors } = await open(origin, admin);
    expect(await page.locator('body').getAttribute('data-state')).toBe('ready');
    expect(await text(page, '#sae')).toContain('Held-out fraction of variance unexplained: –; – features active per state');
    expect(await text(page, '#accuracy-pairs')).toMatch(/has no decided held-out labelled pair/);
    expect(await page.locator('#accuracy tbody td').allTextContents()).toEqual(['–', '–', '–']);
    expect(await page.locator('#scores tbody tr').nth(1).locator('td').allTextContents()).toEqual(['SAE features (sample of alive ones)', '0', '–', '–', '0 (-)']);
    expect(await page.locator('#units tbody tr').first().locator('td').nth(2).textContent()).toBe('–');
    expect(errors).toEqual([]);
  }, 30_000);

  it('fits a phone: nothing wider than the screen but the tables, which scroll', async () => {
    const { origin, admin } = await serve();
    const viewport = { width: 390, height: 800 };
    const { page, errors } = await open(origin, admin, viewport);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);
    // The clips stack, one per row, each as wide as the detail allows.
    const boxes = await page.evaluate<number[]>(`Array.from(document.querySelectorAll('#clips canvas'), (c) => c.getBoundingClientRect().width)`);
    expect(boxes).toHaveLength(3);
    for (const w of boxes) expect(w).toBeLessThanOrEqual(viewport.width);
    expect(await page.evaluate<number>("document.querySelector('#chart .uplot').getBoundingClientRect().width")).toBeLessThanOrEqual(viewport.width);
    await shot(page, 'attention-phone');
    expect(errors).toEqual([]);
  }, 30_000);

  it('the dashboard links to the page for its run', async () => {
    const { origin, admin } = await serve();
    const { page, errors } = await newPage(browser(), cleanup);
    await page.goto(`${origin}/dashboard.html?token=${admin}&run=r1`);
    await page.waitForSelector('body[data-ready]', { timeout: 10_000 });
    await page.getByRole('link', { name: 'what the reward model pays attention to' }).click();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 10_000 });
    // The tab's token went with it (the page is the admin's), and the run.
    expect(new URL(page.url()).pathname).toBe('/attention.html');
    expect(await page.locator('#run').inputValue()).toBe('r1');
    expect(await page.getByRole('link', { name: 'back to the dashboard' }).getAttribute('href')).toBe('./dashboard.html?run=r1');
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('GET /api/admin/runs/:runId/attention', () => {
  it('sends the stored report to the admin; 404 with how to make one; 403 for an annotator; 404 for an unknown run', async () => {
    const { project, report, admin, ada } = withReport();
    const app = buildServer({ project });
    cleanup(() => app.close());
    const get = (url: string, token: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

    const ok = await get('/api/admin/runs/r1/attention', admin);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const body = ok.json<AttentionReportJson>();
    expect(body).toEqual(report);
    expect(body.units.map((u) => u.topClips.length)).toEqual([3, 2, 3]);
    expect(body.clips.map((c) => c.length)).toEqual([16, 20, 12]);

    project.createRun({ id: 'r2', envId: 'Pendulum-v1', instructions: 'x', labelBudget: 10 });
    const missing = await get('/api/admin/runs/r2/attention', admin);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: "run r2 has no attention report yet: make one with overseer interp RUN_DIR (the run's directory)" });

    const refused = await get('/api/admin/runs/r1/attention', ada);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ error: 'this needs the admin token' });

    const unknown = await get('/api/admin/runs/nope/attention', admin);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ error: string }>().error).toMatch(/nope/);
  });
});
