import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeProjectStore, testGame, testSegment } from './contract.js';
import { PgBackend } from './postgres/backend.js';
import { PG_SCHEMA_VERSION } from './postgres/schema.js';
import { PgProjectStore, type PgStoreOptions } from './postgres/store.js';
import { ConflictError, type ProjectStore } from './store.js';
import { freshSchema, testDatabase } from './testing/postgres.js';

// Known only once beforeAll has made the database; the stores are opened inside tests.
let url = '';
let drop: () => Promise<void> = async () => {};

beforeAll(async () => {
  const db = await testDatabase('contract');
  url = db.url;
  drop = db.drop;
});
afterAll(async () => {
  await drop();
});

describeProjectStore('PostgreSQL', (options) => new PgProjectStore(url, { ...options, schema: freshSchema() }));

/** Runs SQL on the test database directly (not through a store). */
async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** A run with `n` segments and a normal query over each consecutive pair (q-0 .. q-(n-2)). */
function seed(p: Pick<ProjectStore, 'createRun' | 'putSegments' | 'putQueries'>, n: number): void {
  p.createRun({ id: 'run1', envId: 'Hopper-v5' });
  const segs = Array.from({ length: n }, (_, i) => testSegment(i, 2));
  p.putSegments('run1', segs.map((segment) => ({ segment })));
  p.putQueries('run1', segs.slice(1).map((s, i) => ({ id: `q-${i}`, leftId: segs[i].id, rightId: s.id, askedAtStep: i })));
}

describe('PostgreSQL project store', () => {
  const opened: PgProjectStore[] = [];
  const open = (options: PgStoreOptions) => {
    const p = new PgProjectStore(url, options);
    opened.push(p);
    return p;
  };
  afterEach(() => {
    for (const p of opened.splice(0)) p.close();
  });

  it('creates the schema in an empty database, reopens it without migrating again, and refuses a newer one', async () => {
    const schema = freshSchema('migrate');
    open({ schema }).createRun({ id: 'a', envId: 'Hopper-v5' });
    opened.pop()!.close();
    expect(await sql(`SELECT version FROM ${schema}.schema_version`)).toEqual([{ version: PG_SCHEMA_VERSION }]);

    // Reopening applies nothing and keeps the data.
    expect(open({ schema }).listRuns().map((r) => r.id)).toEqual(['a']);
    opened.pop()!.close();
    expect(await sql(`SELECT version FROM ${schema}.schema_version`)).toEqual([{ version: PG_SCHEMA_VERSION }]);

    await sql(`UPDATE ${schema}.schema_version SET version = $1`, [PG_SCHEMA_VERSION + 1]);
    expect(() => open({ schema })).toThrow(new RegExp(`schema version ${PG_SCHEMA_VERSION + 1}, newer than this Overseer knows \\(${PG_SCHEMA_VERSION}\\); upgrade Overseer`));
  });

  it('migration 2 counts the people\'s answers a version-1 database already holds, and the count follows answers and undos', async () => {
    const schema = freshSchema('count');
    const p = open({ schema, repeatEvery: 0, goldEvery: 0 });
    seed(p, 6);
    const a = p.addAnnotator('a').annotator.id;
    for (const [i, q] of p.assignQueries('run1', a, 3).entries()) p.submitLabel({ runId: 'run1', queryId: q.query.id, annotatorId: a, answer: 'left', seconds: 1, clientId: `c${i}` });
    expect(p.peopleLabelCounts('run1', a)).toEqual({ labels: 3, mine: 3 });
    p.withdrawLabel('run1', a, 'c2');
    expect(p.peopleLabelCounts('run1', a)).toEqual({ labels: 2, mine: 2 });
    opened.pop()!.close();
    // As a database made before the counter: version 1, no counts.
    await sql(`DROP TABLE ${schema}.debate_games`);
    await sql(`DROP TABLE ${schema}.run_reports`);
    await sql(`DROP TABLE ${schema}.run_people_labels`);
    await sql(`UPDATE ${schema}.schema_version SET version = 1`);
    const again = open({ schema, repeatEvery: 0, goldEvery: 0 });
    expect(again.peopleLabelCounts('run1', a)).toEqual({ labels: 2, mine: 2 });
    expect(await sql(`SELECT version FROM ${schema}.schema_version`)).toEqual([{ version: PG_SCHEMA_VERSION }]);
  });

  it('migration 4 adds the debate games table to a version-3 database; its runs are as they were', async () => {
    const schema = freshSchema('games');
    const p = open({ schema });
    p.createRun({ id: 'r', envId: 'MNIST-debate', config: { debate: { k: 4 } } });
    p.putRunReport('r', 'attention', { units: [] });
    opened.pop()!.close();
    await sql(`DROP TABLE ${schema}.debate_games`);
    await sql(`UPDATE ${schema}.schema_version SET version = 3`);
    const again = open({ schema });
    expect(await sql(`SELECT version FROM ${schema}.schema_version`)).toEqual([{ version: PG_SCHEMA_VERSION }]);
    expect(again.getRun('r')).toMatchObject({ config: { debate: { k: 4 } } });
    expect(again.getRunReport('r', 'attention')!.body).toEqual({ units: [] });
    expect(again.debateGames('r')).toEqual([]);
    const { game } = again.putDebateGame('r', testGame());
    expect(again.debateGames('r')).toEqual([game]);
    // The table checks what a row can show, whatever writes it.
    await expect(sql(`UPDATE ${schema}.debate_games SET model_pick = 7`)).rejects.toThrow(/check constraint/);
  });

  it('two stores on one database (two app servers) never hand one pair to both annotators', () => {
    const schema = freshSchema('two');
    const [one, two] = [open({ schema, repeatEvery: 0, goldEvery: 0 }), open({ schema, repeatEvery: 0, goldEvery: 0 })];
    seed(one, 41);
    const a = one.addAnnotator('a').annotator.id;
    const b = two.addAnnotator('b').annotator.id;
    // Annotators are global: a name taken through one server is taken for the other.
    expect(() => two.addAnnotator(' a ')).toThrow(ConflictError);
    expect(() => two.addAnnotator('a')).toThrow(/annotator "a" already exists/);
    const held = new Map<string, number>();
    for (let round = 0; round < 20; round++) {
      for (const [store, who] of [
        [one, a],
        [two, b],
      ] as const) {
        const got = store.assignQueries('run1', who, 2);
        for (const q of got) {
          expect(held.get(q.query.id) ?? who).toBe(who);
          held.set(q.query.id, who);
        }
        // Answer one of them, so fresh pairs keep being handed out until none is left.
        if (got.length > 0) store.submitLabel({ runId: 'run1', queryId: got[0].query.id, annotatorId: who, answer: 'left', seconds: 1, clientId: `c-${who}-${round}` });
      }
    }
    expect(held.size).toBe(40);
    expect(one.labelsSince('run1', 0)).toHaveLength(40);
    expect(one.openQueryCount('run1')).toBe(0);
  });

  it('labels submitted alternately through two stores all appear once in labelsSince, in increasing seq', () => {
    const schema = freshSchema('seq');
    const [one, two] = [open({ schema, repeatEvery: 0, goldEvery: 0 }), open({ schema, repeatEvery: 0, goldEvery: 0 })];
    seed(one, 21);
    const a = one.addAnnotator('a').annotator.id;
    const b = two.addAnnotator('b').annotator.id;
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      for (const [store, who] of [
        [one, a],
        [two, b],
      ] as const) {
        const [q] = store.assignQueries('run1', who, 1);
        const clientId = `c-${who}-${i}`;
        store.submitLabel({ runId: 'run1', queryId: q.query.id, annotatorId: who, answer: 'right', seconds: 2, clientId });
        sent.push(clientId);
      }
    }
    for (const store of [one, two]) {
      const seen = store.labelsSince('run1', 0);
      expect(seen.map((l) => l.clientId)).toEqual(sent);
      expect(seen.every((l, i) => i === 0 || l.seq > seen[i - 1].seq)).toBe(true);
      const half = seen[9].seq;
      expect(store.labelsSince('run1', half).map((l) => l.clientId)).toEqual(sent.slice(10));
    }
  });

  it('concurrent transactions on two connections: no pair handed out twice, labels committed in seq order', async () => {
    const schema = freshSchema('race');
    // The backends directly, so that calls really overlap (the stores' calls block their caller).
    const backends = [new PgBackend({ url, schema, repeatEvery: 0, goldEvery: 0 }), new PgBackend({ url, schema, repeatEvery: 0, goldEvery: 0 })];
    try {
      await backends[0].open();
      await backends[1].open();
      const [x, y] = backends;
      await x.createRun({ id: 'run1', envId: 'Hopper-v5' });
      const segs = Array.from({ length: 61 }, (_, i) => testSegment(i, 2));
      await x.putSegments('run1', segs.map((segment) => ({ segment })));
      await x.putQueries('run1', segs.slice(1).map((s, i) => ({ id: `q-${i}`, leftId: segs[i].id, rightId: s.id, askedAtStep: i })));
      const people = await Promise.all(['a', 'b', 'c', 'd'].map(async (name, i) => ({ id: (await backends[i % 2].addAnnotator(name)).annotator.id, backend: backends[i % 2] })));
      const owner = new Map<string, number>();
      const answered: string[] = [];
      // A reader polls as the run does (labelsSince after the last seq it saw): if a seq could
      // commit before a smaller one of the same run, it would skip that label for good.
      const reader = new PgBackend({ url, schema });
      backends.push(reader);
      await reader.open();
      const polled: string[] = [];
      let writing = true;
      const poll = async () => {
        let last = 0;
        const once = async () => {
          for (const l of await reader.labelsSince('run1', last)) {
            polled.push(l.clientId!);
            last = l.seq;
          }
        };
        while (writing) await once();
        await once();
      };
      const polling = poll();
      // Each person asks for pairs and answers them as fast as they can, all at once.
      await Promise.all(
        people.map(async ({ id, backend }) => {
          for (let round = 0; round < 20; round++) {
            const got = await backend.assignQueries('run1', id, 1);
            if (got.length === 0) return;
            const qid = got[0].query.id;
            expect(owner.get(qid) ?? id).toBe(id);
            owner.set(qid, id);
            const clientId = `c-${id}-${round}`;
            await backend.submitLabel({ runId: 'run1', queryId: qid, annotatorId: id, answer: 'left', seconds: 1, clientId });
            answered.push(clientId);
          }
        }),
      ).finally(() => (writing = false));
      await polling;
      expect(answered).toHaveLength(60);
      expect(polled.toSorted()).toEqual(answered.toSorted());
      const seen = await y.labelsSince('run1', 0);
      expect(new Set(seen.map((l) => l.clientId))).toEqual(new Set(answered));
      expect(seen.every((l, i) => i === 0 || l.seq > seen[i - 1].seq)).toBe(true);
      expect(new Set(seen.map((l) => l.queryId)).size).toBe(60);
    } finally {
      await Promise.all(backends.map((b) => b.close()));
    }
  });

  it('replaces connections the server dropped (a restart) on the next call', async () => {
    const p = open({ schema: freshSchema('drop') });
    p.createRun({ id: 'a', envId: 'Hopper-v5' });
    const killed = await sql<{ n: number }>('SELECT COUNT(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    expect(killed[0].n).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(p.listRuns().map((r) => r.id)).toEqual(['a']);
    p.setEnvSteps('a', 5);
    expect(p.getRun('a')!.envSteps).toBe(5);
  });

  it('an unreachable server fails at once, naming the URL without its password', () => {
    const started = Date.now();
    expect(() => new PgProjectStore('postgres://overseer:s3cret@127.0.0.1:1/nothing', { schema: freshSchema() })).toThrow(/cannot reach PostgreSQL at postgres:\/\/overseer:\*\*\*@127\.0\.0\.1:1\/nothing/);
    expect(Date.now() - started).toBeLessThan(10_000);
    try {
      new PgProjectStore('postgres://overseer:s3cret@127.0.0.1:1/nothing');
    } catch (e) {
      expect((e as Error).message).not.toContain('s3cret');
    }
  });
});
