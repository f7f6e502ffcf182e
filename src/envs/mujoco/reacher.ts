import type { StepResult } from '../core.js';
import { Box } from '../spaces.js';
import { reacherXml } from './models/reacher.js';
import { MujocoEnv } from './mujocoEnv.js';
import { finiteOption, frameSkipOption } from './options.js';
import { mjOBJ, mujoco } from './runtime.js';

export const reacherDefaults = {
  frame_skip: 2,
  /** Weight of the fingertip-to-target distance (Gymnasium's code default, 1). */
  reward_dist_weight: 1,
  /** Weight of the control cost (the code default is 1; Gymnasium's docs say 0.1). */
  reward_control_weight: 1,
};
export type ReacherOptions = typeof reacherDefaults;

/** Reacher-v5: move a two-link arm's fingertip to a random target; reward = -dist - |a|^2, after the step. */
export class ReacherEnv extends MujocoEnv {
  readonly observationSpace = new Box(-Infinity, Infinity, [10]);
  readonly opts: ReacherOptions;
  private readonly fingertip: number;
  private readonly target: number;

  constructor(options: Partial<Record<keyof ReacherOptions, unknown>> = {}) {
    const o = { ...reacherDefaults, ...options };
    const id = 'Reacher-v5';
    super(reacherXml, id, frameSkipOption(id, o.frame_skip));
    this.opts = {
      frame_skip: this.frameSkip,
      reward_dist_weight: finiteOption(id, 'reward_dist_weight', o.reward_dist_weight),
      reward_control_weight: finiteOption(id, 'reward_control_weight', o.reward_control_weight),
    };
    this.fingertip = mujoco.mj_name2id(this.model, mjOBJ.BODY, 'fingertip');
    this.target = mujoco.mj_name2id(this.model, mjOBJ.BODY, 'target');
  }

  protected resetModel(): void {
    const qpos = this.uniformNoise(this.initQpos, 0.1);
    let gx: number;
    let gy: number;
    do {
      gx = this.rng.uniform(-0.2, 0.2);
      gy = this.rng.uniform(-0.2, 0.2);
    } while (Math.hypot(gx, gy) >= 0.2);
    qpos[2] = gx;
    qpos[3] = gy;
    const qvel = this.uniformNoise(this.initQvel, 0.005);
    qvel[2] = 0;
    qvel[3] = 0;
    this.setState(qpos, qvel);
  }

  /** Fingertip minus target, from body positions. */
  private delta(): [number, number, number] {
    const f = 3 * this.fingertip;
    const t = 3 * this.target;
    return [this.xpos[f] - this.xpos[t], this.xpos[f + 1] - this.xpos[t + 1], this.xpos[f + 2] - this.xpos[t + 2]];
  }

  protected stepModel(action: ArrayLike<number>): StepResult {
    this.doSimulation(action);
    const [dx, dy, dz] = this.delta();
    const rewardDist = -Math.hypot(dx, dy, dz) * this.opts.reward_dist_weight;
    const rewardCtrl = -MujocoEnv.sumSquares(action) * this.opts.reward_control_weight;
    return {
      obs: this.observe(),
      reward: rewardDist + rewardCtrl,
      terminated: false,
      truncated: false,
      info: { reward_dist: rewardDist, reward_ctrl: rewardCtrl },
    };
  }

  /** cos(q0), cos(q1), sin(q0), sin(q1), target x, y, dq0, dq1, fingertip - target (x, y). */
  protected observe(): Float32Array {
    const q = this.qpos;
    const v = this.qvel;
    const [dx, dy] = this.delta();
    return Float32Array.of(Math.cos(q[0]), Math.cos(q[1]), Math.sin(q[0]), Math.sin(q[1]), q[2], q[3], v[0], v[1], dx, dy);
  }
}
