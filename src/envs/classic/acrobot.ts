import { BaseEnv, resetBounds, type ResetOptions, type ResetResult, type StepResult } from '../core.js';
import { Box, Discrete, type Action } from '../spaces.js';
import type { ClassicRenderSpec } from '../render.js';

export type AcrobotDynamics = 'book' | 'nips';

export interface AcrobotOptions {
  /** 'book' (Sutton & Barto, the default) or 'nips', which drops one Coriolis term. */
  book_or_nips: AcrobotDynamics;
}

export const acrobotDefaults = { book_or_nips: 'book' } satisfies AcrobotOptions;

const MAX_VEL_1 = 4 * Math.PI;
const MAX_VEL_2 = 9 * Math.PI;

/** Acrobot-v1: a two-link pendulum actuated at the elbow; swing the tip above the bar. */
export class AcrobotEnv extends BaseEnv {
  /** A 2D viewer draws Acrobot from the physical state. */
  override renderSpec(): ClassicRenderSpec {
    return { kind: 'classic', scene: 'Acrobot', dt: AcrobotEnv.dt, fields: ['theta1', 'theta2', 'dtheta1', 'dtheta2'] };
  }

  override renderState(): Float32Array {
    return Float32Array.from(this.state);
  }

  static readonly dt = 0.2;
  static readonly linkLength1 = 1.0;
  static readonly linkLength2 = 1.0;
  static readonly linkMass1 = 1.0;
  static readonly linkMass2 = 1.0;
  static readonly linkCom1 = 0.5;
  static readonly linkCom2 = 0.5;
  static readonly linkMoi = 1.0;
  static readonly torques = [-1.0, 0.0, 1.0] as const;

  readonly observationSpace = new Box([-1, -1, -1, -1, -MAX_VEL_1, -MAX_VEL_2], [1, 1, 1, 1, MAX_VEL_1, MAX_VEL_2]);
  readonly actionSpace = new Discrete(3);
  /** [theta1, theta2, dtheta1, dtheta2]; theta = 0 hangs straight down, theta2 is relative to link 1. */
  readonly state = new Float64Array(4);
  private readonly opts: AcrobotOptions;
  // RK4 scratch space over the augmented state [s, torque].
  private readonly k = [new Float64Array(5), new Float64Array(5), new Float64Array(5), new Float64Array(5)];
  private readonly tmp = new Float64Array(5);
  private readonly y = new Float64Array(5);

  constructor(opts: Partial<AcrobotOptions> = {}) {
    super();
    this.opts = { ...acrobotDefaults, ...opts };
    if (this.opts.book_or_nips !== 'book' && this.opts.book_or_nips !== 'nips') {
      throw new Error(`Acrobot book_or_nips must be 'book' or 'nips', got ${String(this.opts.book_or_nips)}`);
    }
  }

  reset({ seed, options }: ResetOptions = {}): ResetResult {
    this.seedRng(seed);
    const [low, high] = resetBounds(options, -0.1, 0.1);
    // Gymnasium draws the reset state as float32.
    for (let i = 0; i < 4; i++) this.state[i] = Math.fround(this.rng.uniform(low, high));
    return { obs: this.observe(), info: {} };
  }

  step(action: Action): StepResult {
    this.checkAction(action);
    const torque = AcrobotEnv.torques[action as number];
    const s = this.state;
    const y0 = this.tmp;
    y0.set(s);
    y0[4] = torque;
    // One classic RK4 step over [0, dt] with the torque held constant.
    const [k1, k2, k3, k4] = this.k;
    const h = AcrobotEnv.dt;
    const y = this.y;
    this.dsdt(y0, k1);
    for (let i = 0; i < 5; i++) y[i] = y0[i] + 0.5 * h * k1[i];
    this.dsdt(y, k2);
    for (let i = 0; i < 5; i++) y[i] = y0[i] + 0.5 * h * k2[i];
    this.dsdt(y, k3);
    for (let i = 0; i < 5; i++) y[i] = y0[i] + h * k3[i];
    this.dsdt(y, k4);
    for (let i = 0; i < 4; i++) s[i] = y0[i] + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);

    s[0] = wrap(s[0], -Math.PI, Math.PI);
    s[1] = wrap(s[1], -Math.PI, Math.PI);
    s[2] = clip(s[2], -MAX_VEL_1, MAX_VEL_1);
    s[3] = clip(s[3], -MAX_VEL_2, MAX_VEL_2);
    const terminated = this.isTerminal();
    return { obs: this.observe(), reward: terminated ? 0 : -1, terminated, truncated: false, info: {} };
  }

  /** Tip above the bar: -cos(theta1) - cos(theta1 + theta2) > 1. */
  isTerminal(): boolean {
    const s = this.state;
    return -Math.cos(s[0]) - Math.cos(s[1] + s[0]) > 1.0;
  }

  private observe(): Float32Array {
    const s = this.state;
    return Float32Array.of(Math.cos(s[0]), Math.sin(s[0]), Math.cos(s[1]), Math.sin(s[1]), s[2], s[3]);
  }

  /** Time derivative of the augmented state [theta1, theta2, dtheta1, dtheta2, torque]. */
  private dsdt(sa: Float64Array, out: Float64Array): void {
    const C = AcrobotEnv;
    const m1 = C.linkMass1;
    const m2 = C.linkMass2;
    const l1 = C.linkLength1;
    const lc1 = C.linkCom1;
    const lc2 = C.linkCom2;
    const I1 = C.linkMoi;
    const I2 = C.linkMoi;
    const g = 9.8;
    const a = sa[4];
    const theta1 = sa[0];
    const theta2 = sa[1];
    const dtheta1 = sa[2];
    const dtheta2 = sa[3];
    const d1 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * Math.cos(theta2)) + I1 + I2;
    const d2 = m2 * (lc2 * lc2 + l1 * lc2 * Math.cos(theta2)) + I2;
    const phi2 = m2 * lc2 * g * Math.cos(theta1 + theta2 - Math.PI / 2);
    const phi1 =
      -m2 * l1 * lc2 * dtheta2 * dtheta2 * Math.sin(theta2) -
      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.sin(theta2) +
      (m1 * lc1 + m2 * l1) * g * Math.cos(theta1 - Math.PI / 2) +
      phi2;
    const coriolis = this.opts.book_or_nips === 'book' ? m2 * l1 * lc2 * dtheta1 * dtheta1 * Math.sin(theta2) : 0;
    const ddtheta2 = (a + (d2 / d1) * phi1 - coriolis - phi2) / (m2 * lc2 * lc2 + I2 - (d2 * d2) / d1);
    const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    out[0] = dtheta1;
    out[1] = dtheta2;
    out[2] = ddtheta1;
    out[3] = ddtheta2;
    out[4] = 0;
  }
}

/** Wraps x into [m, M] by whole periods, as Gymnasium's `wrap`. */
export function wrap(x: number, m: number, M: number): number {
  const diff = M - m;
  while (x > M) x -= diff;
  while (x < m) x += diff;
  return x;
}

function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
