import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface RunSummary {
  status: 'finished' | 'interrupted';
  globalStep: number;
  trainSeconds: number;
  eval?: { mean: number; std: number; returns: number[] };
}

/** Trains one seed through the real CLI (`overseer train`), as a user would. */
export function runTrain(env: string, seed: number, steps: number, out: string, episodes: number, hp: string[] = [], envKwargs: Record<string, unknown> = {}): Promise<void> {
  const cli = join(ROOT, 'src', 'cli', 'main.ts');
  const args = ['--import', 'tsx', cli, 'train', '--env', env, '--seed', String(seed), '--steps', String(steps), '--out', out, '--eval-episodes', String(episodes), '--no-progress'];
  for (const kv of hp) args.push('--hp', kv);
  if (Object.keys(envKwargs).length > 0) args.push('--env-kwargs', JSON.stringify(envKwargs));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`train ${env} seed ${seed} exited ${code}: ${err}`))));
  });
}

export function readSummary(out: string): RunSummary | null {
  const path = join(out, 'summary.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RunSummary) : null;
}

/** A run's metrics.jsonl, one row per update (empty lines skipped). */
export function readMetrics<T = Record<string, unknown>>(out: string): T[] {
  return readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/**
 * Training returns per update as [step, return] (read from metrics.jsonl keys `x` and `y`),
 * smoothed over `window` updates and thinned to about `points`.
 */
export function learningCurve(out: string, window = 5, points = 100, x = 'globalStep', y = 'episodicReturn'): [number, number][] {
  const rows = readMetrics<Record<string, number | null>>(out).filter((r) => r[y] !== null && r[y] !== undefined);
  const smoothed = rows.map((r, i) => {
    const slice = rows.slice(Math.max(0, i - window + 1), i + 1);
    return [r[x] as number, slice.reduce((s, row) => s + (row[y] as number), 0) / slice.length] as [number, number];
  });
  const every = Math.max(1, Math.floor(smoothed.length / points));
  return smoothed.filter((_, i) => i % every === 0 || i === smoothed.length - 1).map(([a, b]) => [a, Math.round(b * 10) / 10]);
}

/** Runs async jobs with at most `parallel` at once. */
export async function pool<T>(items: T[], parallel: number, job: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await job(item);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, worker));
}
