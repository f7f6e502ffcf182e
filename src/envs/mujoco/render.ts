import { GEOM_TYPES, POSE_SIZE, type MujocoRenderSpec } from '../render.js';
import { mjOBJ, nameOf, type MjData, type MjModel } from './runtime.js';

/** Geoms a viewer would draw: not fully transparent and in MuJoCo's default visible groups 0-2. */
function visibleGeoms(model: MjModel): number[] {
  const rgba = model.geom_rgba as Float32Array;
  const group = model.geom_group as Int32Array;
  const out: number[] = [];
  for (let g = 0; g < model.ngeom; g++) if (rgba[4 * g + 3] > 0 && group[g] < 3) out.push(g);
  return out;
}

const visibleCache = new WeakMap<MjModel, number[]>();
function visible(model: MjModel): number[] {
  let v = visibleCache.get(model);
  if (!v) {
    v = visibleGeoms(model);
    visibleCache.set(model, v);
  }
  return v;
}

export function geomRenderSpec(model: MjModel, dt: number): MujocoRenderSpec {
  const size = model.geom_size as Float64Array;
  const rgba = model.geom_rgba as Float32Array;
  const type = model.geom_type as Int32Array;
  return {
    kind: 'mujoco',
    dt,
    geoms: visible(model).map((g) => ({
      name: nameOf(model, mjOBJ.GEOM, g),
      type: GEOM_TYPES[type[g]] ?? 'box',
      size: [size[3 * g], size[3 * g + 1], size[3 * g + 2]],
      rgba: [rgba[4 * g], rgba[4 * g + 1], rgba[4 * g + 2], rgba[4 * g + 3]].map((v) => Math.round(v * 1000) / 1000) as [number, number, number, number],
    })),
  };
}

/** [x, y, z, qw, qx, qy, qz] per visible geom, from geom_xpos and the row-major geom_xmat. */
export function writeGeomPoses(model: MjModel, data: MjData, out?: Float32Array): Float32Array {
  const geoms = visible(model);
  const pos = data.geom_xpos as Float64Array;
  const mat = data.geom_xmat as Float64Array;
  const frame = out ?? new Float32Array(geoms.length * POSE_SIZE);
  for (let k = 0; k < geoms.length; k++) {
    const g = geoms[k];
    const o = k * POSE_SIZE;
    frame[o] = pos[3 * g];
    frame[o + 1] = pos[3 * g + 1];
    frame[o + 2] = pos[3 * g + 2];
    matToQuat(mat, 9 * g, frame, o + 3);
  }
  return frame;
}

/** Rotation matrix (row-major, at m[off..off+9]) to a unit quaternion (w, x, y, z) with w >= 0. */
export function matToQuat(m: ArrayLike<number>, off: number, out: { [i: number]: number }, o: number): void {
  const m00 = m[off];
  const m01 = m[off + 1];
  const m02 = m[off + 2];
  const m10 = m[off + 3];
  const m11 = m[off + 4];
  const m12 = m[off + 5];
  const m20 = m[off + 6];
  const m21 = m[off + 7];
  const m22 = m[off + 8];
  const trace = m00 + m11 + m22;
  let w: number;
  let x: number;
  let y: number;
  let z: number;
  // Shepperd's method: divide by the largest of the four candidates for stability.
  if (trace > 0) {
    const s = 2 * Math.sqrt(trace + 1);
    w = 0.25 * s;
    x = (m21 - m12) / s;
    y = (m02 - m20) / s;
    z = (m10 - m01) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    w = (m21 - m12) / s;
    x = 0.25 * s;
    y = (m01 + m10) / s;
    z = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    w = (m02 - m20) / s;
    x = (m01 + m10) / s;
    y = 0.25 * s;
    z = (m12 + m21) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    w = (m10 - m01) / s;
    x = (m02 + m20) / s;
    y = (m12 + m21) / s;
    z = 0.25 * s;
  }
  const sign = w < 0 ? -1 : 1;
  out[o] = sign * w;
  out[o + 1] = sign * x;
  out[o + 2] = sign * y;
  out[o + 3] = sign * z;
}
