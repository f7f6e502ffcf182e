/**
 * The job queue on a real PostgreSQL: runs enqueued per seed, two worker processes taking them,
 * one killed outright mid-job. Every job completes exactly once, the lost one after a retry
 * that `queue status` shows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJobs, queueRunsCommand, queueStatusCommand } from '../cli/queue.js';
import { seedRange } from '../cli/parse.js';
import { UsageError } from '../cli/io.js';
import { testDatabase } from '../store/testing/postgres.js';
import { queueStatus } from './queue.js';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

describe('queue arguments', () => {
  it('seeds: ranges and lists, in order, each once; bad ones named', () => {
    expect(seedRange('1-4')).toEqual([1, 2, 3, 4]);
    expect(seedRange('1-3,7, 2')).toEqual([1, 2, 3, 7]);
    expect(() => seedRange('3-1')).toThrow(/the range 3-1 runs backwards/);
    expect(() => seedRange('a')).toThrow(UsageError);
  });

  it('one job per seed, each with its own directory; flags the queue sets are refused', () => {
    const jobs = runJobs('prefs', ['--env', 'Hopper-v5', '--label-budget', '700'], [1, 2], '/runs', 'postgres://u:p@h/db');
    expect(jobs.map((j) => j.label)).toEqual(['prefs Hopper-v5 seed 1', 'prefs Hopper-v5 seed 2']);
    expect(jobs[1]).toEqual({ argv: ['prefs', '--env', 'Hopper-v5', '--label-budget', '700', '--seed', '2', '--db', 'postgres://u:p@h/db', '--no-progress'], out: '/runs/Hopper-v5__prefs__seed2', label: 'prefs Hopper-v5 seed 2' });
    expect(runJobs('train', ['--env', 'CartPole-v1'], [3], '/r', 'postgres://x/y')[0].argv).not.toContain('--db');
    for (const flag of ['--seed', '--out', '--resume', '--project']) expect(() => runJobs('train', [flag, '1'], [1], '/r', null)).toThrow(new RegExp(`${flag}: the queue sets it`));
  });
});

describe('workers on a real PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    db = await testDatabase('queue');
  }, 30_000);
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await db?.drop();
  });

  it('2 workers, 12 short runs, one worker SIGKILLed mid-job: every job completes exactly once, the lost one after a retry shown in queue status', async () => {
    const runsDir = mkdtempSync(join(tmpdir(), 'overseer-queue-'));
    const out: string[] = [];
    const io = { stdout: (s: string) => void out.push(s), stderr: () => {}, isTTY: false };
    // A job taking longer than 10 s is taken to be lost; these take about a second.
    expect(await queueRunsCommand('train', ['--env', 'CartPole-v1', '--steps', '2048', '--eval-episodes', '1'], { db: db.url, seeds: '1-12', runsDir, timeout: 10, retries: 3 }, io)).toBe(0);
    expect(out.join('')).toMatch(/queued 12 jobs in postgres:\/\/overseer:\*\*\*@/);

    const logs: string[][] = [[], []];
    const start = (i: number) => {
      const w = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--db', db.url, '--name', `w${i}`, '--maintenance-seconds', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
      w.stderr!.on('data', (d: Buffer) => logs[i].push(...d.toString().split('\n').filter(Boolean)));
      workers.push(w);
      return w;
    };
    const w0 = start(0);
    start(1);
    // Kill worker 0 outright while it runs a job.
    const killedJob = await until(() => logs[0].map((l) => /^w0: job (\S+) .*attempt 1/.exec(l)?.[1]).find(Boolean), 60_000, 'worker 0 to start a job');
    w0.kill('SIGKILL');

    const jobs = await until(async () => {
      const s = await queueStatus(db.url);
      return s.length === 12 && s.every((j) => j.state === 'completed') ? s : null;
    }, 150_000, 'every job to complete');
    // Exactly once: one result per job, and each run directory finished.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const rows = (await client.query('SELECT job_id, worker, attempt, resumed, files FROM overseer_job_results')).rows as { job_id: string; worker: string; attempt: number; resumed: boolean; files: Record<string, string> }[];
    // Each result keeps the run directory's small files, for a machine without the directory.
    for (const r of rows) expect(Object.keys(r.files).sort()).toEqual(['config.json', 'metrics.jsonl', 'summary.json']);
    await client.end();
    expect(rows.length).toBe(12);
    expect(new Set(rows.map((r) => r.job_id)).size).toBe(12);
    for (const j of jobs) expect(j.result, j.label).not.toBeNull();
    const lost = jobs.find((j) => j.id === killedJob)!;
    expect(lost.retries).toBeGreaterThanOrEqual(1);
    expect(lost.result!.worker).toBe('w1');
    expect(lost.result!.attempt).toBeGreaterThanOrEqual(2);
    for (const seed of seedRange('1-12')) {
      const summary = JSON.parse(readFileSync(join(runsDir, `CartPole-v1__train__seed${seed}`, 'summary.json'), 'utf8')) as { status: string };
      expect(summary.status).toBe('finished');
    }
    expect(existsSync(join(runsDir, 'CartPole-v1__train__seed1', 'metrics.jsonl'))).toBe(true);

    const status: string[] = [];
    await queueStatusCommand({ db: db.url }, { stdout: (s) => void status.push(s), stderr: () => {}, isTTY: false });
    expect(status[0]).toMatch(/^12 jobs: 12 completed; [1-9]\d* retries\n$/);
    expect(status.join('')).toMatch(new RegExp(`${killedJob}\\tcompleted\\tretries [1-9]\\t[^\\n]*done by w1, attempt [2-9]`));
  }, 240_000);
});

async function until<T>(f: () => T | null | undefined | Promise<T | null | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
