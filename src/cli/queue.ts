/**
 * `overseer queue prefs|train … --seeds 1-10 --db URL`: one job per seed, each an `overseer
 * prefs` (or `train`) run with that seed and its own run directory; `overseer queue status`:
 * every job with its state and retries; `overseer worker --db URL`: takes jobs until stopped
 * (Ctrl-C: the current run saves its checkpoint, and its job is handed out again).
 */
import { join, resolve } from 'node:path';
import { UsageError, untilStopped, type CliIO } from './io.js';
import { ENQUEUE_DEFAULTS, MAX_TIMEOUT_SECONDS, enqueue, openQueue, queueStatus, startWorker, type RunJob } from '../queue/queue.js';
import { redactUrl } from '../store/postgres/store.js';
import { projectLocation } from './project.js';
import { seedRange } from './parse.js';

export interface QueueRunsFlags {
  db?: string;
  seeds: string;
  runsDir: string;
  timeout?: number;
  retries?: number;
}

/** The flags the queue sets on each job itself. */
const SET_BY_QUEUE = ['--seed', '--out', '--resume', '--project'];

/** Jobs for `command` with `args` (its own flags), one per seed, each in `runsDir/<command>-seed<n>`. */
export function runJobs(command: 'prefs' | 'train', args: readonly string[], seeds: readonly number[], runsDir: string, db: string | null): RunJob[] {
  for (const a of args) {
    const flag = a.split('=')[0];
    if (SET_BY_QUEUE.includes(flag)) throw new UsageError(`${flag}: the queue sets it for each job (--seeds for seeds; each run gets its own directory in --runs-dir); leave it out`);
  }
  if (args.includes('--db')) throw new UsageError('--db: give it once, before the run\'s flags; the queue passes it to each prefs run');
  const env = args[args.indexOf('--env') + 1];
  const name = args.includes('--env') && env ? env.replace(/[^\w.-]/g, '_') : command;
  return seeds.map((seed) => ({
    argv: [command, ...args, '--seed', String(seed), ...(command === 'prefs' && db ? ['--db', db] : []), '--no-progress'],
    out: resolve(join(runsDir, `${name}__${command}__seed${seed}`)),
    label: `${command} ${name} seed ${seed}`,
  }));
}

function dbOf(flags: { db?: string }): string {
  if (flags.db === undefined) throw new UsageError('--db is required: the queue lives in a PostgreSQL database, postgres://USER:PASSWORD@HOST:PORT/DATABASE');
  const loc = projectLocation({ db: flags.db });
  return loc.kind === 'postgres' ? loc.url : flags.db;
}

export async function queueRunsCommand(command: 'prefs' | 'train', args: string[], flags: QueueRunsFlags, io: CliIO): Promise<number> {
  const db = dbOf(flags);
  if (flags.timeout !== undefined && flags.timeout > MAX_TIMEOUT_SECONDS) throw new UsageError(`--timeout: at most ${MAX_TIMEOUT_SECONDS} s (pg-boss takes a job to be lost within a day); a longer run resumes from its checkpoint when retried`);
  const jobs = runJobs(command, args, seedRange(flags.seeds), flags.runsDir, db);
  const boss = await openQueue(db);
  try {
    const ids = await enqueue(boss, jobs, { timeoutSeconds: flags.timeout ?? ENQUEUE_DEFAULTS.timeoutSeconds, retries: flags.retries ?? ENQUEUE_DEFAULTS.retries });
    for (const [i, job] of jobs.entries()) io.stdout(`${ids[i]}\t${job.label}\t${job.out}\n`);
    io.stdout(`queued ${jobs.length} job${jobs.length === 1 ? '' : 's'} in ${redactUrl(db)}; run them with: overseer worker --db URL (on any number of machines)\n`);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
  return 0;
}

export async function queueStatusCommand(flags: { db?: string; json?: boolean }, io: CliIO): Promise<number> {
  const jobs = await queueStatus(dbOf(flags));
  if (flags.json) {
    io.stdout(`${JSON.stringify(jobs, null, 2)}\n`);
    return 0;
  }
  const count = (state: string) => jobs.filter((j) => j.state === state).length;
  const states = ['created', 'retry', 'active', 'completed', 'failed', 'cancelled'].filter((s) => count(s) > 0);
  io.stdout(`${jobs.length} jobs: ${states.map((s) => `${count(s)} ${s}`).join(', ') || 'none'}; ${jobs.reduce((n, j) => n + j.retries, 0)} retries\n`);
  for (const j of jobs) {
    const r = j.result;
    const outcome = r ? `done by ${r.worker}, attempt ${r.attempt}${r.resumed ? ' (resumed)' : ''}, ${r.seconds.toFixed(1)} s` : '';
    io.stdout(`${j.id}\t${j.state}\tretries ${j.retries}\t${j.label}${outcome ? `\t${outcome}` : ''}\n`);
  }
  return 0;
}

export async function workerCommand(flags: { db?: string; name?: string; maintenanceSeconds?: number }, io: CliIO): Promise<number> {
  const db = dbOf(flags);
  const worker = await startWorker(db, { name: flags.name, log: (line) => io.stderr(`${line}\n`), maintenanceSeconds: flags.maintenanceSeconds ?? 30 });
  io.stderr(`worker ${flags.name ?? ''} taking jobs from ${redactUrl(db)}; Ctrl-C stops it (the current run saves its checkpoint and is handed out again)\n`);
  await untilStopped();
  await worker.stop();
  io.stderr(`worker stopped after ${worker.done.length} job${worker.done.length === 1 ? '' : 's'}\n`);
  return 0;
}
