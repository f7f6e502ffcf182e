/**
 * How the labeling server treats connections, for `overseer serve` and the server thread of a
 * `--teacher human` run alike: idle keep-alive connections close after a few seconds, and
 * stopping does not wait on connections that will never finish a request.
 */
import type { FastifyInstance } from 'fastify';

export interface ConnectionOptions {
  /** How long a keep-alive connection may sit idle after a response before the server closes it. */
  keepAliveMs: number;
  /** How long stopping waits for open connections before cutting them. */
  closeGraceMs: number;
}

/**
 * Fastify's default keep-alive (72 s) leaves closed tabs' connections open for over a minute; the
 * dashboard polls every 2 s, so 5 s keeps its connection alive while a closed tab's goes soon.
 */
export const CONNECTION_DEFAULTS = { keepAliveMs: 5000, closeGraceMs: 1000 } satisfies ConnectionOptions;

/**
 * Stops the server: lets requests in flight finish for `graceMs`, then cuts every connection.
 * Fastify closes only connections idle between requests; one that is open but has not sent a
 * request yet (a browser's preconnect) or has sent half of one would hold `close` forever,
 * because Node stops its header and request timeouts once the server closes.
 */
export async function stopServer(app: FastifyInstance, graceMs: number = CONNECTION_DEFAULTS.closeGraceMs): Promise<void> {
  const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}

