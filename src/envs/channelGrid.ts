/**
 * How a channel grid (MinAtar's observation, `ChannelsRenderSpec`) is drawn: which object a
 * cell shows, in which colour, and the squares that make up the picture. One source for the
 * labeling page (src/server/ui/draw.ts) and for the frames an agent or a reward model sees
 * (`obsType: 'rgb'`, minatar/frame.ts), so the model learns from the picture a person judged.
 * Pure and DOM-free: the page's build includes this file.
 */
import type { ChannelsRenderSpec } from './render.js';

/** The board behind a channel grid, and the colour of a cell with no channel set (MinAtar's black, a shade lighter so the cells can be counted). */
export const CHANNELS_BACKGROUND = '#000000';
export const CHANNELS_EMPTY = '#181818';
/** A channel the spec gives no colour. */
export const CHANNELS_UNCOLORED = '#bbbbbb';
/** A cell the overseer's view cannot see (NaN in the render state). */
export const HIDDEN_COLOR = '#c9c9c9';

/** How far a cell's square is inset from its cell, and the inner square of a second object, in cells. */
export const CELL_INSET = 0.04;
export const UNDER_INSET = 0.3;

/**
 * Which channel a channel grid's cell shows: the highest-index channel set in it (as MinAtar
 * draws), -1 for an empty cell, NaN for a cell the overseer's view cannot see (all of its
 * numbers NaN). A view that hides some channels (NaN in them) sees the cell's other channels,
 * so the hidden ones are simply not drawn.
 */
export function channelOfCell(spec: ChannelsRenderSpec, frame: ArrayLike<number>, cell: number): number {
  const n = spec.channels.length;
  let shown = -1;
  let seen = 0;
  for (let ch = 0; ch < n; ch++) {
    const v = frame[cell * n + ch];
    if (Number.isNaN(v)) continue;
    seen += 1;
    if (v >= 0.5) shown = ch;
  }
  return seen === 0 ? NaN : shown;
}

/** The highest-index channel set in a cell below the one it shows (see `channelOfCell`), or -1 if there is none. */
export function channelUnder(spec: ChannelsRenderSpec, frame: ArrayLike<number>, cell: number): number {
  const shown = channelOfCell(spec, frame, cell);
  if (!(shown > 0)) return -1;
  const n = spec.channels.length;
  for (let ch = shown - 1; ch >= 0; ch--) if (frame[cell * n + ch]! >= 0.5) return ch;
  return -1;
}

/** The colour a channel grid's cell is painted: its shown channel's colour (see `channelOfCell`), dark when empty, grey when hidden. */
export function channelCellColor(spec: ChannelsRenderSpec, frame: ArrayLike<number>, cell: number): string {
  const ch = channelOfCell(spec, frame, cell);
  return Number.isNaN(ch) ? HIDDEN_COLOR : ch < 0 ? CHANNELS_EMPTY : (spec.colors[ch] ?? CHANNELS_UNCOLORED);
}

/** One square of a channel grid's picture: cell (row, col), row 0 on top, shrunk by `inset` cells on every side. */
export interface CellSquare {
  row: number;
  col: number;
  inset: number;
  color: string;
}

/**
 * The squares of a channel grid's picture, in painting order over a board of
 * CHANNELS_BACKGROUND: every cell in its colour (`channelCellColor`), and where a second object
 * shares a cell (Breakout's ball over a brick), which the first would hide, a smaller square
 * inside it in that object's colour.
 */
export function channelsSquares(spec: ChannelsRenderSpec, frame: ArrayLike<number>): CellSquare[] {
  const squares: CellSquare[] = [];
  for (let row = 0; row < spec.rows; row++) {
    for (let col = 0; col < spec.cols; col++) {
      const cell = row * spec.cols + col;
      squares.push({ row, col, inset: CELL_INSET, color: channelCellColor(spec, frame, cell) });
      const under = channelUnder(spec, frame, cell);
      if (under >= 0) squares.push({ row, col, inset: UNDER_INSET, color: spec.colors[under] ?? CHANNELS_UNCOLORED });
    }
  }
  return squares;
}
