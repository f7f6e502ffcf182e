/**
 * Where a project's database lives, and opening it: a directory holding `overseer.db`
 * (SQLite, the embedded default) or a PostgreSQL URL (many annotators, several app servers).
 * Everything that names a project goes through here, so the choice is made in one place.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isPostgresUrl, openPgProject, redactUrl } from './postgres/store.js';
import { PROJECT_DB, openProject, type StoreOptions } from './sqlite.js';
import type { ProjectStore } from './store.js';

export type ProjectLocation = { kind: 'sqlite'; dir: string } | { kind: 'postgres'; url: string };

/** A location from a directory or a postgres:// URL. */
export function locationOf(target: string): ProjectLocation {
  return isPostgresUrl(target) ? { kind: 'postgres', url: target } : { kind: 'sqlite', dir: resolve(target) };
}

/** Opens (creating or migrating if needed) the project database at `loc`. */
export function openProjectAt(loc: ProjectLocation, options: StoreOptions = {}): ProjectStore {
  return loc.kind === 'postgres' ? openPgProject(loc.url, options) : openProject(loc.dir, options);
}

/** For messages: the database file, or the URL without its password. */
export function describeLocation(loc: ProjectLocation): string {
  return loc.kind === 'postgres' ? redactUrl(loc.url) : join(loc.dir, PROJECT_DB);
}

/** Whether a SQLite project's database file exists (a PostgreSQL database is made by its admin, so it counts as existing). */
export function projectExists(loc: ProjectLocation): boolean {
  return loc.kind === 'postgres' || existsSync(join(loc.dir, PROJECT_DB));
}

/** How a command names the project on its command line, for messages: `--project DIR` or `--db URL`. */
export function projectFlag(loc: ProjectLocation): string {
  return loc.kind === 'postgres' ? `--db ${redactUrl(loc.url)}` : `--project ${loc.dir}`;
}
