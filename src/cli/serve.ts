import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { DEBATE_ENV_ID } from '../server/api.js';
import { buildServer } from '../server/app.js';
import { CONNECTION_DEFAULTS, stopServer, type ConnectionOptions } from '../server/connections.js';
import { PROJECT_DB } from '../store/sqlite.js';
import { describeLocation, locationOf, projectFlag, type ProjectLocation } from '../store/open.js';
import type { LabelingView } from '../server/app.js';
import type { ProjectStore, RunRecord } from '../store/store.js';
import { UsageError, untilStopped, type CliIO } from './io.js';
import { openForCommand, projectLocation, type ProjectFlags } from './project.js';

export interface ServeFlags extends ProjectFlags {
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
  const token = newAdmin(project);
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

/**
 * The debate pages' routes (src/oversight/debate/server.ts), for a project that has a debate
 * session (a run of env MNIST-debate) when the server starts: loaded only then, as the labeling
 * views are. A session made while the server runs is served after a restart; until then its
 * page is told so.
 */
async function debateRoutes(app: FastifyInstance, project: ProjectStore): Promise<void> {
  if (project.listRuns().some((r) => r.envId === DEBATE_ENV_ID)) {
    const [{ registerDebateRoutes }, { loadJudgeCheckpoint }] = await Promise.all([import('../oversight/debate/server.js'), import('./debatePlay.js')]);
    registerDebateRoutes(app, { project, loadJudge: async (path, k) => (await loadJudgeCheckpoint(path, k)).judge });
    return;
  }
  app.all('/api/debate/*', async (_req, reply) => reply.code(404).send({ error: 'this server started before the project had a debate session: restart overseer serve to serve it' }));
}

/**
 * A PostgreSQL project's admin token, when this call made the admin: a database keeps only
 * tokens' hashes and has no directory for a token file, so the first `serve` prints the admin's
 * link once; later ones say how to make another admin. null: an admin existed already.
 */
export function firstAdminToken(project: ProjectStore): string | null {
  if (project.listAnnotators().some((a) => a.role === 'admin' && a.revokedAt === null)) return null;
  return newAdmin(project);
}

/** Makes an admin named admin (admin-<time> when that name is taken) and returns its token. */
function newAdmin(project: ProjectStore): string {
  const name = project.listAnnotators().some((a) => a.name === 'admin') ? `admin-${Date.now()}` : 'admin';
  return project.addAnnotator(name, 'admin').token;
}

/** Starts the server on a project (a directory or a location); resolves once it listens, with the base URL. */
export async function startServer(
  target: string | ProjectLocation,
  host: string,
  port: number,
  connections: Partial<ConnectionOptions> = {},
): Promise<{ app: FastifyInstance; project: ProjectStore; url: string; adminToken: string | null; stop: () => Promise<void> }> {
  const { keepAliveMs, closeGraceMs } = { ...CONNECTION_DEFAULTS, ...connections };
  const loc = typeof target === 'string' ? locationOf(target) : target;
  const project = openForCommand(loc, false);
  try {
    const adminToken = loc.kind === 'sqlite' ? ensureAdminToken(project, loc.dir) : firstAdminToken(project);
    const app = buildServer({ project, staticDir: builtUi(), labelingView: await labelingViews(project) });
    await debateRoutes(app, project);
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
  const loc = projectLocation(flags);
  const { url, adminToken, stop: stopServing } = await startServer(loc, flags.host, flags.port);
  const named = loc.kind === 'sqlite' ? `--project ${flags.project}` : projectFlag(loc);
  const dashboard = adminToken
    ? `dashboard (admin): ${url}/dashboard.html?token=${adminToken}${loc.kind === 'postgres' ? ' (shown once: the database keeps only its hash)' : ''}`
    : `dashboard: open it with an admin's link (a new admin: overseer annotators add NAME --admin ${named} --url ${url})`;
  io.stdout(`serving ${describeLocation(loc)} on ${url}\n${dashboard}\nannotators: overseer annotators add NAME ${named} prints a labeling link\n`);
  await untilStopped();
  await stopServing();
  return 0;
}
