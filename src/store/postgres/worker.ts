/** The PostgreSQL store's thread: the async backend, answering the facade's synchronous calls (see bridge.ts). */
import { workerData } from 'node:worker_threads';
import { serveBridge, type BridgeData } from './bridge.js';
import { PgBackend } from './backend.js';
import type { PgInit } from './store.js';

const data = workerData as BridgeData;
serveBridge(data, new PgBackend(data.init as PgInit) as unknown as Record<string, unknown>);
