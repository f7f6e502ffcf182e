/**
 * The labeling server on its own thread, so that PPO updates and reward-model fits on the
 * main thread never hold up an annotator's next pair or the acknowledgement of a label. It
 * opens its own connection to the project database (WAL lets both threads use a SQLite file at
 * once; a PostgreSQL database takes any number of connections).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildServer, type ServerOptions } from './app.js';
import { CONNECTION_DEFAULTS, stopServer } from './connections.js';
import { locationOf, openProjectAt } from '../store/open.js';

interface ServerWorkerData {
  /** The project: a directory (SQLite) or a postgres:// URL. */
  dir: string;
  host: string;
  port: number;
  staticDir: string | null;
  /** A module exporting `labelingViewOf` (see thread.ts), or none. */
  viewsModule?: string | null;
  /** Keep encoded clips (default on; see ServerOptions.clipCache). */
  clipCache?: boolean;
}

const { dir, host, port, staticDir, viewsModule, clipCache } = workerData as ServerWorkerData;
const labelingView = viewsModule ? ((await import(viewsModule)) as { labelingViewOf: ServerOptions['labelingView'] }).labelingViewOf : undefined;
const project = openProjectAt(locationOf(dir));
const app = buildServer({ project, staticDir, labelingView, clipCache });
app.server.keepAliveTimeout = CONNECTION_DEFAULTS.keepAliveMs;
app
  .listen({ host, port })
  .then((url) => parentPort!.postMessage({ type: 'listening', url }))
  .catch((e: NodeJS.ErrnoException) => {
    parentPort!.postMessage({ type: 'error', code: e.code ?? null, message: e.message });
    project.close();
  });
parentPort!.on('message', (m: { type: string }) => {
  if (m.type !== 'close') return;
  void stopServer(app).then(() => {
    project.close();
    parentPort!.postMessage({ type: 'closed' });
  });
});
