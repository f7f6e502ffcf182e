/**
 * The pages in real Chromium against a server started here on a temporary project (no
 * training run: segments and queries go into the project directly): what a bad link shows,
 * and what the labeling page says when the run has finished, the server is gone, or there is
 * nothing to label yet. Needs the built UI (npm run build) and Debian's Chromium.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openProject } from '../store/sqlite.js';
import type { ProjectStore } from '../store/store.js';
import { listen, newPage as openPage, pendulumProject, pendulumSegments, putPairs as putSegmentPairs, useBrowser } from './testing/browser.js';

const { browser, cleanup } = useBrowser();

/** Puts `n` pairs (q-<from>…) into run r1. */
function putPairs(project: ProjectStore, n: number, from = 0): void {
  putSegmentPairs(project, pendulumSegments(n, 10, from * 2), from);
}

/** A project with run r1 (`pairs` pairs in it) and an annotator ada; a server on it. */
async function setup(pairs: number) {
  const { dir, project } = pendulumProject('overseer-pages-');
  if (pairs > 0) putPairs(project, pairs);
  const ada = project.addAnnotator('ada').token;
  const server = await listen(project);
  cleanup(() => project.close(), () => server.app.close());
  return { dir, project, ada, ...server };
}

/** A fresh browser context (own cookies); failed requests while the server is down are expected, not errors. */
const newPage = async (viewport = { width: 1100, height: 700 }): Promise<{ page: Page; errors: string[] }> => openPage(browser(), cleanup, { viewport, ignore: /Failed to load resource|ERR_CONNECTION_REFUSED/ });

const messageText = (page: Page) => page.locator('#message').textContent();

describe('a link that is not valid', () => {
  it('a bad, revoked or expired token opens a page saying the link is not valid and what to do; the API keeps its JSON 401', async () => {
    const { project, origin } = await setup(2);
    const revoked = project.addAnnotator('gone').token;
    project.revokeAnnotator('gone');
    const expired = project.addAnnotator('late', 'annotator', { expiresAt: new Date(Date.now() + 1000).toISOString() }).token;
    await new Promise((r) => setTimeout(r, 1100));
    const { page, errors } = await newPage();
    for (const path of ['/?token=bogus&run=x', '/dashboard.html?token=bogus', `/?token=${revoked}&run=r1`, `/dashboard.html?token=${expired}&run=r1`]) {
      const response = await page.goto(`${origin}${path}`);
      expect(response!.status(), path).toBe(401);
      expect(response!.headers()['content-type'], path).toMatch(/text\/html/);
      const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
      expect(text, path).toMatch(/This link is not valid/);
      expect(text, path).toMatch(/Ask the person who runs the study for a new link/);
      expect(text, path).toContain('overseer annotators add NAME --project DIR');
      expect(await page.locator('main#denied').count()).toBe(1);
      expect(response!.headers()['set-cookie'], path).toBeUndefined();
    }
    // The API still answers JSON, from a page's fetch as from anything else.
    const api = await page.evaluate(async () => {
      const r = await fetch('/api/me', { headers: { authorization: 'Bearer bogus' } });
      return { status: r.status, type: r.headers.get('content-type'), body: (await r.json()) as { error: string } };
    });
    expect(api).toMatchObject({ status: 401, type: expect.stringMatching(/application\/json/), body: { error: 'this token is not valid' } });
    const navigated = await page.goto(`${origin}/api/runs?token=bogus`);
    expect(navigated!.status()).toBe(401);
    expect(await navigated!.json()).toEqual({ error: 'this token is not valid' });
    // No token at all: the page says to open the link that was given.
    await page.context().clearCookies();
    await page.goto(`${origin}/`);
    expect(await page.locator('body').innerText()).toMatch(/needs a link with a token/);
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('the labeling page says what is going on', () => {
  it('a finished run: a thank-you and no more pairs, no canvases or buttons', async () => {
    const { project, ada, origin } = await setup(3);
    project.finishRun('r1');
    const { page, errors } = await newPage();
    await page.goto(`${origin}/?token=${ada}&run=r1`);
    await page.waitForSelector('body[data-state="finished"]', { timeout: 10_000 });
    expect(await messageText(page)).toBe('This run has finished — thank you; there are no more pairs to label.');
    expect(await page.locator('body').getAttribute('data-pair')).toBeNull();
    expect(await page.locator('#left').isVisible()).toBe(false);
    expect(await page.locator('#right').isVisible()).toBe(false);
    for (const b of await page.locator('#buttons button').all()) expect(await b.isEnabled()).toBe(false);
    // A key does nothing.
    await page.keyboard.press('ArrowLeft');
    await page.waitForTimeout(200);
    expect(project.labelsSince('r1', 0)).toHaveLength(0);
    expect(errors).toEqual([]);
  }, 30_000);

  it('a run that finishes while someone labels: the page notices and says so', async () => {
    const { project, ada, origin } = await setup(6);
    const { page, errors } = await newPage();
    await page.goto(`${origin}/?token=${ada}&run=r1`);
    await page.waitForSelector('body[data-pair]', { timeout: 10_000 });
    expect(await page.locator('body').getAttribute('data-state')).toBe('labeling');
    project.finishRun('r1');
    await page.waitForSelector('body[data-state="finished"]', { timeout: 10_000 });
    expect(await messageText(page)).toMatch(/^This run has finished — thank you/);
    expect(await page.locator('#left').isVisible()).toBe(false);
    expect(errors).toEqual([]);
  }, 30_000);

  it('a link revoked while someone labels: the pair goes and the page says the link is no longer valid', async () => {
    const { project, ada, origin } = await setup(6);
    const { page, errors } = await newPage();
    await page.goto(`${origin}/?token=${ada}&run=r1`);
    await page.waitForSelector('body[data-pair]', { timeout: 10_000 });
    project.revokeAnnotator('ada');
    await page.waitForSelector('body[data-state="invalid"]', { timeout: 10_000 });
    expect(await messageText(page)).toMatch(/^This link is no longer valid/);
    expect(await page.locator('body').getAttribute('data-pair')).toBeNull();
    expect(await page.locator('#left').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: /^Left is better/ }).isVisible()).toBe(false);
    expect(errors).toEqual([]);
  }, 30_000);

  it('no pairs yet: "Waiting for the run to ask for pairs…", then the first pair once there is one', async () => {
    const { project, ada, origin } = await setup(0);
    const { page, errors } = await newPage();
    await page.goto(`${origin}/?token=${ada}&run=r1`);
    await page.waitForSelector('body[data-state="waiting"]', { timeout: 10_000 });
    expect(await messageText(page)).toBe('Waiting for the run to ask for pairs…');
    expect(await page.locator('#left').isVisible()).toBe(false);
    putPairs(project, 2);
    await page.waitForSelector('body[data-pair][data-state="labeling"]', { timeout: 10_000 });
    expect(await page.locator('#left').isVisible()).toBe(true);
    expect(await messageText(page)).toBe('');
    expect(errors).toEqual([]);
  }, 30_000);

  it('the server goes away: "Connection lost — retrying…", then the page reconnects by itself and the answer given meanwhile is stored', async () => {
    const first = await setup(6);
    const { page, errors } = await newPage();
    await page.goto(`${first.origin}/?token=${first.ada}&run=r1`);
    await page.waitForSelector('body[data-pair]', { timeout: 10_000 });
    const shown = await page.locator('body').getAttribute('data-pair');

    // The server stops (its project closes with it, as when the process ends).
    await first.app.close();
    first.project.close();
    await page.waitForSelector('body[data-state="offline"]', { timeout: 10_000 });
    expect(await messageText(page)).toBe('Connection lost — retrying…');
    // Answering still works: the answer waits for the server.
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector(`body[data-pair]:not([data-pair="${shown}"])`, { timeout: 5_000 });
    expect(await messageText(page)).toBe('Connection lost — retrying…');

    // A new server on the same port and project: the page resumes without a reload.
    const project = openProject(first.dir);
    const second = await listen(project, first.port);
    cleanup(() => project.close(), () => second.app.close());
    await page.waitForSelector('body[data-state="labeling"][data-sent="1"]', { timeout: 15_000 });
    expect(await messageText(page)).toBe('');
    expect(project.labelsSince('r1', 0)).toMatchObject([{ queryId: shown, answer: 'left', teacher: 'ada' }]);
    // And labeling goes on.
    const next = await page.locator('body').getAttribute('data-pair');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('body[data-sent="2"]', { timeout: 10_000 });
    expect(project.labelsSince('r1', 0).map((l) => [l.queryId, l.answer])).toContainEqual([next, 'right']);
    expect(errors).toEqual([]);
  }, 45_000);
});

describe('access and small screens', () => {
  const shots = mkdtempSync(join(tmpdir(), 'overseer-shots-'));
  const BUTTONS = [/^Left is better \(←\)/, /^About the same \(↑\)/, /^Can't tell \(↓\)/, /^Right is better \(→\)/];

  it('canvases, answer buttons and the status line have accessible names; the buttons answer', async () => {
    const { project, ada, origin } = await setup(3);
    const { page, errors } = await newPage();
    await page.goto(`${origin}/?token=${ada}&run=r1`);
    // The answer buttons are enabled once the new pair has settled (300 ms; see main.ts).
    await page.waitForSelector('body[data-pair]:not([data-settling])', { timeout: 10_000 });
    const left = page.getByRole('img', { name: /Left segment/ });
    const right = page.getByRole('img', { name: /Right segment/ });
    await expect.poll(() => left.getAttribute('aria-label')).toMatch(/^Left segment: Pendulum-v1/);
    expect(await right.getAttribute('aria-label')).toMatch(/^Right segment: Pendulum-v1/);
    expect(await left.isVisible()).toBe(true);
    expect(await right.isVisible()).toBe(true);
    for (const name of BUTTONS) expect(await page.getByRole('button', { name }).isEnabled()).toBe(true);
    expect(await page.getByRole('status').getAttribute('aria-live')).toBe('polite');
    await page.getByRole('button', { name: /Left is better/ }).click();
    await page.waitForSelector('body[data-sent="1"]', { timeout: 10_000 });
    expect(project.labelsSince('r1', 0)).toMatchObject([{ answer: 'left' }]);
    await page.screenshot({ path: join(shots, 'desktop.png') });
    expect(errors).toEqual([]);
  }, 30_000);

  it('the dashboard charts have accessible names', async () => {
    const { project, origin } = await setup(2);
    const admin = project.addAnnotator('boss', 'admin').token;
    const { page, errors } = await newPage();
    await page.goto(`${origin}/dashboard.html?token=${admin}&run=r1`);
    for (const name of [/return per episode/, /held-out accuracy/, /ensemble disagreement/, /Latest clip of the policy/]) expect(await page.getByRole('img', { name }).isVisible()).toBe(true);
    expect(errors).toEqual([]);
  }, 30_000);

  for (const [label, viewport] of [
    ['portrait', { width: 390, height: 844 }],
    ['landscape', { width: 844, height: 390 }],
  ] as const) {
    it(`a phone in ${label} (${viewport.width}x${viewport.height}): both segments visible and all four answer buttons on screen without scrolling`, async () => {
      const { ada, origin } = await setup(3);
      const { page, errors } = await newPage(viewport);
      await page.goto(`${origin}/?token=${ada}&run=r1`);
      await page.waitForSelector('body[data-pair]', { timeout: 10_000 });
      expect(await page.evaluate('[window.scrollX, window.scrollY]')).toEqual([0, 0]);
      const boxes = [];
      for (const name of [/Left segment/, /Right segment/]) {
        const canvas = page.getByRole('img', { name });
        expect(await canvas.isVisible()).toBe(true);
        const box = (await canvas.boundingBox())!;
        expect(box.width).toBeGreaterThan(100);
        // Shrunk, not squashed: still 4:3.
        expect(box.width / box.height).toBeCloseTo(4 / 3, 1);
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
        expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
        boxes.push(box);
      }
      // Side by side (a small gap between them, not one over the other).
      expect(boxes[1].x).toBeGreaterThanOrEqual(boxes[0].x + boxes[0].width);
      for (const name of BUTTONS) {
        const button = page.getByRole('button', { name });
        expect(await button.isVisible()).toBe(true);
        const box = (await button.boundingBox())!;
        expect(box.x, String(name)).toBeGreaterThanOrEqual(0);
        expect(box.y, String(name)).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, String(name)).toBeLessThanOrEqual(viewport.width);
        expect(box.y + box.height, String(name)).toBeLessThanOrEqual(viewport.height);
      }
      // Nothing wider than the screen.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: join(shots, `phone-${label}.png`) });
      expect(errors).toEqual([]);
    }, 30_000);
  }
});
