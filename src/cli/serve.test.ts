import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startServer } from './serve.js';
import { tmp } from './testing/cli.js';

/** A raw TCP connection to the server, so a test controls exactly what (if anything) is sent. */
async function connect(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

/** Milliseconds that `stop()` takes. */
async function timeStop(stop: () => Promise<void>): Promise<number> {
  const start = Date.now();
  await stop();
  return Date.now() - start;
}

describe('serve: connections', () => {
  it('stops within 2 s with a keep-alive connection idle between requests', async () => {
    const { url, adminToken, stop } = await startServer(tmp(), '127.0.0.1', 0);
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      http.get(`${url}/api/runs`, { agent, headers: { authorization: `Bearer ${adminToken}` } }, (res) => res.resume().on('end', resolve)).on('error', reject),
    );
    expect(await timeStop(stop)).toBeLessThan(2000);
    agent.destroy();
  });

  it('stops within 2 s with a connection that has sent no request yet (a browser preconnect)', async () => {
    const { url, stop } = await startServer(tmp(), '127.0.0.1', 0);
    const socket = await connect(url);
    expect(await timeStop(stop)).toBeLessThan(2000);
    await closed(socket);
  });

  it('stops within 2 s with a request half sent', async () => {
    const { url, stop } = await startServer(tmp(), '127.0.0.1', 0);
    const socket = await connect(url);
    socket.write('GET /api/runs HTTP/1.1\r\nHost: localhost\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await timeStop(stop)).toBeLessThan(2000);
    await closed(socket);
  });

  it('closes a keep-alive connection left idle for the keep-alive timeout', async () => {
    const { url, adminToken, stop } = await startServer(tmp(), '127.0.0.1', 0, { keepAliveMs: 200 });
    try {
      const socket = await connect(url);
      let response = '';
      socket.on('data', (d) => (response += String(d)));
      socket.write(`GET /api/runs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${adminToken}\r\nConnection: keep-alive\r\n\r\n`);
      const start = Date.now();
      await closed(socket);
      expect(response).toMatch(/^HTTP\/1\.1 200/);
      expect(Date.now() - start).toBeLessThan(2000);
    } finally {
      await stop();
    }
  });

  it('keeps a keep-alive connection open for 5 s by default, longer than the dashboard polls (2 s)', async () => {
    const { app, stop } = await startServer(tmp(), '127.0.0.1', 0);
    expect(app.server.keepAliveTimeout).toBe(5000);
    await stop();
  });
});
