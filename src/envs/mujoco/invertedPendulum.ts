import type { StepResult } from '../core.js';
import { Box } from '../spaces.js';
import { invertedPendulumXml } from './models/invertedPendulum.js';
import { MujocoEnv } from './mujocoEnv.js';
import { frameSkipOption, nonNegativeOption } from './options.js';

export const invertedPendulumDefaults = { frame_skip: 2, reset_noise_scale: 0.01 };
export type InvertedPendulumOptions = typeof invertedPendulumDefaults;

/** InvertedPendulum-v5: keep a pole upright on a cart; +1 per step while |angle| <= 0.2, 0 on the terminal step. */
export class InvertedPendulumEnv extends MujocoEnv {
  readonly observationSpace = new Box(-Infinity, Infinity, [4]);
  readonly opts: InvertedPendulumOptions;

  constructor(options: Partial<Record<keyof InvertedPendulumOptions, unknown>> = {}) {
    const o = { ...invertedPendulumDefaults, ...options };
    const id = 'InvertedPendulum-v5';
    super(invertedPendulumXml, id, frameSkipOption(id, o.frame_skip));
    this.opts = { frame_skip: this.frameSkip, reset_noise_scale: nonNegativeOption(id, 'reset_noise_scale', o.reset_noise_scale) };
  }

  protected resetModel(): void {
    const s = this.opts.reset_noise_scale;
    this.setState(this.uniformNoise(this.initQpos, s), this.uniformNoise(this.initQvel, s));
  }

  protected stepModel(action: ArrayLike<number>): StepResult {
    this.doSimulation(action);
    const obs = this.observe();
    const terminated = !obs.every(Number.isFinite) || Math.abs(obs[1]) > 0.2;
    const reward = terminated ? 0 : 1;
    return { obs, reward, terminated, truncated: false, info: { reward_survive: reward } };
  }

  /** Cart position, pole angle, and their velocities. */
  protected observe(): Float32Array {
    return Float32Array.of(this.qpos[0], this.qpos[1], this.qvel[0], this.qvel[1]);
  }
}
