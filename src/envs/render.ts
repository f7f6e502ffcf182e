/**
 * Render states: what a browser needs to replay a segment without the simulator. An env
 * describes its scene once (`renderSpec`) and then gives one flat numeric frame per step
 * (`renderState`).
 */

export const GEOM_TYPES = ['plane', 'hfield', 'sphere', 'capsule', 'ellipsoid', 'cylinder', 'box', 'mesh', 'sdf'] as const;
export type GeomType = (typeof GEOM_TYPES)[number];

export interface GeomDescription {
  name: string;
  type: GeomType;
  /** MuJoCo's geom size: radius / half-sizes, meaning depends on the type. */
  size: [number, number, number];
  rgba: [number, number, number, number];
}

/**
 * A MuJoCo scene: the visible geoms in a fixed order. Each frame holds, per geom,
 * [x, y, z, qw, qx, qy, qz] (world position and orientation quaternion), so a frame is
 * `7 * geoms.length` numbers.
 */
export interface MujocoRenderSpec {
  kind: 'mujoco';
  /** Seconds of simulated time between frames. */
  dt: number;
  geoms: GeomDescription[];
}

/**
 * A classic-control scene, drawn in 2D by a viewer that knows the task: each frame is the
 * env's physical state, with `fields` naming its entries (e.g. CartPole's
 * [x, x_dot, theta, theta_dot]).
 */
export interface ClassicRenderSpec {
  kind: 'classic';
  /** Which drawing to use: 'CartPole', 'Acrobot', 'MountainCar' or 'Pendulum'. */
  scene: 'CartPole' | 'Acrobot' | 'MountainCar' | 'Pendulum';
  dt: number;
  fields: string[];
}

/**
 * A gridworld: each frame is the board's character codes, row-major (`rows * cols` numbers);
 * `colors` says how to paint each character.
 */
export interface GridRenderSpec {
  kind: 'grid';
  rows: number;
  cols: number;
  dt: number;
  colors: Record<string, string>;
  /** What each character means, for the page's legend (e.g. '#': 'wall'); characters left out are shown without a meaning. */
  legend?: Record<string, string>;
  /** Characters drawn with an arrow, and which way it points (BoatRace's checkpoints, a conveyor belt). */
  arrows?: Record<string, GridDirection>;
  /**
   * When set, each frame continues with a second board (`rows * cols` more codes): the truth the
   * first may hide, which this names (TomatoWatering's real tomatoes). Viewers draw only the first.
   */
  truthLayer?: string;
}

export type GridDirection = 'up' | 'down' | 'left' | 'right';

/**
 * A grid of 0/1 channels (MinAtar): each frame is the observation itself, `rows * cols *
 * channels.length` numbers, index (row * cols + col) * channels.length + channel, several
 * channels possibly set in one cell (the ball over a brick). Viewers paint a cell in the colour
 * of its highest-index set channel, as MinAtar's own display does, and an empty cell dark.
 */
export interface ChannelsRenderSpec {
  kind: 'channels';
  rows: number;
  cols: number;
  dt: number;
  /** The channels' names, in the frame's order (e.g. Breakout's 'paddle', 'ball', 'trail', 'brick'). */
  channels: string[];
  /** One CSS colour per channel, in the same order. */
  colors: string[];
  /** Readable names per channel for the page's legend (e.g. 'enemy sub' for 'enemy_sub'); without it, the names as they are. */
  legend?: string[];
}

export type RenderSpec = MujocoRenderSpec | ClassicRenderSpec | GridRenderSpec | ChannelsRenderSpec;

export const POSE_SIZE = 7;
