/** A test's view of the clips the server sends: inline (base64) or by address (bytes). */
import type { FastifyInstance } from 'fastify';
import type { SegmentJson } from '../api.js';

/** Float32 render states from base64 or bytes. */
export function floatsOf(data: string | Buffer): Float32Array {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'base64') : data;
  return new Float32Array(new Uint8Array(bytes).buffer);
}

/** The render states of a segment as the server sends it to the holder of `headers`: inline, or fetched from its clip's address. */
export async function framesOf(app: FastifyInstance, segment: SegmentJson, headers: Record<string, string>): Promise<Float32Array> {
  if (segment.render !== null) return floatsOf(segment.render);
  if (segment.clip === null) throw new Error(`segment ${segment.id} came with no render states`);
  const res = await app.inject({ url: segment.clip, headers });
  if (res.statusCode !== 200) throw new Error(`GET ${segment.clip}: ${res.statusCode} ${res.body}`);
  return floatsOf(res.rawPayload);
}
