/**
 * The labeling page as a person uses it, in real Chromium against a server on a temporary
 * project: playback (pause, scrub, speed, clips held at their end), undo, the run's state and
 * guidelines, and keys that answer exactly once. Needs the built UI (npm run build) and
 * Debian's Chromium. The page exposes the clock's frame as body[data-frame] and each canvas's
 * painted frame as canvas[data-frame].
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../prefs/segments.js';
import { listen, newPage, pendulumProject, pendulumSegment as segment, putPairs, useBrowser } from './testing/browser.js';

const { browser, cleanup } = useBrowser();

/** A project with run r1 holding pairs q-0… (segment lengths and endings per segment) and an annotator ada; a server on it. */
async function setup(segments: Segment[], repeatEvery = 0) {
  const { project } = pendulumProject('overseer-labeling-', { repeatEvery, goldEvery: 0 });
  putPairs(project, segments);
  const ada = project.addAnnotator('ada').token;
  const { app, origin } = await listen(project);
  cleanup(() => project.close(), () => app.close());
  return { project, ada, origin };
}

const pairs = (n: number, length: number) => Array.from({ length: n + 1 }, (_, i) => segment(i, length));

/**
 * Opens the labeling page of r1 and waits for the first pair (and for its answer buttons to
 * settle). `init`: a script run in the page before its own (a string: this file is not
 * type-checked with the DOM).
 */
async function open(origin: string, token: string, init?: string): Promise<{ page: Page; errors: string[]; context: BrowserContext }> {
  const { page, errors, context } = await newPage(browser(), cleanup, { viewport: { width: 1100, height: 750 }, init, ignore: /Failed to load resource/ });
  await page.goto(`${origin}/?token=${token}&run=r1`);
  await page.waitForSelector('body[data-pair]:not([data-settling])', { timeout: 10_000 });
  return { page, errors, context };
}

const frameOf = async (page: Page, selector = 'body') => Number(await page.locator(selector).getAttribute('data-frame'));
const pairOf = (page: Page) => page.locator('body').getAttribute('data-pair');
/** Clock frames advanced over `ms` of real time, from a replay. */
async function advance(page: Page, ms: number): Promise<number> {
  await page.keyboard.press('r');
  await page.waitForTimeout(50);
  const a = await frameOf(page);
  await page.waitForTimeout(ms);
  return (await frameOf(page)) - a;
}
/** Lets a new pair settle (answers are ignored for 300 ms after a pair appears). */
const settle = (page: Page) => page.waitForSelector('body[data-pair]:not([data-settling])');

describe('playback a person can judge from', () => {
  it('pause holds the frame; scrubbing shows that frame in both clips; 0.5x plays at half the rate; speed and pause carry over to the next pair', async () => {
    const { ada, origin } = await setup(pairs(3, 60)); // 3 s clips
    const { page, errors } = await open(origin, ada);
    // 1x: 20 frames a second at dt 0.05; 0.5x: 10.
    const full = await advance(page, 800);
    expect(full).toBeGreaterThan(10);
    expect(full).toBeLessThan(22);
    await page.getByRole('button', { name: /^Speed 0.5×/ }).click();
    const half = await advance(page, 800);
    expect(half / full).toBeGreaterThan(0.3);
    expect(half / full).toBeLessThan(0.7);

    await page.keyboard.press('Space');
    expect(await page.locator('body').getAttribute('data-playing')).toBe('false');
    const paused = await frameOf(page);
    await page.waitForTimeout(500);
    expect(await frameOf(page)).toBe(paused);

    await page.getByRole('slider', { name: /Position in the clips/ }).fill('25');
    await page.waitForTimeout(100);
    expect([await frameOf(page), await frameOf(page, '#left'), await frameOf(page, '#right')]).toEqual([25, 25, 25]);
    expect(await page.getByRole('slider').getAttribute('max')).toBe('59');
    // fill() leaves the keyboard focus on the slider, where arrows are its own (a mouse drag gives it back to the page).
    await page.getByRole('slider').blur();

    const first = await pairOf(page);
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector(`body:not([data-pair="${first}"])`);
    await page.waitForTimeout(300);
    expect(await page.locator('body').getAttribute('data-playing')).toBe('false');
    expect(await frameOf(page)).toBe(0);
    expect(await page.getByRole('button', { name: /^Speed 0.5×/ }).getAttribute('aria-pressed')).toBe('true');
    expect(errors).toEqual([]);
  }, 30_000);

  it('a short clip whose episode ended holds its last frame under "episode ended" until the 2 s loop comes round', async () => {
    // Left: 8 frames (0.4 s), the episode ended at the last; right: 30 frames (1.5 s), cut by the segment length.
    const { ada, origin } = await setup([segment(0, 8, true), segment(1, 30)]);
    const { page, errors } = await open(origin, ada);
    await page.keyboard.press('Space');
    await page.getByRole('slider', { name: /Position in the clips/ }).fill('20');
    await page.waitForTimeout(100);
    expect([await frameOf(page, '#left'), await frameOf(page, '#right')]).toEqual([7, 20]);
    expect(await page.locator('#left-ended').isVisible()).toBe(true);
    expect(await page.locator('#left-ended').textContent()).toBe('episode ended');
    expect(await page.locator('#right-ended').isVisible()).toBe(false);
    await page.getByRole('slider').fill('3');
    await page.waitForTimeout(100);
    expect(await page.locator('#left-ended').isVisible()).toBe(false);
    // Playing: one loop is max(1.5 s, longest clip) + 0.5 s held = 40 frames; the right clip then shows "end of clip".
    await page.keyboard.press('r');
    // Sampled in the page on every animation frame for 2.2 s (a string: this file is not type-checked with the DOM).
    const seen = await page.evaluate<{ max: number; wrapped: boolean; rightHeld: boolean }>(`(async () => {
      const frames = [];
      let rightHeld = false;
      const until = performance.now() + 2200;
      while (performance.now() < until) {
        frames.push(Number(document.body.dataset.frame));
        rightHeld ||= !document.getElementById('right-ended').hidden;
        await new Promise((r) => requestAnimationFrame(r));
      }
      return { max: Math.max(...frames), wrapped: frames.some((f, i) => i > 0 && f < frames[i - 1]), rightHeld };
    })()`);
    expect(seen.max).toBeGreaterThanOrEqual(36);
    expect(seen.max).toBeLessThanOrEqual(39);
    expect(seen.wrapped).toBe(true);
    expect(seen.rightHeld).toBe(true);
    expect(errors).toEqual([]);
  }, 30_000);

  it('the clock never runs backwards: replays pressed in quick succession never show frame -1', async () => {
    const negative = `window.__negative = [];
      new MutationObserver((ms) => {
        for (const m of ms) {
          const v = m.target.getAttribute('data-frame');
          if (v !== null && Number(v) < 0) window.__negative.push((m.target.id || 'body') + '=' + v);
        }
      }).observe(document, { attributes: true, attributeFilter: ['data-frame'], subtree: true });`;
    const { ada, origin } = await setup(pairs(3, 20));
    const { page, errors } = await open(origin, ada, negative);
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('r');
      await page.waitForTimeout(37 + ((i * 7) % 23));
    }
    expect(await page.evaluate('window.__negative')).toEqual([]);
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('who answers', () => {
  it('a labeling tab answers as the person whose link opened it, after the admin opens the dashboard in another tab of the same browser, and after a reload', async () => {
    const { project, ada, origin } = await setup(pairs(4, 10));
    const admin = project.addAnnotator('boss', 'admin').token;
    const { page, context, errors } = await open(origin, ada);
    // The study runner opens the dashboard link in the same browser: the cookie is now the admin's.
    const dashboard = await context.newPage();
    await dashboard.goto(`${origin}/dashboard.html?token=${admin}&run=r1`);
    await dashboard.waitForSelector('body[data-ready]', { timeout: 10_000 });
    await page.bringToFront();
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('body[data-sent="1"]');
    await page.reload();
    await page.waitForSelector('body[data-pair]:not([data-settling])', { timeout: 10_000 });
    expect(await page.locator('#who').textContent()).toBe('ada');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('body[data-sent="1"]');
    expect(project.labelsSince('r1', 0).map((l) => l.teacher)).toEqual(['ada', 'ada']);
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('answers the server refuses', () => {
  it('an answer given more than a day after the pair appeared is stored, as a day', async () => {
    // The page's clock jumps 25 hours ahead: the person came back the next day.
    const shifted = `(() => { const now = performance.now.bind(performance); window.__shift = 0; performance.now = () => now() + window.__shift; })();`;
    const { project, ada, origin } = await setup(pairs(3, 10));
    const { page, errors } = await open(origin, ada, shifted);
    await page.evaluate('window.__shift = 25 * 3600 * 1000');
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('body[data-sent="1"]');
    expect(project.labelsSince('r1', 0).map((l) => [l.queryId, l.seconds])).toEqual([['q-0', 86_400]]);
    expect(await page.locator('#message').textContent()).toBe('');
    expect(errors).toEqual([]);
  }, 30_000);

  it('a refused answer brings its pair back, with the server\'s reason, to answer again', async () => {
    const { project, ada, origin } = await setup(pairs(3, 10));
    const { page, errors } = await open(origin, ada);
    await page.route('**/api/runs/r1/labels', (route) => route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'seconds must be <= 86400' }) }), { times: 1 });
    await page.keyboard.press('ArrowLeft');
    // The page looks at the run before it shows the pair again: under load (CI) that takes seconds.
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 15_000 }).toBe('That answer was not accepted: seconds must be <= 86400');
    expect(await pairOf(page)).toBe('q-0');
    await settle(page);
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('body[data-sent="1"]');
    expect(project.labelsSince('r1', 0).map((l) => [l.queryId, l.answer])).toEqual([['q-0', 'right']]);
    // The pair that was showing when the refusal came is next.
    expect(await pairOf(page)).toBe('q-1');
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('undo', () => {
  it('withdraws the last answer: the same pair comes back, the store has no live label for it, and answering again stores the new answer', async () => {
    const { project, ada, origin } = await setup(pairs(3, 10));
    const { page, errors } = await open(origin, ada);
    expect(await pairOf(page)).toBe('q-0');
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('body[data-sent="1"]');
    expect(await pairOf(page)).toBe('q-1');
    expect(project.labelsSince('r1', 0).map((l) => [l.queryId, l.answer])).toEqual([['q-0', 'left']]);

    await page.getByRole('button', { name: /Undo my last answer/ }).click();
    await page.waitForSelector('body[data-pair="q-0"][data-undone="1"]');
    expect(project.labelsSince('r1', 0)).toEqual([]);
    expect(await page.locator('#mine').textContent()).toBe('0');
    await settle(page);
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('body[data-sent="2"]');
    expect(project.labelsSince('r1', 0).map((l) => [l.queryId, l.answer])).toEqual([['q-0', 'right']]);
    // The pair that was showing when undo was pressed comes next.
    expect(await pairOf(page)).toBe('q-1');
    expect(errors).toEqual([]);
  }, 30_000);

  it('an undo pressed while the answer is still on its way waits for it to be stored, then withdraws it', async () => {
    const { project, ada, origin } = await setup(pairs(3, 10));
    const { page, errors } = await open(origin, ada);
    // The answer's POST takes 800 ms to reach the server.
    await page.route('**/api/runs/r1/labels', async (route) => {
      await new Promise((r) => setTimeout(r, 800));
      await route.continue();
    });
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('body[data-pair="q-1"]');
    await page.keyboard.press('z');
    await page.waitForSelector('body[data-pair="q-0"][data-undone="1"]', { timeout: 5_000 });
    expect(await page.locator('body').getAttribute('data-sent')).toBe('1');
    expect(project.labelsSince('r1', 0)).toEqual([]);
    expect(errors).toEqual([]);
  }, 30_000);

  it('an answer the run has already taken for training cannot be undone: the page says why and keeps the pair it shows', async () => {
    const { project, ada, origin } = await setup(pairs(3, 10));
    const { page } = await open(origin, ada);
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('body[data-sent="1"]');
    // The run's teacher takes it (past the hold before training).
    expect(project.takeLabels('r1', 0, new Date(Date.now() + 60_000))).toHaveLength(1);
    await page.keyboard.press('z');
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 5_000 }).toMatch(/^Could not undo that answer: .*training/);
    expect(await pairOf(page)).toBe('q-1');
    expect(project.labelsSince('r1', 0)).toHaveLength(1);
  }, 30_000);
});

describe('what the page says about the run', () => {
  it('the run waiting for labels says how many; guidelines show as text in an open panel', async () => {
    const { project, ada, origin } = await setup(pairs(2, 10));
    project.setRunState('r1', { phase: 'initial', waitingForLabels: 5 });
    const guidelines = 'Prefer the pendulum <b>upright</b>.\nA swing that never gets up is worse than one that does.';
    project.setGuidelines('r1', guidelines);
    const { page, errors } = await open(origin, ada);
    await expect.poll(() => page.locator('#run-state').textContent()).toBe('The run is waiting for 5 more labels before training starts.');
    expect(await page.locator('#run-state').isVisible()).toBe(true);
    expect(await page.locator('#guidelines').textContent()).toBe(guidelines);
    expect(await page.locator('#guidelines b').count()).toBe(0);
    expect(await page.locator('#guidelines-panel').getAttribute('open')).not.toBeNull();
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('a pair seen before', () => {
  it('comes back with its sides swapped and nothing saying so (a tag would invite copying the earlier answer), and does not count as one of "your labels"', async () => {
    const { project, ada, origin } = await setup(pairs(3, 10), 1);
    const { page, errors } = await open(origin, ada);
    let answered = 0;
    while (/^q-\d+$/.test((await pairOf(page)) ?? '') && answered < 4) {
      const shown = await pairOf(page);
      await page.keyboard.press('ArrowLeft');
      answered += 1;
      await page.waitForSelector(`body[data-sent="${answered}"]:not([data-pair="${shown}"]):not([data-settling])`);
    }
    const repeat = await pairOf(page);
    expect(repeat).not.toMatch(/^q-\d+$/);
    expect(await page.locator('main').innerText()).not.toMatch(/seen this pair before|repeat/i);
    expect(await page.locator('#repeat-tag').count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`body[data-sent="${answered + 1}"]`);
    // The repeat's answer is stored, but "your labels" counts only answers to the run's own pairs.
    await expect.poll(() => page.locator('#mine').textContent()).toBe(String(answered));
    expect(project.labelsSince('r1', 0).map((l) => l.queryId)).toContain(repeat);
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('keys answer exactly once', () => {
  it('Space on a focused answer button answers once; a double press answers one pair, not the next', async () => {
    const { project, ada, origin } = await setup(pairs(4, 10));
    const { page, errors } = await open(origin, ada);
    await page.getByRole('button', { name: /^Left is better/ }).focus();
    await page.keyboard.press('Space');
    await page.waitForSelector('body[data-sent="1"]');
    await page.waitForTimeout(500);
    expect(project.labelsSince('r1', 0).map((l) => [l.queryId, l.answer])).toEqual([['q-0', 'left']]);

    await settle(page);
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(60);
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('body[data-sent="2"]');
    await page.waitForTimeout(500);
    expect(project.labelsSince('r1', 0).map((l) => [l.queryId, l.answer])).toEqual([
      ['q-0', 'left'],
      ['q-1', 'right'],
    ]);
    expect(await pairOf(page)).toBe('q-2');
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('keys and focus', () => {
  it('after a mouse click on the guidelines heading, Space pauses the clips instead of folding the guidelines', async () => {
    const { project, ada, origin } = await setup(pairs(3, 60));
    project.setGuidelines('r1', 'Prefer upright.');
    const { page, errors } = await open(origin, ada);
    const panelOpen = () => page.locator('#guidelines-panel').evaluate((d) => d.hasAttribute('open'));
    expect(await panelOpen()).toBe(true);
    await page.locator('#guidelines-panel summary').click();
    expect(await panelOpen()).toBe(false);
    await page.keyboard.press('Space');
    await page.waitForTimeout(100);
    expect(await page.locator('body').getAttribute('data-playing')).toBe('false');
    expect(await panelOpen()).toBe(false);
    expect(errors).toEqual([]);
  }, 30_000);

  it('a keyboard user keeps the focus on the button they answered or undid with', async () => {
    const { project, ada, origin } = await setup(pairs(4, 10));
    const { page, errors } = await open(origin, ada);
    const focused = () => page.evaluate<string | null>(`document.activeElement.id || document.activeElement.getAttribute('data-answer')`);
    for (let i = 0; i < 20 && (await focused()) !== 'left'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('left');
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-pair="q-1"][data-sent="1"]');
    await settle(page);
    expect(await focused()).toBe('left');
    expect(await page.getByRole('button', { name: /^Left is better/ }).getAttribute('aria-disabled')).toBe('false');
    // Enter again answers the pair now shown.
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-pair="q-2"][data-sent="2"]');
    expect(await focused()).toBe('left');

    await page.locator('#undo').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-pair="q-1"][data-undone="1"]');
    await settle(page);
    expect(await focused()).toBe('undo');
    expect(project.labelsSince('r1', 0).map((l) => l.queryId)).toEqual(['q-0']);
    expect(errors).toEqual([]);
  }, 30_000);

  it('Ctrl+Shift+Z does not undo; shortcuts work by physical key on layouts that type something else there', async () => {
    const { project, ada, origin } = await setup(pairs(4, 60));
    const { page, errors } = await open(origin, ada);
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('body[data-sent="1"]');
    await settle(page);
    await page.keyboard.press('Control+Shift+KeyZ');
    await page.waitForTimeout(500);
    expect(await page.locator('body').getAttribute('data-undone')).toBeNull();
    expect(project.labelsSince('r1', 0)).toHaveLength(1);
    // A Russian layout: the key Z types я.
    const press = (key: string, code: string) => page.evaluate(`document.body.dispatchEvent(new KeyboardEvent('keydown', ${JSON.stringify({ key, code, bubbles: true, cancelable: true })}))`);
    await press('я', 'KeyZ');
    await page.waitForSelector('body[data-pair="q-0"][data-undone="1"]');
    expect(project.labelsSince('r1', 0)).toEqual([]);
    // AZERTY: the key 1 types &.
    await press('&', 'Digit1');
    expect(await page.locator('body').getAttribute('data-speed')).toBe('0.25');
    expect(errors).toEqual([]);
  }, 30_000);
});
