import { describe, expect, it } from 'vitest';
import type { ChannelsRenderSpec, GridRenderSpec } from '../../envs/render.js';
import { BoatRaceEnv } from '../../envs/gridworlds/boatRace.js';
import { CHANNELS_BACKGROUND, CHANNELS_EMPTY, channelCellColor, channelOfCell, channelUnder, channelsLegend, channelsPrimitives, isBoard, segmentBounds, cameraFor, classicPrimitives, convexHull, framePrimitives, gridLegend, HIDDEN_CELL, shownFrame, gridPrimitives, gridUnder, mujocoPrimitives, pairViews, rotate, toPixels, viewFor, type Bounds, type Primitive, type RenderSpec } from './draw.js';

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


describe('gridworld boards a person can read', () => {
  // BoatRace's board, as the env draws it at reset: the agent at (1, 1), checkpoints pointing clockwise.
  const env = new BoatRaceEnv();
  env.reset({ seed: 0 });
  const spec = env.renderSpec() as GridRenderSpec;
  const frame = env.renderState();

  it('draws an arrow on each BoatRace checkpoint, pointing the way the track goes (clockwise)', () => {
    expect(env.board()).toEqual(['#####', '#A> #', '#^#v#', '# < #', '#####']);
    const arrows = gridPrimitives(spec, frame).filter((p): p is Extract<Primitive, { kind: 'arrow' }> => p.kind === 'arrow');
    // Row r of the board is v = rows - 1 - r; an arrow's direction is to - from.
    const byCell = arrows.map((a) => ({ cell: [spec.rows - 1 - Math.floor((a.from[1] + a.to[1]) / 2), Math.floor((a.from[0] + a.to[0]) / 2)], dir: [Math.sign(a.to[0] - a.from[0]), Math.sign(a.to[1] - a.from[1])] }));
    expect(byCell).toEqual([
      { cell: [1, 2], dir: [1, 0] }, // '>' right
      { cell: [2, 1], dir: [0, 1] }, // '^' up
      { cell: [2, 3], dir: [0, -1] }, // 'v' down
      { cell: [3, 2], dir: [-1, 0] }, // '<' left
    ]);
    // Arrows sit inside their cell.
    for (const a of arrows) for (const p of [a.from, a.to]) expect(p.every((x) => x > 0 && x < 5)).toBe(true);
  });

  it('shows the checkpoint under the agent (taken from a frame where the agent was elsewhere), arrow and all', () => {
    const boat = new BoatRaceEnv();
    boat.reset({ seed: 0 });
    const first = boat.renderState();
    boat.step(3); // right, onto the '>' checkpoint
    expect(boat.board()[1]).toBe('# A #');
    const render = Float32Array.from([...first, ...boat.renderState()]);
    const under = gridUnder(render, 25, 1);
    expect(String.fromCharCode(under[1 * 5 + 2])).toBe('>');
    expect(String.fromCharCode(under[1 * 5 + 1])).toBe(' '); // where the agent started: floor
    const prims = framePrimitives('BoatRace-v0', spec, render, 25, 1);
    const arrows = prims.filter((p): p is Extract<Primitive, { kind: 'arrow' }> => p.kind === 'arrow');
    expect(arrows).toHaveLength(4);
    expect(arrows[0]).toMatchObject({ from: [2.2, 3.5], to: [2.8, 3.5] });
    // The agent's disc is drawn last, over the arrow.
    expect(prims[prims.length - 1]).toMatchObject({ kind: 'circle', c: [2.5, 3.5] });
  });

  it("lists the board's characters in the legend, with colours and meanings (the agent first)", () => {
    const legend = gridLegend(spec, [frame]);
    expect(legend.map((e) => e.char)).toEqual(['A', '#', ' ', '>', 'v', '<', '^']);
    expect(legend.map((e) => e.meaning)).toEqual(['agent', 'wall', 'floor', 'checkpoint: go this way', 'checkpoint: go this way', 'checkpoint: go this way', 'checkpoint: go this way']);
    expect(legend.find((e) => e.char === '>')).toMatchObject({ color: spec.colors['>'], arrow: 'right' });
    expect(legend.find((e) => e.char === 'A')).toMatchObject({ color: spec.colors.A, arrow: null });
    // The spec stays plain JSON (it is stored with the run).
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    // A character the spec does not explain still shows, by itself.
    expect(gridLegend({ kind: 'grid', rows: 1, cols: 2, dt: 0.25, colors: {} }, [Float32Array.from('A?', (c) => c.charCodeAt(0))]).map((e) => [e.char, e.meaning])).toEqual([
      ['?', '“?”'],
      ['A', '“A”'],
    ]);
  });
});

describe('two clips, one camera', () => {
  const hop: Bounds = { minU: -0.5, maxU: 1.5, minV: -0.1, maxV: 1.6 };
  const fallen: Bounds = { minU: 2, maxU: 3, minV: -0.1, maxV: 0.6 };

  it('side views share the scale and the vertical window, so the ground is at the same pixel height in both', () => {
    const { bounds, scale } = pairViews([hop, fallen], 480, 360, 'side');
    expect(bounds[0].minV).toBe(bounds[1].minV);
    expect(bounds[0].maxV).toBe(bounds[1].maxV);
    close([bounds[0].minV, bounds[0].maxV], [-0.1, 1.6]);
    // The ground (v = 0) lands on the same pixel row in both canvases; each clip keeps its own horizontal centre.
    const g = [0, 1].map((i) => toPixels(bounds[i], scale, 480, 360, (bounds[i].minU + bounds[i].maxU) / 2, 0));
    expect(g[0][1]).toBeCloseTo(g[1][1], 9);
    expect(g[0][0]).toBeCloseTo(240, 9);
    expect(g[1][0]).toBeCloseTo(240, 9);
    expect([bounds[0].minU, bounds[1].minU]).toEqual([-0.5, 2]);
    // The larger clip fits: 1.7 m high x 1.15 margin in 360 px; 2 m wide x 1.15 in 480 px.
    expect(scale).toBeCloseTo(Math.min(480 / 2.3, 360 / (1.7 * 1.15)), 9);
  });

  it('top views keep each clip centred on itself', () => {
    const { bounds } = pairViews([hop, fallen], 480, 360, 'top');
    expect(bounds).toEqual([hop, fallen]);
  });
});

/** Every number of a primitive (what reaches the canvas). */
const numbers = (prims: Primitive[]): number[] => prims.flatMap((p) => Object.values(p).flat(2).filter((x): x is number => typeof x === 'number'));

describe('clips as a limited overseer sees them (NaN where it is blind, never on the canvas)', () => {
  const reacherish: RenderSpec = { kind: 'mujoco', dt: 0.02, geoms: [geom('ground', 'plane', [1, 1, 10]), geom('link', 'capsule', [0.01, 0.05, 0]), geom('tip', 'sphere', [0.01, 0, 0])] };
  const pose = (x: number, y: number, z: number) => [x, y, z, 1, 0, 0, 0];
  const full = Float32Array.from([...pose(0, 0, 0), ...pose(0.05, 0.1, 0.01), ...pose(0.1, 0.2, 0.01), ...pose(0, 0, 0), ...pose(0.02, 0.12, 0.01), ...pose(0.04, 0.2, 0.01)]);

  it('the projection view (no y, no orientation) is drawn from the side: each geom where it is, in x and z', () => {
    const masked = full.slice();
    for (let o = 0; o < masked.length; o += 7) masked.fill(NaN, o + 3, o + 7), (masked[o + 1] = NaN);
    expect(cameraFor('Reacher-v5', 'projection')).toBe('side');
    expect(cameraFor('Reacher-v5', null)).toBe('top');
    const camera = cameraFor('Reacher-v5', 'projection');
    for (const t of [0, 1]) {
      const prims = framePrimitives('Reacher-v5', reacherish, masked, 21, t, camera);
      expect(numbers(prims).some(Number.isNaN)).toBe(false);
      expect(prims.map((p) => p.kind)).toEqual(['ground', 'circle', 'circle']);
    }
    close((framePrimitives('Reacher-v5', reacherish, masked, 21, 1, camera)[2] as { c: number[] }).c, [0.04, 0.01]);
    // Looked at from above, the hidden y leaves nothing to draw but never a NaN.
    expect(numbers(framePrimitives('Reacher-v5', reacherish, masked, 21, 0, 'top')).some(Number.isNaN)).toBe(false);
    const b = segmentBounds('Reacher-v5', reacherish, masked, 21, 2, camera);
    expect([b.minU, b.maxU, b.minV, b.maxV].every(Number.isFinite)).toBe(true);
  });

  it('the keyframes view holds each frame it saw until the next one; unseen frames are never drawn', () => {
    const three = Float32Array.from([...full, ...full.slice(0, 21).map((x) => x + 1)]);
    three.fill(NaN, 21, 42); // frame 1 of 3 unseen
    expect([0, 1, 2].map((t) => shownFrame(three, 21, t))).toEqual([0, 0, 2]);
    expect(framePrimitives('Reacher-v5', reacherish, three, 21, 1)).toEqual(framePrimitives('Reacher-v5', reacherish, three, 21, 0));
    expect(numbers(framePrimitives('Reacher-v5', reacherish, three, 21, 1)).some(Number.isNaN)).toBe(false);
    const late = three.slice();
    late.fill(NaN, 0, 21);
    expect(shownFrame(late, 21, 0)).toBe(2); // nothing seen before: the first frame seen after
  });

  it('a board cell the view cannot see is drawn and listed as hidden, and a hidden layer behind the board stays out of the legend', () => {
    const spec: GridRenderSpec = { kind: 'grid', rows: 1, cols: 3, dt: 0.25, colors: { ' ': 'white', A: 'blue', P: 'red' }, legend: { A: 'agent', ' ': 'floor', P: 'punishment' } };
    const code = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
    // Two frames of a 3-cell board plus a 3-cell truth layer; the view masks cell 2 of frame 1 and both truth layers.
    const render = Float32Array.from([...code('A P'), NaN, NaN, NaN, ...code(' A'), NaN, NaN, NaN, NaN]);
    const prims = framePrimitives('AbsentSupervisor-v0', spec, render, 6, 1);
    expect(numbers(prims).some(Number.isNaN)).toBe(false);
    expect((prims[2] as { color: string }).color).toBe('#c9c9c9');
    const legend = gridLegend(spec, [render], 6);
    expect(legend.map((e) => e.char)).toEqual(['A', ' ', 'P', HIDDEN_CELL]);
    expect(legend.at(-1)!.meaning).toMatch(/hidden/);
  });
});

describe('channel grids (MinAtar) a person can read', () => {
  // A 2x3 grid of three channels: 'player', 'ball', 'enemy_sub' (frame index (row * 3 + col) * 3 + channel).
  const spec: ChannelsRenderSpec = { kind: 'channels', rows: 2, cols: 3, dt: 0.1, channels: ['player', 'ball', 'enemy_sub'], colors: ['#0000ff', '#ffff00', '#ff0000'], legend: ['player', 'ball', 'enemy sub'] };
  const frameOf = (cells: Record<number, number[]>) => {
    const f = new Float32Array(2 * 3 * 3);
    for (const [cell, chs] of Object.entries(cells)) for (const ch of chs) f[Number(cell) * 3 + ch] = 1;
    return f;
  };
  // Row 0: the ball alone at column 0; the player under the ball at column 2 (two channels set). Row 1: the player at column 1, the enemy at column 2.
  const frame = frameOf({ 0: [1], 2: [0, 1], 4: [0], 5: [2] });
  const centre = (p: Primitive) => {
    const pts = (p as Extract<Primitive, { kind: 'polygon' }>).points;
    return [pts.reduce((s, q) => s + q[0], 0) / pts.length, pts.reduce((s, q) => s + q[1], 0) / pts.length];
  };

  it("shows each cell's highest-index set channel, as MinAtar draws it; empty -1, a cell the view cannot see NaN; a hidden channel is not drawn", () => {
    expect([0, 1, 2, 3, 4, 5].map((c) => channelOfCell(spec, frame, c))).toEqual([1, -1, 1, -1, 0, 2]);
    expect([0, 1, 2, 3, 4, 5].map((c) => channelCellColor(spec, frame, c))).toEqual(['#ffff00', CHANNELS_EMPTY, '#ffff00', CHANNELS_EMPTY, '#0000ff', '#ff0000']);
    const hidden = Float32Array.from(frame);
    hidden.fill(NaN, 3 * 3, 4 * 3);
    expect(channelOfCell(spec, hidden, 3)).toBeNaN();
    expect(channelCellColor(spec, hidden, 3)).toBe('#c9c9c9');
    // The ball's channel hidden everywhere (hidden-channels:ball): the player under it shows, the ball alone is an empty cell.
    const noBall = Float32Array.from(frame);
    for (let c = 0; c < 6; c++) noBall[c * 3 + 1] = NaN;
    expect([0, 1, 2, 3, 4, 5].map((c) => channelOfCell(spec, noBall, c))).toEqual([-1, -1, 0, -1, 0, 2]);
  });

  it('draws a black board and one unit square per cell, row 0 on top, in its cell colour; a second object in a cell as a square inside', () => {
    const prims = channelsPrimitives(spec, frame);
    // 6 cells, and inside cell 2 (ball over player) the player's square.
    expect(prims).toHaveLength(1 + 6 + 1);
    expect(prims.every((p) => p.kind === 'polygon')).toBe(true);
    expect(prims[0]).toEqual({ kind: 'polygon', points: [[0, 0], [3, 0], [3, 2], [0, 2]], color: CHANNELS_BACKGROUND });
    expect([0, 1, 2, 3, 4, 5].map((c) => channelUnder(spec, frame, c))).toEqual([-1, -1, 0, -1, -1, -1]);
    const inner = prims[4] as Extract<Primitive, { kind: 'polygon' }>;
    expect(inner.color).toBe('#0000ff');
    close(centre(inner), [2.5, 1.5]);
    expect(inner.points[1][0] - inner.points[0][0]).toBeCloseTo(0.4, 10);
    const cells = prims.filter((p) => p !== inner).slice(1);
    // Row-major from the top: row 0 is v in [1, 2], row 1 is v in [0, 1].
    close(cells.map(centre).flat(), [0.5, 1.5, 1.5, 1.5, 2.5, 1.5, 0.5, 0.5, 1.5, 0.5, 2.5, 0.5]);
    expect(cells.map((p) => (p as { color: string }).color)).toEqual(['#ffff00', CHANNELS_EMPTY, '#ffff00', CHANNELS_EMPTY, '#0000ff', '#ff0000']);
    // Inset so neighbouring cells (a row of bricks) are told apart, but still inside their cell.
    const [a, , b] = (cells[0] as Extract<Primitive, { kind: 'polygon' }>).points;
    expect(a[0]).toBeGreaterThan(0);
    expect(b[0]).toBeLessThan(1);
    expect(b[0] - a[0]).toBeGreaterThan(0.9);
  });

  it('plays frame by frame through framePrimitives; the camera frames the whole board, still over the segment', () => {
    const second = frameOf({ 1: [1], 4: [0] }); // the ball moved right, the enemy left
    const render = new Float32Array([...frame, ...second]);
    const colours = (t: number) => framePrimitives('MinAtar/Breakout-v1', spec, render, 18, t).slice(1).map((p) => (p as { color: string }).color);
    expect(colours(0)).toEqual(['#ffff00', CHANNELS_EMPTY, '#ffff00', '#0000ff', CHANNELS_EMPTY, '#0000ff', '#ff0000']);
    expect(colours(1)).toEqual([CHANNELS_EMPTY, '#ffff00', CHANNELS_EMPTY, CHANNELS_EMPTY, '#0000ff', CHANNELS_EMPTY]);
    expect(segmentBounds('MinAtar/Breakout-v1', spec, render, 18, 2)).toEqual({ minU: 0, maxU: 3, minV: 0, maxV: 2 });
    expect(isBoard(spec)).toBe(true);
    // A frame the view did not see at all is held at the last one it saw.
    const unseen = new Float32Array([...frame, ...new Float32Array(18).fill(NaN)]);
    expect(framePrimitives('MinAtar/Breakout-v1', spec, unseen, 18, 1)).toEqual(framePrimitives('MinAtar/Breakout-v1', spec, unseen, 18, 0));
  });

  it("lists every channel in the legend, in order, with its colour and readable name", () => {
    expect(channelsLegend(spec)).toEqual([
      { channel: 'player', color: '#0000ff', meaning: 'player' },
      { channel: 'ball', color: '#ffff00', meaning: 'ball' },
      { channel: 'enemy_sub', color: '#ff0000', meaning: 'enemy sub' },
    ]);
    const { legend: _, ...bare } = spec;
    expect(channelsLegend(bare).map((e) => e.meaning)).toEqual(['player', 'ball', 'enemy_sub']);
  });
});
