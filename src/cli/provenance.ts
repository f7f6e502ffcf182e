/** What produced a result file, read at the CLI edge (git and the machine), so the labs stay pure. */
import { execSync } from 'node:child_process';
import { cpus, release, totalmem, type as osType } from 'node:os';
import type { Provenance } from '../oversight/w2s/report.js';

/**
 * The command, date, commit and machine. The commit gets "+uncommitted" when files under
 * `paths` differ from it (result files excluded: a run writing them does not dirty the code).
 */
export function provenance(command: string, paths: readonly string[] = ['src']): Provenance {
  let gitCommit: string | null = null;
  try {
    gitCommit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync(`git status --porcelain -- ${paths.map((p) => `'${p}'`).join(' ')}`, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    if (dirty) gitCommit += '+uncommitted';
  } catch {
    gitCommit = null;
  }
  return {
    command,
    date: new Date().toISOString(),
    gitCommit,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${osType()} ${release()}`, node: process.version },
  };
}
