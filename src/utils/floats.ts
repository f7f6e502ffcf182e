/**
 * Float arrays as text: base64 of their little-endian bytes, lossless for float32 and float64.
 * One codec for every JSON that holds floats (checkpoints, run states, exports, the HTTP API).
 */
import { endianness } from 'node:os';

if (endianness() !== 'LE') throw new Error('Overseer writes floats little-endian; this machine is big-endian');

export type FloatDType = 'float32' | 'float64';

export function encodeFloats(a: Float32Array | Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/**
 * Decodes `encodeFloats` text into a fresh, aligned array. Text that is not base64, or whose
 * bytes are not a whole number of floats, is an error naming `where`.
 */
export function decodeFloats(s: string, dtype: 'float32', where?: string): Float32Array;
export function decodeFloats(s: string, dtype: 'float64', where?: string): Float64Array;
export function decodeFloats(s: string, dtype: FloatDType, where?: string): Float32Array | Float64Array;
export function decodeFloats(s: string, dtype: FloatDType, where = 'float data'): Float32Array | Float64Array {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new FloatCodecError(`${where}: not base64`);
  const buf = Buffer.from(s, 'base64');
  const bytes = dtype === 'float64' ? 8 : 4;
  if (buf.byteLength % bytes !== 0) throw new FloatCodecError(`${where}: encoded ${dtype} data has ${buf.byteLength} bytes, not a multiple of ${bytes}`);
  return bytesToFloats(buf, dtype);
}

/** Copies raw little-endian bytes into a fresh array (a Buffer may sit at any offset of a shared pool). */
export function bytesToFloats(raw: Uint8Array, dtype: FloatDType): Float32Array | Float64Array {
  const out = dtype === 'float32' ? new Float32Array(raw.byteLength / 4) : new Float64Array(raw.byteLength / 8);
  new Uint8Array(out.buffer).set(raw);
  return out;
}

/** The bytes of a float array, without copying. */
export function floatBytes(a: Float32Array | Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Malformed float text (callers at an edge turn it into their own input error). */
export class FloatCodecError extends Error {
  override name = 'FloatCodecError';
}
