import { CategoricalHead, DiagGaussianHead, type ActionHead } from '../nn/heads.js';
import { Mlp } from '../nn/mlp.js';
import type { FloatArray, ParamGroup } from '../nn/params.js';
import { loadMlpInto, saveMlp, type MlpJson } from '../nn/serialize.js';
import { decodeFloats, encodeFloats } from '../utils/floats.js';
import { Box, Discrete, spaceFromJson, type SpaceJson } from '../envs/spaces.js';
import { RunningMeanStd, type RunningMeanStdState } from '../utils/runningMeanStd.js';
import type { Rng } from '../utils/rng.js';
import type { Activation } from '../nn/activations.js';

export interface ActorCriticSpec {
  observationSpace: SpaceJson;
  actionSpace: SpaceJson;
  /** Hidden layer widths shared by the policy and value MLPs (separate networks). */
  hidden: number[];
  activation: Activation;
  /** Initial log standard deviation of a Gaussian policy. */
  initLogStd: number;
  /** Normalise observations with a running mean/std kept in the agent. */
  normalizeObs: boolean;
  clipObs: number;
}

/** A saved agent: architecture, parameters and observation statistics. */
export interface AgentCheckpoint {
  format: 'overseer.agent';
  version: 1;
  spec: ActorCriticSpec;
  actor: MlpJson;
  critic: MlpJson;
  logStd: string | null;
  obsRms: RunningMeanStdState | null;
  /** Free-form provenance: env id, step count, config. */
  meta: Record<string, unknown>;
}

/**
 * Separate policy and value MLPs plus an action head (categorical or diagonal Gaussian),
 * with the observation normaliser whose statistics belong to the policy.
 */
export class ActorCritic {
  readonly actor: Mlp;
  readonly critic: Mlp;
  readonly head: ActionHead;
  readonly obsRms: RunningMeanStd | null;
  readonly actionSpace: Box | Discrete;
  readonly obsSize: number;
  private readonly normObs: Float32Array;
  private readonly actionRow: Float32Array;

  constructor(readonly spec: ActorCriticSpec) {
    const obsSpace = spaceFromJson(spec.observationSpace);
    if (!(obsSpace instanceof Box)) throw new Error('ActorCritic needs a Box observation space');
    this.actionSpace = spaceFromJson(spec.actionSpace);
    this.obsSize = obsSpace.size;
    const nOut = this.actionSpace instanceof Discrete ? this.actionSpace.n : this.actionSpace.size;
    this.head = this.actionSpace instanceof Discrete ? new CategoricalHead(nOut) : new DiagGaussianHead(nOut, spec.initLogStd);
    this.actor = new Mlp({ sizes: [this.obsSize, ...spec.hidden, nOut], activation: spec.activation });
    this.critic = new Mlp({ sizes: [this.obsSize, ...spec.hidden, 1], activation: spec.activation });
    this.obsRms = spec.normalizeObs ? new RunningMeanStd(this.obsSize) : null;
    this.normObs = new Float32Array(this.obsSize);
    this.actionRow = new Float32Array(this.head.actionSize);
  }

  /** Orthogonal init as in CleanRL/SB3: gain sqrt(2) hidden, 0.01 policy output, 1 value output. */
  init(rng: Rng): this {
    this.actor.init(rng, { scheme: 'orthogonal', gain: Math.SQRT2 }, { scheme: 'orthogonal', gain: 0.01 });
    this.critic.init(rng, { scheme: 'orthogonal', gain: Math.SQRT2 }, { scheme: 'orthogonal', gain: 1 });
    return this;
  }

  get paramGroups(): ParamGroup[] {
    return [this.actor, this.critic, ...this.head.paramGroups];
  }

  /** Normalises raw observations with the frozen statistics (identity without a normaliser). */
  normalize(raw: Float32Array, out: Float32Array = new Float32Array(raw.length)): Float32Array {
    if (!this.obsRms) {
      out.set(raw);
      return out;
    }
    return this.obsRms.normalize(raw, out, this.spec.clipObs);
  }

  /**
   * Chooses an action for one raw observation: the mode when deterministic, else a sample.
   * Returns an env-ready action (an integer, or a vector clipped to the action bounds).
   */
  act(rawObs: Float32Array, deterministic: boolean, rng: Rng): number | Float32Array {
    const x = this.normalize(rawObs, this.normObs);
    const out = this.actor.predict(x);
    if (deterministic) this.head.mode(out, 0, this.actionRow);
    else this.head.sample(out, 0, rng, this.actionRow);
    return this.toEnvAction(this.actionRow, 0);
  }

  /** Converts row `row` of a stored action batch to what the env takes (clipping Box actions). */
  toEnvAction(actions: Float32Array, row: number): number | Float32Array {
    const space = this.actionSpace;
    if (space instanceof Discrete) return space.start + actions[row];
    const k = space.size;
    const a = new Float32Array(k);
    for (let j = 0; j < k; j++) a[j] = Math.min(Math.max(actions[row * k + j], space.low[j]), space.high[j]);
    return a;
  }

  save(meta: Record<string, unknown> = {}): AgentCheckpoint {
    return {
      format: 'overseer.agent',
      version: 1,
      spec: this.spec,
      actor: saveMlp(this.actor),
      critic: saveMlp(this.critic),
      logStd: this.head instanceof DiagGaussianHead ? encodeFloats(this.head.logStd.params) : null,
      obsRms: this.obsRms?.state() ?? null,
      meta,
    };
  }

  /** Rebuilds an agent from a checkpoint; every part is shape-checked with a clear error. */
  static load(json: unknown, name = 'checkpoint'): ActorCritic {
    const c = json as Partial<AgentCheckpoint> | null;
    if (!c || c.format !== 'overseer.agent') throw new Error(`${name}: not an Overseer agent checkpoint`);
    if (c.version !== 1) throw new Error(`${name}: unsupported checkpoint version ${String(c.version)}`);
    if (!c.spec || !c.actor || !c.critic) throw new Error(`${name}: checkpoint is missing spec, actor or critic`);
    const agent = new ActorCritic(c.spec);
    loadMlpInto(agent.actor, c.actor, `${name} actor`);
    loadMlpInto(agent.critic, c.critic, `${name} critic`);
    if (agent.head instanceof DiagGaussianHead) {
      if (typeof c.logStd !== 'string') throw new Error(`${name}: Gaussian policy checkpoint has no logStd`);
      const ls: FloatArray = decodeFloats(c.logStd, 'float32');
      if (ls.length !== agent.head.logStd.params.length) {
        throw new Error(`${name}: logStd has ${ls.length} entries, the action space needs ${agent.head.logStd.params.length}`);
      }
      agent.head.logStd.params.set(ls);
    }
    if (agent.obsRms) {
      if (!c.obsRms) throw new Error(`${name}: agent normalises observations but the checkpoint has no statistics`);
      agent.obsRms.load(c.obsRms, `${name} observation normaliser`);
    }
    return agent;
  }
}
