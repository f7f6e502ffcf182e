/**
 * End to end in real Chromium: a preference run on Hopper-v5 with people as the teacher, an
 * annotator logging in with a token and labeling 20 pairs with the keyboard, then the labels
 * in the store and the reward model refitted on them. Chromium is Debian's (`.ci/run`
 * installs it). It saves a screenshot of each page in a temporary directory, or where
 * OVERSEER_SCREENSHOT says (the README's screenshots come from scripts/screenshots.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { tmp } from '../cli/testing/cli.js';
import { openProject } from '../store/sqlite.js';

const CHROMIUM = '/usr/bin/chromium';
const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const builtUi = fileURLToPath(new URL('../../dist/ui/index.html', import.meta.url));
const metricsOf = (run: string) =>
  existsSync(join(run, 'metrics.jsonl'))
    ? readFileSync(join(run, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { labels: number; fits: number })
    : [];

async function until<T>(what: string, f: () => T | null | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let browser: Browser | null = null;
afterAll(async () => {
  await browser?.close();
});

describe('labeling in the browser', () => {
  it('an annotator labels 20 pairs with the keyboard; the labels are stored and the reward model refits on them', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`).toBe(true);
    expect(existsSync(builtUi), 'the UI is built by npm run build (npm ci runs it)').toBe(true);
    const out = join(tmp(), 'hopper');
    const child = spawn(
      process.execPath,
      // --max-pending 40: the one repeated pair among the 20 answers is not a label of the run, so with all 40 asked RL would wait for a 21st.
      ['--import', 'tsx', main, 'prefs', '--env', 'Hopper-v5', '--teacher', 'human', '--instructions', 'Prefer the hopper that moves <b>forward</b>', '--label-budget', '40', '--undo-seconds', '0', '--max-pending', '40', '--steps', '160000', '--port', '0', '--eval-episodes', '1', '--out', out, '--no-progress'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const link = new URL(await until('the labeling link', () => /label segments at (\S+)/.exec(stdout)?.[1], 60_000));
      const project = openProject(out);
      const { token } = project.addAnnotator('Ada <img src=x onerror=alert(1)>');
      project.close();

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      const page = await browser.newPage({ viewport: { width: 1100, height: 620 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${link.origin}/?token=${token}&run=${link.searchParams.get('run')}`);
      // The token leaves the address bar; names and instructions are text, not markup.
      await page.waitForSelector('body[data-pair]', { timeout: 60_000 });
      expect(page.url()).not.toContain(token);
      expect(await page.textContent('#who')).toBe('Ada <img src=x onerror=alert(1)>');
      expect(await page.locator('#who img').count()).toBe(0);
      expect(await page.textContent('#instructions')).toBe('Prefer the hopper that moves <b>forward</b>');
      await page.waitForTimeout(400); // let the segments play a little before the screenshot
      const shot = process.env.OVERSEER_SCREENSHOT ? resolve(process.env.OVERSEER_SCREENSHOT) : join(tmp(), 'labeling-page.png');
      await page.screenshot({ path: shot });

      const keys = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowLeft', 'ArrowDown'];
      let previous = '';
      for (let i = 0; i < 20; i++) {
        // The next pair (prefetched, or once the loop has asked for more).
        const deadline = Date.now() + 90_000;
        let id: string | null;
        while ((id = await page.locator('body').getAttribute('data-pair')) === null || id === previous) {
          if (Date.now() > deadline) throw new Error(`no new pair after ${i} labels`);
          await page.waitForTimeout(25);
        }
        previous = id;
        // A pair takes answers 300 ms after it appears (so a double press does not answer the next one).
        await page.waitForSelector('body[data-pair]:not([data-settling])');
        await page.keyboard.press(keys[i % keys.length]);
      }
      // A prefetched pair is painted right after the answer (the page notes each time it took).
      await page.waitForTimeout(200);
      const switches = ((await page.locator('body').getAttribute('data-switch-ms')) ?? '').split(',').filter(Boolean).map(Number);
      expect(switches.length).toBeGreaterThanOrEqual(5);
      expect(Math.max(...switches)).toBeLessThan(100);
      await page.waitForSelector('body[data-sent="20"]', { timeout: 30_000 });
      // The repeated pair is not counted as a label of the run.
      expect(await page.textContent('#mine')).toBe('19');
      expect(errors).toEqual([]);

      const store = openProject(out);
      const labels = store.labelsSince('hopper', 0).filter((l) => l.teacher.startsWith('Ada'));
      store.close();
      expect(labels).toHaveLength(20);
      // Answers go out in the background, so they may commit in any order; the counts match the keys pressed.
      const counts = Object.fromEntries(['left', 'right', 'equal', 'incomparable'].map((a) => [a, labels.filter((l) => l.answer === a).length]));
      expect(counts).toEqual({ left: 8, right: 4, equal: 4, incomparable: 4 });
      expect(labels.every((l) => l.seconds !== null && l.seconds > 0)).toBe(true);

      // One of the 20 was a pair shown again (every 10th) to measure consistency; the loop trains on the other 19.
      const training = labels.filter((l) => !l.queryId.startsWith('repeat-')).length;
      expect(training).toBe(19);
      // The loop takes them in, then refits the reward model with them.
      // A round collects the answers before it refits, so the refit may be in the very round that counted the last label.
      const counted = await until('the loop to count the labels', () => {
        const rows = metricsOf(out);
        const i = rows.findIndex((m) => m.labels >= training);
        return i < 0 ? null : { i, fitsBefore: i > 0 ? rows[i - 1].fits : 0 };
      }, 120_000);
      await until('a refit after the last label', () => metricsOf(out).slice(counted.i).some((m) => m.fits > counted.fitsBefore), 180_000);

      // The dashboard (admin token): live curves, the annotator's count, agreement on the repeated pair.
      const dash = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      dash.on('pageerror', (e) => errors.push(e.message));
      await dash.goto(`${link.origin}/dashboard.html?token=${link.searchParams.get('token')}&run=hopper`);
      await dash.waitForSelector('body[data-rows]', { timeout: 30_000 });
      expect(Number(await dash.locator('body').getAttribute('data-rows'))).toBeGreaterThan(5);
      const row = await dash.locator('#annotators tbody tr', { hasText: 'Ada' }).locator('td').allTextContents();
      // name, labels (the repeat is not one), median seconds, answer mix, repeated pairs, ...
      expect([row[0], row[1], row[4]]).toEqual(['Ada <img src=x onerror=alert(1)>', '19', '1']);
      if (process.env.OVERSEER_SCREENSHOT) {
        await dash.waitForTimeout(500);
        await dash.screenshot({ path: resolve(process.env.OVERSEER_SCREENSHOT, '..', 'dashboard.png'), fullPage: true });
      }
      const exported = await dash.evaluate(async () => (await fetch('/api/admin/export?run=hopper')).text());
      expect(exported.split('\n').filter((l) => l.includes('"type":"label"')).length).toBeGreaterThanOrEqual(20);
      // An annotator's token does not open the dashboard's data.
      const denied = await page.evaluate(async () => (await fetch('/api/admin/runs/hopper/overview')).status);
      expect(denied).toBe(403);
      expect(errors).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await exited;
      if (code !== 0 && code !== 130) throw new Error(`prefs exited ${code}: ${stderr}`);
    }
  }, 420_000);
});
