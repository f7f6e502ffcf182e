/**
 * Several app servers on one PostgreSQL database: two `overseer serve --db` processes and a
 * `prefs --teacher human --db` run share one run. People label through both servers at once:
 * no normal pair is handed to two of them, every acknowledged label is stored exactly once, the
 * run trains on them and finishes, and both servers report the same counts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../cli/io.js';
import { runCli } from '../cli/program.js';
import { tmp } from '../cli/testing/cli.js';
import { PgProjectStore } from '../store/postgres/store.js';
import { testDatabase } from '../store/testing/postgres.js';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

let db: Awaited<ReturnType<typeof testDatabase>>;
const children: ChildProcess[] = [];
beforeAll(async () => {
  db = await testDatabase('servers');
}, 30_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await db?.drop();
});

/** `overseer serve --db` in its own process; resolves with its base URL once it listens. */
function serve(url: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--db', url, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

describe('several app servers on one PostgreSQL', () => {
  it('two servers and a prefs run share one run: no pair handed out twice, no label lost or doubled, the same counts everywhere', async () => {
    // The people, made before anything starts (the database keeps only their tokens' hashes).
    const setup = new PgProjectStore(db.url);
    const people = ['ada', 'bo', 'cy', 'di'].map((name) => ({ name, ...setup.addAnnotator(name) }));
    setup.addAnnotator('boss', 'admin');
    setup.close();

    const out = join(tmp(), 'pend');
    let stdout = '';
    const io: CliIO = { stdout: (t) => void (stdout += t), stderr: () => {}, isTTY: false };
    const budget = 24;
    const run = runCli(['prefs', '--env', 'Pendulum-v1', '--teacher', 'human', '--db', db.url, '--label-budget', String(budget), '--undo-seconds', '0', '--steps', '49152', '--eval-episodes', '1', '--rm', 'ensembleSize=2', '--port', '0', '--out', out, '--no-progress'], io);
    let done = false;
    void run.then(() => (done = true));
    const servers = await Promise.all([serve(db.url), serve(db.url)]);
    // An admin existed, so the run names no link with a token in it.
    expect(stdout).not.toMatch(/token=/);

    const heldBy = new Map<string, string>();
    const acknowledged: string[] = [];
    const clash: string[] = [];
    // Each person alternates between the two servers, asking for a pair and answering it.
    await Promise.all(
      people.map(async (p, i) => {
        const headers = { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' };
        for (let k = 0; !done && acknowledged.length < budget * 2; k++) {
          const base = servers[(i + k) % 2];
          const res = await fetch(`${base}/api/runs/pend/next?n=1`, { headers }).catch(() => null);
          const q = res?.ok ? ((await res.json()) as { queries: { id: string; kind: string }[] }).queries[0] : undefined;
          if (!q) {
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          if (q.kind === 'normal') {
            const holder = heldBy.get(q.id);
            if (holder !== undefined && holder !== p.name) clash.push(`${q.id}: ${holder} and ${p.name}`);
            heldBy.set(q.id, p.name);
          }
          const clientId = `${p.name}-${k}`;
          const post = await fetch(`${servers[(i + k + 1) % 2]}/api/runs/pend/labels`, { method: 'POST', headers, body: JSON.stringify({ queryId: q.id, answer: k % 2 ? 'left' : 'right', seconds: 0.2, clientId }) });
          if (post.status === 200) acknowledged.push(clientId);
          else expect([409]).toContain(post.status); // the run finished meanwhile
        }
      }),
    );
    expect(await run).toBe(0);
    expect(clash).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(budget / 2);

    const check = new PgProjectStore(db.url);
    try {
      const stored = check.labelsSince('pend', 0).map((l) => l.clientId);
      // Every acknowledged label once; nothing else from people.
      expect([...stored].sort()).toEqual([...acknowledged].sort());
      expect(check.getRun('pend')?.finishedAt).not.toBeNull();
    } finally {
      check.close();
    }
    // Both servers see the same run.
    const admin = people[0].token;
    const views = await Promise.all(servers.map(async (s) => (await (await fetch(`${s}/api/runs/pend`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { labels: number; queueDepth: number; state: string }));
    expect(views[0]).toEqual(views[1]);
    expect(views[0].state).toBe('finished');
  }, 180_000);
});
