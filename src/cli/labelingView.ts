/**
 * A run's labeling view: the limited overseer's view (src/oversight/views) that people label
 * the run's clips in, named by the run's `labelingView` option (`--labeling-view`). The server
 * only applies a view it is given (it sits below oversight), so the CLI hands it this lookup:
 * directly (`serve`), or as a module the server's thread imports (`prefs --teacher human`).
 */
import type { LabelingView } from '../server/app.js';
import type { RunRecord } from '../store/store.js';
import { VIEWS_BY_ENV, viewFor } from '../oversight/views/registry.js';
import { UsageError } from './io.js';
import { labelingViewName } from './serve.js';

/** This module, for the server's thread to import (its .ts source when run from source). */
export const LABELING_VIEWS_MODULE = import.meta.url;

/** The run's labeling view, or null: what the server sends people of each segment. */
export function labelingViewOf(run: RunRecord): LabelingView | null {
  const name = labelingViewName(run);
  return name === null ? null : viewFor(run.envId, name);
}

/** Refuses a view the env does not have, naming the ones it does. */
export function checkLabelingView(envId: string, name: string): void {
  if (!VIEWS_BY_ENV[envId]) throw new UsageError(`--labeling-view: ${envId} has no limited views; envs with views: ${Object.keys(VIEWS_BY_ENV).join(', ')}`);
  try {
    viewFor(envId, name);
  } catch (e) {
    throw new UsageError(`--labeling-view: ${(e as Error).message}`);
  }
}
