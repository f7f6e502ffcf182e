import { closeSync, existsSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importRuns, exportLines, readExport } from '../store/exchange.js';
import { PROJECT_DB, StoreError, openProject } from '../store/sqlite.js';
import { UsageError, type CliIO } from './io.js';

export interface ExportFlags {
  project: string;
  out: string;
  run?: string[];
}

export interface ImportFlags {
  project: string;
  in: string;
  prefix: string;
}

function openExisting(dir: string) {
  if (!existsSync(join(resolve(dir), PROJECT_DB))) throw new UsageError(`--project: no ${PROJECT_DB} in ${dir}`);
  return openProject(resolve(dir));
}

/** `overseer export`: writes to a temporary file and renames it, so a partial export never looks complete. */
export function exportCommand(flags: ExportFlags, io: CliIO): number {
  const project = openExisting(flags.project);
  const tmp = `${flags.out}.partial`;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w');
    let labels = 0;
    let runs = 0;
    for (const line of exportLines(project, flags.run)) {
      if (line.startsWith('{"type":"label"')) labels += 1;
      else if (line.startsWith('{"type":"run"')) runs += 1;
      writeSync(fd, `${line}\n`);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, flags.out);
    io.stdout(`exported ${labels} labels from ${runs} run${runs === 1 ? '' : 's'} to ${flags.out}\n`);
    return 0;
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    throw e;
  } finally {
    if (fd !== null) closeSync(fd);
    project.close();
  }
}

export function importCommand(flags: ImportFlags, io: CliIO): number {
  const project = openProject(resolve(flags.project));
  try {
    const runs = readExport(flags.in);
    const n = importRuns(project, runs, flags.prefix);
    io.stdout(`imported ${n.labels} labels in ${n.runs} run${n.runs === 1 ? '' : 's'} (${runs.map((r) => flags.prefix + r.id).join(', ')}) into ${join(resolve(flags.project), PROJECT_DB)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    throw e;
  } finally {
    project.close();
  }
}
