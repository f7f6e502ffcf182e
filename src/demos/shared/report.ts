/** What the demos' reports share: summary statistics, the machine and the commit that made them. */
import { execSync } from 'node:child_process';
import { cpus, release, totalmem, type as osType } from 'node:os';
import type { AnswerJson } from '../../server/api.js';
import type { TrainingRecord } from './humanRun.js';

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

/** What a demo's preference run's summary says, as the reports read it. */
export interface RunSummary {
  labels: number;
  envSteps: number;
  trainSeconds: number;
}

/** The labels, steps and time of a demo's preference run, as every demo's report records them. */
export interface RunRecord {
  /** used: labels the run trained on; posted: answers the annotator gave (repeat pairs included). */
  labels: { used: number; posted: number | null; answers: Record<AnswerJson, number> | null };
  envSteps: number;
  wallClock: { totalSeconds: number; trainSeconds: number; startedAt: string; endedAt: string };
}

export function runRecord(training: TrainingRecord, summary: RunSummary): RunRecord {
  return {
    labels: { used: summary.labels, posted: training.annotator?.labels ?? null, answers: training.annotator?.answers ?? null },
    envSteps: summary.envSteps,
    wallClock: { totalSeconds: training.wallSeconds, trainSeconds: summary.trainSeconds, startedAt: training.startedAt, endedAt: training.endedAt },
  };
}
