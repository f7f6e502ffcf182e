import { BaseEnv, type EnvMetadata, type ResetOptions, type ResetResult, type StepResult } from '../core.js';
import type { RenderSpec } from '../render.js';
import { Box, type Action } from '../spaces.js';
import { geomRenderSpec, writeGeomPoses } from './render.js';
import { loadModelFromXml, mujoco, type MjData, type MjModel } from './runtime.js';

/** Frees MuJoCo memory of envs that were dropped without close(). */
const finalizer = new FinalizationRegistry<{ model: MjModel; data: MjData }>((held) => {
  held.data.delete();
  held.model.delete();
});

/**
 * Shared plumbing of the MuJoCo tasks, following Gymnasium's MujocoEnv: `frameSkip` physics
 * steps per env step, reset through `mj_resetData` + noise + `mj_forward`, action bounds from
 * the actuators' ctrlrange. Views into WASM memory are re-read whenever memory has grown
 * (growth detaches old views).
 */
export abstract class MujocoEnv extends BaseEnv {
  readonly model: MjModel;
  readonly data: MjData;
  readonly frameSkip: number;
  /** Seconds per env step: timestep * frameSkip. */
  readonly dt: number;
  override readonly actionSpace: Box;
  abstract override readonly observationSpace: Box;
  override readonly metadata: EnvMetadata;
  /** qpos0 and zero velocities, the state that reset noise is added to. */
  readonly initQpos: Float64Array;
  readonly initQvel: Float64Array;
  /** Views into MuJoCo's data, valid until WASM memory grows; call `views()` before use. */
  protected qpos!: Float64Array;
  protected qvel!: Float64Array;
  protected ctrl!: Float64Array;
  protected xpos!: Float64Array;
  /** Whether the task reads cfrc_ext (Gymnasium calls mj_rnePostConstraint after each step; only Ant needs it). */
  protected readonly needsContactForces: boolean = false;
  private closed = false;
  private readonly unregisterToken = {};

  constructor(xml: string, name: string, frameSkip: number) {
    super();
    if (!Number.isInteger(frameSkip) || frameSkip <= 0) throw new RangeError(`${name}: frame_skip must be a positive integer, got ${frameSkip}`);
    this.model = loadModelFromXml(xml, `${name} model`);
    this.data = new mujoco.MjData(this.model);
    finalizer.register(this, { model: this.model, data: this.data }, this.unregisterToken);
    this.frameSkip = frameSkip;
    this.dt = this.model.opt.timestep * frameSkip;
    this.metadata = { renderModes: ['state'], renderFps: Math.round(1 / this.dt) };
    const range = this.model.actuator_ctrlrange as Float64Array;
    const nu = this.model.nu;
    this.actionSpace = new Box(
      Array.from({ length: nu }, (_, i) => range[2 * i]),
      Array.from({ length: nu }, (_, i) => range[2 * i + 1]),
    );
    this.initQpos = Float64Array.from(this.model.qpos0 as Float64Array);
    this.initQvel = new Float64Array(this.model.nv);
    // Views are taken on first use: subclass field initialisers run after this constructor.
  }

  /** Re-reads the data views if WASM memory grew since they were taken. */
  protected views(): void {
    if (this.closed) throw new Error(`${this.spec?.id ?? this.constructor.name}: env is closed`);
    if (this.qpos === undefined || this.qpos.length === 0) this.refreshViews();
  }

  /** Subclasses extend this to cache more views (site_xpos, cfrc_ext, ...). */
  protected refreshViews(): void {
    this.qpos = this.data.qpos as Float64Array;
    this.qvel = this.data.qvel as Float64Array;
    this.ctrl = this.data.ctrl as Float64Array;
    this.xpos = this.data.xpos as Float64Array;
  }

  /** Applies the raw action as ctrl (MuJoCo clamps it to ctrlrange) and steps the physics. */
  protected doSimulation(action: ArrayLike<number>): void {
    const ctrl = this.ctrl;
    for (let i = 0; i < ctrl.length; i++) ctrl[i] = action[i];
    for (let k = 0; k < this.frameSkip; k++) mujoco.mj_step(this.model, this.data);
    if (this.needsContactForces) mujoco.mj_rnePostConstraint(this.model, this.data);
  }

  /** Gymnasium's set_state: write qpos/qvel, then mj_forward so derived quantities match. */
  setState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    this.views();
    if (qpos.length !== this.model.nq || qvel.length !== this.model.nv) {
      throw new RangeError(`setState needs qpos of ${this.model.nq} and qvel of ${this.model.nv} values, got ${qpos.length} and ${qvel.length}`);
    }
    this.qpos.set(qpos);
    this.qvel.set(qvel);
    mujoco.mj_forward(this.model, this.data);
  }

  /** setState from an observation laid out as `planarObservation` writes it: qpos without its first `skip` entries (set to 0), then qvel. */
  protected restorePlanar(obs: ArrayLike<number>, skip: number): void {
    const { nq, nv } = this.model;
    if (obs.length !== nq - skip + nv) throw new RangeError(`restore: an observation of ${this.spec?.id ?? this.constructor.name} has ${nq - skip + nv} values, got ${obs.length}`);
    const qpos = new Float64Array(nq);
    for (let i = skip; i < nq; i++) qpos[i] = obs[i - skip];
    const qvel = Float64Array.from({ length: nv }, (_, i) => obs[nq - skip + i]);
    this.setState(qpos, qvel);
  }

  /** Copies of the current qpos and qvel. */
  getState(): { qpos: Float64Array; qvel: Float64Array } {
    this.views();
    return { qpos: Float64Array.from(this.qpos), qvel: Float64Array.from(this.qvel) };
  }

  reset({ seed, options }: ResetOptions = {}): ResetResult {
    this.seedRng(seed);
    this.views();
    mujoco.mj_resetData(this.model, this.data);
    this.resetModel(options);
    return { obs: this.observe(), info: this.resetInfo() };
  }

  step(action: Action): StepResult {
    this.checkAction(action);
    this.views();
    return this.stepModel(action as ArrayLike<number>);
  }

  /** Draws the initial state (noise around initQpos/initQvel) and calls setState. */
  protected abstract resetModel(options: Record<string, unknown> | undefined): void;
  protected abstract stepModel(action: ArrayLike<number>): StepResult;
  protected abstract observe(): Float32Array;
  protected resetInfo(): Record<string, unknown> {
    return {};
  }

  /** Sum of squared actions, the base of every task's control cost (Gymnasium uses the raw action). */
  protected static sumSquares(a: ArrayLike<number>): number {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * a[i];
    return s;
  }

  /** base[i] + U(-scale, scale) for each entry. */
  protected uniformNoise(base: ArrayLike<number>, scale: number): Float64Array {
    return Float64Array.from(base, (v) => v + this.rng.uniform(-scale, scale));
  }

  /** base[i] + scale * N(0, 1) for each entry. */
  protected normalNoise(base: ArrayLike<number>, scale: number): Float64Array {
    return Float64Array.from(base, (v) => v + scale * this.rng.normal());
  }

  override renderSpec(): RenderSpec {
    return geomRenderSpec(this.model, this.dt);
  }

  /** Poses of the visible geoms in the current state: [x, y, z, qw, qx, qy, qz] per geom. */
  override renderState(): Float32Array {
    this.views();
    return writeGeomPoses(this.model, this.data);
  }

  override close(): void {
    if (this.closed) return;
    this.closed = true;
    finalizer.unregister(this.unregisterToken);
    this.data.delete();
    this.model.delete();
  }
}
