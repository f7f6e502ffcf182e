/**
 * The dashboard in real Chromium against a server started here on a temporary project (no
 * training run: metrics rows, segments, queries and labels go into the project directly): the
 * uPlot charts and their live updates, where the run is, per-annotator statistics, guidelines
 * and gold pairs made in the page. Needs the built UI (npm run build) and Debian's Chromium.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ProjectStore } from '../store/store.js';
import { listen, newPage, pendulumProject, pendulumSegments, putPairs as putSegmentPairs, useBrowser } from './testing/browser.js';

const { browser, cleanup } = useBrowser();

/** Puts `n` pairs q-0… into run r1. */
function putPairs(project: ProjectStore, n: number): void {
  putSegmentPairs(project, pendulumSegments(n), 0, (i) => i * 100);
}

/** A metrics row as the preference loop logs it (the dashboard reads only these columns). */
const row = (envSteps: number, m: { trueReturn?: number | null; learnedReturn?: number | null; heldOutAccuracy?: number | null; disagreement?: number | null; labels?: number }) => ({
  envSteps,
  update: envSteps / 1000,
  trueReturn: null,
  learnedReturn: null,
  heldOutAccuracy: null,
  disagreement: null,
  labels: 0,
  ...m,
});

/** A project with run r1 (`pairs` pairs in it) and an admin; a server on it. */
async function setup(pairs: number) {
  const { project } = pendulumProject('overseer-dashboard-');
  if (pairs > 0) putPairs(project, pairs);
  const admin = project.addAnnotator('admin', 'admin').token;
  const { app, origin } = await listen(project);
  cleanup(() => project.close(), () => app.close());
  return { project, admin, origin };
}

/** The dashboard of r1, loaded; page errors and console errors (CSP refusals among them) collected. */
async function openDashboard(origin: string, token: string): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await newPage(browser(), cleanup, { viewport: { width: 1200, height: 900 }, acceptDownloads: true });
  const response = await page.goto(`${origin}/dashboard.html?token=${token}&run=r1`);
  expect(response!.headers()['content-security-policy']).toMatch(/default-src 'self'; script-src 'self'; style-src 'self'/);
  await page.waitForSelector('body[data-ready]', { timeout: 10_000 });
  return { page, errors };
}

interface ChartState {
  series: { label: string; scale: string | undefined }[];
  axes: { scale: string | undefined; side: number | undefined }[];
  x: [number | undefined, number | undefined];
  scales: Record<string, [number | undefined, number | undefined]>;
  data: (number | null | undefined)[][];
  cursor: number | null | undefined;
}

/** The parts of a uPlot instance read here (the test runs without the DOM types uPlot's own need). */
interface UPlotLike {
  series: { label?: unknown; scale?: string }[];
  axes: { scale?: string; side?: number }[];
  scales: Record<string, { min?: number; max?: number }>;
  data: ArrayLike<number | null | undefined>[];
  cursor: { idx?: number | null };
}

/** What the page's uPlot instances hold. */
function charts(page: Page): Promise<ChartState[]> {
  return page.evaluate(() =>
    ((globalThis as unknown as { dashboardCharts?: UPlotLike[] }).dashboardCharts ?? []).map((u) => ({
      series: u.series.map((s) => ({ label: String(s.label), scale: s.scale })),
      axes: u.axes.map((a) => ({ scale: a.scale, side: a.side })),
      x: [u.scales.x.min, u.scales.x.max] as [number | undefined, number | undefined],
      scales: Object.fromEntries(Object.entries(u.scales).map(([k, s]) => [k, [s.min, s.max] as [number | undefined, number | undefined]])),
      data: u.data.map((col) => Array.from(col)),
      cursor: u.cursor.idx,
    })),
  );
}

/** DASHBOARD_SHOTS=dir keeps screenshots of the page, to look at. */
async function shot(page: Page, name: string): Promise<void> {
  if (process.env.DASHBOARD_SHOTS) await page.screenshot({ path: join(process.env.DASHBOARD_SHOTS, `${name}.png`), fullPage: true });
}

const text = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').replace(/\s+/g, ' ').trim();

describe('the dashboard charts (uPlot)', () => {
  it('three charts with their series and separate axes share one x range, update live without reload, and leave gaps for missing metrics', async () => {
    const { project, admin, origin } = await setup(2);
    project.appendMetrics('r1', row(1000, { trueReturn: -900, learnedReturn: 0.5, heldOutAccuracy: null, disagreement: 0.2, labels: 10 }));
    project.appendMetrics('r1', row(2000, { trueReturn: null, learnedReturn: null, heldOutAccuracy: 0.6, disagreement: 0.15, labels: 20 }));
    project.appendMetrics('r1', row(3000, { trueReturn: -700, learnedReturn: 1.5, heldOutAccuracy: 0.7, disagreement: 0.1, labels: 30 }));
    const { page, errors } = await openDashboard(origin, admin);

    for (const name of [/return per episode/, /held-out accuracy/, /ensemble disagreement/, /Latest clip of the policy/]) expect(await page.getByRole('img', { name }).isVisible()).toBe(true);
    let [ret, acc, dis] = await charts(page);
    expect(ret.series).toEqual([
      { label: 'env steps', scale: 'x' },
      { label: 'true return', scale: 'true' },
      { label: 'predicted return (model units)', scale: 'model' },
    ]);
    // Two y axes: true return on the left (side 3), the model's units on the right (side 1).
    expect(ret.axes).toEqual([
      { scale: 'x', side: 2 },
      { scale: 'true', side: 3 },
      { scale: 'model', side: 1 },
    ]);
    expect(ret.scales.true[0]).toBeLessThanOrEqual(-900);
    expect(ret.scales.true[1]).toBeGreaterThanOrEqual(-700);
    expect(ret.scales.model[0]).toBeLessThanOrEqual(0.5);
    expect(ret.scales.model[1]).toBeLessThan(10);
    expect(acc.series.map((s) => s.label)).toEqual(['env steps', 'held-out accuracy']);
    expect(acc.scales.accuracy).toEqual([0, 1]);
    expect(dis.series.map((s) => s.label)).toEqual(['env steps', 'disagreement']);
    expect(ret.x).toEqual([1000, 3000]);
    expect(acc.x).toEqual(ret.x);
    expect(dis.x).toEqual(ret.x);
    // A row without a metric is a gap, not a zero.
    expect(ret.data).toEqual([
      [1000, 2000, 3000],
      [-900, null, -700],
      [0.5, null, 1.5],
    ]);
    expect(acc.data[1]).toEqual([null, 0.6, 0.7]);
    expect(await text(page, '#chart-return .u-legend')).toMatch(/true return.*predicted return \(model units\)/);
    expect(await text(page, '#final-return-label')).toBe('latest true return');
    expect(await text(page, '#final-return')).toBe('-700');
    expect(await text(page, '#final-accuracy')).toBe('0.7');
    expect(await text(page, '#steps')).toBe('3000');

    // New rows arrive while the page is open: every chart grows and keeps one x range.
    project.appendMetrics('r1', row(4000, { disagreement: 0.05, labels: 40 }));
    project.appendMetrics('r1', row(5000, { trueReturn: -500, learnedReturn: 2, heldOutAccuracy: 0.8, disagreement: 0.04, labels: 50 }));
    await page.waitForSelector('body[data-rows="5"]', { timeout: 10_000 });
    [ret, acc, dis] = await charts(page);
    for (const c of [ret, acc, dis]) {
      expect(c.data[0]).toEqual([1000, 2000, 3000, 4000, 5000]);
      expect(c.x).toEqual([1000, 5000]);
    }
    expect(ret.data[1]).toEqual([-900, null, -700, null, -500]);
    expect(await text(page, '#final-return')).toBe('-500');

    // The cursor on one chart shows the same row on the others.
    const plot = (await page.locator('#chart-return .u-over').boundingBox())!;
    await page.mouse.move(plot.x + plot.width * 0.99, plot.y + plot.height / 2);
    await expect.poll(async () => (await charts(page)).map((c) => c.cursor)).toEqual([4, 4, 4]);
    // Zooming one chart (drag across it) zooms all; new rows then keep the zoom; a double-click zooms out.
    await page.mouse.move(plot.x + plot.width * 0.2, plot.y + plot.height / 2);
    await page.mouse.down();
    await page.mouse.move(plot.x + plot.width * 0.6, plot.y + plot.height / 2, { steps: 5 });
    await page.mouse.up();
    [ret, acc, dis] = await charts(page);
    expect(ret.x[0]).toBeGreaterThan(1000);
    expect(ret.x[1]).toBeLessThan(5000);
    expect(acc.x).toEqual(ret.x);
    expect(dis.x).toEqual(ret.x);
    const zoomedTo = ret.x;
    project.appendMetrics('r1', row(6000, { disagreement: 0.03, labels: 60 }));
    await page.waitForSelector('body[data-rows="6"]', { timeout: 10_000 });
    for (const c of await charts(page)) {
      expect(c.data[0]).toHaveLength(6);
      expect(c.x).toEqual(zoomedTo);
    }
    await page.mouse.dblclick(plot.x + plot.width / 2, plot.y + plot.height / 2);
    for (const c of await charts(page)) expect(c.x).toEqual([1000, 6000]);

    // The x axis toggle: labels instead of env steps, still one range for all.
    await page.getByLabel('labels', { exact: true }).check();
    [ret, acc, dis] = await charts(page);
    for (const c of [ret, acc, dis]) {
      expect(c.series[0].label).toBe('labels');
      expect(c.x).toEqual([10, 60]);
    }
    await shot(page, 'charts');
    expect(errors).toEqual([]);
  }, 30_000);

  it('says where the run is: running, waiting for N labels, finished (with final numbers)', async () => {
    const { project, admin, origin } = await setup(2);
    project.appendMetrics('r1', row(1000, { trueReturn: -321, heldOutAccuracy: 0.75, labels: 10 }));
    const { page, errors } = await openDashboard(origin, admin);
    expect(await text(page, '#state')).toMatch(/^running/);
    expect(await text(page, '#budget')).toBe('0 / 100');
    expect(await text(page, '#queue')).toBe('2');
    project.setRunState('r1', { phase: 'initial', waitingForLabels: 5 });
    await expect.poll(() => text(page, '#state'), { timeout: 10_000 }).toBe('waiting for 5 labels');
    project.finishRun('r1');
    await expect.poll(() => text(page, '#state'), { timeout: 10_000 }).toBe('finished');
    expect(await text(page, '#final-return-label')).toBe('final true return');
    expect(await text(page, '#final-return')).toBe('-321');
    expect(await text(page, '#final-accuracy-label')).toBe('final held-out accuracy');
    expect(await text(page, '#final-accuracy')).toBe('0.75');
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('annotators, guidelines and gold pairs', () => {
  it('per annotator: labels, median seconds per answer and the answer mix', async () => {
    const { project, admin, origin } = await setup(4);
    const ada = project.addAnnotator('ada').annotator;
    const answers = [
      ['left', 2],
      ['left', 4],
      ['right', 9],
      ['incomparable', 5],
    ] as const;
    const assigned = project.assignQueries('r1', ada.id, 4);
    expect(assigned).toHaveLength(4);
    assigned.forEach((a, i) => project.submitLabel({ runId: 'r1', queryId: a.query.id, annotatorId: ada.id, answer: answers[i][0], seconds: answers[i][1], clientId: `c-${i}` }));
    const { page, errors } = await openDashboard(origin, admin);
    const cells = (await page.locator('#annotators tbody tr').first().locator('td').allTextContents()).map((t) => t.trim());
    expect(cells.slice(0, 3)).toEqual(['ada', '4', '4.5']);
    expect(cells[3]).toBe("left 2 (50%) · right 1 (25%) · equal 0 (0%) · can't tell 1 (25%)");
    // The bar's parts: widths set from the script (CSSOM, which the CSP allows).
    const widths = await page.locator('#annotators tbody tr .mix span').evaluateAll((spans) => spans.map((s) => (s as unknown as { style: { width: string } }).style.width));
    expect(widths).toEqual(['50%', '25%', '0%', '25%']);
    expect(cells.slice(4)).toEqual(['0', '-', '0', '-']);
    await shot(page, 'annotators');
    expect(errors).toEqual([]);
  }, 30_000);

  it('the admin saves guidelines and makes a gold pair from a pair of the run; errors show the server message', async () => {
    const { project, admin, origin } = await setup(3);
    const { page, errors } = await openDashboard(origin, admin);

    await page.getByLabel('guidelines for annotators').fill('Prefer the pendulum that stays up.\n<b>not markup</b>');
    await page.getByRole('button', { name: 'Save guidelines' }).click();
    await expect.poll(() => text(page, '#guidelines-status'), { timeout: 5_000 }).toBe('saved');
    expect(project.getRun('r1')!.guidelines).toBe('Prefer the pendulum that stays up.\n<b>not markup</b>');
    // Too long (set past the box's maxlength): the server refuses and the page says why.
    await page.locator('#guidelines').evaluate((el) => ((el as unknown as { value: string }).value = 'x'.repeat(10_001)));
    await page.getByRole('button', { name: 'Save guidelines' }).click();
    await expect.poll(() => text(page, '#guidelines-status'), { timeout: 5_000 }).toMatch(/^Not saved: .*10000/);
    expect(project.getRun('r1')!.guidelines).toBe('Prefer the pendulum that stays up.\n<b>not markup</b>');

    // Recent pairs, newest first; watching one plays both clips.
    expect(await page.locator('#pairs tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-query')))).toEqual(['q-2', 'q-1', 'q-0']);
    await page.getByRole('button', { name: 'watch pair q-1' }).click();
    await page.waitForSelector('body[data-picked="q-1"]', { timeout: 5_000 });
    expect(await page.getByRole('img', { name: /^Left segment of the pair: Pendulum-v1/ }).isVisible()).toBe(true);
    expect(await page.getByRole('img', { name: /^Right segment of the pair: Pendulum-v1/ }).isVisible()).toBe(true);
    // Something is drawn on the canvases.
    const painted = await page.locator('#gold-left').evaluate((c) => {
      const canvas = c as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(100);

    await page.getByRole('button', { name: 'right is better' }).click();
    await page.waitForSelector('body[data-gold="1"]', { timeout: 5_000 });
    const gold = (await page.locator('#gold-list tbody tr').first().locator('td').allTextContents()).map((t) => t.trim());
    expect(gold[1]).toBe('q-1');
    expect(gold[2]).toBe('right');
    expect(gold.slice(4)).toEqual(['0', '-']);
    expect(await text(page, '#gold-message')).toMatch(/made from pair q-1: right/);
    expect([...project.queryKinds('r1').values()].filter((k) => k === 'gold')).toHaveLength(1);
    expect(project.goldPairs('r1')).toMatchObject([{ sourceQueryId: 'q-1', answer: 'right' }]);
    // The pair now shows its gold pair.
    await expect.poll(async () => (await page.locator('#pairs tbody tr[data-query="q-1"] td').nth(3).textContent())?.trim()).toBe(gold[0]);

    await shot(page, 'gold');
    // The one refusal asked for above, and nothing else (no CSP refusal, no script error).
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  }, 30_000);
});

describe('gold pairs and export, as they must behave', () => {
  it('a gold pair plays as annotators see it: one clock of at least 1.5 s, each clip holding its last frame under "end of clip"', async () => {
    const { admin, origin } = await setup(2);
    const { page, errors } = await openDashboard(origin, admin);
    await page.getByRole('button', { name: 'watch pair q-0' }).click();
    await page.waitForSelector('body[data-picked="q-0"]', { timeout: 5_000 });
    // 10-frame clips (0.5 s) in a 2 s loop: most of it is the held last frame.
    await page.waitForSelector('#gold-left-ended:not([hidden])', { timeout: 5_000 });
    expect(await text(page, '#gold-left-ended')).toBe('end of clip');
    expect(await page.locator('#gold-right-ended').isVisible()).toBe(true);
    expect([await page.locator('#gold-left').getAttribute('data-frame'), await page.locator('#gold-right').getAttribute('data-frame')]).toEqual(['9', '9']);
    expect(errors).toEqual([]);
  }, 30_000);

  it("watching one pair and then another shows the second, however late the first one's clips arrive", async () => {
    const { admin, origin } = await setup(4);
    const { page, errors } = await openDashboard(origin, admin);
    await page.route('**/api/admin/runs/r1/pairs/q-2', async (route) => {
      await new Promise((r) => setTimeout(r, 800));
      await route.continue();
    });
    await page.getByRole('button', { name: 'watch pair q-2' }).click();
    await page.getByRole('button', { name: 'watch pair q-3' }).click();
    await page.waitForSelector('body[data-picked="q-3"]', { timeout: 5_000 });
    await page.waitForTimeout(1200);
    expect(await page.locator('body').getAttribute('data-picked')).toBe('q-3');
    expect(await text(page, '#gold-pick-id')).toBe('q-3');
    expect(await page.locator('#pairs tr.picked').getAttribute('data-query')).toBe('q-3');
    expect(errors).toEqual([]);
  }, 30_000);

  it("export downloads with the dashboard's own token, even after a labeling link set the cookie to another person", async () => {
    const { project, admin, origin } = await setup(2);
    const ada = project.addAnnotator('ada');
    const [assigned] = project.assignQueries('r1', ada.annotator.id, 1);
    project.submitLabel({ runId: 'r1', queryId: assigned.query.id, annotatorId: ada.annotator.id, answer: 'left', seconds: 2, clientId: 'c-0' });
    const { page, errors } = await openDashboard(origin, admin);
    // Ada's link opened in another tab of the same browser: the cookie is now hers.
    const labeling = await page.context().newPage();
    await labeling.goto(`${origin}/?token=${ada.token}&run=r1`);
    await labeling.waitForSelector('body[data-state]');
    await page.bringToFront();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'labels of this run (JSONL)' }).click()]);
    expect(download.suggestedFilename()).toBe('labels-r1.jsonl');
    const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; queryId?: string });
    expect(lines.filter((l) => l.type === 'label').map((l) => l.queryId)).toEqual(['q-0']);
    expect(await text(page, '#export-message')).toBe('');
    expect(errors).toEqual([]);
  }, 30_000);

  it('guidelines count an emoji as two, in the text box as on the server; text typed while a save is on its way is kept', async () => {
    const { project, admin, origin } = await setup(0);
    const { page, errors } = await openDashboard(origin, admin);
    const box = page.getByLabel('guidelines for annotators');
    const atLimit = '😀'.repeat(5_000);
    await box.fill(atLimit);
    await page.getByRole('button', { name: 'Save guidelines' }).click();
    await expect.poll(() => text(page, '#guidelines-status'), { timeout: 5_000 }).toBe('saved');
    expect(project.getRun('r1')!.guidelines).toBe(atLimit);
    // The box takes no more (its maxlength counts UTF-16 units, as the store does) …
    await box.press('End');
    await page.keyboard.type('x');
    expect(await box.inputValue()).toBe(atLimit);
    // … and the server refuses one more, saying why.
    await box.evaluate((el, v) => ((el as unknown as { value: string }).value = v), `${atLimit}x`);
    await page.getByRole('button', { name: 'Save guidelines' }).click();
    await expect.poll(() => text(page, '#guidelines-status'), { timeout: 5_000 }).toMatch(/^Not saved: guidelines are 10001 characters long, counting an emoji as 2; at most 10000/);
    expect(project.getRun('r1')!.guidelines).toBe(atLimit);

    // A slow save: what is typed meanwhile stays in the box.
    await page.route('**/api/admin/runs/r1/guidelines', async (route) => {
      await new Promise((r) => setTimeout(r, 600));
      await route.continue();
    });
    await box.fill('Prefer upright.');
    await page.getByRole('button', { name: 'Save guidelines' }).click();
    await box.press('End');
    await page.keyboard.type(' And calm.');
    await expect.poll(() => text(page, '#guidelines-status'), { timeout: 5_000 }).toMatch(/^saved/);
    expect(await box.inputValue()).toBe('Prefer upright. And calm.');
    expect(project.getRun('r1')!.guidelines).toBe('Prefer upright.');
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  }, 30_000);
});
