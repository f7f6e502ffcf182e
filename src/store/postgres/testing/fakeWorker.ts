/** A bridge worker over a fake backend, for the bridge's own tests (no database). */
import { workerData } from 'node:worker_threads';
import { serveBridge, type BridgeData } from '../bridge.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
serveBridge(workerData as BridgeData, {
  async fast(x: string) {
    return `fast-${x}`;
  },
  async slow(ms: number) {
    await sleep(ms);
    return 'slow-result';
  },
  async fails() {
    throw Object.assign(new Error('no run "x"'), { name: 'NotFoundError' });
  },
  async close() {},
});
