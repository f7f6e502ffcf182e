import { describe, expect, it } from 'vitest';
import { segmentBounds, classicPrimitives, convexHull, gridPrimitives, mujocoPrimitives, rotate, viewFor, type RenderSpec } from './draw.js';

const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 6));
const geom = (name: string, type: string, size: [number, number, number]) => ({ name, type: type as 'capsule', size, rgba: [1, 0, 0, 1] as [number, number, number, number] });

describe('segment drawing', () => {
  it('rotates by unit quaternions', () => {
    const s = Math.SQRT1_2;
    close(rotate([1, 0, 0, 0], [1, 2, 3]), [1, 2, 3]);
    close(rotate([s, 0, s, 0], [0, 0, 1]), [1, 0, 0]); // 90 degrees about y: z -> x
    close(rotate([s, 0, 0, s], [1, 0, 0]), [0, 1, 0]); // 90 degrees about z: x -> y
  });

  it('projects capsules, spheres and boxes from the side or from above, far geoms first', () => {
    const geoms = [geom('floor', 'plane', [20, 20, 0.1]), geom('torso', 'capsule', [0.05, 0.2, 0]), geom('ball', 'sphere', [0.1, 0, 0]), geom('box', 'box', [0.5, 0.5, 0.5])];
    // [x, y, z, qw, qx, qy, qz] per geom; the ball sits behind the torso (larger y).
    const frame = [0, 0, 0, 1, 0, 0, 0, 1, 0, 1.25, 1, 0, 0, 0, 2, 1, 0.5, 1, 0, 0, 0, 4, 0, 0.5, 1, 0, 0, 0];
    const side = mujocoPrimitives(geoms, frame, 'side');
    expect(side.map((p) => p.kind)).toEqual(['ground', 'circle', 'segment', 'polygon']);
    const torso = side[2] as Extract<(typeof side)[number], { kind: 'segment' }>;
    close([...torso.a, ...torso.b, torso.width], [1, 1.05, 1, 1.45, 0.1]);
    const box = side[3] as Extract<(typeof side)[number], { kind: 'polygon' }>;
    expect(box.points).toHaveLength(4);
    close(box.points.flat(), [3.5, 0, 4.5, 0, 4.5, 1, 3.5, 1]);
    const top = mujocoPrimitives(geoms, frame, 'top');
    // From above: no ground strip; the ball and box (z 0.5, in geom order) under the torso (z 1.25), seen end-on.
    expect(top.map((p) => p.kind)).toEqual(['circle', 'polygon', 'segment']);
    close((top[0] as { c: number[] }).c, [2, 1]);
    expect(viewFor('Ant-v5')).toBe('top');
    expect(viewFor('Hopper-v5')).toBe('side');
  });

  it('draws classic-control states: the pendulum upright at theta 0', () => {
    const spec: RenderSpec = { kind: 'classic', scene: 'Pendulum', dt: 0.05, fields: ['theta', 'theta_dot'] };
    const [rod] = classicPrimitives(spec, [0, 0]);
    close((rod as { b: number[] }).b, [0, 1]);
    const [down] = classicPrimitives(spec, [Math.PI, 0]);
    close((down as { b: number[] }).b, [0, -1]);
    const cart: RenderSpec = { kind: 'classic', scene: 'CartPole', dt: 0.02, fields: ['x', 'x_dot', 'theta', 'theta_dot'] };
    const pole = classicPrimitives(cart, [1, 0, Math.PI / 2, 0])[2];
    close([...(pole as { a: number[] }).a, ...(pole as { b: number[] }).b], [1, 0, 2, 0]);
  });

  it('bounds a whole segment, so the camera can stay still', () => {
    const spec: RenderSpec = { kind: 'mujoco', dt: 0.01, geoms: [geom('ball', 'sphere', [0.1, 0, 0])] };
    const render = Float32Array.from([0, 0, 1, 1, 0, 0, 0, 3, 0, 2, 1, 0, 0, 0]);
    const b = segmentBounds('Hopper-v5', spec, render, 7, 2);
    close([b.minU, b.maxU, b.minV, b.maxV], [-0.1, 3.1, 0.9, 2.1]);
  });

  it('hulls points counter-clockwise, dropping interior ones', () => {
    expect(convexHull([[0, 0], [1, 1], [2, 0], [1, 0.2], [2, 2], [0, 2]])).toEqual([[0, 0], [2, 0], [2, 2], [0, 2]]);
  });

  it('draws a gridworld board as unit squares, row 0 on top, the agent as a disc', () => {
    const spec: RenderSpec = { kind: 'grid', rows: 2, cols: 3, dt: 0.25, colors: { '#': 'black', ' ': 'white', A: 'blue' } };
    const prims = gridPrimitives(spec, Float32Array.from('#A  #?', (c) => c.charCodeAt(0)));
    expect(prims).toHaveLength(7);
    expect(prims.slice(0, 6).map((p) => (p as { color: string }).color)).toEqual(['black', 'white', 'white', 'white', 'black', '#bbbbbb']);
    const disc = prims[6] as { kind: string; c: number[]; color: string };
    expect(disc).toMatchObject({ kind: 'circle', color: 'blue' });
    close(disc.c, [1.5, 1.5]);
  });
});

