/** Synthetic hopper clips for tests: render states laid out as Hopper-v5's (floor, torso, thigh, leg, foot), posed by pitch and height, straight or tucked. */

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
 * Where each body capsule is drawn, in the torso's frame: its centre `along` the torso's axis (+
 * towards the head) and `ahead` of it (+ the way the hopper faces when upright), and its axis
 * turned `turn` radians from the torso's.
 */
interface Part {
  along: number;
  ahead: number;
  turn: number;
}

/** Hopper-v5's reset pose: thigh, leg and foot hanging in line below the torso, the foot lying across (from its XML). */
const STRAIGHT: Part[] = [
  { along: -0.425, ahead: 0, turn: 0 },
  { along: -0.9, ahead: 0, turn: 0 },
  { along: -1.15, ahead: 0.065, turn: -Math.PI / 2 },
];

/** Tucked into a ball: thigh, leg and foot folded up side by side in front of the torso, nothing more than 0.45 m from its centre. */
const TUCKED: Part[] = [
  { along: -0.05, ahead: 0.1, turn: 0 },
  { along: 0, ahead: 0.19, turn: 0 },
  { along: 0, ahead: 0.29, turn: 0 },
];

/**
 * A clip of a stiff hopper: frame t has its torso pitched by `pitch[t]` (radians, + forward),
 * centred `height[t]` metres up at x = `x[t]` (default 0), with the leg hanging in line below
 * as in Hopper-v5's reset pose (at height 1.25 the foot's underside is 0.04 m up; at 1.21 it
 * rests on the floor), or, in frames where `tucked[t]`, folded up in front of the torso.
 * `flipAxis` writes each capsule's orientation turned half a turn (its axis the other way
 * round), which draws the same picture.
 */
export function hopperClip(pitch: readonly number[], height: readonly number[], o: { x?: readonly number[]; flipAxis?: boolean; tucked?: readonly boolean[] } = {}): { render: Float32Array; frameSize: number; length: number } {
  const frameSize = 7 * HOPPER_GEOMS.length;
  const render = new Float32Array(pitch.length * frameSize);
  // A rotation about +y by a takes a capsule's local z (0, 0, 1) to (sin a, 0, cos a); turned half a turn more about y, to minus that.
  const quat = (a: number) => [Math.cos(a / 2), 0, Math.sin(a / 2), 0];
  for (let t = 0; t < pitch.length; t++) {
    const p = pitch[t];
    // The torso's axis (towards the head) and the direction ahead of it, in the (x, z) plane.
    const [ux, uz] = [Math.sin(p), Math.cos(p)];
    const [nx, nz] = [Math.cos(p), -Math.sin(p)];
    const half = o.flipAxis ? Math.PI : 0;
    const x = o.x?.[t] ?? 0;
    const z = height[t];
    const f = t * frameSize;
    render.set([0, 0, 0, 1, 0, 0, 0], f);
    render.set([x, 0, z, ...quat(p + half)], f + 7);
    (o.tucked?.[t] ? TUCKED : STRAIGHT).forEach((part, i) =>
      render.set([x + part.along * ux + part.ahead * nx, 0, z + part.along * uz + part.ahead * nz, ...quat(p + part.turn + half)], f + 7 * (i + 2)),
    );
  }
  return { render, frameSize, length: pitch.length };
}

/** n numbers from a to b, evenly spaced. */
export const ramp = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / Math.max(1, n - 1));

/** A clip's render states as the server sends them (float32, little-endian, base64). */
export const base64 = (render: Float32Array) => Buffer.from(render.buffer, render.byteOffset, render.byteLength).toString('base64');
