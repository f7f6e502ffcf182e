/**
 * `overseer migrate --from SOURCE --to TARGET`: moves a project between a directory (SQLite)
 * and a PostgreSQL database, either way, into an empty target, and checks afterwards that every
 * table holds the same rows (src/store/move.ts). The source is left as it was.
 */
import { describeLocation, locationOf } from '../store/open.js';
import { hasRawTables, moveProject } from '../store/move.js';
import { StoreError } from '../store/store.js';
import { UsageError, type CliIO } from './io.js';
import { openForCommand } from './project.js';

export interface MigrateFlags {
  from: string;
  to: string;
}

export function migrateCommand(flags: MigrateFlags, io: CliIO): number {
  const [from, to] = [locationOf(flags.from), locationOf(flags.to)];
  if (describeLocation(from) === describeLocation(to)) throw new UsageError('--from and --to name the same project');
  const started = performance.now();
  const source = openForCommand(from, true, flags.from);
  try {
    const target = openForCommand(to, false, flags.to);
    try {
      if (!hasRawTables(source) || !hasRawTables(target)) throw new UsageError('both projects must be SQLite or PostgreSQL databases');
      let moved: ReturnType<typeof moveProject>;
      try {
        moved = moveProject(source, target);
      } catch (e) {
        if (e instanceof StoreError) throw new UsageError(`--to: ${e.message}`);
        throw e;
      }
      const { rows, differences } = moved;
      const seconds = (performance.now() - started) / 1000;
      io.stdout(`moved ${describeLocation(from)} to ${describeLocation(to)} in ${seconds.toFixed(1)} s: ${Object.entries(rows).map(([t, n]) => `${n} ${t}`).join(', ')}\n`);
      if (differences.length > 0) {
        io.stderr(`the copy differs from the source:\n${differences.map((d) => `  ${d}`).join('\n')}\n`);
        return 1;
      }
      io.stdout('checked: every table holds the same rows as the source\n');
      return 0;
    } finally {
      target.close();
    }
  } finally {
    source.close();
  }
}
