/**
 * The debate routes without a browser (app.inject): what a judging person is sent and what is
 * stored of their pick, resent picks, the rules applied to a person's reveals, the liar's
 * replies, the accuracy numbers and the export; races with an asynchronous store (gated calls),
 * the outstanding debate, the rollouts cap and a missing judge checkpoint.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type Mnist } from '../../data/mnist.js';
import { loadJudgeCheckpoint } from '../../cli/debatePlay.js';
import type { DebateStatsJson, DebaterGameJson, JudgeDebateJson, JudgeResultJson } from '../../server/api.js';
import { buildServer } from '../../server/app.js';
import type { ProjectStore } from '../../store/store.js';
import { honestMargin } from './game.js';
import type { Judge } from './judge.js';
import { imageAt } from './play.js';
import { registerDebateRoutes } from './server.js';
import { DebateSessionSchema } from './session.js';
import { debateServer, gatedStore, mnistSubset, templateJudge, type DebateServer, type DebateServerOptions, type Gate } from './testing/session.js';

let mnist: Mnist;
let judge: Judge;
beforeAll(() => {
  mnist = loadMnist('test');
  judge = templateJudge(mnist);
});

const open: DebateServer[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.app.close();
    s.project.close();
  }
});

function setup(session: Parameters<typeof debateServer>[1] = {}, opts: DebateServerOptions & { seed?: number } = {}) {
  const s = debateServer(judge, session, null, opts.seed ?? 1, opts);
  open.push(s);
  const call = async <T>(token: string, method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: T; text: string }> => {
    const res = await s.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(method === 'POST' ? { payload: body ?? {} } : {}) });
    let json: T;
    try {
      json = res.json() as T;
    } catch {
      json = undefined as T; // JSON lines (the export)
    }
    return { status: res.statusCode, json, text: res.body };
  };
  return { ...s, call };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits (up to ~2 s) until `ready()`. */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ready(); i++) await sleep(5);
  expect(ready()).toBe(true);
}

/** The debate routes on a store whose `calls` wait at gates the test opens (see `gatedStore`). */
function gatedSetup<K extends 'getRun' | 'putDebateGame'>(calls: K[], session: Parameters<typeof debateServer>[1] = {}) {
  let gates!: Record<K, Gate>;
  const s = setup(session, {
    store: (project: ProjectStore) => {
      const g = gatedStore(project, calls);
      gates = g.gates;
      return g.store;
    },
  });
  return { ...s, gates };
}

/** The inked pixels of a debater game's image. */
const inkedOf = (g: DebaterGameJson) => g.image.map((v, p) => (v > 0 ? p : -1)).filter((p) => p >= 0);

/** Plays the person's side of a debater game to its end (the first unrevealed inked pixel each turn). */
async function playToEnd(call: ReturnType<typeof setup>['call'], token: string, g: DebaterGameJson): Promise<DebaterGameJson> {
  while (g.verdict === null) {
    const pixel = inkedOf(g).find((p) => !g.reveals.some((r) => r.pixel === p))!;
    const res = await call<DebaterGameJson>(token, 'POST', `/api/debate/d1/debater/${g.gameId}/reveal`, { pixel, turn: g.reveals.length });
    expect(res.status).toBe(200);
    g = res.json;
  }
  return g;
}

/** The model judge's pick between truth and lie on these reveals (ties to the liar). */
function modelPickOf(imageIndex: number, pixels: number[], truth: number, lie: number): number {
  const image = imageAt(mnist, imageIndex);
  const margin = honestMargin(judge.logits([{ pixels, values: pixels.map((p) => image[p]) }]), 0, truth, lie);
  return margin > 0 ? truth : lie;
}

describe('judge mode', () => {
  it('sends the two claims and the reveals, never the image nor which claim is honest; the pick is stored with the model judge’s', async () => {
    const { call, ada, project } = setup();
    const next = await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next');
    expect(next.status).toBe(200);
    const d = next.json;
    expect(Object.keys(d).sort()).toEqual(['accuracy', 'claims', 'gameId', 'k', 'reveals']);
    expect(d.k).toBe(4);
    expect(d.claims[0]).not.toBe(d.claims[1]);
    expect(d.reveals).toHaveLength(4);
    for (const r of d.reveals) expect(Object.keys(r).sort()).toEqual(['claim', 'pixel', 'value']);
    // Players alternate, so the claims alternate too.
    expect(d.reveals.map((r) => r.claim)).toEqual([0, 1, 0, 1].map((i) => (i + d.reveals[0].claim) % 2));
    for (const word of ['image', 'truth', 'honest', 'liar', 'lie', 'imageIndex', 'label']) expect(next.text).not.toContain(word);
    expect(d.accuracy).toEqual({ games: 0, person: 0, model: 0 });

    const pick = d.claims[0];
    const res = await call<JudgeResultJson>(ada, 'POST', `/api/debate/d1/judge/${d.gameId}`, { pick, seconds: 7.5, clientId: 'ada-1' });
    expect(res.status).toBe(200);
    const [g] = project.debateGames('d1');
    expect(g).toMatchObject({ id: 'ada-1', annotator: 'ada', role: 'judge', k: 4, precommit: true, personPick: pick, seconds: 7.5 });
    expect(g.truth).toBe(mnist.labels[g.imageIndex]);
    expect([g.truth, g.lie].sort()).toEqual([...d.claims].sort());
    expect(g.reveals.map((r) => r.pixel)).toEqual(d.reveals.map((r) => r.pixel));
    // Each reveal was made by the player of the claim it was shown under, and has the image's value.
    const image = imageAt(mnist, g.imageIndex);
    g.reveals.forEach((r, i) => {
      expect(d.claims[d.reveals[i].claim]).toBe(r.by === 'honest' ? g.truth : g.lie);
      expect(d.reveals[i].value).toBe(image[r.pixel]);
    });
    expect(g.firstMover).toBe(g.reveals[0].by);
    expect(g.modelPick).toBe(modelPickOf(g.imageIndex, g.reveals.map((r) => r.pixel), g.truth, g.lie!));
    expect(res.json).toMatchObject({ gameId: d.gameId, pick, right: pick === g.truth, truth: g.truth, modelPick: g.modelPick, duplicate: false });
    expect(res.json.image).toEqual(Array.from(image, (v) => Math.round(v * 255)));
    expect(res.json.accuracy).toEqual({ games: 1, person: pick === g.truth ? 1 : 0, model: g.modelPick === g.truth ? 1 : 0 });
  });

  it('a resent pick is stored once (also after a restart); another pick of the same debate is refused', async () => {
    const s = setup();
    const { call, ada, bob, project } = s;
    const d = (await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next')).json;
    const body = { pick: d.claims[1], seconds: 3, clientId: 'c-1' };
    // Only the person it was dealt to may judge it.
    expect((await call(bob, 'POST', `/api/debate/d1/judge/${d.gameId}`, body)).status).toBe(404);
    const first = await call<JudgeResultJson>(ada, 'POST', `/api/debate/d1/judge/${d.gameId}`, body);
    const again = await call<JudgeResultJson>(ada, 'POST', `/api/debate/d1/judge/${d.gameId}`, body);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...first.json, duplicate: true });
    expect(project.debateGames('d1')).toHaveLength(1);
    const other = await call<{ error: string }>(ada, 'POST', `/api/debate/d1/judge/${d.gameId}`, { ...body, clientId: 'c-2' });
    expect(other.status).toBe(409);
    expect(other.json.error).toMatch(/was judged already/);
    // A pick that is neither claim.
    const d2 = (await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next')).json;
    const neither = [0, 1, 2].find((c) => !d2.claims.includes(c))!;
    const bad = await call<{ error: string }>(ada, 'POST', `/api/debate/d1/judge/${d2.gameId}`, { pick: neither, clientId: 'c-3' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/pick must be one of the two claims/);

    // A restarted server has forgotten the debates in progress; a resent pick finds the stored game.
    const restarted = buildServer({ project });
    registerDebateRoutes(restarted, { project, loadJudge: () => judge });
    const res = await restarted.inject({ method: 'POST', url: `/api/debate/d1/judge/${d.gameId}`, headers: { authorization: `Bearer ${ada}` }, payload: body });
    expect(res.json()).toEqual({ ...first.json, duplicate: true });
    const gone = await restarted.inject({ method: 'POST', url: `/api/debate/d1/judge/${d2.gameId}`, headers: { authorization: `Bearer ${ada}` }, payload: { pick: d2.claims[0], clientId: 'c-4' } });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error).toMatch(/fetch a new debate/);
    await restarted.close();
    expect(project.debateGames('d1')).toHaveLength(1);
  });

  it('a pick resent with other seconds (or even the other claim) after it was stored gets the stored outcome, not a conflict', async () => {
    const { call, ada, project } = setup();
    const d = (await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next')).json;
    const first = await call<JudgeResultJson>(ada, 'POST', `/api/debate/d1/judge/${d.gameId}`, { pick: d.claims[1], seconds: 3, clientId: 'c-1' });
    expect(first.status).toBe(200);
    // The response was lost; an older page resends with the seconds measured now, and the other claim.
    for (const resent of [{ pick: d.claims[1], seconds: 9.5 }, { pick: d.claims[0], seconds: null }, { pick: d.claims[0] }]) {
      const again = await call<JudgeResultJson>(ada, 'POST', `/api/debate/d1/judge/${d.gameId}`, { ...resent, clientId: 'c-1' });
      expect(again.status).toBe(200);
      expect(again.json).toEqual({ ...first.json, duplicate: true });
    }
    expect(project.debateGames('d1')).toHaveLength(1);
    expect(project.debateGames('d1')[0]).toMatchObject({ id: 'c-1', personPick: d.claims[1], seconds: 3 });
  });

  it('with an asynchronous store, a second pick while the first is being stored is refused, and the same pick resent waits for it', async () => {
    const { call, ada, project, gates } = gatedSetup(['putDebateGame']);
    const d = (await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next')).json;
    const url = `/api/debate/d1/judge/${d.gameId}`;
    gates.putDebateGame.close();
    const a = call<JudgeResultJson>(ada, 'POST', url, { pick: d.claims[0], seconds: 2, clientId: 'tab-1' });
    await until(() => gates.putDebateGame.arrived === 1);
    // Another tab picks the other claim under its own client id, and the first tab resends its pick.
    const b = call<{ error: string }>(ada, 'POST', url, { pick: d.claims[1], seconds: 2, clientId: 'tab-2' });
    const resent = call<JudgeResultJson>(ada, 'POST', url, { pick: d.claims[0], seconds: 5, clientId: 'tab-1' });
    await sleep(50);
    gates.putDebateGame.open();
    const [ra, rb, rr] = await Promise.all([a, b, resent]);
    expect(ra.status).toBe(200);
    expect(ra.json.duplicate).toBe(false);
    expect(rb.status).toBe(409);
    expect(rb.json.error).toMatch(/was judged already/);
    expect(rr.status).toBe(200);
    expect(rr.json).toEqual({ ...ra.json, duplicate: true });
    expect(gates.putDebateGame.arrived).toBe(1);
    expect(project.debateGames('d1').map((g) => [g.id, g.personPick, g.seconds])).toEqual([['tab-1', d.claims[0], 2]]);
  });

  it('deals the person’s unanswered debate again (same debate, same order) until they pick: hard debates cannot be skipped', async () => {
    const { call, ada, bob } = setup();
    const d = (await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next')).json;
    const again = await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next');
    expect(again.status).toBe(200);
    expect(again.json).toEqual(d);
    // It is ada's outstanding debate, not bob's.
    expect((await call<JudgeDebateJson>(bob, 'POST', '/api/debate/d1/judge/next')).json.gameId).not.toBe(d.gameId);
    await call(ada, 'POST', `/api/debate/d1/judge/${d.gameId}`, { pick: d.claims[0], clientId: 'a-1' });
    const next = (await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next')).json;
    expect(next.gameId).not.toBe(d.gameId);
    expect(next.accuracy.games).toBe(1);
  });

  it('never deals a person to judge an image they saw in debater mode (stored or in progress)', async () => {
    const test3 = mnistSubset(mnist, 3);
    const indexOf = (g: DebaterGameJson) => [0, 1, 2].find((i) => imageAt(test3, i).every((v, p) => Math.round(v * 255) === g.image[p]))!;
    for (const seed of [1, 2, 3, 4, 5]) {
      const { call, ada, project } = setup({}, { seed, mnist: () => test3 });
      const played = await playToEnd(call, ada, (await call<DebaterGameJson>(ada, 'POST', '/api/debate/d1/debater/next')).json);
      const open = (await call<DebaterGameJson>(ada, 'POST', '/api/debate/d1/debater/next')).json;
      const seen = [indexOf(played), indexOf(open)];
      expect(new Set(seen).size).toBe(2);
      const d = (await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next')).json;
      await call(ada, 'POST', `/api/debate/d1/judge/${d.gameId}`, { pick: d.claims[0], clientId: `j-${seed}` });
      const judged = project.debateGames('d1').find((g) => g.role === 'judge')!;
      expect(seen).not.toContain(judged.imageIndex);
    }
  });

  it('refuses MCTS rollouts beyond the cap: the search runs inside requests', async () => {
    expect(DebateSessionSchema.safeParse({ k: 4, judge: 'j.json', debater: 'mcts', rollouts: 1000 }).success).toBe(true);
    const refused = DebateSessionSchema.safeParse({ k: 4, judge: 'j.json', debater: 'mcts', rollouts: 10_000 });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0].message).toMatch(/at most 1000.*inside the server's requests/);
    const { call, ada } = setup({ debater: 'mcts', rollouts: 10_000 });
    const res = await call<{ error: string }>(ada, 'POST', '/api/debate/d1/judge/next');
    expect(res.status).toBe(404);
    expect(res.json.error).toMatch(/rollouts: at most 1000/);
  });

  it('a missing judge checkpoint answers 503 naming the path and the command that makes it', async () => {
    const { call, ada } = setup({}, { loadJudge: async (path, k) => (await loadJudgeCheckpoint(path, k)).judge });
    for (const url of ['/api/debate/d1/judge/next', '/api/debate/d1/debater/next']) {
      const res = await call<{ error: string }>(ada, 'POST', url);
      expect(res.status).toBe(503);
      expect(res.json.error).toContain('test-judge.json');
      expect(res.json.error).toContain('overseer debate train-judge --k 4');
    }
    expect((await call(ada, 'GET', '/api/debate/d1/stats')).status).toBe(200);
  });

  it('counts the person’s and the model judge’s right picks on the same debates, and never deals a person an image twice', async () => {
    const { call, ada, bob, admin, project } = setup();
    for (let i = 0; i < 3; i++) {
      const d = (await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next')).json;
      await call(ada, 'POST', `/api/debate/d1/judge/${d.gameId}`, { pick: d.claims[i % 2], clientId: `a-${i}` });
    }
    const d = (await call<JudgeDebateJson>(bob, 'POST', '/api/debate/d1/judge/next')).json;
    const last = await call<JudgeResultJson>(bob, 'POST', `/api/debate/d1/judge/${d.gameId}`, { pick: d.claims[0], clientId: 'b-0' });
    const games = project.debateGames('d1');
    const adas = games.filter((g) => g.annotator === 'ada');
    expect(new Set(adas.map((g) => g.imageIndex)).size).toBe(3);
    const count = (gs: typeof games) => ({ games: gs.length, person: gs.filter((g) => g.personPick === g.truth).length, model: gs.filter((g) => g.modelPick === g.truth).length });
    expect(last.json.accuracy).toEqual(count(games.filter((g) => g.annotator === 'bob')));

    const stats = (await call<DebateStatsJson>(ada, 'GET', '/api/debate/d1/stats')).json;
    expect(stats.session).toEqual({ runId: 'd1', k: 4, debater: 'greedy', rollouts: null, finished: false });
    expect(stats.you.judging).toEqual(count(adas));
    expect(stats.all.judging).toEqual(count(games));
    expect(stats.all.debating).toEqual({ games: 0, wins: 0 });
    // A person sees their own row; the admin sees everyone's.
    expect(stats.people.map((p) => p.name)).toEqual(['ada']);
    const all = (await call<DebateStatsJson>(admin, 'GET', '/api/debate/d1/stats')).json;
    expect(all.people.map((p) => [p.name, p.judging])).toEqual([
      ['ada', count(adas)],
      ['bob', count(games.filter((g) => g.annotator === 'bob'))],
    ]);
  });

  it('refuses a run that is not a debate session, and new debates in a finished one; the export carries the games', async () => {
    const { call, ada, admin, project } = setup();
    project.createRun({ id: 'p1', envId: 'Pendulum-v1' });
    const notDebate = await call<{ error: string }>(ada, 'POST', '/api/debate/p1/judge/next');
    expect(notDebate.status).toBe(404);
    expect(notDebate.json.error).toMatch(/not a debate session/);
    expect((await call(ada, 'POST', '/api/debate/nope/judge/next')).status).toBe(404);

    const d = (await call<JudgeDebateJson>(ada, 'POST', '/api/debate/d1/judge/next')).json;
    await call(ada, 'POST', `/api/debate/d1/judge/${d.gameId}`, { pick: d.claims[0], clientId: 'x-1' });
    const res = await call<never>(admin, 'GET', '/api/admin/export?run=d1');
    const lines = res.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const games = lines.filter((l) => l.type === 'debate-game');
    expect(games).toHaveLength(1);
    expect(games[0]).toMatchObject({ run: 'd1', id: 'x-1', annotator: 'ada', role: 'judge', personPick: d.claims[0] });
    expect((await call(ada, 'GET', '/api/admin/export?run=d1')).status).toBe(403);

    project.finishRun('d1');
    const finished = await call<{ error: string }>(ada, 'POST', '/api/debate/d1/debater/next');
    expect(finished.status).toBe(409);
    expect(finished.json.error).toMatch(/has finished/);
    expect((await call<DebateStatsJson>(ada, 'GET', '/api/debate/d1/stats')).json.session.finished).toBe(true);
  });
});

describe('debater mode', () => {
  it('the person argues for the truth; bad reveals are refused in the rules’ words, the MCTS liar replies, and the model judge decides', async () => {
    const { call, ada, bob, project } = setup({ debater: 'mcts', rollouts: 24 });
    const start = await call<DebaterGameJson>(ada, 'POST', '/api/debate/d1/debater/next');
    expect(start.status).toBe(200);
    let g = start.json;
    expect(g.image).toHaveLength(784);
    const index = [...Array(mnist.count).keys()].find((i) => imageAt(mnist, i).every((v, p) => Math.round(v * 255) === g.image[p]))!;
    expect(g.truth).toBe(mnist.labels[index]);
    expect(g.lie).not.toBe(g.truth);
    expect(g.reveals.map((r) => r.by)).toEqual(g.first === 'liar' ? ['liar'] : []);
    expect(g.verdict).toBeNull();

    const zero = g.image.findIndex((v) => v === 0);
    const refused = await call<{ error: string }>(ada, 'POST', `/api/debate/d1/debater/${g.gameId}/reveal`, { pixel: zero });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe(`debate: pixel ${zero} is zero; only nonzero pixels may be revealed`);
    if (g.first === 'liar') {
      const taken = g.reveals[0].pixel;
      const again = await call<{ error: string }>(ada, 'POST', `/api/debate/d1/debater/${g.gameId}/reveal`, { pixel: taken });
      expect(again.json.error).toBe(`debate: pixel ${taken} is already revealed`);
    }
    // Someone else cannot move in ada's game.
    const inked = g.image.map((v, p) => (v > 0 ? p : -1)).filter((p) => p >= 0);
    expect((await call(bob, 'POST', `/api/debate/d1/debater/${g.gameId}/reveal`, { pixel: inked[0] })).status).toBe(404);

    let moves = 0;
    while (g.verdict === null) {
      const pixel = inked.find((p) => !g.reveals.some((r) => r.pixel === p))!;
      const before = g.reveals.length;
      const res = await call<DebaterGameJson>(ada, 'POST', `/api/debate/d1/debater/${g.gameId}/reveal`, { pixel, turn: before, seconds: 2 * ++moves });
      expect(res.status).toBe(200);
      g = res.json;
      expect(g.reveals[before]).toEqual({ pixel, value: imageAt(mnist, index)[pixel], by: 'honest' });
      // The liar replied at once, unless the person's reveal was the k-th.
      if (before + 1 < g.k) expect(g.reveals[before + 1].by).toBe('liar');
      // A resent reveal is answered with the game as it is.
      const resent = await call<DebaterGameJson>(ada, 'POST', `/api/debate/d1/debater/${g.gameId}/reveal`, { pixel, turn: before });
      expect(resent.json.reveals).toEqual(g.reveals);
    }
    expect(moves).toBe(2);
    expect(g.reveals).toHaveLength(4);
    const [stored] = project.debateGames('d1');
    expect(stored).toMatchObject({ id: g.gameId, annotator: 'ada', role: 'debater', imageIndex: index, truth: g.truth, lie: g.lie, personPick: null, firstMover: g.first, seconds: 4 });
    expect(stored.reveals).toEqual(g.reveals.map(({ pixel, by }) => ({ pixel, by })));
    const pick = modelPickOf(index, g.reveals.map((r) => r.pixel), g.truth, g.lie);
    expect(g.verdict).toMatchObject({ winner: pick === g.truth ? 'honest' : 'liar', modelPick: pick });
    expect(g.record).toEqual({ games: 1, wins: pick === g.truth ? 1 : 0 });
    const over = await call<{ error: string }>(ada, 'POST', `/api/debate/d1/debater/${g.gameId}/reveal`, { pixel: inked.find((p) => !g.reveals.some((r) => r.pixel === p))! });
    expect(over.status).toBe(409);
    expect(over.json.error).toMatch(/is over/);
    const stats = (await call<DebateStatsJson>(ada, 'GET', '/api/debate/d1/stats')).json;
    expect(stats.you.debating).toEqual(g.record);
    expect(stats.session).toMatchObject({ debater: 'mcts', rollouts: 24 });
  });

  it('with an asynchronous store, two reveals sent at once for the same turn play one; a reveal resent while the game is being stored gets the verdict', async () => {
    const { call, ada, project, gates } = gatedSetup(['getRun', 'putDebateGame']);
    let g = (await call<DebaterGameJson>(ada, 'POST', '/api/debate/d1/debater/next')).json;
    const url = `/api/debate/d1/debater/${g.gameId}/reveal`;
    const [p1, p2] = inkedOf(g).filter((p) => !g.reveals.some((r) => r.pixel === p));
    const turn = g.reveals.length;
    // Both requests wait for the run at once, then go on together.
    gates.getRun.close();
    const before = gates.getRun.arrived;
    const r1 = call<DebaterGameJson>(ada, 'POST', url, { pixel: p1, turn });
    const r2 = call<DebaterGameJson>(ada, 'POST', url, { pixel: p2, turn });
    await until(() => gates.getRun.arrived === before + 2);
    gates.getRun.open();
    const results = await Promise.all([r1, r2]);
    expect(results.map((x) => x.status).sort()).toEqual([200, 409]);
    const won = results.findIndex((x) => x.status === 200);
    expect((results[1 - won].json as unknown as { error: string }).error).toMatch(/was played already/);
    g = results[won].json as DebaterGameJson;
    expect(g.reveals.map((r) => r.by)).toEqual(g.first === 'liar' ? ['liar', 'honest', 'liar'] : ['honest', 'liar']);
    expect(g.reveals.filter((r) => r.pixel === p1 || r.pixel === p2)).toHaveLength(1);

    // The person's last reveal (the liar's reply, if any, ends the game): its game is being stored when the same reveal is resent.
    const final = inkedOf(g).find((p) => !g.reveals.some((r) => r.pixel === p))!;
    gates.putDebateGame.close();
    const end = call<DebaterGameJson>(ada, 'POST', url, { pixel: final, turn: g.reveals.length, seconds: 6 });
    await until(() => gates.putDebateGame.arrived === 1);
    const resent = call<DebaterGameJson>(ada, 'POST', url, { pixel: final, turn: g.reveals.length, seconds: 9 });
    await sleep(50);
    gates.putDebateGame.open();
    const [e, r] = await Promise.all([end, resent]);
    expect(e.status).toBe(200);
    expect(e.json.verdict).not.toBeNull();
    expect(r.status).toBe(200);
    expect(r.json).toEqual(e.json);
    expect(gates.putDebateGame.arrived).toBe(1);
    expect(project.debateGames('d1').map((x) => [x.id, x.seconds])).toEqual([[g.gameId, 6]]);
  });
});
