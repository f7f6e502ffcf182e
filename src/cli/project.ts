import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_DB, openProject } from '../store/sqlite.js';
import { StoreError, type ProjectStore } from '../store/store.js';
import { UsageError } from './io.js';

/**
 * Runs `f` on a project's database and closes it; the store's refusals become usage errors
 * (exit 2 with the message). `mustExist`: a missing database is an error, not a new project.
 */
export function withProject<T>(dir: string, mustExist: boolean, f: (project: ProjectStore) => T): T {
  if (mustExist && !existsSync(join(resolve(dir), PROJECT_DB))) throw new UsageError(`--project: no ${PROJECT_DB} in ${dir} (a mistyped path? this command does not create a project)`);
  let project: ProjectStore;
  try {
    project = openProject(resolve(dir));
  } catch (e) {
    // A damaged database, for one.
    if (e instanceof StoreError) throw new UsageError(e.message);
    throw e;
  }
  try {
    return f(project);
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    throw e;
  } finally {
    project.close();
  }
}
