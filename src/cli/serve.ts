import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../server/app.js';
import { CONNECTION_DEFAULTS, stopServer, type ConnectionOptions } from '../server/connections.js';
import { PROJECT_DB, openProject } from '../store/sqlite.js';
import type { LabelingView } from '../server/app.js';
import type { ProjectStore, RunRecord } from '../store/store.js';
import { UsageError, type CliIO } from './io.js';

export interface ServeFlags {
  project: string;
  host: string;
  port: number;
}

/** The admin token's file in a project: readable by its owner only, so `serve` can print the link again. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/** The built labeling UI (`npm run build` puts it in dist/ui). */
export function uiDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'ui');
}

/** The project's admin token, creating the admin (and the token file) on first use. */
export function ensureAdminToken(project: ProjectStore, dir: string): string {
  const file = join(dir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (project.annotatorByToken(token)?.role === 'admin') return token;
    throw new UsageError(`${file} holds no valid admin token for ${join(dir, PROJECT_DB)}; delete it to make a new admin`);
  }
  const name = project.listAnnotators().some((a) => a.name === 'admin') ? `admin-${Date.now()}` : 'admin';
  const { token } = project.addAnnotator(name, 'admin');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/** The built UI's folder, or null when it has not been built. */
export function builtUi(): string | null {
  const ui = uiDir();
  return existsSync(join(ui, 'index.html')) ? ui : null;
}

/** The view named in a run's stored options (its `prefs.labelingView`, set by --labeling-view), or null for the full clips. */
export function labelingViewName(run: Pick<RunRecord, 'config'>): string | null {
  const name = (run.config as { prefs?: { labelingView?: unknown } } | null)?.prefs?.labelingView;
  return typeof name === 'string' && name !== '' ? name : null;
}

/**
 * Runs made with --labeling-view are shown in their view here too. The views (and the envs and
 * MuJoCo they load) are loaded at start only for a project that has such a run, so `serve` stays
 * quick to start; a run given a view later is refused (never shown in full) until they have
 * loaded, which it sets going.
 */
async function labelingViews(project: ProjectStore): Promise<(run: RunRecord) => LabelingView | null> {
  type Views = typeof import('./labelingView.js');
  let views: Views | null = null;
  let loading: Promise<unknown> | null = null;
  const load = () => (loading ??= import('./labelingView.js').then((m) => (views = m)));
  if (project.listRuns().some((r) => labelingViewName(r) !== null)) await load();
  return (run) => {
    if (labelingViewName(run) === null) return null;
    if (views) return views.labelingViewOf(run);
    void load();
    throw new Error(`run ${run.id} is labeled in the ${labelingViewName(run)} view, which is still loading: try again in a moment`);
  };
}

/** Starts the server on a project; resolves once it listens, with the base URL. */
export async function startServer(
  dir: string,
  host: string,
  port: number,
  connections: Partial<ConnectionOptions> = {},
): Promise<{ app: FastifyInstance; project: ProjectStore; url: string; adminToken: string; stop: () => Promise<void> }> {
  const { keepAliveMs, closeGraceMs } = { ...CONNECTION_DEFAULTS, ...connections };
  const project = openProject(dir);
  try {
    const adminToken = ensureAdminToken(project, dir);
    const app = buildServer({ project, staticDir: builtUi(), labelingView: await labelingViews(project) });
    app.server.keepAliveTimeout = keepAliveMs;
    let address: string;
    try {
      address = await app.listen({ host, port });
    } catch (e) {
      await app.close();
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`--port ${port}: already in use on ${host}; choose another port (or 0 for any free one)`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host ${host}: not an address of this machine`);
      throw e;
    }
    const stop = async () => {
      await stopServer(app, closeGraceMs);
      project.close();
    };
    return { app, project, url: address.replace('://[::1]', '://localhost'), adminToken, stop };
  } catch (e) {
    project.close();
    throw e;
  }
}

export async function serveCommand(flags: ServeFlags, io: CliIO): Promise<number> {
  const dir = resolve(flags.project);
  const { url, adminToken, stop: stopServing } = await startServer(dir, flags.host, flags.port);
  io.stdout(`serving ${join(dir, PROJECT_DB)} on ${url}\ndashboard (admin): ${url}/dashboard.html?token=${adminToken}\nannotators: overseer annotators add NAME --project ${flags.project} prints a labeling link\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await stopServing();
  return 0;
}
