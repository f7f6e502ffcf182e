import type { Restorable, StepResult } from '../core.js';
import { Box } from '../spaces.js';
import { MujocoEnv } from './mujocoEnv.js';
import { booleanOption, finiteOption, frameSkipOption, nonNegativeOption } from './options.js';

/** Options shared by every forward-moving task (Hopper, Walker2d, HalfCheetah, Swimmer). */
export interface RunnerOptions {
  frame_skip: number;
  forward_reward_weight: number;
  ctrl_cost_weight: number;
  reset_noise_scale: number;
  exclude_current_positions_from_observation: boolean;
}

/** Options shared by Hopper and Walker2d. */
export interface PlanarWalkerOptions extends RunnerOptions {
  healthy_reward: number;
  terminate_when_unhealthy: boolean;
}

/** Validates the options every forward-moving task takes. */
function runnerOptions(id: string, o: Record<string, unknown>, frameSkip: number): RunnerOptions {
  return {
    frame_skip: frameSkip,
    forward_reward_weight: finiteOption(id, 'forward_reward_weight', o.forward_reward_weight),
    ctrl_cost_weight: nonNegativeOption(id, 'ctrl_cost_weight', o.ctrl_cost_weight),
    reset_noise_scale: nonNegativeOption(id, 'reset_noise_scale', o.reset_noise_scale),
    exclude_current_positions_from_observation: booleanOption(id, 'exclude_current_positions_from_observation', o.exclude_current_positions_from_observation),
  };
}

/**
 * Hopper and Walker2d: planar bodies on rootx/rootz/rooty, rewarded as
 * healthy_reward * healthy + forward_reward_weight * dx/dt - ctrl_cost_weight * |a|^2 and
 * terminated when unhealthy. Subclasses say what healthy means.
 */
export abstract class PlanarWalkerEnv extends MujocoEnv implements Restorable {
  readonly observationSpace: Box;
  protected readonly common: PlanarWalkerOptions;

  constructor(xml: string, id: string, o: Record<string, unknown>) {
    super(xml, id, frameSkipOption(id, o.frame_skip));
    this.common = {
      ...runnerOptions(id, o, this.frameSkip),
      healthy_reward: finiteOption(id, 'healthy_reward', o.healthy_reward),
      terminate_when_unhealthy: booleanOption(id, 'terminate_when_unhealthy', o.terminate_when_unhealthy),
    };
    const size = this.model.nq + this.model.nv - (this.common.exclude_current_positions_from_observation ? 1 : 0);
    this.observationSpace = new Box(-Infinity, Infinity, [size]);
  }

  abstract get isHealthy(): boolean;

  protected resetModel(): void {
    const s = this.common.reset_noise_scale;
    this.setState(this.uniformNoise(this.initQpos, s), this.uniformNoise(this.initQvel, s));
  }

  protected stepModel(action: ArrayLike<number>): StepResult {
    const o = this.common;
    const xBefore = this.qpos[0];
    this.doSimulation(action);
    const xAfter = this.qpos[0];
    const xVelocity = (xAfter - xBefore) / this.dt;
    const healthy = this.isHealthy;
    const forward = o.forward_reward_weight * xVelocity;
    const survive = healthy ? o.healthy_reward : 0;
    const ctrlCost = o.ctrl_cost_weight * MujocoEnv.sumSquares(action);
    return {
      obs: this.observe(),
      reward: forward + survive - ctrlCost,
      terminated: !healthy && o.terminate_when_unhealthy,
      truncated: false,
      info: { ...this.resetInfo(), x_velocity: xVelocity, reward_forward: forward, reward_ctrl: -ctrlCost, reward_survive: survive },
    };
  }

  /** qpos (without rootx by default), then qvel clipped to [-10, 10]. */
  protected observe(): Float32Array {
    return planarObservation(this.qpos, this.qvel, this.common.exclude_current_positions_from_observation ? 1 : 0, 10);
  }

  /** The state an observation shows, rootx at 0 when left out; a velocity the observation clipped at ±10 stays clipped. */
  restore(obs: ArrayLike<number>): void {
    this.restorePlanar(obs, this.common.exclude_current_positions_from_observation ? 1 : 0);
  }

  protected override resetInfo(): Record<string, unknown> {
    return { x_position: this.qpos[0], z_distance_from_origin: this.qpos[1] - this.initQpos[1] };
  }
}

/** qpos[skip:] followed by qvel clipped to +-velClip (no clip when velClip is Infinity). */
export function planarObservation(qpos: Float64Array, qvel: Float64Array, skip: number, velClip: number): Float32Array {
  const out = new Float32Array(qpos.length - skip + qvel.length);
  let k = 0;
  for (let i = skip; i < qpos.length; i++) out[k++] = qpos[i];
  for (let i = 0; i < qvel.length; i++) out[k++] = Math.min(Math.max(qvel[i], -velClip), velClip);
  return out;
}

/**
 * HalfCheetah and Swimmer: rewarded as forward_reward_weight * dx/dt - ctrl_cost_weight * |a|^2,
 * never terminated; the observation is qpos without the `rootPositions` root slides, then qvel.
 */
export abstract class RunnerEnv extends MujocoEnv implements Restorable {
  readonly observationSpace: Box;
  readonly opts: RunnerOptions;

  constructor(
    xml: string,
    id: string,
    o: Record<string, unknown>,
    private readonly rootPositions: number,
    private readonly velocityNoise: 'uniform' | 'normal',
  ) {
    super(xml, id, frameSkipOption(id, o.frame_skip));
    this.opts = runnerOptions(id, o, this.frameSkip);
    const size = this.model.nq + this.model.nv - (this.opts.exclude_current_positions_from_observation ? rootPositions : 0);
    this.observationSpace = new Box(-Infinity, Infinity, [size]);
  }

  protected resetModel(): void {
    const s = this.opts.reset_noise_scale;
    // Position noise is drawn before velocity noise (the order fixes what a seed reproduces).
    const qpos = this.uniformNoise(this.initQpos, s);
    const qvel = this.velocityNoise === 'normal' ? this.normalNoise(this.initQvel, s) : this.uniformNoise(this.initQvel, s);
    this.setState(qpos, qvel);
  }

  /** qpos without the root slides (by default), then qvel unclipped. */
  protected observe(): Float32Array {
    return planarObservation(this.qpos, this.qvel, this.opts.exclude_current_positions_from_observation ? this.rootPositions : 0, Infinity);
  }

  /** The state an observation shows, the root slides at 0 when left out (exact: the observation is qpos and qvel unclipped). */
  restore(obs: ArrayLike<number>): void {
    this.restorePlanar(obs, this.opts.exclude_current_positions_from_observation ? this.rootPositions : 0);
  }
}
