import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Segment } from '../prefs/segments.js';
import { openProject } from '../store/sqlite.js';
import { staticImports } from '../cli/testing/imports.js';
import { MemoryProjectStore } from '../store/memory.js';
import { Rng } from '../utils/rng.js';
import { buildServer } from './app.js';
import { labelingViewOf } from '../cli/labelingView.js';
import { clipOf, randomBox, rollout } from '../oversight/views/testing.js';
import { POSE_SIZE } from '../envs/render.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'overseer-server-'));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function segment(i: number): Segment {
  return { id: `seg-${i}`, envId: 'Pendulum-v1', seed: 1, envIndex: 0, globalStep: i * 10, length: 10, obsSize: 3, actionSize: 1, renderSize: 2, render: Float32Array.from({ length: 20 }, (_, k) => i + k / 10), obs: new Float32Array(30), actions: new Float32Array(10), terminated: false };
}

/** A project with a run of `n` queries, an annotator, another annotator and an admin; the server built on it. */
function setup(n = 12, staticDir: string | null = null) {
  const project = openProject(tmp());
  project.createRun({ id: 'r1', envId: 'Pendulum-v1', instructions: 'prefer the pendulum upright', labelBudget: 100 });
  const segs = Array.from({ length: n + 1 }, (_, i) => segment(i));
  project.putSegments(
    'r1',
    segs.map((segment) => ({ segment, truth: { segmentId: segment.id, rewards: new Float64Array(10).fill(-1) } })),
  );
  project.putQueries('r1', segs.slice(1).map((s, i) => ({ id: `q-${i}`, leftId: segs[i].id, rightId: s.id, askedAtStep: 0 })));
  const ada = project.addAnnotator('ada').token;
  const bob = project.addAnnotator('bob').token;
  const admin = project.addAnnotator('admin', 'admin').token;
  const app = buildServer({ project, staticDir });
  cleanups.push(() => project.close(), () => app.close());
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  return { project, app, ada, bob, admin, as };
}

const label = (queryId: string, clientId: string, answer = 'left') => ({ queryId, answer, seconds: 1.5, clientId });

describe('labeling server', () => {
  it('refuses every request without a valid token, static files included', async () => {
    const ui = tmp();
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Overseer</title>');
    const { app, ada } = setup(3, ui);
    for (const url of ['/', '/index.html', '/assets/app.js', '/api/me', '/api/runs', '/api/runs/r1/next', '/api/admin/annotators']) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { cookie: 'overseer_token=wrong' }, { authorization: `Basic ${ada}` }]) {
        const r = await app.inject({ method: 'GET', url, headers });
        expect(r.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.json().error).toMatch(/token/);
      }
    }
    const post = await app.inject({ method: 'POST', url: '/api/runs/r1/labels', payload: label('q-0', 'c1') });
    expect(post.statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: `/?token=${ada}x` })).statusCode).toBe(401);
  });

  it('a link with ?token= opens the page and sets a cookie that authenticates what follows', async () => {
    const ui = tmp();
    mkdirSync(join(ui, 'assets'));
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Overseer</title>');
    writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)');
    const { app, ada } = setup(3, ui);
    const page = await app.inject({ method: 'GET', url: `/?token=${ada}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<title>Overseer</title>');
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toMatch(/^overseer_token=[\w-]+; HttpOnly; SameSite=Strict; Path=\/$/);
    const cookie = setCookie.split(';')[0];
    const js = await app.inject({ method: 'GET', url: '/assets/app.js', headers: { cookie } });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json()).toEqual({ name: 'ada', role: 'annotator' });
    // Paths outside the UI folder are not served.
    const escape = await app.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd', headers: { cookie } });
    expect(escape.body).not.toContain('root:');
  });

  it('hands out pairs with their render states (never rewards), commits labels once per client id', async () => {
    const { app, project, ada, bob, as } = setup(12);
    project.setEnvSteps('r1', 4096);
    const next = await app.inject({ method: 'GET', url: '/api/runs/r1/next?n=2', headers: as(ada) });
    expect(next.statusCode).toBe(200);
    const body = next.json();
    expect(body.status).toMatchObject({ id: 'r1', instructions: 'prefer the pendulum upright', labelBudget: 100, envSteps: 4096, labels: 0, mine: 0, queueDepth: 12 });
    expect(body.queries.map((q: { id: string }) => q.id)).toEqual(['q-0', 'q-1']);
    expect(body.queries[0].left).toMatchObject({ id: 'seg-0', envId: 'Pendulum-v1', length: 10, renderSize: 2 });
    const render = Buffer.from(body.queries[0].left.render, 'base64');
    expect(new Float32Array(render.buffer, render.byteOffset, 20)[3]).toBeCloseTo(0.3);
    expect(next.body).not.toMatch(/reward|obs|actions/i);
    // bob gets other pairs.
    const forBob = (await app.inject({ method: 'GET', url: '/api/runs/r1/next?n=3', headers: as(bob) })).json();
    expect(forBob.queries.map((q: { id: string }) => q.id)).toEqual(['q-2', 'q-3', 'q-4']);

    const post = () => app.inject({ method: 'POST', url: '/api/runs/r1/labels', headers: as(ada), payload: label('q-0', 'ada-1', 'right') });
    const first = await post();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ queryId: 'q-0', answer: 'right', duplicate: false, status: { labels: 1, mine: 1, queueDepth: 11 } });
    const again = await post();
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ seq: first.json().seq, duplicate: true, status: { labels: 1 } });
    expect(project.labelsSince('r1', 0)).toMatchObject([{ queryId: 'q-0', answer: 'right', teacher: 'ada', seconds: 1.5, receivedAtStep: 4096 }]);

    const steal = await app.inject({ method: 'POST', url: '/api/runs/r1/labels', headers: as(ada), payload: label('q-2', 'ada-2') });
    expect(steal.statusCode).toBe(409);
    expect(steal.json().error).toMatch(/not assigned to ada/);
    const answered = await app.inject({ method: 'POST', url: '/api/runs/r1/labels', headers: as(ada), payload: label('q-0', 'ada-3') });
    expect(answered.statusCode).toBe(409);
    expect(answered.json().error).toMatch(/already answered/);
    expect((await app.inject({ method: 'GET', url: '/api/runs/nope/next', headers: as(ada) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/runs', headers: as(ada) })).json().runs).toMatchObject([{ id: 'r1', labels: 1, mine: 1 }]);
  });

  it("serves a run's stored render spec without building its env; works one out only for runs that have none stored", async () => {
    // The server's modules never load the env registry's built-in envs (MuJoCo) up front.
    const loaded = staticImports('src/server/app.ts');
    expect(loaded.has('src/envs/builtins.ts')).toBe(false);
    expect(loaded.has('mujoco-js')).toBe(false);

    const project = new MemoryProjectStore();
    const spec = { kind: 'classic' as const, scene: 'CartPole' as const, dt: 0.02, fields: ['x', 'x_dot', 'theta', 'theta_dot'] };
    // A made-up env id: only the stored spec can answer for it.
    project.createRun({ id: 'stored', envId: 'Imaginary-v0', renderSpec: spec });
    project.createRun({ id: 'legacy', envId: 'Pendulum-v1' });
    project.createRun({ id: 'unknown', envId: 'Imaginary-v0' });
    const { token } = project.addAnnotator('ada');
    const app = buildServer({ project });
    cleanups.push(() => app.close());
    const scene = async (run: string) => (await app.inject({ method: 'GET', url: `/api/runs/${run}/scene`, headers: { authorization: `Bearer ${token}` } })).json();
    expect(await scene('stored')).toEqual({ envId: 'Imaginary-v0', spec });
    expect(await scene('legacy')).toEqual({ envId: 'Pendulum-v1', spec: { kind: 'classic', scene: 'Pendulum', dt: 0.05, fields: ['theta', 'theta_dot'] } });
    expect(await scene('unknown')).toEqual({ envId: 'Imaginary-v0', spec: null });
    expect((await app.inject({ method: 'GET', url: '/api/runs/nope/scene', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(404);
  });

  it("maps the store's refusals to HTTP statuses: not found 404, conflict 409, invalid 400", async () => {
    const { app, ada, as } = setup(3);
    await app.inject({ method: 'GET', url: '/api/runs/r1/next?n=1', headers: as(ada) });
    const post = (payload: object) => app.inject({ method: 'POST', url: '/api/runs/r1/labels', headers: as(ada), payload });
    expect((await post(label('q-9', 'c-1'))).statusCode).toBe(404);
    expect((await post(label('q-2', 'c-1'))).statusCode).toBe(409);
    expect((await post(label('q-0', 'c-1'))).statusCode).toBe(200);
    const reused = await post(label('q-1', 'c-1'));
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error).toMatch(/client id c-1 was already used/);
  });

  it('refuses a second answer to a gold pair from the same annotator (409); the same client id again returns the stored label', async () => {
    const { app, project, ada, bob, as } = setup(3);
    project.putQueries('r1', [{ id: 'gold-1', leftId: 'seg-0', rightId: 'seg-2', askedAtStep: 0, kind: 'gold' }]);
    const post = (token: string, clientId: string, answer = 'left') => app.inject({ method: 'POST', url: '/api/runs/r1/labels', headers: as(token), payload: label('gold-1', clientId, answer) });
    const first = await post(ada, 'g-1');
    expect(first.statusCode).toBe(200);
    const again = await post(ada, 'g-1');
    expect(again.json()).toMatchObject({ seq: first.json().seq, duplicate: true });
    const second = await post(ada, 'g-2', 'right');
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toMatch(/ada has already answered gold pair gold-1/);
    expect((await post(bob, 'g-3')).statusCode).toBe(200);
    expect(project.labelsSince('r1', 0).map((l) => l.teacher)).toEqual(['ada', 'bob']);
  });

  it("a finished run: its status says when it finished, it hands out no pairs, and a label is refused (409) with the reason", async () => {
    const { app, project, ada, as } = setup(3);
    const next = async () => (await app.inject({ method: 'GET', url: '/api/runs/r1/next?n=2', headers: as(ada) })).json();
    const before = await next();
    expect(before.status.finishedAt).toBeNull();
    expect(before.queries).toHaveLength(2);
    const { finishedAt } = project.finishRun('r1');
    const after = await next();
    expect(after.status.finishedAt).toBe(finishedAt);
    expect(after.queries).toEqual([]);
    const post = await app.inject({ method: 'POST', url: '/api/runs/r1/labels', headers: as(ada), payload: label('q-0', 'c-1') });
    expect(post.statusCode).toBe(409);
    expect(post.json().error).toBe('run r1 has finished; this label was not stored');
    expect((await app.inject({ method: 'GET', url: '/api/runs/r1', headers: as(ada) })).json().finishedAt).toBe(finishedAt);
  });

  it('answers unknown /api paths with a JSON 404, not the page; other unknown paths get the page', async () => {
    const ui = tmp();
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Overseer</title>');
    const { app, ada, admin, as } = setup(1, ui);
    for (const url of ['/api', '/api/', '/api/nope', '/api/runs/r1/nope', '/api/admin/nope?x=1']) {
      const r = await app.inject({ method: 'GET', url, headers: as(url.startsWith('/api/admin') ? admin : ada) });
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type'], url).toMatch(/application\/json/);
      expect(r.json().error, url).toMatch(/no route GET \/api/);
    }
    // An annotator gets a 403 for anything under /api/admin, route or not.
    expect((await app.inject({ method: 'GET', url: '/api/admin/nope', headers: as(ada) })).statusCode).toBe(403);
    const post = await app.inject({ method: 'POST', url: '/api/nope', headers: as(ada), payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.json().error).toMatch(/no route POST \/api\/nope/);
    const page = await app.inject({ method: 'GET', url: '/some/page', headers: as(ada) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Overseer</title>');
  });

  it('sends the security headers with every response: pages, API, refusals, not found and errors', async () => {
    const ui = tmp();
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Overseer</title>');
    const project = new MemoryProjectStore();
    const { token } = project.addAnnotator('ada');
    const app = buildServer({ project, staticDir: ui, errorLog: () => {} });
    app.get('/api/boom', async () => {
      throw new Error('boom');
    });
    cleanups.push(() => app.close());
    const auth = { authorization: `Bearer ${token}` };
    const responses = [
      await app.inject({ method: 'GET', url: '/', headers: auth }),
      await app.inject({ method: 'GET', url: '/api/me', headers: auth }),
      await app.inject({ method: 'GET', url: '/api/me' }),
      await app.inject({ method: 'GET', url: '/api/nope', headers: auth }),
      await app.inject({ method: 'POST', url: '/api/runs/r/labels', headers: auth, payload: { bad: 1 } }),
      await app.inject({ method: 'GET', url: '/api/boom', headers: auth }),
      await app.inject({ method: 'GET', url: '/%E0%A4%A', headers: auth }),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 401, 404, 400, 500, 400]);
    expect(responses[6].json().error).toMatch(/not a valid url/);
    for (const r of responses) {
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('logs every 5xx with a request id that the JSON error body names too', async () => {
    const project = new MemoryProjectStore();
    const { token } = project.addAnnotator('ada');
    const log: string[] = [];
    const app = buildServer({ project, errorLog: (entry) => log.push(entry) });
    app.get('/api/boom', async () => {
      throw new Error('the disk is on fire');
    });
    app.get('/api/unavailable', async (_req, reply) => reply.code(503).send({ error: 'busy' }));
    cleanups.push(() => app.close());
    const auth = { authorization: `Bearer ${token}` };
    const boom = await app.inject({ method: 'GET', url: '/api/boom', headers: auth });
    expect(boom.statusCode).toBe(500);
    const { error, requestId } = boom.json();
    expect(requestId).toMatch(/^[0-9a-f]{16}$/);
    expect(error).toBe(`internal error; the server log has the details (request ${requestId})`);
    expect(error).not.toMatch(/disk/);
    expect(boom.headers['x-request-id']).toBe(requestId);
    expect(log).toHaveLength(1);
    expect(log[0]).toContain(`request ${requestId}: GET /api/boom failed: Error: the disk is on fire`);
    const busy = await app.inject({ method: 'GET', url: '/api/unavailable', headers: auth });
    expect(busy.statusCode).toBe(503);
    expect(log).toHaveLength(2);
    expect(log[1]).toContain(`request ${busy.headers['x-request-id']}: GET /api/unavailable answered 503`);
    // 4xx are the caller's mistakes, not logged as errors.
    await app.inject({ method: 'GET', url: '/api/nope', headers: auth });
    await app.inject({ method: 'GET', url: '/api/me' });
    expect(log).toHaveLength(2);
  });

  it('says where the run is: running, waiting for N labels (as the loop reports), finished; pairs say when an episode ended', async () => {
    const { app, project, ada, as } = setup(3);
    project.putSegments('r1', [{ segment: { ...segment(20), terminated: true } }]);
    project.putQueries('r1', [{ id: 'q-t', leftId: 'seg-0', rightId: 'seg-20', askedAtStep: 0 }]);
    const status = async () => (await app.inject({ method: 'GET', url: '/api/runs/r1', headers: as(ada) })).json();
    expect(await status()).toMatchObject({ state: 'running', phase: null, waitingForLabels: null, guidelines: '' });
    project.setRunState('r1', { phase: 'pretraining', waitingForLabels: 4 });
    expect(await status()).toMatchObject({ state: 'waiting', phase: 'pretraining', waitingForLabels: 4 });
    project.setRunState('r1', { phase: 'rl', waitingForLabels: null });
    expect(await status()).toMatchObject({ state: 'running', phase: 'rl', waitingForLabels: null });
    const next = (await app.inject({ method: 'GET', url: '/api/runs/r1/next?n=5', headers: as(ada) })).json();
    expect(next.queries.map((q: { id: string; left: { terminated: boolean }; right: { terminated: boolean } }) => [q.id, q.left.terminated, q.right.terminated])).toEqual([
      ['q-0', false, false],
      ['q-1', false, false],
      ['q-2', false, false],
      ['q-t', false, true],
    ]);
    project.setRunState('r1', { phase: 'rl', waitingForLabels: 2 });
    project.finishRun('r1');
    expect(await status()).toMatchObject({ state: 'finished', waitingForLabels: null });
  });

  it('undoes an answer the run has not taken: the pair comes back to answer again; a taken one, a stranger\'s or an unknown one is refused with the reason', async () => {
    const { app, project, ada, bob, as } = setup(4);
    await app.inject({ method: 'GET', url: '/api/runs/r1/next?n=2', headers: as(ada) });
    for (const [q, c] of [['q-0', 'c0'], ['q-1', 'c1']]) expect((await app.inject({ method: 'POST', url: '/api/runs/r1/labels', headers: as(ada), payload: label(q, c) })).statusCode).toBe(200);
    const undo = (token: string, clientId: unknown) => app.inject({ method: 'POST', url: '/api/runs/r1/labels/undo', headers: as(token), payload: { clientId } });
    const r = await undo(ada, 'c1');
    expect(r.statusCode).toBe(200);
    expect(r.json().query).toMatchObject({ id: 'q-1', kind: 'normal', left: { id: 'seg-1' }, right: { id: 'seg-2' } });
    expect(r.json().status).toMatchObject({ labels: 1, mine: 1 });
    expect(project.labelsSince('r1', 0).map((l) => l.clientId)).toEqual(['c0']);
    const again = await app.inject({ method: 'POST', url: '/api/runs/r1/labels', headers: as(ada), payload: label('q-1', 'c1b', 'right') });
    expect(again.json()).toMatchObject({ queryId: 'q-1', answer: 'right', duplicate: false });
    project.takeLabels('r1', 0, new Date(Date.now() + 60_000));
    const late = await undo(ada, 'c1b');
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toMatch(/already been used for training, so it can no longer be undone/);
    expect((await undo(bob, 'c0')).statusCode).toBe(404);
    expect((await undo(ada, 'nope')).json().error).toMatch(/no answer "nope" from you/);
    expect((await undo(ada, '')).statusCode).toBe(400);
    expect((await undo(ada, 7)).statusCode).toBe(400);
  });

  it('lets the admin set guidelines, pick pairs and make gold pairs with answers; annotators may not, and bad input gets a 400 naming it', async () => {
    const { app, project, ada, admin, as } = setup(4);
    const put = (token: string, payload: unknown) => app.inject({ method: 'PUT', url: '/api/admin/runs/r1/guidelines', headers: as(token), payload: payload as object });
    expect((await put(ada, { guidelines: 'x' })).statusCode).toBe(403);
    const ok = await put(admin, { guidelines: 'Prefer upright.\nA swing past the top counts as upright.' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status.guidelines).toBe('Prefer upright.\nA swing past the top counts as upright.');
    expect((await app.inject({ method: 'GET', url: '/api/runs/r1', headers: as(ada) })).json().guidelines).toMatch(/^Prefer upright/);
    // 10,000 characters of any script fit (3 bytes each in UTF-8 here); an annotator is refused before its input is read.
    expect((await put(admin, { guidelines: '水'.repeat(10_000) })).statusCode).toBe(200);
    expect((await put(ada, { nonsense: 1 })).statusCode).toBe(403);
    const long = await put(admin, { guidelines: 'x'.repeat(10_001) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatch(/guidelines/);
    expect((await put(admin, { text: 'x' })).json().error).toMatch(/guidelines is required/);
    // Counted in UTF-16 units, as the dashboard's text box counts: 5,000 emoji fit, one more character does not.
    expect((await put(admin, { guidelines: '😀'.repeat(5_000) })).statusCode).toBe(200);
    const emoji = await put(admin, { guidelines: `${'😀'.repeat(5_000)}x` });
    expect(emoji.statusCode).toBe(400);
    expect(emoji.json().error).toBe('guidelines are 10001 characters long, counting an emoji as 2; at most 10000');
    expect(project.getRun('r1')!.guidelines).toBe('😀'.repeat(5_000));

    const pairs = (await app.inject({ method: 'GET', url: '/api/admin/runs/r1/pairs?limit=2', headers: as(admin) })).json().pairs;
    expect(pairs.map((p: { queryId: string }) => p.queryId)).toEqual(['q-3', 'q-2']);
    expect((await app.inject({ method: 'GET', url: '/api/admin/runs/r1/pairs?limit=0', headers: as(admin) })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/admin/runs/r1/pairs', headers: as(ada) })).statusCode).toBe(403);
    const pair = (await app.inject({ method: 'GET', url: '/api/admin/runs/r1/pairs/q-2', headers: as(admin) })).json();
    expect(pair).toMatchObject({ id: 'q-2', kind: 'normal', left: { id: 'seg-2', length: 10 }, right: { id: 'seg-3' } });
    expect(typeof pair.left.render).toBe('string');
    expect((await app.inject({ method: 'GET', url: '/api/admin/runs/r1/pairs/q-9', headers: as(admin) })).statusCode).toBe(404);

    const make = (token: string, payload: unknown) => app.inject({ method: 'POST', url: '/api/admin/runs/r1/gold', headers: as(token), payload: payload as object });
    expect((await make(ada, { queryId: 'q-2', answer: 'left' })).statusCode).toBe(403);
    expect((await make(admin, { queryId: 'q-2', answer: 'up' })).json().error).toMatch(/answer must be one of/);
    expect((await make(admin, { queryId: 'q-9', answer: 'left' })).statusCode).toBe(404);
    const gold = await make(admin, { queryId: 'q-2', answer: 'right' });
    expect(gold.statusCode).toBe(200);
    expect(gold.json().gold).toMatchObject({ id: 'gold-q-2', sourceQueryId: 'q-2', answer: 'right', answered: 0, correct: 0 });
    expect((await app.inject({ method: 'GET', url: '/api/admin/runs/r1/gold', headers: as(admin) })).json().gold.map((g: { id: string }) => g.id)).toEqual(['gold-q-2']);
    expect(project.queryKinds('r1').get('gold-q-2')).toBe('gold');
    // The pair list shows which pairs are gold already.
    expect((await app.inject({ method: 'GET', url: '/api/admin/runs/r1/pairs?limit=2', headers: as(admin) })).json().pairs[1]).toMatchObject({ queryId: 'q-2', goldId: 'gold-q-2' });
  });

  it('keeps admin routes to the admin token', async () => {
    const { app, ada, admin, as } = setup(1);
    expect((await app.inject({ method: 'GET', url: '/api/admin/annotators', headers: as(ada) })).statusCode).toBe(403);
    // The router decodes the path: an encoded admin path is an admin route, refused too.
    expect((await app.inject({ method: 'GET', url: '/api/%61dmin/annotators', headers: as(ada) })).statusCode).toBe(403);
    const list = await app.inject({ method: 'GET', url: '/api/admin/annotators', headers: as(admin) });
    expect(list.json().annotators.map((a: { name: string }) => a.name)).toEqual(['ada', 'bob', 'admin']);
    expect(list.body).not.toMatch(/token/i);
  });

  it('answers 300 malformed or fuzzed requests with a 4xx and a message, and stays up', async () => {
    const { app, project, ada, as } = setup(4);
    await app.inject({ method: 'GET', url: '/api/runs/r1/next?n=1', headers: as(ada) });
    const rng = new Rng(7);
    const randomValue = (depth: number): unknown => {
      switch (rng.integer(depth > 2 ? 5 : 7)) {
        case 0:
          return null;
        case 1:
          return rng.uniform(-1e9, 1e9);
        case 2:
          return rng.random() < 0.5;
        case 3:
          return String.fromCharCode(...Array.from({ length: rng.integer(40) }, () => rng.integer(0xd7ff)));
        case 4:
          return ['left', 'right', 'equal', 'incomparable', 'q-0', '', ' '][rng.integer(7)];
        case 5:
          return Array.from({ length: rng.integer(4) }, () => randomValue(depth + 1));
        default:
          return Object.fromEntries(Array.from({ length: rng.integer(5) }, () => [['queryId', 'answer', 'seconds', 'clientId', 'x', '__proto__'][rng.integer(6)], randomValue(depth + 1)]));
      }
    };
    const valid = label('q-0', 'fuzz-valid');
    const payloads: { payload: string; contentType?: string; url?: string; method?: 'POST' | 'GET' | 'PUT' | 'DELETE' }[] = [];
    // Each field broken in each way, one at a time.
    const broken: unknown[] = [null, 1, -1, 1.5, true, '', 'x'.repeat(300), [], {}, ['left'], { a: 1 }, 'LEFT', 'left ', -0.5, 1e12];
    for (const key of ['queryId', 'answer', 'seconds', 'clientId'] as const) {
      for (const bad of broken) {
        const p = { ...valid, clientId: `fuzz-${payloads.length}`, [key]: bad };
        // Some replacements are valid values for a field (e.g. null seconds); skip those.
        if ((key === 'seconds' && (bad === null || bad === 1 || bad === 1.5)) || (key === 'clientId' && (bad === 'x' || bad === 'LEFT' || bad === 'left '))) continue;
        payloads.push({ payload: JSON.stringify(p) });
      }
      const { [key]: _, ...missing } = valid;
      if (key !== 'seconds') payloads.push({ payload: JSON.stringify(missing) });
    }
    payloads.push({ payload: JSON.stringify({ ...valid, extra: 1 }) });
    payloads.push({ payload: JSON.stringify({ ...valid, queryId: 'q-3' }) }); // not assigned to ada
    payloads.push({ payload: JSON.stringify({ ...valid, queryId: 'nope' }) });
    payloads.push({ payload: JSON.stringify(valid), url: '/api/runs/nope/labels' });
    payloads.push({ payload: JSON.stringify(valid), contentType: 'text/plain' });
    payloads.push({ payload: JSON.stringify({ ...valid, clientId: 'x'.repeat(20_000) }) }); // over the body limit
    payloads.push({ payload: '', contentType: 'application/json' });
    payloads.push({ payload: JSON.stringify(valid), method: 'PUT' });
    payloads.push({ payload: JSON.stringify(valid), method: 'DELETE', url: '/api/runs/r1' });
    payloads.push({ payload: '', method: 'GET', url: '/api/runs/r1/next?n=0' });
    payloads.push({ payload: '', method: 'GET', url: '/api/runs/r1/next?n=abc' });
    payloads.push({ payload: '', method: 'GET', url: '/api/runs/r1/next?n=1&evil=1' });
    payloads.push({ payload: '', method: 'GET', url: `/api/runs/${'x'.repeat(300)}` });
    payloads.push({ payload: '', method: 'GET', url: '/api/nothing' });
    // Invalid JSON of many shapes.
    for (const text of ['{', '}', '[', '{"queryId":', 'null', '"left"', '42', 'true', '{"a":1}}', '\u0000', '{queryId: "q-0"}', "{'answer':'left'}", '[1,2,3]', '{"answer":"left",}']) payloads.push({ payload: text });
    // Random JSON values and random bytes.
    while (payloads.length < 300) {
      if (rng.random() < 0.7) payloads.push({ payload: JSON.stringify(randomValue(0)) ?? 'null' });
      else payloads.push({ payload: String.fromCharCode(...Array.from({ length: 1 + rng.integer(200 - 1) }, () => rng.integer(256))) });
    }
    expect(payloads.length).toBeGreaterThanOrEqual(300);
    for (const p of payloads) {
      const r = await app.inject({
        method: p.method ?? 'POST',
        url: p.url ?? '/api/runs/r1/labels',
        headers: { ...as(ada), ...(p.method === 'GET' ? {} : { 'content-type': p.contentType ?? 'application/json' }) },
        payload: p.method === 'GET' ? undefined : p.payload,
      });
      expect(r.statusCode, `${p.method ?? 'POST'} ${p.url ?? ''} ${p.payload.slice(0, 80)} -> ${r.body}`).toBeGreaterThanOrEqual(400);
      expect(r.statusCode).toBeLessThan(500);
      expect(typeof r.json().error).toBe('string');
    }
    expect(project.labelsSince('r1', 0)).toHaveLength(0);
    // Still up, and the valid label goes in.
    const ok = await app.inject({ method: 'POST', url: '/api/runs/r1/labels', headers: as(ada), payload: valid });
    expect(ok.statusCode).toBe(200);
  });
});

describe("a run's labeling view", () => {
  const floats = (b64: string) => new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);

  it('sends people what the view sees (NaN where it is blind) and says so in the status; a run without one, and the admin, get the full clips', async () => {
    const reacher = rollout('Reacher-v5', 3, 40, randomBox(2));
    const clips = [0, 10, 20].map((start) => clipOf(reacher, start, 10));
    const project = openProject(tmp());
    for (const [id, config] of [['seen', { prefs: { labelingView: 'projection' } }], ['full', { prefs: { labelingView: null } }]] as const) {
      project.createRun({ id, envId: 'Reacher-v5', labelBudget: 10, config, renderSpec: reacher.spec });
      project.putSegments(id, clips.map((segment) => ({ segment, truth: { segmentId: segment.id, rewards: new Float64Array(10) } })));
      project.putQueries(id, [{ id: 'q-0', leftId: clips[0].id, rightId: clips[1].id, askedAtStep: 0 }, { id: 'q-1', leftId: clips[1].id, rightId: clips[2].id, askedAtStep: 0 }]);
    }
    const ada = { authorization: `Bearer ${project.addAnnotator('ada').token}` };
    const admin = { authorization: `Bearer ${project.addAnnotator('admin', 'admin').token}` };
    const app = buildServer({ project, labelingView: labelingViewOf });
    cleanups.push(() => project.close(), () => app.close());
    /** Per render state: [x, y, z] of every geom are [finite, NaN, finite] (masked) or all finite. */
    const axes = (b64: string) => {
      const r = floats(b64);
      const ys = [];
      const xz = [];
      for (let o = 0; o < r.length; o += POSE_SIZE) ys.push(r[o + 1]), xz.push(r[o], r[o + 2]);
      return { ys, xz };
    };

    const seen = (await app.inject({ url: '/api/runs/seen/next?n=1', headers: ada })).json();
    expect(seen.status.view).toEqual({ name: 'projection', hides: expect.stringMatching(/y coordinate/) });
    const pair = seen.queries[0];
    for (const side of ['left', 'right']) {
      const { ys, xz } = axes(pair[side].render);
      expect(ys.every(Number.isNaN)).toBe(true);
      expect(xz.every(Number.isFinite)).toBe(true);
    }
    // Undo brings the pair back as the view sees it too.
    expect((await app.inject({ method: 'POST', url: '/api/runs/seen/labels', headers: ada, payload: label(pair.id, 'c1') })).statusCode).toBe(200);
    const undone = (await app.inject({ method: 'POST', url: '/api/runs/seen/labels/undo', headers: ada, payload: { clientId: 'c1' } })).json();
    expect(undone.status.view.name).toBe('projection');
    expect(axes(undone.query.left.render).ys.every(Number.isNaN)).toBe(true);
    // The admin's preview of a pair (to set a gold answer) stays full.
    const preview = (await app.inject({ url: '/api/admin/runs/seen/pairs/q-0', headers: admin })).json();
    expect(axes(preview.left.render).ys.some(Number.isNaN)).toBe(false);

    const full = (await app.inject({ url: '/api/runs/full/next?n=1', headers: ada })).json();
    expect(full.status.view).toBeNull();
    expect([...floats(full.queries[0].left.render), ...floats(full.queries[0].right.render)].some(Number.isNaN)).toBe(false);
    // A server given no views shows every run in full.
    const plain = buildServer({ project });
    cleanups.push(() => plain.close());
    expect((await plain.inject({ url: '/api/runs/seen', headers: ada })).json().view).toBeNull();
  }, 60_000);
});
