import type { StepResult } from '../core.js';
import { Box } from '../spaces.js';
import { antXml } from './models/ant.js';
import { MujocoEnv } from './mujocoEnv.js';
import { booleanOption, finiteOption, frameSkipOption, nonNegativeOption, rangeOption } from './options.js';

export const antDefaults = {
  frame_skip: 5,
  forward_reward_weight: 1,
  ctrl_cost_weight: 0.5,
  contact_cost_weight: 5e-4,
  healthy_reward: 1.0,
  /** Body whose x velocity is rewarded (1 = torso). */
  main_body: 1,
  terminate_when_unhealthy: true,
  healthy_z_range: [0.2, 1.0] as [number, number],
  contact_force_range: [-1.0, 1.0] as [number, number],
  reset_noise_scale: 0.1,
  exclude_current_positions_from_observation: true,
  include_cfrc_ext_in_observation: true,
};
export type AntOptions = typeof antDefaults;

/**
 * Ant-v5: a four-legged robot rewarded for moving forward.
 * reward = healthy_reward * healthy + forward_reward_weight * vx - ctrl_cost_weight * |a|^2
 *          - contact_cost_weight * |clip(cfrc_ext)|^2.
 */
export class AntEnv extends MujocoEnv {
  readonly observationSpace: Box;
  readonly opts: AntOptions;
  protected override readonly needsContactForces = true;
  private cfrcExt!: Float64Array;

  constructor(options: Partial<Record<keyof AntOptions, unknown>> = {}) {
    const o = { ...antDefaults, ...options };
    const id = 'Ant-v5';
    super(antXml, id, frameSkipOption(id, o.frame_skip));
    const mainBody = o.main_body;
    if (typeof mainBody !== 'number' || !Number.isInteger(mainBody) || mainBody < 1 || mainBody >= this.model.nbody) {
      throw new RangeError(`${id} option main_body must be a body id in [1, ${this.model.nbody - 1}], got ${JSON.stringify(mainBody)}`);
    }
    this.opts = {
      frame_skip: this.frameSkip,
      forward_reward_weight: finiteOption(id, 'forward_reward_weight', o.forward_reward_weight),
      ctrl_cost_weight: nonNegativeOption(id, 'ctrl_cost_weight', o.ctrl_cost_weight),
      contact_cost_weight: nonNegativeOption(id, 'contact_cost_weight', o.contact_cost_weight),
      healthy_reward: finiteOption(id, 'healthy_reward', o.healthy_reward),
      main_body: mainBody,
      terminate_when_unhealthy: booleanOption(id, 'terminate_when_unhealthy', o.terminate_when_unhealthy),
      healthy_z_range: rangeOption(id, 'healthy_z_range', o.healthy_z_range),
      contact_force_range: rangeOption(id, 'contact_force_range', o.contact_force_range),
      reset_noise_scale: nonNegativeOption(id, 'reset_noise_scale', o.reset_noise_scale),
      exclude_current_positions_from_observation: booleanOption(id, 'exclude_current_positions_from_observation', o.exclude_current_positions_from_observation),
      include_cfrc_ext_in_observation: booleanOption(id, 'include_cfrc_ext_in_observation', o.include_cfrc_ext_in_observation),
    };
    const size =
      this.model.nq +
      this.model.nv -
      (this.opts.exclude_current_positions_from_observation ? 2 : 0) +
      (this.opts.include_cfrc_ext_in_observation ? 6 * (this.model.nbody - 1) : 0);
    this.observationSpace = new Box(-Infinity, Infinity, [size]);
  }

  protected override refreshViews(): void {
    super.refreshViews();
    this.cfrcExt = this.data.cfrc_ext as Float64Array;
  }

  /** Finite state and torso height within healthy_z_range (inclusive). */
  get isHealthy(): boolean {
    for (const v of this.qpos) if (!Number.isFinite(v)) return false;
    for (const v of this.qvel) if (!Number.isFinite(v)) return false;
    const [lo, hi] = this.opts.healthy_z_range;
    return this.qpos[2] >= lo && this.qpos[2] <= hi;
  }

  protected resetModel(): void {
    const s = this.opts.reset_noise_scale;
    // Noise is added to the quaternion too and not renormalised, as Gymnasium does.
    this.setState(this.uniformNoise(this.initQpos, s), this.normalNoise(this.initQvel, s));
  }

  private clippedForce(i: number): number {
    const [lo, hi] = this.opts.contact_force_range;
    return Math.min(Math.max(this.cfrcExt[i], lo), hi);
  }

  protected stepModel(action: ArrayLike<number>): StepResult {
    const b = 3 * this.opts.main_body;
    const xBefore = this.xpos[b];
    const yBefore = this.xpos[b + 1];
    this.doSimulation(action);
    const xVelocity = (this.xpos[b] - xBefore) / this.dt;
    const yVelocity = (this.xpos[b + 1] - yBefore) / this.dt;
    const healthy = this.isHealthy;
    const forward = this.opts.forward_reward_weight * xVelocity;
    const survive = healthy ? this.opts.healthy_reward : 0;
    const ctrlCost = this.opts.ctrl_cost_weight * MujocoEnv.sumSquares(action);
    let contact = 0;
    for (let i = 0; i < this.cfrcExt.length; i++) contact += this.clippedForce(i) ** 2;
    const contactCost = this.opts.contact_cost_weight * contact;
    return {
      obs: this.observe(),
      reward: forward + survive - ctrlCost - contactCost,
      terminated: !healthy && this.opts.terminate_when_unhealthy,
      truncated: false,
      info: {
        ...this.resetInfo(),
        x_velocity: xVelocity,
        y_velocity: yVelocity,
        reward_forward: forward,
        reward_ctrl: -ctrlCost,
        reward_contact: -contactCost,
        reward_survive: survive,
      },
    };
  }

  /** qpos (without x, y by default), qvel, then clipped cfrc_ext of every body but the world, row by row. */
  protected observe(): Float32Array {
    const skip = this.opts.exclude_current_positions_from_observation ? 2 : 0;
    const out = new Float32Array(this.observationSpace.size);
    let k = 0;
    for (let i = skip; i < this.qpos.length; i++) out[k++] = this.qpos[i];
    for (let i = 0; i < this.qvel.length; i++) out[k++] = this.qvel[i];
    if (this.opts.include_cfrc_ext_in_observation) for (let i = 6; i < this.cfrcExt.length; i++) out[k++] = this.clippedForce(i);
    return out;
  }

  protected override resetInfo(): Record<string, unknown> {
    const dx = this.qpos[0] - this.initQpos[0];
    const dy = this.qpos[1] - this.initQpos[1];
    return { x_position: this.qpos[0], y_position: this.qpos[1], distance_from_origin: Math.hypot(dx, dy) };
  }
}
