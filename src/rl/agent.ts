import { CategoricalHead, DiagGaussianHead, type ActionHead } from '../nn/heads.js';
import { ConvNet, loadConvNetInto, minAtarNet, pixelNet, saveConvNet, type ConvNetJson } from '../nn/conv.js';
import { Mlp } from '../nn/mlp.js';
import type { FloatArray, ParamGroup } from '../nn/params.js';
import { loadMlpInto, saveMlp, type MlpJson } from '../nn/serialize.js';
import { decodeFloats, encodeFloats } from '../utils/floats.js';
import { Box, Discrete, spaceFromJson, type SpaceJson } from '../envs/spaces.js';
import { RunningMeanStd, type RunningMeanStdState } from '../utils/runningMeanStd.js';
import type { Rng } from '../utils/rng.js';
import type { Activation } from '../nn/activations.js';

/**
 * The actor's and the critic's architecture (two separate networks either way):
 * - 'mlp': an MLP over the flattened observation, `hidden` widths, `activation`;
 * - 'minatar': MinAtar's network (Young & Tian 2019; `minAtarNet`) over a 10 x 10 x C
 *   observation: conv 16 3x3 valid, ReLU, dense 128, ReLU, then the outputs (its DQN's network);
 * - 'minatar-ac': the same layers with the units of MinAtar's AC(lambda) network, SiLU after
 *   the convolution and dSiLU after the dense layer (its actor-critic shares one trunk; here the
 *   actor and the critic are still two networks);
 * - 'pixels': `pixelNet` over an H x W x C observation (two strided convolutions, dense 128, ReLU).
 * The convolutional networks are fixed architectures: `hidden` and `activation` apply to 'mlp' only.
 */
export const NETWORKS = ['mlp', 'minatar', 'minatar-ac', 'pixels'] as const;
export type NetworkKind = (typeof NETWORKS)[number];

/** The actor or the critic: an MLP, or a ConvNet (the same forward/backward/params/grads surface). */
export type PolicyNet = Mlp | ConvNet;

export interface ActorCriticSpec {
  observationSpace: SpaceJson;
  actionSpace: SpaceJson;
  /** Architecture of both networks; absent means 'mlp' (so MLP specs and checkpoints are as before). */
  network?: NetworkKind;
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
  /** An MLP (network 'mlp') or a ConvNet (the convolutional networks). */
  actor: MlpJson | ConvNetJson;
  critic: MlpJson | ConvNetJson;
  logStd: string | null;
  obsRms: RunningMeanStdState | null;
  /** Free-form provenance: env id, step count, config. */
  meta: Record<string, unknown>;
}

/** The spec's network, 'mlp' when absent; an unknown name is an error. */
export function networkOf(spec: Pick<ActorCriticSpec, 'network'>): NetworkKind {
  const n = spec.network ?? 'mlp';
  if (!(NETWORKS as readonly string[]).includes(n)) throw new Error(`unknown network ${JSON.stringify(n)}; allowed: ${NETWORKS.join(', ')}`);
  return n;
}

/** Why `network` cannot take observations of this shape, or null if it can. */
export function networkProblem(network: NetworkKind, shape: readonly number[]): string | null {
  if ((network === 'minatar' || network === 'minatar-ac') && (shape.length !== 3 || shape[0] !== 10 || shape[1] !== 10)) {
    // An image (MinAtar's obsType 'rgb'): say which network takes it.
    const fix = shape.length === 3 ? "; for image observations (MinAtar's obsType 'rgb') use network 'pixels'" : '';
    return `network '${network}' needs a 10 x 10 x channels observation space, got shape [${shape.join(', ')}]${fix}`;
  }
  if (network === 'pixels' && shape.length !== 3) return `network 'pixels' needs a height x width x channels observation space, got shape [${shape.join(', ')}]`;
  return null;
}

/** One network of the agent (`outputs` wide) for an observation space. */
function buildNet(spec: ActorCriticSpec, obsSpace: Box, outputs: number): PolicyNet {
  const network = networkOf(spec);
  if (network === 'mlp') return new Mlp({ sizes: [obsSpace.size, ...spec.hidden, outputs], activation: spec.activation });
  const problem = networkProblem(network, obsSpace.shape);
  if (problem) throw new Error(problem);
  const [height, width, channels] = obsSpace.shape;
  if (network === 'minatar') return minAtarNet(channels, outputs);
  if (network === 'minatar-ac') return minAtarNet(channels, outputs, { activation: 'silu', denseActivation: 'dsilu' });
  return pixelNet(outputs, { input: { height, width, channels } });
}

function saveNet(net: PolicyNet): MlpJson | ConvNetJson {
  return net instanceof ConvNet ? saveConvNet(net) : saveMlp(net);
}

function loadNetInto(net: PolicyNet, json: unknown, network: NetworkKind, name: string): void {
  const format = (json as { format?: unknown } | null)?.format;
  const want = net instanceof ConvNet ? 'overseer.convnet' : 'overseer.mlp';
  if (format !== want) {
    const saved = format === 'overseer.mlp' ? 'an MLP' : format === 'overseer.convnet' ? 'a ConvNet' : `not a network (format ${JSON.stringify(format)})`;
    throw new Error(`${name}: the checkpoint's spec names network '${network}' but the network is saved as ${saved}`);
  }
  if (net instanceof ConvNet) loadConvNetInto(net, json, name);
  else loadMlpInto(net, json, name);
}

/**
 * Separate policy and value networks (MLPs, or ConvNets for image observations) plus an action head (categorical or diagonal Gaussian),
 * with the observation normaliser whose statistics belong to the policy.
 */
export class ActorCritic {
  readonly actor: PolicyNet;
  readonly critic: PolicyNet;
  readonly network: NetworkKind;
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
    this.network = networkOf(spec);
    this.actor = buildNet(spec, obsSpace, nOut);
    this.critic = buildNet(spec, obsSpace, 1);
    this.obsRms = spec.normalizeObs ? new RunningMeanStd(this.obsSize) : null;
    this.normObs = new Float32Array(this.obsSize);
    this.actionRow = new Float32Array(this.head.actionSize);
  }

  /**
   * Orthogonal init as in CleanRL/SB3: gain sqrt(2) hidden, 0.01 policy output, 1 value output
   * (convolutions too, as CleanRL's Atari agent: each as an [outC, kh * kw * inC] matrix).
   */
  init(rng: Rng): this {
    this.actor.init(rng, { scheme: 'orthogonal', gain: Math.SQRT2 }, { scheme: 'orthogonal', gain: 0.01 });
    this.critic.init(rng, { scheme: 'orthogonal', gain: Math.SQRT2 }, { scheme: 'orthogonal', gain: 1 });
    return this;
  }

  /** The actor as an MLP, for tools that read MLP layers (interpretability); an error for the convolutional networks. */
  mlpActor(what = 'this tool'): Mlp {
    if (!(this.actor instanceof Mlp)) throw new Error(`${what} needs an MLP policy (network 'mlp'), not network '${this.network}'`);
    return this.actor;
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
      actor: saveNet(this.actor),
      critic: saveNet(this.critic),
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
    loadNetInto(agent.actor, c.actor, agent.network, `${name} actor`);
    loadNetInto(agent.critic, c.critic, agent.network, `${name} critic`);
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
