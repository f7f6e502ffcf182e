/**
 * One job on every core, or one job per core? The same preference run (`overseer prefs`)
 * timed three ways in one session: alone with the default thread budget (envs on a worker,
 * PPO gradients split over two threads), alone with OVERSEER_THREADS=1, and two at once with
 * OVERSEER_THREADS=1 (other seeds). The single-thread run must reproduce the threaded run
 * exactly (metrics and final checkpoint), which is checked and recorded.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { provenance, writeResult } from './machine.js';
import { runPrefs } from './prefs.js';
import { readMetrics } from './train.js';

export interface ThreadsResult {
  provenance: ReturnType<typeof provenance>;
  run: string;
  /** Wall seconds of each arrangement (process start to exit, evaluation included). */
  seconds: { threadedAlone: number; singleAlone: number; twoSingleAtOnce: number };
  /** Jobs per hour, two single-thread jobs at once against one threaded job at a time. */
  throughputRatio: number;
  /** Whether the single-thread run gave the threaded run's metrics and final weights exactly. */
  identical: boolean;
  loadAverageAtStart: number;
}

async function timedPrefs(args: string[], out: string, threads: string | undefined): Promise<number> {
  const env = { ...process.env };
  if (threads === undefined) delete env.OVERSEER_THREADS;
  else env.OVERSEER_THREADS = threads;
  const t0 = performance.now();
  await runPrefs([...args, '--out', out], env);
  return (performance.now() - t0) / 1000;
}

/** A run's metrics without the timing fields, and its final weights. */
function fingerprint(out: string): string {
  const rows = readMetrics(out).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !/seconds|sps/i.test(k))));
  return JSON.stringify(rows) + readFileSync(join(out, 'checkpoints', 'final.json'), 'utf8');
}

export async function benchThreads(env: string, steps: number, labels: number, argv: string[]): Promise<ThreadsResult> {
  const dir = mkdtempSync(join(tmpdir(), 'overseer-threads-'));
  const args = (seed: number) => ['--env', env, '--teacher', 'oracle', '--label-budget', String(labels), '--steps', String(steps), '--seed', String(seed)];
  const run = `overseer prefs ${args(1).join(' ')}`;
  const loadAverageAtStart = Math.round(loadavg()[0] * 100) / 100;
  try {
    const threadedAlone = await timedPrefs(args(1), join(dir, 'threaded'), undefined);
    const singleAlone = await timedPrefs(args(1), join(dir, 'single'), '1');
    const t0 = performance.now();
    await Promise.all([timedPrefs(args(2), join(dir, 'a'), '1'), timedPrefs(args(3), join(dir, 'b'), '1')]);
    const twoSingleAtOnce = (performance.now() - t0) / 1000;
    const result: ThreadsResult = {
      provenance: provenance(argv),
      run,
      seconds: { threadedAlone: round(threadedAlone), singleAlone: round(singleAlone), twoSingleAtOnce: round(twoSingleAtOnce) },
      throughputRatio: round((2 * threadedAlone) / twoSingleAtOnce),
      identical: fingerprint(join(dir, 'threaded')) === fingerprint(join(dir, 'single')),
      loadAverageAtStart,
    };
    writeResult('threads', result);
    console.log(`${run}: threaded alone ${result.seconds.threadedAlone} s, one thread alone ${result.seconds.singleAlone} s, two one-thread runs at once ${result.seconds.twoSingleAtOnce} s (throughput x${result.throughputRatio}); identical results: ${result.identical}`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
