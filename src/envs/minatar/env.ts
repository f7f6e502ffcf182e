import { NumpyRandomState, type Mt19937State } from '../../utils/mt19937.js';
import { Rng, type RngState } from '../../utils/rng.js';
import { BaseEnv, type ResetOptions, type ResetResult, type StepResult } from '../core.js';
import type { ChannelsRenderSpec } from '../render.js';
import { Box, Discrete, type Action } from '../spaces.js';
import { FRAME_CELL_PIXELS, rasterizeChannels } from './frame.js';
import { GRID, MINATAR_ACTIONS, type MinAtarGame } from './game.js';

/** Options of every MinAtar env, as MinAtar's Gymnasium envs take them (camel-cased). */
export interface MinAtarOptions {
  /** The chance that a step repeats the previous action instead of the one given (MinAtar: 0.1). */
  stickyActionProb: number;
  /** Whether the games with a difficulty ramp (Asterix, Seaquest, Space Invaders) speed up as they go. */
  difficultyRamping: boolean;
  /** The game's minimal action set (-v1) or all six actions (-v0). */
  minimalActionSet: boolean;
  /**
   * What an observation is (after ALE's obs_type): 'grid', MinAtar's 10 x 10 x channels 0/1
   * planes; 'rgb', the grid as the labeling page draws it, a 40 x 40 x 3 frame in [0, 1] (4
   * pixels a cell; see frame.ts), so a reward model learns from what a person saw.
   */
  obsType: MinAtarObsType;
}
export const MINATAR_OBS_TYPES = ['grid', 'rgb'] as const;
export type MinAtarObsType = (typeof MINATAR_OBS_TYPES)[number];
export const minAtarDefaults: MinAtarOptions = { stickyActionProb: 0.1, difficultyRamping: true, minimalActionSet: true, obsType: 'grid' };

/**
 * Colours of the channels on the labeling page, by channel index: distinct hues bright enough
 * on the board's black, the first (each game's player: paddle, chicken, cannon, submarine) blue.
 * MinAtar's own display uses a cubehelix ramp, whose first colours are near black and hard to
 * tell apart on a small board; these are told apart at a glance. Games with more channels than
 * these get further hues around the colour wheel.
 */
export const CHANNEL_COLORS = ['#4ea8ff', '#ffd23f', '#ff5c5c', '#4cd97b', '#c77dff', '#ff9f43', '#3ee0e0', '#ff7eb6', '#b8e04a', '#f2f2f2'] as const;

/** The colour of channel `i` of a game (see CHANNEL_COLORS). */
export function channelColor(i: number): string {
  return CHANNEL_COLORS[i] ?? `hsl(${Math.round((i * 137.508) % 360)}, 80%, 65%)`;
}

/** A channel's name as a person reads it: 'enemy_sub' -> 'enemy sub', 'speed1' -> 'speed 1', MinAtar's 'oxygen_guage' -> 'oxygen gauge'. */
export function readableChannel(name: string): string {
  return name
    .replace(/_/g, ' ')
    .replace(/guage/g, 'gauge')
    .replace(/([a-z])(\d)/g, '$1 $2');
}

/**
 * Seconds per frame when a clip is played back. MinAtar has no simulated time: a frame is one
 * move, objects jump a whole cell at a time (the ball one cell a frame), so the rate only has
 * to let a person follow the jumps. At 30-60 a second (Atari's rate) a ball crosses the 10x10
 * board in a blink; at 0.1 s (10 a second) each jump can be followed by eye while a clip still
 * shows a rally: the default segment (1.5 s, defaultSegmentLength's floor of 15 frames) is a
 * ball's trip down and back up. The page's 0.5x and 0.25x slow it further.
 */
export const MINATAR_FRAME_SECONDS = 0.1;

/** What a MinAtar env's generator state carries besides the env's own Rng. */
interface MinAtarRngState extends RngState {
  minatar?: Mt19937State & { lastAction: number };
}

/**
 * A MinAtar game as a Gymnasium env, as MinAtar's own `minatar.gym.BaseEnv` over its
 * `Environment`: sticky actions drawn from the game's generator before each frame, the previous
 * action remembered across episodes, `reset({seed})` replacing the generator with
 * `RandomState(seed)` and unseeded resets continuing it. Observations are the 10x10xn 0/1 grid,
 * flattened row, column, channel, or with `obsType: 'rgb'` its 40x40x3 picture. No time limit:
 * the games end themselves (Freeway after 2500 frames), as MinAtar registers them.
 */
export class MinAtarEnv extends BaseEnv {
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  override readonly metadata = { renderModes: [] as string[] };
  readonly opts: MinAtarOptions;
  /** Full-set action of each of this env's actions. */
  readonly actionSet: readonly number[];
  /** What an 'rgb' observation draws (the page's spec), null for 'grid'. */
  private readonly frameSpec: ChannelsRenderSpec | null;
  private random: NumpyRandomState;
  private lastAction = 0;
  private started = false;

  constructor(
    readonly game: MinAtarGame,
    opts: Partial<MinAtarOptions> = {},
  ) {
    super();
    this.opts = { ...minAtarDefaults, ...opts };
    const p = this.opts.stickyActionProb;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`stickyActionProb must be a number in [0, 1], got ${String(p)}`);
    if (typeof this.opts.difficultyRamping !== 'boolean') throw new TypeError(`difficultyRamping must be true or false, got ${String(this.opts.difficultyRamping)}`);
    if (typeof this.opts.minimalActionSet !== 'boolean') throw new TypeError(`minimalActionSet must be true or false, got ${String(this.opts.minimalActionSet)}`);
    if (!(MINATAR_OBS_TYPES as readonly unknown[]).includes(this.opts.obsType)) throw new TypeError(`obsType must be ${MINATAR_OBS_TYPES.map((t) => `'${t}'`).join(' or ')}, got ${JSON.stringify(this.opts.obsType)}`);
    this.actionSet = this.opts.minimalActionSet ? [...game.minimalActionSet] : MINATAR_ACTIONS.map((_, i) => i);
    const side = GRID * FRAME_CELL_PIXELS;
    this.observationSpace = this.opts.obsType === 'rgb' ? new Box(0, 1, [side, side, 3]) : new Box(0, 1, [GRID, GRID, game.channels.length]);
    this.actionSpace = new Discrete(this.actionSet.length);
    this.frameSpec = this.opts.obsType === 'rgb' ? this.renderSpec() : null;
    // Never seeded, MinAtar draws its generator's seed from the OS; here from the env's Rng.
    this.random = new NumpyRandomState(this.rng.integer(2 ** 32));
    this.game.random = this.random;
  }

  /** Names of the observation's channels, in order. */
  get channels(): readonly string[] {
    return this.game.channels;
  }

  /** The observation grid as it is (see ChannelsRenderSpec): a cell painted in the colour of its highest-index set channel. */
  override renderSpec(): ChannelsRenderSpec {
    const channels = [...this.game.channels];
    return { kind: 'channels', rows: GRID, cols: GRID, dt: MINATAR_FRAME_SECONDS, channels, colors: channels.map((_, i) => channelColor(i)), legend: channels.map(readableChannel) };
  }

  /** The current grid (with either obsType: the page draws the grid itself, which an 'rgb' observation is a picture of). */
  override renderState(): Float32Array {
    return this.grid();
  }

  reset(opts: ResetOptions = {}): ResetResult {
    if (opts.seed !== undefined && opts.seed > 0xffffffff) throw new RangeError(`MinAtar seeds numpy's RandomState, which takes seeds up to 2^32 - 1; got ${opts.seed}`);
    this.seedRng(opts.seed);
    if (opts.seed !== undefined) {
      this.random = new NumpyRandomState(opts.seed);
      this.game.random = this.random;
    } else if (!this.started) {
      this.random = new NumpyRandomState(this.rng.integer(2 ** 32));
      this.game.random = this.random;
    }
    this.started = true;
    this.game.reset();
    return { obs: this.observe(), info: {} };
  }

  step(action: Action): StepResult {
    this.checkAction(action);
    let a = this.actionSet[action as number]!;
    // Sticky actions: drawn every frame, before the game's own draws (MinAtar's Environment.act).
    if (this.random.rand() < this.opts.stickyActionProb) a = this.lastAction;
    this.lastAction = a;
    const { reward, terminal } = this.game.act(a);
    return { obs: this.observe(), reward, terminated: terminal, truncated: false, info: {} };
  }

  override rngState(): RngState {
    const state: MinAtarRngState = { ...this.rng.getState(), minatar: { ...this.random.getState(), lastAction: this.lastAction } };
    return state;
  }

  override setRngState(state: RngState): void {
    this.rng = Rng.fromState(state);
    const m = (state as MinAtarRngState).minatar;
    if (m) {
      if (!Number.isInteger(m.lastAction) || m.lastAction < 0 || m.lastAction >= MINATAR_ACTIONS.length) throw new RangeError(`MinAtar generator state has a bad lastAction ${String(m.lastAction)}`);
      this.random = NumpyRandomState.fromState(m);
      this.game.random = this.random;
      this.lastAction = m.lastAction;
      this.started = true;
    }
  }

  private grid(): Float32Array {
    const obs = new Float32Array(GRID * GRID * this.game.channels.length);
    this.game.state(obs);
    return obs;
  }

  private observe(): Float32Array {
    return this.frameSpec ? rasterizeChannels(this.frameSpec, this.grid()) : this.grid();
  }
}

