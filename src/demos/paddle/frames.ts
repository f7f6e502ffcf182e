/**
 * What a MinAtar Breakout frame shows of the paddle and the ball, read from the channel grid the
 * labeling page draws (ChannelsRenderSpec: `rows * cols * channels` 0/1 numbers, row-major,
 * channel fastest). The paddle lives in the bottom row, the ball anywhere above or beside it;
 * the paddle is "under the ball" when it is in the ball's column. Pure arithmetic on numbers.
 */

/** Where the channels a tracker needs sit in a frame. */
export interface BreakoutLayout {
  rows: number;
  cols: number;
  /** Numbers per cell. */
  channels: number;
  paddle: number;
  ball: number;
}

/** The layout of a channels scene (spec fields as the labeling API sends them); throws if it has no paddle and ball. */
export function breakoutLayout(spec: { kind: string; rows?: number; cols?: number; channels?: readonly string[] }): BreakoutLayout {
  if (spec.kind !== 'channels' || !spec.rows || !spec.cols || !spec.channels) throw new Error(`not a channel grid (render kind ${spec.kind})`);
  const paddle = spec.channels.indexOf('paddle');
  const ball = spec.channels.indexOf('ball');
  if (paddle < 0 || ball < 0) throw new Error(`not Breakout: no paddle and ball among the channels ${spec.channels.join(', ')}`);
  return { rows: spec.rows, cols: spec.cols, channels: spec.channels.length, paddle, ball };
}

/** Columns of frame `t` in which `channel` is set (a set cell reads >= 0.5, as the page draws it). */
export function columnsOf(render: ArrayLike<number>, g: BreakoutLayout, t: number, channel: number): Set<number> {
  const cols = new Set<number>();
  const base = t * g.rows * g.cols * g.channels;
  for (let cell = 0; cell < g.rows * g.cols; cell++) if (render[base + cell * g.channels + channel]! >= 0.5) cols.add(cell % g.cols);
  return cols;
}

/** Whether frame `t` shows the paddle in the ball's column; null when no ball is visible (the frame does not count). */
export function paddleUnderBall(render: ArrayLike<number>, g: BreakoutLayout, t: number): boolean | null {
  const ball = columnsOf(render, g, t, g.ball);
  if (ball.size === 0) return null;
  const paddle = columnsOf(render, g, t, g.paddle);
  return [...paddle].some((c) => ball.has(c));
}

export interface Tracking {
  /** Frames with the paddle in the ball's column. */
  tracked: number;
  /** Frames with a ball visible (the ones that count). */
  visible: number;
  frames: number;
}

/** How many of a clip's frames show the paddle under the ball. */
export function tracking(render: ArrayLike<number>, g: BreakoutLayout): Tracking {
  const frameSize = g.rows * g.cols * g.channels;
  const frames = Math.floor(render.length / frameSize);
  let tracked = 0;
  let visible = 0;
  for (let t = 0; t < frames; t++) {
    const under = paddleUnderBall(render, g, t);
    if (under === null) continue;
    visible += 1;
    if (under) tracked += 1;
  }
  return { tracked, visible, frames };
}
