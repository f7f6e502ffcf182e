import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerThread } from './thread.js';

describe('the labeling server thread (as beside a --teacher human run)', () => {
  it('stops within 2 s although a browser holds a connection open without a request (a preconnect)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overseer-thread-'));
    const server = await startServerThread({ dir, host: '127.0.0.1', port: 0, staticDir: null });
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let closedBy: number | null = null;
    socket.on('close', () => (closedBy ??= performance.now()));
    const start = performance.now();
    await server.close();
    const seconds = (performance.now() - start) / 1000;
    socket.destroy();
    // Before: close waited for the thread's 5 s timeout, then terminated the worker.
    expect(seconds).toBeLessThan(2);
    expect(closedBy).not.toBeNull();
  }, 20_000);
});
