/**
 * The debate page in real Chromium against a server with the debate routes on a temporary
 * project (a template judge, greedy debaters, k = 4): a person judges three debates by clicking,
 * retries a pick whose answer was lost, and debates the machine. Needs the built UI (npm run build) and Debian's Chromium.
 * DEBATE_SHOTS=dir keeps screenshots.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type Mnist } from '../../data/mnist.js';
import type { DebaterGameJson, JudgeDebateJson } from '../../server/api.js';
import { newPage, UI, useBrowser } from '../../server/testing/browser.js';
import type { Judge } from './judge.js';
import { debateServer, templateJudge } from './testing/session.js';

const { browser, cleanup } = useBrowser();

let mnist: Mnist;
let judge: Judge;
beforeAll(() => {
  mnist = loadMnist('test');
  judge = templateJudge(mnist);
});

async function serve(session: Parameters<typeof debateServer>[1] = {}) {
  const s = debateServer(judge, session, UI);
  cleanup(() => s.project.close(), () => s.app.close());
  const origin = await s.app.listen({ host: '127.0.0.1', port: 0 });
  return { ...s, origin };
}

async function shot(page: Page, name: string): Promise<void> {
  if (process.env.DEBATE_SHOTS) await page.screenshot({ path: join(process.env.DEBATE_SHOTS, `${name}.png`), fullPage: true });
}

const text = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').replace(/\s+/g, ' ').trim();
const state = (page: Page) => page.locator('body').getAttribute('data-state');

/** Clicks the centre of board cell `pixel`. */
async function clickPixel(page: Page, pixel: number): Promise<void> {
  const box = (await page.locator('#board').boundingBox())!;
  await page.mouse.click(box.x + ((pixel % 28) + 0.5) * (box.width / 28), box.y + (Math.floor(pixel / 28) + 0.5) * (box.height / 28));
}

describe('the debate page', () => {
  it('a person judges three debates by clicking: claims up front, pixels one at a time, then the pick, stored, with both accuracies shown', async () => {
    const { origin, ada, project } = await serve();
    const { page, errors } = await newPage(browser(), cleanup, { viewport: { width: 1100, height: 760 } });
    // The page's clock is ours: the reveals come when we move it, not when the test machine gets round to it.
    await page.clock.install();
    const dealt = page.waitForResponse((r) => r.url().endsWith('/judge/next'));
    await page.goto(`${origin}/debate.html?token=${ada}&run=d1`);
    let debate = (await (await dealt).json()) as JudgeDebateJson;
    await page.waitForSelector('body[data-state="revealing"]');
    expect(await page.locator('body').getAttribute('data-mode')).toBe('judge');
    expect(await text(page, 'h1, #guide')).toContain('one tells the truth, the other lies');
    expect(await page.locator('#tab-judge').getAttribute('aria-current')).toBe('page');

    const picks: number[] = [];
    for (let round = 0; round < 3; round++) {
      // Both claims up front, not yet pickable.
      expect(await text(page, '#claim-0')).toBe(`Claim A: it is a ${debate.claims[0]} 1 / ←`);
      expect(await text(page, '#claim-1')).toBe(`Claim B: it is a ${debate.claims[1]} 2 / →`);
      for (let shown = 0; shown < debate.k; shown++) {
        expect(await page.locator('body').getAttribute('data-shown')).toBe(String(shown));
        expect(await page.locator('#claim-0').isDisabled()).toBe(true);
        await page.clock.runFor(600);
        await page.waitForSelector(`body[data-shown="${shown + 1}"]`);
        const r = debate.reveals[shown];
        expect(await text(page, '#progress')).toContain(`Pixel ${shown + 1} of 4, shown by the player claiming ${debate.claims[r.claim]}`);
      }
      await page.waitForSelector('body[data-state="choosing"]');
      expect(await page.locator('#claim-1').isEnabled()).toBe(true);
      const side = round % 2;
      picks.push(debate.claims[side]);
      await page.locator(`#claim-${side}`).click();
      await page.waitForSelector('body[data-state="result"]');
      const games = project.debateGames('d1');
      expect(games).toHaveLength(round + 1);
      const g = games[round];
      expect(g).toMatchObject({ annotator: 'ada', role: 'judge', personPick: debate.claims[side], k: 4 });
      expect(g.reveals.map((x) => x.pixel)).toEqual(debate.reveals.map((x) => x.pixel));
      expect(await text(page, '#verdict')).toBe(g.personPick === g.truth ? `Right: the digit is a ${g.truth}.` : `Wrong: the digit is a ${g.truth}; the player claiming ${g.personPick} was lying.`);
      expect(await text(page, '#model-verdict')).toBe(`The model judge, on the same 4 pixels, picked ${g.modelPick} (${g.modelPick === g.truth ? 'right' : 'wrong'}).`);
      const person = games.filter((x) => x.personPick === x.truth).length;
      const model = games.filter((x) => x.modelPick === x.truth).length;
      expect(await text(page, '#accuracy')).toBe(`you: ${person}/${round + 1} · the model judge on the same debates: ${model}/${round + 1}`);
      if (round === 2) break;
      await shot(page, `judge-${round}`);
      const next = page.waitForResponse((r) => r.url().endsWith('/judge/next'));
      await page.locator('#next').click();
      debate = (await (await next).json()) as JudgeDebateJson;
      await page.waitForSelector('body[data-state="revealing"]');
    }
    expect(project.debateGames('d1').map((g) => g.personPick)).toEqual(picks);
    expect(new Set(project.debateGames('d1').map((g) => g.imageIndex)).size).toBe(3);
    await shot(page, 'judge-result');
    expect(errors).toEqual([]);
  });

  it('a pick whose answer is lost is sent again exactly as first sent (the other claim disabled) and stored once; a reload deals the unanswered debate again', async () => {
    const { origin, ada, project } = await serve();
    const { page, errors } = await newPage(browser(), cleanup, { viewport: { width: 1100, height: 760 }, ignore: /Failed to load resource|ERR_FAILED/ });
    let dealt = page.waitForResponse((r) => r.url().endsWith('/judge/next'));
    await page.goto(`${origin}/debate.html?token=${ada}&run=d1&pace=0`);
    const debate = (await (await dealt).json()) as JudgeDebateJson;
    await page.waitForSelector('body[data-state="choosing"]');
    // Leaving the page does not skip the debate: it comes again.
    dealt = page.waitForResponse((r) => r.url().endsWith('/judge/next'));
    await page.reload();
    expect(((await (await dealt).json()) as JudgeDebateJson).gameId).toBe(debate.gameId);
    await page.waitForSelector('body[data-state="choosing"]');

    const pickUrl = `/api/debate/d1/judge/${debate.gameId}`;
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith(pickUrl)) sent.push(r.postData() ?? '');
    });
    // The first pick reaches the server and is stored, but its answer is lost.
    await page.route(`**${pickUrl}`, async (route) => {
      await route.fetch();
      await route.abort('failed');
    }, { times: 1 });
    await page.locator('#claim-0').click();
    await page.waitForSelector('body[data-state="choosing"]');
    expect(await text(page, '#status')).toMatch(/^Your pick \(claim A\) was not saved: .*Press it again to retry\.$/);
    expect(project.debateGames('d1')).toHaveLength(1);
    expect(await page.locator('#claim-1').isDisabled()).toBe(true);
    expect(await page.locator('#claim-0').isEnabled()).toBe(true);
    // Time passes before the retry (the seconds would differ); the other claim's key does nothing.
    await page.waitForTimeout(400);
    await page.keyboard.press('2');
    expect(await state(page)).toBe('choosing');
    expect(sent).toHaveLength(1);
    await page.locator('#claim-0').click();
    await page.waitForSelector('body[data-state="result"]');
    expect(sent).toHaveLength(2);
    expect(JSON.parse(sent[1])).toEqual(JSON.parse(sent[0]));
    const games = project.debateGames('d1');
    expect(games).toHaveLength(1);
    expect(games[0].personPick).toBe(debate.claims[0]);
    expect(await text(page, '#verdict')).toMatch(/^(Right|Wrong): the digit is a /);
    // The next debate is a new one.
    const next = page.waitForResponse((r) => r.url().endsWith('/judge/next'));
    await page.locator('#next').click();
    expect(((await (await next).json()) as JudgeDebateJson).gameId).not.toBe(debate.gameId);
    expect(errors).toEqual([]);
  });

  it('a person debates the machine: a zero pixel is refused in the rules’ words, the liar replies, and the model judge gives its verdict', async () => {
    const { origin, ada, project } = await serve();
    const { page, errors } = await newPage(browser(), cleanup, { viewport: { width: 1100, height: 760 }, ignore: /status of 400/ });
    const dealt = page.waitForResponse((r) => r.url().endsWith('/debater/next'));
    await page.goto(`${origin}/debate.html?token=${ada}&run=d1&mode=debater`);
    let game = (await (await dealt).json()) as DebaterGameJson;
    await page.waitForSelector('body[data-state="your-turn"]');
    expect(await page.locator('body').getAttribute('data-mode')).toBe('debater');
    expect(await text(page, '#guide')).toContain(`The image is a ${game.truth}`);
    expect(await text(page, '#guide')).toContain(`the machine argues that it is a ${game.lie}`);
    expect(await page.locator('body').getAttribute('data-shown')).toBe(String(game.reveals.length));

    await clickPixel(page, 0);
    await page.waitForSelector('body[data-state="your-turn"]');
    await expect.poll(() => text(page, '#status')).toBe('debate: pixel 0 is zero; only nonzero pixels may be revealed');

    const inked = game.image.map((v, p) => (v > 0 ? p : -1)).filter((p) => p >= 0);
    let mine = 0;
    while (game.verdict === null) {
      const pixel = inked.find((p) => !game.reveals.some((r) => r.pixel === p))!;
      const answered = page.waitForResponse((r) => r.url().endsWith('/reveal'));
      await clickPixel(page, pixel);
      game = (await (await answered).json()) as DebaterGameJson;
      mine++;
      expect(game.reveals.find((r) => r.pixel === pixel)?.by).toBe('honest');
      await page.waitForSelector(`body[data-shown="${game.reveals.length}"]:is([data-state="your-turn"], [data-state="over"])`);
      if (game.verdict === null) expect(game.reveals.at(-1)!.by).toBe('liar');
    }
    expect(mine).toBe(2);
    expect(await state(page)).toBe('over');
    const [stored] = project.debateGames('d1');
    expect(stored).toMatchObject({ id: game.gameId, role: 'debater', annotator: 'ada', personPick: null, modelPick: game.verdict.modelPick });
    expect(await text(page, '#verdict')).toBe(game.verdict.winner === 'honest' ? `You won: the model judge picked ${game.truth}, the truth.` : `The machine won: the model judge picked ${game.lie}, the lie.`);
    expect(await text(page, '#accuracy')).toBe(`you have won ${game.verdict.winner === 'honest' ? 1 : 0} of 1 debate against the machine`);
    await shot(page, 'debater-over');
    expect(errors).toEqual([]);
  });

  it('the dashboard links a debate session to its page', async () => {
    const { origin, admin } = await serve();
    const { page } = await newPage(browser(), cleanup);
    await page.goto(`${origin}/dashboard.html?token=${admin}&run=d1`);
    await page.waitForSelector('#debate-link:not([hidden])');
    expect(await page.locator('#debate-link').getAttribute('href')).toBe('./debate.html?run=d1');
    await page.locator('#debate-link').click();
    await page.waitForSelector('body[data-state="revealing"], body[data-state="choosing"]');
    expect(await text(page, '#who')).toBe('admin');
  });
});
