/**
 * Runs fanned out through a job queue: pg-boss over the project's PostgreSQL (no second service
 * to run). A job is one `overseer` command (a `prefs` or `train` run) with its run directory;
 * `overseer queue …` enqueues jobs, `overseer worker --db …` on any number of machines takes
 * them one at a time, runs each as a child process, and stores the outcome with the run's
 * summary and metrics in the database (`overseer_job_results`, one row per job: the first
 * completion wins, so a job counts as done exactly once).
 *
 * A worker killed mid-job leaves its job active until the job's timeout passes; pg-boss then
 * hands it out again (a retry, counted in `queue status`). The retry resumes the run from its
 * checkpoint when the run directory is shared between the machines (`--resume`), and starts it
 * over otherwise; a run that had finished but was not recorded is only recorded.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import PgBoss from 'pg-boss';
import pg from 'pg';

/** The queue that holds runs. */
export const RUNS_QUEUE = 'overseer-runs';

/** One run to do: the `overseer` arguments (without `--out`), where its run directory goes, and a name for status lines. */
export interface RunJob {
  argv: string[];
  out: string;
  label: string;
  /** Small files to put in the run directory before its first attempt (a benchmark's stamp). */
  files?: Record<string, string>;
}

/** The run directory's small files a result keeps, so a machine without the directory can rebuild it (`bench prefs-report --db`). */
export const KEPT_FILES = ['config.json', 'summary.json', 'metrics.jsonl', 'bench.json'] as const;

export interface EnqueueOptions {
  /** Seconds a job may run before it is taken to be lost (its worker died) and handed out again. */
  timeoutSeconds: number;
  /** How many times a failed or lost job is tried again. */
  retries: number;
}

export const ENQUEUE_DEFAULTS: EnqueueOptions = { timeoutSeconds: 6 * 3600, retries: 3 };

const RESULTS_TABLE = `
CREATE TABLE IF NOT EXISTS overseer_job_results (
  job_id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  argv JSONB NOT NULL,
  out TEXT NOT NULL,
  worker TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  exit_code INTEGER NOT NULL,
  resumed BOOLEAN NOT NULL,
  summary JSONB,
  metrics JSONB,
  seconds DOUBLE PRECISION NOT NULL,
  finished_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
ALTER TABLE overseer_job_results ADD COLUMN IF NOT EXISTS files JSONB`;

/** pg-boss on the database at `url`, started, with the runs queue and the results table in place. */
export async function openQueue(url: string, options: { maintenanceSeconds?: number } = {}): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, ...(options.maintenanceSeconds ? { maintenanceIntervalSeconds: options.maintenanceSeconds } : {}) });
  // Errors of its background work (maintenance, a dropped connection) are reported, never thrown at the process.
  boss.on('error', (e) => process.stderr.write(`queue: ${e.message}\n`));
  await boss.start();
  if (!(await boss.getQueue(RUNS_QUEUE))) await boss.createQueue(RUNS_QUEUE);
  await boss.getDb().executeSql(RESULTS_TABLE, []);
  return boss;
}

/** Enqueues runs; returns their job ids. */
/** pg-boss takes a job to be lost after at most this long (its limit is under a day). */
export const MAX_TIMEOUT_SECONDS = 24 * 3600 - 1;

export async function enqueue(boss: PgBoss, jobs: readonly RunJob[], options: EnqueueOptions = ENQUEUE_DEFAULTS): Promise<string[]> {
  if (!(options.timeoutSeconds >= 1 && options.timeoutSeconds <= MAX_TIMEOUT_SECONDS)) throw new RangeError(`a job's timeout must be 1 to ${MAX_TIMEOUT_SECONDS} seconds (pg-boss takes a job to be lost within a day); got ${options.timeoutSeconds}`);
  const ids: string[] = [];
  for (const job of jobs) {
    const id = await boss.send(RUNS_QUEUE, { ...job, out: resolve(job.out) }, { expireInSeconds: options.timeoutSeconds, retryLimit: options.retries, retryDelay: 1 });
    if (id === null) throw new Error(`the queue refused job ${job.label}`);
    ids.push(id);
  }
  return ids;
}

export interface JobStatus {
  id: string;
  label: string;
  state: string;
  /** Times it was handed out again after a failure or a lost worker. */
  retries: number;
  createdOn: string;
  startedOn: string | null;
  completedOn: string | null;
  /** The recorded outcome, once done: which worker, which attempt, the exit code, resumed or not. */
  result: { worker: string; attempt: number; exitCode: number; resumed: boolean; seconds: number } | null;
}

/** Runs `f` on a connection of its own to the database, closed afterwards. */
async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await f(client);
  } finally {
    await client.end();
  }
}

/** Whether a table exists (a queue never used has no pg-boss archive, no results yet). */
const hasTable = async (c: pg.Client, table: string) => (await c.query('SELECT to_regclass($1) IS NOT NULL AS present', [table])).rows[0].present as boolean;

/** Every job of the runs queue (archived ones too), oldest first, with its recorded result. */
export function queueStatus(url: string): Promise<JobStatus[]> {
  return withClient(url, async (client) => {
    const archive = await hasTable(client, 'pgboss.archive');
    const from = `SELECT id::text, data, state::text, retry_count, created_on, started_on, completed_on FROM pgboss.job WHERE name = $1${archive ? ' UNION ALL SELECT id::text, data, state::text, retry_count, created_on, started_on, completed_on FROM pgboss.archive WHERE name = $1' : ''}`;
    const jobs = (await client.query(`${from} ORDER BY created_on, id`, [RUNS_QUEUE])).rows as { id: string; data: RunJob; state: string; retry_count: number; created_on: Date; started_on: Date | null; completed_on: Date | null }[];
    const hasResults = await hasTable(client, 'overseer_job_results');
    const results = new Map<string, JobStatus['result']>();
    if (hasResults) {
      for (const r of (await client.query('SELECT job_id, worker, attempt, exit_code, resumed, seconds FROM overseer_job_results')).rows) {
        results.set(r.job_id, { worker: r.worker, attempt: r.attempt, exitCode: r.exit_code, resumed: r.resumed, seconds: r.seconds });
      }
    }
    return jobs.map((j) => ({
      id: j.id,
      label: j.data.label,
      state: j.state,
      retries: j.retry_count,
      createdOn: j.created_on.toISOString(),
      startedOn: j.started_on?.toISOString() ?? null,
      completedOn: j.completed_on?.toISOString() ?? null,
      result: results.get(j.id) ?? null,
    }));
  });
}

export interface WorkerOptions {
  /** Names this worker in results (default host:pid). */
  name?: string;
  /** How to run `overseer` (default: this process's own entry, with its loader flags). */
  command?: { file: string; args: string[] };
  /** Poll the queue this often. */
  pollSeconds?: number;
  /** How often pg-boss looks for lost jobs (expired ones) to hand out again. */
  maintenanceSeconds?: number;
  log?: (line: string) => void;
}

/** A running worker: `stop` lets the current job end (its child is interrupted, so a run saves its checkpoint), then stops. */
export interface RunningWorker {
  stop(): Promise<void>;
  /** Jobs this worker finished (recorded), in order. */
  readonly done: string[];
}

/** A run directory whose run finished (summary.json says so). */
function finishedRun(out: string): boolean {
  const file = join(out, 'summary.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { status?: string }).status === 'finished';
  } catch {
    return false;
  }
}

function readJson(file: string): unknown {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

function readJsonLines(file: string): unknown[] | null {
  if (!existsSync(file)) return null;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/** Takes jobs from the runs queue one at a time until stopped. */
export async function startWorker(url: string, options: WorkerOptions = {}): Promise<RunningWorker> {
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const command = options.command ?? { file: process.execPath, args: [...process.execArgv, process.argv[1]] };
  const boss = await openQueue(url, { maintenanceSeconds: options.maintenanceSeconds });
  const done: string[] = [];
  let child: ReturnType<typeof spawn> | null = null;

  const run = async (job: PgBoss.JobWithMetadata<RunJob>): Promise<object> => {
    const { argv, out, label, files } = job.data;
    const attempt = job.retryCount + 1;
    for (const [name, text] of Object.entries(files ?? {})) {
      if (existsSync(join(out, name))) continue;
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, name), text);
    }
    const started = performance.now();
    // A retry picks the run up where its directory says it is: finished (record it), checkpointed (resume), or nothing yet.
    const resumed = existsSync(join(out, 'config.json'));
    let exitCode = 0;
    if (!finishedRun(out)) {
      const args = resumed ? [argv[0], '--resume', out, ...resumeExtras(argv)] : [...argv, '--out', out];
      log(`${name}: job ${job.id} (${label}), attempt ${attempt}${resumed ? `, resuming ${out}` : ''}`);
      exitCode = await new Promise<number>((done, fail) => {
        child = spawn(command.file, [...command.args, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OVERSEER_EXIT_WITH_PARENT: '1' } });
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
        child.once('error', fail);
        child.once('exit', (code, signal) => {
          child = null;
          if (code !== 0) log(`${name}: job ${job.id} (${label}) exited ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
          done(code ?? 1);
        });
      });
    }
    if (exitCode !== 0) throw new Error(`${label}: overseer ${argv[0]} exited ${exitCode}`);
    const seconds = (performance.now() - started) / 1000;
    const db = boss.getDb();
    // The first completion recorded wins: a job is done once, whatever retries ran.
    await db.executeSql(
      `INSERT INTO overseer_job_results (job_id, label, argv, out, worker, attempt, exit_code, resumed, summary, metrics, seconds, files)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (job_id) DO NOTHING`,
      [
        job.id,
        label,
        JSON.stringify(argv),
        out,
        name,
        attempt,
        exitCode,
        resumed,
        JSON.stringify(readJson(join(out, 'summary.json'))),
        JSON.stringify(readJsonLines(join(out, 'metrics.jsonl'))),
        seconds,
        JSON.stringify(Object.fromEntries(KEPT_FILES.filter((f) => existsSync(join(out, f))).map((f) => [f, readFileSync(join(out, f), 'utf8')]))),
      ],
    );
    done.push(job.id);
    log(`${name}: job ${job.id} (${label}) done in ${seconds.toFixed(1)} s`);
    return { worker: name, attempt, seconds };
  };

  await boss.work<RunJob>(RUNS_QUEUE, { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: options.pollSeconds ?? 2 }, async ([job]) => run(job));
  return {
    done,
    stop: async () => {
      // A run interrupted saves its checkpoint (prefs and train handle SIGINT), so the job's retry resumes it.
      (child as ReturnType<typeof spawn> | null)?.kill('SIGINT');
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
    },
  };
}

/** Flags a resumed run may still take (how it is run, not what it is): the labeling server's address. */
function resumeExtras(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    if (['--host', '--port', '--db'].includes(argv[i]) && i + 1 < argv.length) out.push(argv[i], argv[++i]);
    else if (argv[i] === '--no-progress') out.push(argv[i]);
  }
  return out;
}

/** Every recorded result: the run directory it was made in and its kept files (KEPT_FILES). */
export function recordedRuns(url: string): Promise<{ label: string; out: string; files: Record<string, string> | null }[]> {
  return withClient(url, async (client) => {
    if (!(await hasTable(client, 'overseer_job_results'))) return [];
    return (await client.query('SELECT label, out, files FROM overseer_job_results ORDER BY finished_at, job_id')).rows as { label: string; out: string; files: Record<string, string> | null }[];
  });
}
