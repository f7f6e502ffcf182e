/** What the demos' reports share: summary statistics, the machine and the commit that made them. */
import { execSync } from 'node:child_process';
import { cpus, release, totalmem, type as osType } from 'node:os';

export interface Stats {
  mean: number;
  std: number;
  min: number;
  max: number;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
}

/** Mean, population std, min and max. */
export function stats(xs: readonly number[]): Stats {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length), min: Math.min(...xs), max: Math.max(...xs) };
}

export function machine(): Machine {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${osType()} ${release()}`, node: process.version };
}

/** The short commit, marked `+uncommitted` when the demos' code differs from it. */
export function gitCommit(): string | null {
  try {
    const head = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain -- src/demos', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return null;
  }
}

/** "mean ± std" with d decimals. */
export const pm = (st: Stats, d = 1) => `${st.mean.toFixed(d)} ± ${st.std.toFixed(d)}`;
