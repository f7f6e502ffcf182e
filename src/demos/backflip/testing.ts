/** Synthetic hopper clips for tests: render states laid out as Hopper-v5's (floor, torso, thigh, leg, foot), posed by pitch and height. */

const capsule = (name: string, radius: number, half: number) => ({ name, type: 'capsule' as const, size: [radius, half, 0] as [number, number, number], rgba: [0.8, 0.6, 0.4, 1] as [number, number, number, number] });

/** Hopper-v5's visible geoms, as its render spec lists them. */
export const HOPPER_GEOMS = [
  { name: 'floor', type: 'plane' as const, size: [20, 20, 0.125] as [number, number, number], rgba: [0.45, 0.55, 0.5, 1] as [number, number, number, number] },
  capsule('torso_geom', 0.05, 0.2),
  capsule('thigh_geom', 0.05, 0.225),
  capsule('leg_geom', 0.04, 0.25),
  capsule('foot_geom', 0.06, 0.195),
];

export const HOPPER_DT = 0.008;

/**
 * A clip of a stiff, straight hopper: frame t has its torso pitched by `pitch[t]` (radians, +
 * forward), centred `height[t]` metres up at x = `x[t]` (default 0), with the leg hanging in
 * line below. `flipAxis` writes each capsule's orientation turned half a turn (its axis the
 * other way round), which draws the same picture.
 */
export function hopperClip(pitch: readonly number[], height: readonly number[], o: { x?: readonly number[]; flipAxis?: boolean } = {}): { render: Float32Array; frameSize: number; length: number } {
  const frameSize = 7 * HOPPER_GEOMS.length;
  const render = new Float32Array(pitch.length * frameSize);
  for (let t = 0; t < pitch.length; t++) {
    const p = pitch[t];
    const [ux, uz] = [Math.sin(p), Math.cos(p)];
    // Rotation about +y by p takes the capsule's local z (0, 0, 1) to (sin p, 0, cos p); turned half a turn more about y, to minus that.
    const a = o.flipAxis ? p + Math.PI : p;
    const q = [Math.cos(a / 2), 0, Math.sin(a / 2), 0];
    const x = o.x?.[t] ?? 0;
    const z = height[t];
    // Centres along the body's axis, below the torso's centre: thigh 0.425 m, leg 0.925 m, foot 1.25 m.
    const centres = [0, 0.425, 0.925, 1.25].map((d) => [x - d * ux, z - d * uz]);
    const f = t * frameSize;
    render.set([0, 0, 0, 1, 0, 0, 0], f);
    centres.forEach(([cx, cz], i) => render.set([cx, 0, cz, ...q], f + 7 * (i + 1)));
  }
  return { render, frameSize, length: pitch.length };
}

/** n numbers from a to b, evenly spaced. */
export const ramp = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / Math.max(1, n - 1));

/** A clip's render states as the server sends them (float32, little-endian, base64). */
export const base64 = (render: Float32Array) => Buffer.from(render.buffer, render.byteOffset, render.byteLength).toString('base64');
