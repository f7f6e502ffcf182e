import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../utils/workers.js';

export interface ServerThread {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the labeling server on a worker thread (see worker.ts); resolves once it listens.
 * `viewsModule`: the URL of a module whose `labelingViewOf(run)` gives a run's labeling view
 * (functions cannot cross to a thread, so the caller names where the thread finds it).
 */
export function startServerThread(opts: { dir: string; host: string; port: number; staticDir: string | null; viewsModule?: string | null; clipCache?: boolean }): Promise<ServerThread> {
  const worker: Worker = spawnWorker(new URL('./worker.js', import.meta.url), opts);
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the labeling server thread exited (${code}) before listening`));
    worker.once('exit', onExit);
    worker.once('error', reject);
    worker.once('message', (m: { type: string; url?: string; code?: string | null; message?: string }) => {
      worker.off('exit', onExit);
      if (m.type === 'error') {
        void worker.terminate();
        reject(Object.assign(new Error(m.message ?? 'the labeling server failed to start'), { code: m.code ?? undefined }));
        return;
      }
      resolve({
        url: m.url!,
        close: () =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => void worker.terminate().then(() => done()), 5000);
            worker.once('message', () => {
              clearTimeout(timer);
              void worker.terminate().then(() => done());
            });
            worker.postMessage({ type: 'close' });
          }),
      });
    });
  });
}
