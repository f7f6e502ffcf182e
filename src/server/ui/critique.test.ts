import { describe, expect, it } from 'vitest';
import { describeReveal } from './critique.js';
import type { RenderSpec } from './draw.js';

const GRID: RenderSpec = { kind: 'grid', rows: 3, cols: 4, dt: 1, colors: {}, legend: { T: 'watered tomato', t: 'dry tomato' }, truthLayer: 'the tomatoes as they really are' };
const REACHER: RenderSpec = { kind: 'mujoco', dt: 0.02, geoms: [] };
const BREAKOUT: RenderSpec = { kind: 'channels', rows: 10, cols: 10, dt: 0.1, channels: ['paddle', 'ball', 'trail', 'brick'], colors: ['#00f', '#ff0', '#f00', '#0f0'], legend: ['paddle', 'ball', 'trail', 'brick'] };

describe("a critique's evidence in words", () => {
  it('torques: each clip\'s values and their sum of squares (the effort the control cost charges), no "-0.00"', () => {
    const t = describeReveal(REACHER, { kind: 'torque', step: 12, left: [0.5, -0.25], right: [-0.001, 1] }, 'top');
    expect(t.title).toBe('Step 12 (0.24 s): the torques (the control cost is their sum of squares, the effort)');
    expect([t.left, t.right, t.picture]).toEqual(['0.50, -0.25 (effort 0.31)', '0.00, 1.00 (effort 1.00)', null]);
  });

  it("a cell: where it is (1-based row and column), what it holds in each clip by the board's legend, and that it is the truth layer", () => {
    const t = describeReveal(GRID, { kind: 'cell', step: 3, cell: 6, left: ['T'.charCodeAt(0)], right: ['t'.charCodeAt(0)] }, null);
    expect(t).toEqual({ title: 'Step 3 (3.00 s): the cell at row 2, column 3, in truth', left: 'watered tomato ("T")', right: 'dry tomato ("t")', picture: null });
    const hidden = describeReveal({ ...GRID, truthLayer: undefined }, { kind: 'cell', step: 0, cell: 0, left: ['#'.charCodeAt(0)], right: [' '.charCodeAt(0)] }, null);
    expect([hidden.title, hidden.left, hidden.right]).toEqual(['Step 0 (0.00 s): the cell at row 1, column 1, hidden from you', '"#"', '" "']);
  });

  it('a frame or the view from above is a picture: through the run\'s camera, from above, or the board', () => {
    expect(describeReveal(REACHER, { kind: 'frame', step: 5, left: [], right: [] }, 'side').picture).toBe('side');
    expect(describeReveal(REACHER, { kind: 'top', step: 5, left: [], right: [] }, 'side')).toEqual({ title: 'Step 5 (0.10 s): seen from above', left: '', right: '', picture: 'top' });
    expect(describeReveal(GRID, { kind: 'frame', step: 1, left: [], right: [] }, null).picture).toBe('board');
    expect(describeReveal(BREAKOUT, { kind: 'frame', step: 1, left: [], right: [] }, null).picture).toBe('board');
  });

  it("a cell of a channel grid: where it is on the 10x10 board and the channels set in it, by name", () => {
    const t = describeReveal(BREAKOUT, { kind: 'cell', step: 4, cell: 93, left: [1, 1, 0, 0], right: [0, 0, 0, 0] }, null);
    expect(t).toEqual({ title: 'Step 4 (0.40 s): the cell at row 10, column 4, hidden from you', left: 'paddle, ball', right: 'empty', picture: null });
  });
});
