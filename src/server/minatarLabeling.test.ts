/**
 * Labeling MinAtar clips in real Chromium: a preference run on MinAtar/Breakout-v1 with people
 * as the teacher (in this process, small settings), its labeling page opened from the printed
 * link. The clips are drawn as a channel grid (each cell in the colour of its highest-index set
 * channel) under a legend of the channels; one pair is labeled in the page and stored; the rest
 * of the small budget is answered over HTTP so the run finishes. Writes
 * docs/labeling-minatar-breakout.png. Needs the built UI (npm run build) and Debian's Chromium.
 */
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../cli/io.js';
import { runCli } from '../cli/program.js';
import { tmp } from '../cli/testing/cli.js';
import type { ChannelsRenderSpec } from '../envs/render.js';
import { openProject } from '../store/sqlite.js';
import { newPage, useBrowser } from './testing/browser.js';
import { channelCellColor, channelUnder, pairViews, toPixels, type Bounds } from './ui/draw.js';

const { browser, cleanup } = useBrowser();
// The README's picture: written to docs/ only when OVERSEER_MINATAR_SCREENSHOT names it (OVERSEER_MINATAR_SCREENSHOT=docs/labeling-minatar-breakout.png).
const SHOT = join(tmpdir(), 'overseer-labeling-minatar.png');

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

describe('labeling MinAtar clips', () => {
  it('a Breakout run with people as the teacher: the page draws the channel grid and its legend, plays and scrubs, and one pair labeled there is stored', async () => {
    const out = join(tmp('overseer-minatar-'), 'breakout');
    let stdout = '';
    let stderr = '';
    const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
    // Two labels in all; the run's PPO is a single small rollout, so it ends soon after them.
    const run = runCli(
      ['prefs', '--env', 'MinAtar/Breakout-v1', '--teacher', 'human', '--instructions', 'Prefer the clip where the paddle keeps the ball in play', '--label-budget', '2', '--undo-seconds', '0', '--steps', '512', '--hp', 'numEnvs=2', '--hp', 'numSteps=64', '--hp', 'numMinibatches=2', '--rm', 'ensembleSize=1', '--eval-episodes', '1', '--port', '0', '--out', out, '--no-progress'],
      io,
    );
    let done = false;
    void run.finally(() => (done = true));
    let link: URL | null = null;
    while (!link) {
      if (done) throw new Error(`prefs ended before serving: ${stderr}`);
      const m = /label segments at (http:\/\/\S+)/.exec(stdout);
      if (m) link = new URL(m[1]);
      else await new Promise((r) => setTimeout(r, 20));
    }
    const token = link.searchParams.get('token')!;
    const runId = link.searchParams.get('run')!;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const { spec } = (await (await fetch(`${link.origin}/api/runs/${runId}/scene`, { headers })).json()) as { spec: ChannelsRenderSpec };
    expect(spec).toMatchObject({ kind: 'channels', rows: 10, cols: 10, channels: ['paddle', 'ball', 'trail', 'brick'] });

    const { page, errors } = await newPage(browser(), cleanup, { viewport: { width: 1100, height: 750 }, ignore: /Failed to load resource/ });
    await page.goto(`${link.origin}/?token=${token}&run=${runId}`);
    await page.waitForSelector('body[data-pair]:not([data-settling])', { timeout: 15_000 });

    // The legend: every channel, in order, its swatch in the channel's colour.
    const legend = page.locator('#legend li');
    expect(await page.locator('#legend').isVisible()).toBe(true);
    expect(await legend.allTextContents()).toEqual(['paddle', 'ball', 'trail', 'brick']);
    const swatches = await page.locator('#legend li .swatch').evaluateAll((els) => els.map((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor));
    expect(swatches).toEqual(spec.colors.map((c) => `rgb(${rgb(c).join(', ')})`));

    // Playing: the clock moves. Paused and scrubbed to the first frame: both clips show it and hold it.
    const frame = async (sel = 'body') => Number(await page.locator(sel).getAttribute('data-frame'));
    await page.waitForFunction('Number(document.body.dataset.frame) > 0', undefined, { timeout: 5_000 });
    await page.keyboard.press('Space');
    expect(await page.locator('body').getAttribute('data-playing')).toBe('false');
    await page.getByRole('slider', { name: /Position in the clips/ }).fill('0');
    await page.getByRole('slider').blur();
    await page.waitForTimeout(100);
    expect([await frame(), await frame('#left'), await frame('#right')]).toEqual([0, 0, 0]);
    await page.waitForTimeout(300);
    expect(await frame('#left')).toBe(0);

    // Each cell of the left clip's first frame is painted in the colour of its highest set channel (black-ish when empty).
    const queryId = (await page.locator('body').getAttribute('data-pair'))!;
    const store = openProject(out);
    const pair = store.loadPair(runId, queryId);
    store.close();
    const first = pair.left.render!.subarray(0, pair.left.renderSize);
    const n = spec.channels.length;
    const paddle = Array.from({ length: 10 }, (_, c) => 90 + c).find((cell) => first[cell * n] === 1)!;
    expect(paddle, 'the paddle is in the bottom row').toBeDefined();
    const board: Bounds = { minU: 0, maxU: 10, minV: 0, maxV: 10 };
    const { width, height } = await page.locator('#left').evaluate((c: { width: number; height: number }) => ({ width: c.width, height: c.height }));
    const { scale } = pairViews([board, board], width, height, null);
    const centre = (cell: number) => toPixels(board, scale, width, height, (cell % 10) + 0.5, 9 - Math.floor(cell / 10) + 0.5).map(Math.round);
    const pixels = await page.locator('#left').evaluate(
      (c, at) => {
        const ctx = (c as unknown as { getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } }).getContext('2d');
        return at.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data).slice(0, 3));
      },
      Array.from({ length: 100 }, (_, cell) => centre(cell)),
    );
    // A cell's centre shows its top object, or the square of a second one inside it (the ball over a brick).
    const expected = Array.from({ length: 100 }, (_, cell) => rgb(channelUnder(spec, first, cell) >= 0 ? spec.colors[channelUnder(spec, first, cell)]! : channelCellColor(spec, first, cell)));
    expect(pixels).toEqual(expected);
    expect(pixels[paddle]).toEqual(rgb(spec.colors[0]));

    // Paused on a set frame, so the picture is the same each run (seed 1) and the file only changes with the page.
    // Frame 4: at the start the ball sits in the wall's bottom row, under a brick (MinAtar draws the highest channel); by now it is out.
    await page.getByRole('slider').fill('4');
    await page.getByRole('slider').blur();
    await page.waitForTimeout(100);
    expect(await frame()).toBe(4);
    await page.screenshot({ path: resolve(process.env.OVERSEER_MINATAR_SCREENSHOT ?? SHOT) });

    // One answer in the page: stored as this person's label of the pair shown.
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('body[data-sent="1"]', { timeout: 10_000 });
    const check = openProject(out);
    const labels = check.labelsSince(runId, 0);
    check.close();
    expect(labels.map((l) => [l.queryId, l.answer, l.teacher])).toEqual([[queryId, 'left', 'admin']]);
    expect(errors).toEqual([]);
    await page.close();

    // The rest of the budget over HTTP, so the run finishes.
    while (!done) {
      const res = await fetch(`${link.origin}/api/runs/${runId}/next?n=1`, { headers }).catch(() => null);
      const q = res?.ok ? ((await res.json()) as { queries: { id: string }[] }).queries[0] : undefined;
      if (q) await fetch(`${link.origin}/api/runs/${runId}/labels`, { method: 'POST', headers, body: JSON.stringify({ queryId: q.id, answer: 'right', seconds: 1, clientId: `c-${q.id}` }) }).catch(() => null);
      else await new Promise((r) => setTimeout(r, 30));
    }
    expect(await run, stderr).toBe(0);
  }, 60_000);
});
