import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/program.js';
import type { CliIO } from '../cli/io.js';
import { tmp } from '../cli/testing/cli.js';
import { openProject } from '../store/sqlite.js';

interface PairJson {
  id: string;
  left: { render: string; length: number; renderSize: number };
  right: { render: string; length: number; renderSize: number };
}

/** Pendulum's render state is (theta, theta_dot); upright is theta = 0. */
function uprightness(segment: PairJson['left']): number {
  const b = Buffer.from(segment.render, 'base64');
  const r = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  let s = 0;
  for (let t = 0; t < segment.length; t++) s += Math.cos(r[t * segment.renderSize]);
  return s;
}

describe('overseer prefs --teacher human', () => {
  it('runs the loop with the labeling server beside it; answers posted over HTTP train the reward model', async () => {
    const out = join(tmp(), 'run');
    let stdout = '';
    const io: CliIO = { stdout: (t) => void (stdout += t), stderr: () => {}, isTTY: false };
    const run = runCli(
      ['prefs', '--env', 'Pendulum-v1', '--teacher', 'human', '--instructions', 'keep the <pendulum> upright', '--label-budget', '16', '--undo-seconds', '0', '--steps', '49152', '--eval-episodes', '1', '--rm', 'ensembleSize=2', '--port', '0', '--out', out, '--no-progress'],
      io,
    );
    // A scripted annotator: opens the printed link, then prefers the segment that stays more upright.
    let link: URL | null = null;
    while (!link) {
      const m = /label segments at (http:\/\/\S+)/.exec(stdout);
      if (m) link = new URL(m[1]);
      else await new Promise((r) => setTimeout(r, 20));
    }
    const token = link.searchParams.get('token')!;
    const runId = link.searchParams.get('run')!;
    expect(runId).toBe('run');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const base = link.origin;
    const status = await (await fetch(`${base}/api/runs/${runId}`, { headers })).json();
    expect(status).toMatchObject({ instructions: 'keep the <pendulum> upright', labelBudget: 16 });
    let answered = 0;
    let done = false;
    void run.then(() => (done = true));
    while (!done && answered < 16) {
      const res = await fetch(`${base}/api/runs/${runId}/next?n=1`, { headers }).catch(() => null);
      const body = res?.ok ? ((await res.json()) as { queries: PairJson[] }) : { queries: [] };
      const q = body.queries[0];
      if (!q) {
        await new Promise((r) => setTimeout(r, 30));
        continue;
      }
      const answer = uprightness(q.left) >= uprightness(q.right) ? 'left' : 'right';
      // The run may end (and its server close) while a label is on its way.
      const post = await fetch(`${base}/api/runs/${runId}/labels`, { method: 'POST', headers, body: JSON.stringify({ queryId: q.id, answer, seconds: 0.5, clientId: `c-${q.id}` }) }).catch(() => null);
      if (!post) break;
      expect(post.status).toBe(200);
      answered += 1;
    }
    expect(await run).toBe(0);
    expect(answered).toBeGreaterThanOrEqual(8);

    const project = openProject(out);
    const labels = project.labelsSince('run', 0);
    project.close();
    expect(labels.length).toBeGreaterThanOrEqual(answered);
    expect(labels.length).toBeLessThanOrEqual(answered + 1);
    expect(new Set(labels.map((l) => l.teacher))).toEqual(new Set(['admin']));
    // The loop took them in (each once) and refitted the reward model on them.
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.at(-1).labels).toBeGreaterThanOrEqual(answered - 1);
    expect(metrics.at(-1).fits).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({ status: 'finished' });
  }, 120_000);
});
