/**
 * `overseer debate session` (called directly: program.ts wires the command) and `serve` with the
 * debate routes: a session made with a small judge checkpoint, then a person judges one debate
 * through the served API and the game is in the export.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MnistJudge, saveJudge } from '../oversight/debate/judgeModel.js';
import type { JudgeDebateJson, JudgeResultJson } from '../server/api.js';
import { openProject } from '../store/sqlite.js';
import { Rng } from '../utils/rng.js';
import { debateSessionCommand } from './debateSession.js';
import type { CliIO } from './io.js';
import { startServer } from './serve.js';
import { tmp } from './testing/cli.js';

function io(): CliIO & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (s: string) => void out.push(s), stderr: (s: string) => void out.push(s), isTTY: false };
}

/** A small untrained judge checkpoint for k. */
function judgeFile(dir: string, k: number): string {
  const judge = new MnistJudge({ hidden: [16], activation: 'relu' }).init(new Rng(1), k);
  const file = join(dir, `judge-k${k}.json`);
  writeFileSync(file, JSON.stringify(saveJudge(judge, { options: { k } })));
  return file;
}

describe('debate session', () => {
  it('makes the run, prints the people’s links, and refuses a judge trained for another k', async () => {
    const dir = tmp();
    const judge = judgeFile(dir, 4);
    const out = io();
    expect(await debateSessionCommand({ project: dir, k: '4', judge, debater: 'greedy', run: 's1', person: ['ada'], url: 'http://host:9' }, out)).toBe(0);
    const text = out.out.join('');
    expect(text).toMatch(/^debate session s1: k = 4, greedy debaters, judge /);
    expect(text).toMatch(/ada: judge debates http:\/\/host:9\/debate\.html\?run=s1&mode=judge&token=[\w-]+\n/);
    expect(text).toMatch(/debate the machine http:\/\/host:9\/debate\.html\?run=s1&mode=debater&token=[\w-]+\n/);
    const project = openProject(dir);
    expect(project.getRun('s1')).toMatchObject({ envId: 'MNIST-debate', config: { debate: { k: 4, judge, debater: 'greedy', rollouts: 200, precommit: true } } });
    project.close();
    await expect(debateSessionCommand({ project: dir, k: '6', judge, run: 's2' }, io())).rejects.toThrow(/trained for k = 4, but asked to judge k = 6/);
    await expect(debateSessionCommand({ project: dir, k: '4', judge, run: 's1' }, io())).rejects.toThrow(/a run of that id already/);
    await expect(debateSessionCommand({ project: dir, k: '4', judge, debater: 'smart', run: 's3' }, io())).rejects.toThrow(/--debater/);
  });

  it('serve loads the debate routes for a project with a session; a judged debate goes into the export', async () => {
    const dir = tmp();
    const judge = judgeFile(dir, 4);
    expect(await debateSessionCommand({ project: dir, k: '4', judge, debater: 'mcts', rollouts: '16', run: 's1' }, io())).toBe(0);
    const { url, adminToken, stop } = await startServer(dir, '127.0.0.1', 0);
    try {
      const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const d = (await (await post('/api/debate/s1/judge/next', {})).json()) as JudgeDebateJson;
      expect(d.reveals).toHaveLength(4);
      const r = (await (await post(`/api/debate/s1/judge/${d.gameId}`, { pick: d.claims[0], clientId: 'c1' })).json()) as JudgeResultJson;
      expect(r.accuracy.games).toBe(1);
      const lines = (await (await fetch(`${url}/api/admin/export?run=s1`, { headers: { authorization: `Bearer ${adminToken}` } })).text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string });
      expect(lines.filter((l) => l.type === 'debate-game')).toHaveLength(1);
    } finally {
      await stop();
    }
  });

  it('a server started before the project had a session says to restart it', async () => {
    const dir = tmp();
    const { url, adminToken, stop } = await startServer(dir, '127.0.0.1', 0);
    try {
      const res = await fetch(`${url}/api/debate/s1/stats`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/restart overseer serve/);
    } finally {
      await stop();
    }
  });
});
