/** The PostgreSQL store's thread: the async backend, answering the facade's synchronous calls (see bridge.ts). */
import { workerData } from 'node:worker_threads';
import { serveBridge, type BridgeData } from './bridge.js';
import { PgBackend } from './backend.js';
import { withReconnect } from './reconnect.js';
import type { PgInit } from './store.js';

/** How long a call waits for a database that went away (a restart takes seconds); under the bridge's minute. */
const RECONNECT_MS = 45_000;

const data = workerData as BridgeData;
const init = data.init as PgInit;
serveBridge(data, withReconnect(new PgBackend(init), init.reconnectMs ?? RECONNECT_MS, (line) => void process.stderr.write(`${line}\n`)));
