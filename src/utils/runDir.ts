import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from './files.js';

/**
 * A run directory: `config.json` (resolved config), `metrics.jsonl` (one line per update),
 * `checkpoints/step_<n>.json` (periodic), `checkpoints/final.json`, and `summary.json`.
 */
export class RunDir {
  constructor(readonly path: string) {}

  /** Creates a new run directory; refuses to overwrite one that already holds a run. */
  static create(path: string): RunDir {
    if (existsSync(join(path, 'config.json'))) {
      throw new Error(`${path} already holds a run (config.json exists); choose another --out`);
    }
    mkdirSync(join(path, 'checkpoints'), { recursive: true });
    return new RunDir(path);
  }

  /** Opens an existing run directory, with a clear error if it is not one. */
  static open(path: string): RunDir {
    if (!existsSync(path)) throw new Error(`run directory ${path} does not exist`);
    if (!existsSync(join(path, 'config.json'))) throw new Error(`${path} is not a run directory (no config.json)`);
    return new RunDir(path);
  }

  get configPath(): string {
    return join(this.path, 'config.json');
  }
  get metricsPath(): string {
    return join(this.path, 'metrics.jsonl');
  }
  get checkpointDir(): string {
    return join(this.path, 'checkpoints');
  }

  writeConfig(config: unknown): void {
    writeJsonAtomic(this.configPath, config);
  }

  readConfig<T>(): T {
    try {
      return JSON.parse(readFileSync(this.configPath, 'utf8')) as T;
    } catch (e) {
      throw new Error(`cannot read ${this.configPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Appends one JSON line; synchronous so a crash right after loses nothing already logged. */
  appendMetrics(row: unknown): void {
    appendFileSync(this.metricsPath, `${JSON.stringify(row)}\n`);
  }

  /**
   * Keeps only the metrics rows `keep` accepts (a resumed run drops the rows logged after its
   * checkpoint, which it logs again); a torn last line is dropped too.
   */
  truncateMetrics(keep: (row: unknown) => boolean): void {
    if (!existsSync(this.metricsPath)) return;
    const rows: string[] = [];
    for (const line of readFileSync(this.metricsPath, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        continue;
      }
      if (keep(row)) rows.push(line);
    }
    writeFileAtomic(this.metricsPath, rows.map((r) => `${r}\n`).join(''));
  }

  /**
   * The newest value of `key` in metrics.jsonl that is a number, or null. An update that finishes
   * no episode logs a null return, so the last row alone can hide the last one measured.
   */
  lastMetric(key: string): number | null {
    if (!existsSync(this.metricsPath)) return null;
    const lines = readFileSync(this.metricsPath, 'utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      if (lines[i].trim() === '') continue;
      let row: unknown;
      try {
        row = JSON.parse(lines[i]);
      } catch {
        continue;
      }
      const v = (row as Record<string, unknown> | null)?.[key];
      if (typeof v === 'number' && Number.isFinite(v)) return v;
    }
    return null;
  }

  saveCheckpoint(name: string, value: unknown): string {
    const path = join(this.checkpointDir, `${name}.json`);
    writeJsonAtomic(path, value);
    return path;
  }

  /** `final.json` if training finished, else the checkpoint with the most steps. */
  latestCheckpoint(): string {
    const final = join(this.checkpointDir, 'final.json');
    if (existsSync(final)) return final;
    const steps = existsSync(this.checkpointDir)
      ? readdirSync(this.checkpointDir)
          .map((f) => /^step_(\d+)\.json$/.exec(f))
          .filter((m): m is RegExpExecArray => m !== null)
          .sort((a, b) => Number(b[1]) - Number(a[1]))
      : [];
    if (steps.length === 0) throw new Error(`${this.path} has no checkpoints yet`);
    return join(this.checkpointDir, steps[0][0]);
  }

  writeSummary(summary: unknown): void {
    writeJsonAtomic(join(this.path, 'summary.json'), summary);
  }
}

/** Step number padded so checkpoint names sort naturally. */
export function stepName(step: number): string {
  return `step_${String(step).padStart(10, '0')}`;
}
