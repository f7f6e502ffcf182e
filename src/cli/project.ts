import { UsageError } from './io.js';
import { PROJECT_DB } from '../store/sqlite.js';
import { locationOf, openProjectAt, projectExists, type ProjectLocation } from '../store/open.js';
import { isPostgresUrl } from '../store/postgres/store.js';
import { StoreError, type ProjectStore } from '../store/store.js';

/** A command's project flags: a directory (SQLite) or a database URL (PostgreSQL). */
export interface ProjectFlags {
  project?: string;
  db?: string;
}

/** The project a command names: exactly one of `--project DIR` and `--db postgres://…`. */
export function projectLocation(flags: ProjectFlags): ProjectLocation {
  if (flags.project !== undefined && flags.db !== undefined) throw new UsageError('--project and --db name two projects; give one (--project DIR for SQLite, --db postgres://… for PostgreSQL)');
  if (flags.db !== undefined) {
    if (!isPostgresUrl(flags.db)) throw new UsageError(`--db: expected a PostgreSQL URL, postgres://USER:PASSWORD@HOST:PORT/DATABASE (got ${JSON.stringify(flags.db.replace(/:[^:@/]*@/, ':***@'))}); a project directory goes in --project`);
    return locationOf(flags.db);
  }
  if (flags.project === undefined) throw new UsageError('name the project: --project DIR (SQLite) or --db postgres://… (PostgreSQL)');
  if (isPostgresUrl(flags.project)) throw new UsageError('--project takes a directory; a PostgreSQL URL goes in --db');
  return locationOf(flags.project);
}

/** Opens a project for a command; the store's refusals (a damaged database, an unreachable server) become usage errors. */
export function openForCommand(loc: ProjectLocation, mustExist: boolean, given: string = loc.kind === 'sqlite' ? loc.dir : ''): ProjectStore {
  if (mustExist && !projectExists(loc)) throw new UsageError(`--project: no ${PROJECT_DB} in ${given} (a mistyped path? this command does not create a project)`);
  try {
    return openProjectAt(loc);
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    if (loc.kind === 'postgres') throw new UsageError(`--db: ${(e as Error).message}`);
    throw e;
  }
}

/**
 * Runs `f` on a project's database and closes it; the store's refusals become usage errors
 * (exit 2 with the message). `mustExist`: a missing database is an error, not a new project.
 */
export function withProject<T>(target: string | ProjectLocation, mustExist: boolean, f: (project: ProjectStore) => T): T {
  const project = typeof target === 'string' ? openForCommand(locationOf(target), mustExist, target) : openForCommand(target, mustExist);
  try {
    return f(project);
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    throw e;
  } finally {
    project.close();
  }
}
