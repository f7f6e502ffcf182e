import { execSync } from 'node:child_process';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_DIR = join(import.meta.dirname, 'results');

/** What produced a result: enough to rerun it and to judge whether it compares. */
export interface Provenance {
  command: string;
  date: string;
  gitCommit: string | null;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string };
}

export function provenance(argv: string[]): Provenance {
  let gitCommit: string | null = null;
  try {
    gitCommit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    // Results files are what a benchmark writes, so they do not make the code dirty.
    const dirty = execSync("git status --porcelain -- src bench ':!bench/results'", { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    if (dirty) gitCommit += '+uncommitted';
  } catch {
    gitCommit = null;
  }
  return {
    command: `npm run bench -- ${argv.join(' ')}`.trim(),
    date: new Date().toISOString(),
    gitCommit,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${osType()} ${release()}`,
      node: process.version,
    },
  };
}

export function writeResult(name: string, value: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

export function readResults(): Record<string, unknown> {
  if (!existsSync(RESULTS_DIR)) return {};
  const out: Record<string, unknown> = {};
  const names = readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
  for (const name of names) out[name] = JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8'));
  return out;
}
