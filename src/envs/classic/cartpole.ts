import { BaseEnv, FLOAT32_MAX, resetBounds, type ResetOptions, type ResetResult, type StepResult } from '../core.js';
import { Box, Discrete, type Action } from '../spaces.js';
import type { ClassicRenderSpec } from '../render.js';

export interface CartPoleOptions {
  /** Sutton & Barto's reward: 0 per step, -1 on termination (Gymnasium's `sutton_barto_reward`). */
  sutton_barto_reward: boolean;
}

export const cartPoleDefaults = { sutton_barto_reward: false } satisfies CartPoleOptions;

/** CartPole-v1: Barto, Sutton & Anderson's cart-pole, with Gymnasium's constants and explicit Euler steps. */
export class CartPoleEnv extends BaseEnv {
  /** A 2D viewer draws CartPole from the physical state. */
  override renderSpec(): ClassicRenderSpec {
    return { kind: 'classic', scene: 'CartPole', dt: CartPoleEnv.tau, fields: ['x', 'x_dot', 'theta', 'theta_dot'] };
  }

  override renderState(): Float32Array {
    return Float32Array.from(this.state);
  }

  static readonly gravity = 9.8;
  static readonly massCart = 1.0;
  static readonly massPole = 0.1;
  static readonly totalMass = 1.1;
  /** Half the pole's length. */
  static readonly halfLength = 0.5;
  static readonly poleMassLength = 0.05;
  static readonly forceMag = 10.0;
  static readonly tau = 0.02;
  static readonly thetaThreshold = (12 * 2 * Math.PI) / 360;
  static readonly xThreshold = 2.4;

  readonly observationSpace = new Box(
    [-4.8, -FLOAT32_MAX, -CartPoleEnv.thetaThreshold * 2, -FLOAT32_MAX],
    [4.8, FLOAT32_MAX, CartPoleEnv.thetaThreshold * 2, FLOAT32_MAX],
  );
  readonly actionSpace = new Discrete(2);
  /** [x, x_dot, theta, theta_dot], float64 internally. */
  readonly state = new Float64Array(4);
  private stepsBeyondTerminated: number | null = null;
  private readonly opts: CartPoleOptions;

  constructor(opts: Partial<CartPoleOptions> = {}) {
    super();
    this.opts = { ...cartPoleDefaults, ...opts };
  }

  reset({ seed, options }: ResetOptions = {}): ResetResult {
    this.seedRng(seed);
    const [low, high] = resetBounds(options, -0.05, 0.05);
    for (let i = 0; i < 4; i++) this.state[i] = this.rng.uniform(low, high);
    this.stepsBeyondTerminated = null;
    return { obs: Float32Array.from(this.state), info: {} };
  }

  step(action: Action): StepResult {
    this.checkAction(action);
    const C = CartPoleEnv;
    const s = this.state;
    const [x, xDot, theta, thetaDot] = s;
    const force = action === 1 ? C.forceMag : -C.forceMag;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + C.poleMassLength * thetaDot * thetaDot * sin) / C.totalMass;
    const thetaAcc = (C.gravity * sin - cos * temp) / (C.halfLength * (4 / 3 - (C.massPole * cos * cos) / C.totalMass));
    const xAcc = temp - (C.poleMassLength * thetaAcc * cos) / C.totalMass;
    // Explicit Euler: every update uses the old values.
    s[0] = x + C.tau * xDot;
    s[1] = xDot + C.tau * xAcc;
    s[2] = theta + C.tau * thetaDot;
    s[3] = thetaDot + C.tau * thetaAcc;

    const terminated = s[0] < -C.xThreshold || s[0] > C.xThreshold || s[2] < -C.thetaThreshold || s[2] > C.thetaThreshold;
    let reward: number;
    if (!terminated) {
      reward = this.opts.sutton_barto_reward ? 0 : 1;
    } else if (this.stepsBeyondTerminated === null) {
      this.stepsBeyondTerminated = 0;
      reward = this.opts.sutton_barto_reward ? -1 : 1;
    } else {
      // Stepping a terminated episode is undefined in Gymnasium; it returns 0 reward.
      this.stepsBeyondTerminated += 1;
      reward = 0;
    }
    return { obs: Float32Array.from(s), reward, terminated, truncated: false, info: {} };
  }
}
