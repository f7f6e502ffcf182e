import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { importRuns, exportLines, readExport } from '../store/exchange.js';
import { describeLocation } from '../store/open.js';
import { StoreError } from '../store/store.js';
import { UsageError, type CliIO } from './io.js';
import { projectLocation, withProject, type ProjectFlags } from './project.js';

export interface ExportFlags extends ProjectFlags {
  out: string;
  run?: string[];
}

export interface ImportFlags extends ProjectFlags {
  in: string;
  prefix: string;
}

/** `overseer export`: writes to a temporary file and renames it, so a partial export never looks complete. */
export function exportCommand(flags: ExportFlags, io: CliIO): number {
  const loc = projectLocation(flags);
  return withProject(flags.project ?? loc, true, (project) => {
    const tmp = `${flags.out}.partial`;
    const fd = openSync(tmp, 'w');
    let labels = 0;
    let games = 0;
    let runs = 0;
    try {
      for (const line of exportLines(project, flags.run)) {
        if (line.startsWith('{"type":"label"')) labels += 1;
        else if (line.startsWith('{"type":"debate-game"')) games += 1;
        else if (line.startsWith('{"type":"run"')) runs += 1;
        writeSync(fd, `${line}\n`);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, flags.out);
    io.stdout(`exported ${labels} labels${games > 0 ? ` and ${games} debate games` : ''} from ${runs} run${runs === 1 ? '' : 's'} to ${flags.out}\n`);
    return 0;
  });
}

export function importCommand(flags: ImportFlags, io: CliIO): number {
  // Read and check the whole file first: a missing or broken file must not leave a new, empty project behind.
  let runs: ReturnType<typeof readExport>;
  try {
    runs = readExport(flags.in);
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    throw e;
  }
  const loc = projectLocation(flags);
  return withProject(loc, false, (project) => {
    const n = importRuns(project, runs, flags.prefix);
    io.stdout(`imported ${n.labels} labels${n.debateGames > 0 ? ` and ${n.debateGames} debate games` : ''} in ${n.runs} run${n.runs === 1 ? '' : 's'} (${runs.map((r) => flags.prefix + r.id).join(', ')}) into ${describeLocation(loc)}\n`);
    return 0;
  });
}
