import { BaseEnv, assertFiniteOption, type ResetOptions, type ResetResult, type StepResult } from '../core.js';
import { Box, type Action } from '../spaces.js';
import type { ClassicRenderSpec } from '../render.js';

export interface PendulumOptions {
  /** Gravitational acceleration. */
  g: number;
}

export const pendulumDefaults = { g: 10.0 } satisfies PendulumOptions;

/** Pendulum-v1: swing a torque-limited pendulum up and hold it; theta = 0 is upright. */
export class PendulumEnv extends BaseEnv {
  /** A 2D viewer draws Pendulum from the physical state. */
  override renderSpec(): ClassicRenderSpec {
    return { kind: 'classic', scene: 'Pendulum', dt: PendulumEnv.dt, fields: ['theta', 'theta_dot'] };
  }

  override renderState(): Float32Array {
    return Float32Array.from(this.state);
  }

  static readonly maxSpeed = 8;
  static readonly maxTorque = 2.0;
  static readonly dt = 0.05;
  static readonly m = 1.0;
  static readonly l = 1.0;

  readonly observationSpace = new Box([-1, -1, -PendulumEnv.maxSpeed], [1, 1, PendulumEnv.maxSpeed]);
  readonly actionSpace = new Box(-PendulumEnv.maxTorque, PendulumEnv.maxTorque, [1]);
  /** [theta, theta_dot]; theta is not wrapped. */
  readonly state = new Float64Array(2);
  private readonly opts: PendulumOptions;

  constructor(opts: Partial<PendulumOptions> = {}) {
    super();
    this.opts = { ...pendulumDefaults, ...opts };
    assertFiniteOption('g', this.opts.g);
  }

  reset({ seed, options }: ResetOptions = {}): ResetResult {
    this.seedRng(seed);
    const xInit = readInit(options, 'x_init', Math.PI);
    const yInit = readInit(options, 'y_init', 1.0);
    this.state[0] = this.rng.uniform(-xInit, xInit);
    this.state[1] = this.rng.uniform(-yInit, yInit);
    return { obs: this.observe(), info: {} };
  }

  step(action: Action): StepResult {
    this.checkAction(action);
    const P = PendulumEnv;
    const [th, thdot] = this.state;
    const u = Math.min(Math.max((action as ArrayLike<number>)[0], -P.maxTorque), P.maxTorque);
    // The cost is taken on the state before the step.
    const cost = angleNormalize(th) ** 2 + 0.1 * thdot * thdot + 0.001 * u * u;
    let newThdot = thdot + ((3 * this.opts.g) / (2 * P.l) * Math.sin(th) + (3 / (P.m * P.l * P.l)) * u) * P.dt;
    newThdot = Math.min(Math.max(newThdot, -P.maxSpeed), P.maxSpeed);
    this.state[0] = th + newThdot * P.dt;
    this.state[1] = newThdot;
    return { obs: this.observe(), reward: -cost, terminated: false, truncated: false, info: {} };
  }

  private observe(): Float32Array {
    const [th, thdot] = this.state;
    return Float32Array.of(Math.cos(th), Math.sin(th), thdot);
  }
}

/** Maps an angle into [-pi, pi) with Python's floored modulo. */
export function angleNormalize(x: number): number {
  const twoPi = 2 * Math.PI;
  const m = (x + Math.PI) % twoPi;
  return (m < 0 ? m + twoPi : m) - Math.PI;
}

function readInit(options: Record<string, unknown> | undefined, key: string, dflt: number): number {
  const v = options?.[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`Pendulum reset option ${key} must be a finite number, got ${String(v)}`);
  return Math.abs(v);
}
