/**
 * People in a randomized trial of assistance: a run labeled in a limited view with a labeling
 * assistant sends each pair, per person, to the assisted arm (with the assistant's critique and
 * its evidence) or the unassisted arm, by a fair coin; the arm, the critique shown and the
 * person's response are stored with the label, exported, and counted on the dashboard.
 * The API first (no browser), then the page in Chromium: accept, dismiss, the stored arm.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelingViewOf } from '../cli/labelingView.js';
import { resolvePrefsConfig } from '../cli/prefs.js';
import { clipOf, randomBox, rollout } from '../oversight/views/testing.js';
import { viewFor } from '../oversight/views/registry.js';
import type { Segment } from '../prefs/segments.js';
import { openProject } from '../store/sqlite.js';
import type { ProjectStore } from '../store/store.js';
import type { CritiqueJson, OverviewJson, QueryJson } from './api.js';
import { armOf, buildServer } from './app.js';
import { newPage, UI, useBrowser } from './testing/browser.js';

const { browser, cleanup } = useBrowser();

/** Real Reacher-v5 clips of a random policy, 25 steps each. */
const reacher = rollout('Reacher-v5', 7, 100, randomBox(2));
const clips = [0, 25, 50, 75].map((start) => clipOf(reacher, start, 25));
const byId = new Map(clips.map((c) => [c.id, c]));
const floats = (b64: string) => new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);
/** Numbers as compared: equal values alike (the store keeps 0 for -0). */
const values = (a: ArrayLike<number>) => Array.from(a, (v) => (v === 0 ? 0 : v));

/**
 * A project with a Reacher run in the keyframes:2 view with the random assistant (2 reveals),
 * annotator ada, and the run's queries named by `idsFor(ada's id)`, in that order.
 */
function trialProject(idsFor: (ada: number) => string[], assistant: string | null = 'random'): { project: ProjectStore; token: string; ada: number; ids: string[] } {
  const project = openProject(mkdtempSync(join(tmpdir(), 'overseer-trial-')), { repeatEvery: 0, goldEvery: 0 });
  cleanup(() => project.close());
  project.createRun({ id: 'r', envId: 'Reacher-v5', labelBudget: 100, config: { prefs: { labelingView: 'keyframes:2', labelingAssistant: assistant, labelingReveals: 2 } }, renderSpec: reacher.spec });
  project.putSegments('r', clips.map((segment) => ({ segment })));
  const { annotator, token } = project.addAnnotator('ada');
  const ids = idsFor(annotator.id);
  project.putQueries('r', ids.map((id, i) => ({ id, leftId: clips[i % 3].id, rightId: clips[(i % 3) + 1].id, askedAtStep: 0 })));
  return { project, token, ada: annotator.id, ids };
}

/** Query ids whose arm for annotator `who` is the given sequence of arms. */
function idsWithArms(who: number, arms: ('assisted' | 'unassisted')[]): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < arms.length; i++) if (armOf('r', `q-${i}`, who) === arms[out.length]) out.push(`q-${i}`);
  return out;
}

describe('the trial of assistance, over the API', () => {
  it('randomizes arms per pair and person by a fair coin, the same for every draw', () => {
    const n = 400;
    const assisted = Array.from({ length: n }, (_, i) => armOf('r', `q-${i}`, 1) === 'assisted').filter(Boolean).length;
    // A fair coin: 400 draws within 4 standard deviations of 200.
    expect(Math.abs(assisted - n / 2)).toBeLessThan(4 * Math.sqrt(n / 4));
    // Another person gets other arms for the same pairs (about half differ), and a draw is repeatable.
    const differ = Array.from({ length: n }, (_, i) => armOf('r', `q-${i}`, 1) !== armOf('r', `q-${i}`, 2)).filter(Boolean).length;
    expect(Math.abs(differ - n / 2)).toBeLessThan(4 * Math.sqrt(n / 4));
    expect(armOf('r', 'q-7', 1)).toBe(armOf('r', 'q-7', 1));
  });

  it('sends the assisted arm a critique of recorded evidence only, stores arm, critique and response with the label, and refuses a response without a critique', async () => {
    const { project, token, ada, ids } = trialProject((who) => idsWithArms(who, ['assisted', 'unassisted', 'assisted', 'unassisted', 'assisted']));
    const app = buildServer({ project, labelingView: labelingViewOf });
    cleanup(() => app.close());
    const headers = { authorization: `Bearer ${token}` };
    const status = (await app.inject({ url: '/api/runs/r', headers })).json();
    expect(status.assistant).toEqual({ name: 'random', reveals: 2 });

    const next = (await app.inject({ url: '/api/runs/r/next?n=4', headers })).json() as { queries: QueryJson[] };
    expect(next.queries.map((q) => q.id)).toEqual(ids.slice(0, 4));
    const view = viewFor('Reacher-v5', 'keyframes:2');
    for (const q of next.queries) {
      const arm = armOf('r', q.id, ada);
      expect(q.critique !== undefined, q.id).toBe(arm === 'assisted');
      const recorded = { left: byId.get(q.left.id)!, right: byId.get(q.right.id)! };
      const served = { left: floats(q.left.render!), right: floats(q.right.render!) };
      const revealedFrames = new Set((q.critique?.reveals ?? []).filter((r) => r.kind === 'frame').map((r) => r.step));
      for (const side of ['left', 'right'] as const) {
        const seg: Segment = recorded[side];
        const seen = view.visible(seg, reacher.spec).render!;
        for (let t = 0; t < seg.length; t++) {
          const frame = served[side].subarray(t * seg.renderSize, (t + 1) * seg.renderSize);
          const truth = seg.render!.subarray(t * seg.renderSize, (t + 1) * seg.renderSize);
          // A revealed frame is the recording's; every other frame is as the view sees it.
          if (revealedFrames.has(t)) expect(values(frame)).toEqual(values(truth));
          else expect(values(frame)).toEqual(values(seen.subarray(t * seg.renderSize, (t + 1) * seg.renderSize)));
        }
      }
      for (const r of q.critique?.reveals ?? []) {
        // The numbers beside a reveal are the recording's at that step: the torques, or the frame.
        for (const side of ['left', 'right'] as const) {
          const seg = recorded[side];
          const expected = r.kind === 'torque' ? seg.actions.subarray(r.step * seg.actionSize, (r.step + 1) * seg.actionSize) : seg.render!.subarray(r.step * seg.renderSize, (r.step + 1) * seg.renderSize);
          expect(values(r[side])).toEqual(values(expected));
        }
      }
    }
    const [a1, u1, a2, u2] = next.queries;
    expect(a1.critique!.assistant).toBe('random');
    expect(a1.critique!.reveals.length).toBe(2);
    expect(a1.critique!.reveals.every((r) => ['frame', 'torque'].includes(r.kind))).toBe(true);

    const post = (body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/runs/r/labels', headers, payload: { seconds: 2, ...body } });
    // The unassisted arm saw no critique: a response to one is refused, naming why; nothing is stored.
    const refused = await post({ queryId: u1.id, answer: 'left', clientId: 'c-u1', critique: 'accepted' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatch(/critique: pair q-\d+ was shown without a critique \(the unassisted arm\)/);
    expect(project.labelsSince('r', 0)).toEqual([]);
    expect((await post({ queryId: 'x', answer: 'left', clientId: 'c-x', critique: 'maybe' })).json().error).toMatch(/critique must be one of: accepted, dismissed/);

    expect((await post({ queryId: a1.id, answer: 'right', clientId: 'c-a1', critique: 'accepted' })).statusCode).toBe(200);
    expect((await post({ queryId: u1.id, answer: 'left', clientId: 'c-u1' })).statusCode).toBe(200);
    expect((await post({ queryId: a2.id, answer: 'left', clientId: 'c-a2', critique: null })).statusCode).toBe(200);
    expect((await post({ queryId: u2.id, answer: 'equal', clientId: 'c-u2', critique: null })).statusCode).toBe(200);
    const shown = (c: CritiqueJson) => ({ assistant: c.assistant, reason: c.reason, reveals: c.reveals.map(({ kind, step }) => ({ kind, step })) });
    const stored = project.labelsSince('r', 0).map((l) => [l.queryId, l.assistance]);
    expect(stored).toEqual([
      [a1.id, { arm: 'assisted', critique: shown(a1.critique!), response: 'accepted' }],
      [u1.id, { arm: 'unassisted', critique: null, response: null }],
      [a2.id, { arm: 'assisted', critique: shown(a2.critique!), response: null }],
      [u2.id, { arm: 'unassisted', critique: null, response: null }],
    ]);

    // Undo brings the pair back with the same critique (a pair's critique is the same every time).
    const undone = (await app.inject({ method: 'POST', url: '/api/runs/r/labels/undo', headers, payload: { clientId: 'c-a1' } })).json() as { query: QueryJson };
    expect(undone.query.critique).toEqual(a1.critique);
    expect((await post({ queryId: a1.id, answer: 'left', clientId: 'c-a1b', critique: 'dismissed' })).statusCode).toBe(200);
    expect(project.labelsSince('r', 0).find((l) => l.queryId === a1.id)!.assistance).toEqual({ arm: 'assisted', critique: shown(a1.critique!), response: 'dismissed' });

    // A server that has not shown the pair (another server, or this one restarted) records the same critique.
    const a3 = ((await app.inject({ url: '/api/runs/r/next?n=1', headers })).json() as { queries: QueryJson[] }).queries[0];
    expect(a3.id).toBe(ids[4]);
    const fresh = buildServer({ project, labelingView: labelingViewOf });
    cleanup(() => fresh.close());
    expect((await fresh.inject({ method: 'POST', url: '/api/runs/r/labels', headers, payload: { queryId: a3.id, answer: 'left', clientId: 'c-a3', critique: 'accepted', seconds: 1 } })).statusCode).toBe(200);
    expect(project.labelsSince('r', 0).find((l) => l.queryId === a3.id)!.assistance).toEqual({ arm: 'assisted', critique: shown(a3.critique!), response: 'accepted' });
    expect((await app.inject({ method: 'POST', url: '/api/runs/r/labels/undo', headers, payload: { clientId: 'c-a3' } })).statusCode).toBe(200);

    const overview = (await app.inject({ url: '/api/admin/runs/r/overview', headers: { authorization: `Bearer ${project.addAnnotator('boss', 'admin').token}` } })).json() as OverviewJson;
    expect(overview.agreement.critiques).toEqual({ shown: 2, accepted: 0, dismissed: 1 });
  }, 60_000);

  it('gold pairs: accuracy per arm on the dashboard API', async () => {
    const { project, token, ada } = trialProject(() => ['q-0', 'q-1', 'q-2']);
    const admin = project.addAnnotator('boss', 'admin').token;
    const app = buildServer({ project, labelingView: labelingViewOf });
    cleanup(() => app.close());
    const gold = ['q-0', 'q-1', 'q-2'].map((id) => project.setGoldPair('r', id, 'left').id);
    const answers: Record<string, 'left' | 'right'> = { [gold[0]]: 'left', [gold[1]]: 'right', [gold[2]]: 'left' };
    for (const id of gold) {
      const critique = armOf('r', id, ada) === 'assisted' ? { critique: 'accepted' } : {};
      const r = await app.inject({ method: 'POST', url: '/api/runs/r/labels', headers: { authorization: `Bearer ${token}` }, payload: { queryId: id, answer: answers[id], clientId: `c-${id}`, ...critique } });
      expect(r.statusCode, r.body).toBe(200);
    }
    const expected = { assisted: { answered: 0, correct: 0 }, unassisted: { answered: 0, correct: 0 } };
    for (const id of gold) {
      const arm = armOf('r', id, ada);
      expected[arm].answered += 1;
      expected[arm].correct += answers[id] === 'left' ? 1 : 0;
    }
    const overview = (await app.inject({ url: '/api/admin/runs/r/overview', headers: { authorization: `Bearer ${admin}` } })).json() as OverviewJson;
    expect(overview.agreement.arms).toEqual(expected);
    expect(overview.agreement.gold.answered).toBe(3);
  }, 60_000);

  it('the rrm assistant is trained when the server starts, and critiques with the reveals it scores highest', async () => {
    const { project, token, ids } = trialProject((who) => idsWithArms(who, ['assisted']), 'rrm');
    const logged: string[] = [];
    const app = buildServer({ project, labelingView: labelingViewOf, errorLog: (e) => logged.push(e) });
    cleanup(() => app.close());
    const headers = { authorization: `Bearer ${token}` };
    expect((await app.inject({ url: '/api/runs/r', headers })).json().assistant).toEqual({ name: 'rrm', reveals: 2 });
    const [q] = ((await app.inject({ url: '/api/runs/r/next?n=1', headers })).json() as { queries: QueryJson[] }).queries;
    expect(q.id).toBe(ids[0]);
    expect(q.critique!.assistant).toBe('rrm');
    expect(q.critique!.reveals.length).toBe(2);
    expect(q.critique!.reason).toMatch(/^the evidence most likely to change your verdict \((frame|torque) at step \d+; (frame|torque) at step \d+\)$/);
    expect(logged).toEqual([]);
  }, 60_000);

  it('a run without an assistant takes no critique response and stores no arm', async () => {
    const { project, token } = trialProject(() => ['q-0'], null);
    const app = buildServer({ project, labelingView: labelingViewOf });
    cleanup(() => app.close());
    const headers = { authorization: `Bearer ${token}` };
    expect((await app.inject({ url: '/api/runs/r', headers })).json().assistant).toBeNull();
    const r = await app.inject({ method: 'POST', url: '/api/runs/r/labels', headers, payload: { queryId: 'q-0', answer: 'left', clientId: 'c', critique: 'dismissed' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatch(/critique: run r shows no critiques \(it has no labeling assistant\)/);
    expect((await app.inject({ url: '/api/runs/r/next', headers })).json().queries[0].critique).toBeUndefined();
    expect((await app.inject({ method: 'POST', url: '/api/runs/r/labels', headers, payload: { queryId: 'q-0', answer: 'left', clientId: 'c' } })).statusCode).toBe(200);
    expect(project.labelsSince('r', 0)[0]).not.toHaveProperty('assistance');
  });
});

describe('--labeling-assistant', () => {
  const flags = (more: Record<string, unknown>) => ({ env: 'Reacher-v5', teacher: 'human', evalEpisodes: 1, progress: false, ...more });
  it('needs a limited view and a known assistant, and names what is allowed', () => {
    const cfg = resolvePrefsConfig(flags({ labelingView: 'keyframes:2', labelingAssistant: 'rrm', labelingReveals: 2 }));
    expect([cfg.labelingAssistant, cfg.labelingReveals]).toEqual(['rrm', 2]);
    expect(resolvePrefsConfig(flags({ labelingView: 'projection' })).labelingAssistant).toBeNull();
    expect(() => resolvePrefsConfig(flags({ labelingAssistant: 'random' }))).toThrow(/--labeling-assistant: needs --labeling-view/);
    expect(() => resolvePrefsConfig(flags({ labelingView: 'projection', labelingAssistant: 'oracle' }))).toThrow(/--labeling-assistant: unknown "oracle"; people can be shown: random, rrm/);
    expect(() => resolvePrefsConfig(flags({ labelingView: 'full', labelingAssistant: 'random' }))).toThrow(/the full view sees everything/);
  });
});

describe('a person in the trial, in Chromium', () => {
  it('the assisted arm shows the critique and its evidence; accept and dismiss are stored with the arm; the unassisted arm shows none', async () => {
    const { project, token, ids } = trialProject((who) => idsWithArms(who, ['assisted', 'assisted', 'unassisted', 'assisted']));
    const app = buildServer({ project, staticDir: UI, labelingView: labelingViewOf });
    const origin = await app.listen({ host: '127.0.0.1', port: 0 });
    cleanup(() => app.close());
    const { page, errors } = await newPage(browser(), cleanup, { viewport: { width: 1100, height: 1100 }, ignore: /Failed to load resource/ });
    await page.goto(`${origin}/?token=${token}&run=r`);
    const settled = (id: string) => page.waitForSelector(`body[data-pair="${id}"]:not([data-settling])`, { timeout: 20_000 });

    // 1. Assisted: the panel names the assistant, gives its reason and two pieces of evidence; accept by click.
    await settled(ids[0]);
    expect(await page.locator('#critique').isVisible()).toBe(true);
    // The page's own controls are all there beside it.
    for (const control of ['#undo', '#play', '#scrub', '#buttons button[data-answer="left"]']) expect(await page.locator(control).isVisible(), control).toBe(true);
    expect(await page.locator('#critique-assistant').textContent()).toBe('(random)');
    expect(await page.locator('#critique-reason').textContent()).toBe('a random look at what you cannot see');
    const items = page.locator('#critique-evidence li');
    expect(await items.count()).toBe(2);
    for (let i = 0; i < 2; i++) {
      const kind = await items.nth(i).getAttribute('data-kind');
      const text = await items.nth(i).textContent();
      if (kind === 'torque') expect(text).toMatch(/the torques .*Left: -?\d\.\d\d, -?\d\.\d\d \(effort \d\.\d\d\)Right: /);
      else expect(await items.nth(i).locator('canvas').count()).toBe(2);
    }
    // Its button shows both clips at that step, paused.
    const step = await items.nth(0).getAttribute('data-step');
    await items.nth(0).locator('button.seek').click();
    await page.waitForSelector(`#left[data-frame="${step}"]`);
    expect(await page.locator('body').getAttribute('data-playing')).toBe('false');
    await page.locator('#critique-accept').click();
    expect(await page.locator('#critique-accept').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('ArrowLeft');

    // Undone, the pair comes back with its critique and the response given to it; answered again.
    await settled(ids[1]);
    await page.waitForSelector('body[data-sent="1"]', { timeout: 10_000 });
    await page.keyboard.press('z');
    await settled(ids[0]);
    expect(await page.locator('#critique-accept').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#critique-evidence li').count()).toBe(2);
    await page.keyboard.press('ArrowLeft');

    // 2. Assisted: dismiss by key (D), changing its mind from accept (A).
    await settled(ids[1]);
    expect(await page.locator('body').getAttribute('data-response')).toBe('none');
    await page.keyboard.press('a');
    await page.keyboard.press('d');
    expect(await page.locator('#critique-dismiss').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#critique-accept').getAttribute('aria-pressed')).toBe('false');
    await page.keyboard.press('ArrowRight');

    // 3. Unassisted: no critique; the keys do nothing.
    await settled(ids[2]);
    expect(await page.locator('#critique').isHidden()).toBe(true);
    await page.keyboard.press('a');
    await page.keyboard.press('ArrowUp');
    await page.waitForSelector('body[data-sent="4"]', { timeout: 10_000 });
    await settled(ids[3]);
    expect(await page.locator('#critique').isVisible()).toBe(true);
    await page.screenshot({ path: process.env.OVERSEER_SCREENSHOT ?? join(tmpdir(), 'overseer-critique.png') });

    const stored = project.labelsSince('r', 0).map((l) => [l.queryId, l.answer, l.assistance?.arm, l.assistance?.response]);
    expect(stored).toEqual([
      [ids[0], 'left', 'assisted', 'accepted'],
      [ids[1], 'right', 'assisted', 'dismissed'],
      [ids[2], 'equal', 'unassisted', null],
    ]);
    // The export carries the arm.
    const admin = project.addAnnotator('boss', 'admin').token;
    const lines = (await (await fetch(`${origin}/api/admin/export?run=r`, { headers: { authorization: `Bearer ${admin}` } })).text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string; assistance?: { arm: string } });
    expect(lines.filter((l) => l.type === 'label').map((l) => l.assistance?.arm)).toEqual(['assisted', 'assisted', 'unassisted']);
    expect(errors).toEqual([]);

    // The dashboard: gold accuracy per arm. Gold pairs made from the three answered pairs, which
    // ada answers (each in its arm for her): the first two right, the third wrong.
    const golds = ids.slice(0, 3).map((id) => project.setGoldPair('r', id, 'left').id);
    const byArm = { assisted: [0, 0], unassisted: [0, 0] };
    for (const [i, id] of golds.entries()) {
      const arm = armOf('r', id, project.listAnnotators()[0].id);
      const answer = i < 2 ? 'left' : 'right';
      byArm[arm][0] += 1;
      byArm[arm][1] += answer === 'left' ? 1 : 0;
      const r = await fetch(`${origin}/api/runs/r/labels`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ queryId: id, answer, clientId: `g-${i}`, ...(arm === 'assisted' ? { critique: 'accepted' } : {}) }) });
      expect(r.status).toBe(200);
    }
    const dash = await newPage(browser(), cleanup, { viewport: { width: 1100, height: 900 } });
    await dash.page.goto(`${origin}/dashboard.html?token=${admin}&run=r`);
    await dash.page.waitForSelector('body[data-ready]', { timeout: 10_000 });
    await dash.page.waitForSelector('#trial:not([hidden])', { timeout: 10_000 });
    expect(await dash.page.locator('#trial-assistant').textContent()).toBe('the random assistant');
    for (const arm of ['assisted', 'unassisted'] as const) {
      const cells = await dash.page.locator(`#trial-arms tr[data-arm="${arm}"] td`).allTextContents();
      const [n, k] = byArm[arm];
      expect(cells.slice(0, 3)).toEqual([arm, String(n), n ? `${k} (${((100 * k) / n).toFixed(0)}%)` : '-']);
    }
    const shownCount = 2 + byArm.assisted[0];
    expect(await dash.page.locator('#trial-summary').textContent()).toMatch(new RegExp(`Critiques shown: ${shownCount}; accepted ${1 + byArm.assisted[0]}, dismissed 1, neither 0\\.`));
    expect(dash.errors).toEqual([]);
  }, 120_000);
});
