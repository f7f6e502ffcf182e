import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Segment } from '../prefs/segments.js';
import { locationOf, openProjectAt } from '../store/open.js';
import { testDatabase } from '../store/testing/postgres.js';

const ROUNDS = Number(process.env.KILL_ROUNDS ?? 20);
const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

const segment = (i: number): Segment => ({ id: `seg-${i}`, envId: 'Pendulum-v1', seed: 1, envIndex: 0, globalStep: i, length: 5, obsSize: 1, actionSize: 1, renderSize: 2, render: new Float32Array(10).fill(i), obs: new Float32Array(5), actions: new Float32Array(5), terminated: false });

/** `overseer serve` on a project (a directory or a postgres:// URL) in a child process; resolves with its base URL once it listens. */
function serve(target: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', target.startsWith('postgres') ? '--db' : '--project', target, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += String(d)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += String(d);
      const m = /on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${err}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, url, exited };
}

let pg: Awaited<ReturnType<typeof testDatabase>> | null = null;
beforeAll(async () => {
  pg = await testDatabase('durability');
}, 30_000);
afterAll(async () => {
  await pg?.drop();
});

describe.each([
  ['SQLite', () => mkdtempSync(join(tmpdir(), 'overseer-kill-'))],
  ['PostgreSQL', () => pg!.url],
])('labeling server durability (%s)', (_name, target) => {
  it('SIGKILL in the middle of a stream of submissions, 20 times over, loses no acknowledged label', async () => {
    const dir = target();
    const project = openProjectAt(locationOf(dir));
    project.createRun({ id: 'r', envId: 'Pendulum-v1' });
    const segs = Array.from({ length: 2001 }, (_, i) => segment(i));
    project.putSegments('r', segs.map((segment) => ({ segment })));
    project.putQueries('r', segs.slice(1).map((s, i) => ({ id: `q-${i}`, leftId: segs[i].id, rightId: s.id, askedAtStep: 0 })));
    const tokens = ['a', 'b', 'c'].map((name) => project.addAnnotator(name).token);
    project.close();

    const acked = new Set<string>();
    let sent = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { child, url, exited } = serve(dir);
      const base = await url;
      let killed = false;
      // Three annotators submit as fast as they can; each remembers what the server acknowledged.
      const annotator = async (token: string, who: number) => {
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        for (let k = 0; !killed; k++) {
          try {
            const next = await fetch(`${base}/api/runs/r/next?n=1`, { headers });
            const [q] = ((await next.json()) as { queries: { id: string }[] }).queries;
            if (!q) return;
            const clientId = `r${round}-${who}-${k}`;
            sent += 1;
            const res = await fetch(`${base}/api/runs/r/labels`, { method: 'POST', headers, body: JSON.stringify({ queryId: q.id, answer: 'left', seconds: 0.1, clientId }) });
            if (res.status === 200) acked.add(clientId);
            else throw new Error(`submission refused: ${res.status} ${await res.text()}`);
          } catch (e) {
            if (killed) return;
            throw e;
          }
        }
      };
      const streams = tokens.map((t, i) => annotator(t, i));
      // Kill once the stream is flowing (a few labels in), at a different moment each round.
      const before = acked.size;
      while (acked.size < before + 5) await new Promise((r) => setTimeout(r, 2));
      await new Promise((r) => setTimeout(r, 13 * (round % 8)));
      killed = true;
      child.kill('SIGKILL');
      await Promise.all(streams);
      await exited;
    }

    const check = openProjectAt(locationOf(dir));
    const stored = check.labelsSince('r', 0);
    check.close();
    const storedIds = new Set(stored.map((l) => l.clientId));
    const lost = [...acked].filter((id) => !storedIds.has(id));
    expect(lost).toEqual([]);
    // Each query was answered at most once, and nothing was stored that was not sent.
    expect(new Set(stored.map((l) => l.queryId)).size).toBe(stored.length);
    expect(stored.length).toBeLessThanOrEqual(sent);
    expect(acked.size).toBeGreaterThanOrEqual(5 * ROUNDS);
  }, 240_000);
});
