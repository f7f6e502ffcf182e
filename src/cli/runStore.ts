/**
 * Where a prefs run keeps its segments, queries and labels: a run in a project database (by
 * default the run directory is its own project). Runs made before the database kept them in
 * JSON-lines files (`RUN/prefs/*.jsonl`); such a run is moved into a database in its own
 * directory the first time it is opened (for `--resume`), its files left as they were, and
 * `--labels-from` reads their labels without touching them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Env } from '../envs/core.js';
import { make, registeredIds } from '../envs/registry.js';
import type { RenderSpec } from '../envs/render.js';
import type { PreferenceStore, StoreContents } from '../prefs/store.js';
import { readExport } from '../store/exchange.js';
import { LEGACY_DIR, isLegacyStore, readLegacyRun } from '../store/legacy.js';
import { PROJECT_DB, openProject } from '../store/sqlite.js';
import { StoreError, type ProjectStore } from '../store/store.js';
import { describeLocation, openProjectAt, projectExists, type ProjectLocation } from '../store/open.js';
import { UsageError } from './io.js';

/**
 * A prefs run's store: a run in a project database (SQLite in a directory, or PostgreSQL at a
 * URL, kept without its password: give that in PGPASSWORD or ~/.pgpass, or again with --db),
 * or (runs made before the database) the file store.
 */
export type PrefsStoreRef = { kind: 'sqlite'; project: string; runId: string } | { kind: 'postgres'; url: string; runId: string } | { kind: 'file' };

/** The project database a run's store names, and the run's id in it; null for the file store. `url`: the PostgreSQL URL to use (with its password), if given. */
export function projectOfRun(ref: PrefsStoreRef | undefined, url?: string): { loc: ProjectLocation; runId: string } | null {
  if (!ref || ref.kind === 'file') return null;
  if (ref.kind === 'sqlite') return { loc: { kind: 'sqlite', dir: ref.project }, runId: ref.runId };
  return { loc: { kind: 'postgres', url: url ?? ref.url }, runId: ref.runId };
}

/** A URL as a run's config.json keeps it: without the password. */
export function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/** Opens the store a prefs run directory uses; `close` also closes the project database. `url`: a PostgreSQL run's URL with its password. */
export function openRunStore(runPath: string, ref: PrefsStoreRef | undefined, url?: string): { store: PreferenceStore; project: ProjectStore; close(): void } {
  const at = projectOfRun(ref, url);
  if (!at) return openMovedRun(runPath);
  if (!projectExists(at.loc)) throw new UsageError(`${runPath}: its project database ${describeLocation(at.loc)} is missing`);
  let project: ProjectStore;
  try {
    project = openProjectAt(at.loc);
  } catch (e) {
    if (at.loc.kind === 'postgres') throw new UsageError(`${runPath}: its project database: ${(e as Error).message}`);
    throw e;
  }
  try {
    return { store: project.runStore(at.runId), project, close: () => project.close() };
  } catch (e) {
    project.close();
    if (e instanceof StoreError) throw new UsageError(`${runPath}: ${e.message}`);
    throw e;
  }
}

/** The store reference in a prefs run directory's config.json (absent in runs made before the project database). */
export function runStoreRef(runPath: string): PrefsStoreRef | undefined {
  const config = JSON.parse(readFileSync(join(runPath, 'config.json'), 'utf8')) as { store?: PrefsStoreRef };
  return config.store;
}

/** How the labeling page draws an env's segments, stored with the run so the server never builds an env. */
export function renderSpecOf(envId: string, kwargs: Record<string, unknown>): RenderSpec | null {
  const env: Env = make(envId, { kwargs });
  try {
    return env.renderSpec();
  } finally {
    env.close();
  }
}

/** The render spec of a registered env (null for an env this build does not know, or cannot make). */
function knownRenderSpec(envId: string, kwargs: Record<string, unknown>): RenderSpec | null {
  if (!registeredIds().includes(envId)) return null;
  try {
    return renderSpecOf(envId, kwargs);
  } catch {
    return null;
  }
}

/**
 * Copies another run's labels, with the segments and queries they refer to, into `store` (ids
 * prefixed by the source's name). The source is a prefs run directory or a file written by
 * `overseer export`.
 */
export function importLabels(fromRun: string, store: PreferenceStore, into?: { envId: string; obsSize: number; actionSize: number }): number {
  const sources: { tag: string; contents: StoreContents }[] = [];
  try {
    if (fromRun.endsWith('.jsonl') && existsSync(fromRun) && !existsSync(join(fromRun, 'config.json'))) {
      for (const r of readExport(fromRun)) sources.push({ tag: `${r.id}/`, contents: r.contents });
    } else {
      sources.push({ tag: `${basename(resolve(fromRun))}/`, contents: runContents(fromRun) });
    }
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(`--labels-from: ${e.message}`);
    throw e;
  }
  let n = 0;
  for (const { tag, contents } of sources) {
    const { segments, truths, queries, labels } = contents;
    const used = new Set(labels.flatMap((l) => [l.leftId, l.rightId]));
    // Segments of another env (or of other observation/action sizes) would train the model on nonsense.
    for (const id of used) {
      const s = segments.get(id)!;
      if (into && (s.envId !== into.envId || s.obsSize !== into.obsSize || s.actionSize !== into.actionSize)) {
        throw new UsageError(`--labels-from: ${fromRun} has segments of ${s.envId} (observations of ${s.obsSize}, actions of ${s.actionSize}); this run is ${into.envId} (${into.obsSize}, ${into.actionSize})`);
      }
    }
    store.putSegments(
      [...used].map((id) => {
        const s = segments.get(id)!;
        const t = truths.get(id);
        return { segment: { ...s, id: tag + id }, truth: t ? { segmentId: tag + id, rewards: t.rewards } : undefined };
      }),
    );
    const labelled = new Set(labels.map((l) => l.queryId));
    store.putQueries(queries.filter((q) => labelled.has(q.id)).map((q) => ({ ...q, id: tag + q.id, leftId: tag + q.leftId, rightId: tag + q.rightId })));
    for (const l of labels) store.putLabel({ ...l, queryId: tag + l.queryId, leftId: tag + l.leftId, rightId: tag + l.rightId });
    n += labels.length;
  }
  if (n === 0) throw new UsageError(`--labels-from: ${fromRun} has no stored labels`);
  return n;
}

/** What a prefs run directory has stored (repeats left out); an old run's files are read, not moved. */
function runContents(runPath: string): StoreContents {
  const ref = runStoreRef(runPath);
  const files = join(runPath, LEGACY_DIR);
  if ((!ref || ref.kind === 'file') && !existsSync(join(runPath, PROJECT_DB))) {
    if (!isLegacyStore(files)) throw new UsageError(`--labels-from: ${runPath} has no stored labels (no ${files})`);
    return readLegacyRun(files);
  }
  const source = openRunStore(runPath, ref);
  try {
    return source.store.load();
  } finally {
    source.close();
  }
}

/** An old run's database in its own directory, filled from its files the first time. */
function openMovedRun(runPath: string): { store: PreferenceStore; project: ProjectStore; close(): void } {
  const runId = basename(resolve(runPath));
  const project = openProject(runPath);
  try {
    if (!project.getRun(runId)) {
      const config = JSON.parse(readFileSync(join(runPath, 'config.json'), 'utf8')) as { envId?: string; prefs?: { labels?: number; labelBudget?: number; envKwargs?: Record<string, unknown> }; ppo?: unknown };
      const contents = readLegacyRun(join(runPath, LEGACY_DIR));
      const envId = config.envId ?? 'unknown';
      const run = { id: runId, envId, labelBudget: config.prefs?.labels ?? config.prefs?.labelBudget ?? null, config: { prefs: config.prefs, ppo: config.ppo }, renderSpec: knownRenderSpec(envId, config.prefs?.envKwargs ?? {}) };
      project.importRuns([{ run, contents: { ...contents, kinds: new Map() } }]);
    }
    return { store: project.runStore(runId), project, close: () => project.close() };
  } catch (e) {
    project.close();
    if (e instanceof StoreError) throw new UsageError(`${runPath}: ${e.message}`);
    throw e;
  }
}
