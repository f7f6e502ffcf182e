/**
 * Activations of every hidden unit of a run's networks over the states of its clips, with each
 * state's named features beside them (issue 22 item 1).
 *
 * Networks are src/nn `Mlp`s, which keep their hidden layers in a private heap; the hidden layers
 * are recomputed here, in float64, from the parameters (per layer W as [out, in] row-major, then
 * b; the hidden activation after every layer but the last). `continueFrom` runs the rest of the
 * network from a (possibly replaced) hidden layer, which is how a sparse autoencoder's
 * reconstruction is spliced in.
 *
 * Inputs are what each network sees: a reward-model member the standardised and clipped [o, a]
 * rows of `RewardModel` (its `writeRows`), the policy the observation through its normaliser.
 */
import { activate, type Activation } from '../../nn/activations.js';
import type { Mlp } from '../../nn/mlp.js';
import type { RewardModel } from '../../prefs/rewardModel.js';
import type { ActorCritic } from '../../rl/agent.js';
import type { Clip } from './clips.js';
import type { FeatureLibrary } from './features/library.js';
import type { ActivationRecord, StateFeatures } from './records.js';
import type { Matrix } from './sae.js';

/** Post-activation values of every hidden layer of `mlp` for `rows` inputs: one rows × width matrix per hidden layer. */
export function hiddenLayers(mlp: Mlp, x: ArrayLike<number>, rows: number): Matrix[] {
  if (x.length < rows * mlp.inputSize) throw new RangeError(`hiddenLayers: ${rows} rows of ${mlp.inputSize} need ${rows * mlp.inputSize} values, got ${x.length}`);
  const out: Matrix[] = [];
  let h: Matrix = { data: Float64Array.from({ length: rows * mlp.inputSize }, (_, i) => x[i]), rows, dim: mlp.inputSize };
  for (let l = 0; l < mlp.numLayers - 1; l++) {
    h = layer(mlp, l, h, mlp.activation);
    out.push(h);
  }
  return out;
}

/** The network's output computed from hidden layer `from`'s values (0-based over hidden layers): the layers after it, as `forward` would. */
export function continueFrom(mlp: Mlp, from: number, h: Matrix): Matrix {
  if (from < 0 || from >= mlp.numLayers - 1) throw new RangeError(`continueFrom: the network has hidden layers 0..${mlp.numLayers - 2}, got ${from}`);
  if (h.dim !== mlp.sizes[from + 1]) throw new RangeError(`continueFrom: hidden layer ${from} has width ${mlp.sizes[from + 1]}, got rows of ${h.dim}`);
  let x = h;
  for (let l = from + 1; l < mlp.numLayers; l++) x = layer(mlp, l, x, l === mlp.numLayers - 1 ? mlp.outputActivation : mlp.activation);
  return x;
}

function layer(mlp: Mlp, l: number, x: Matrix, act: Activation): Matrix {
  const nIn = mlp.sizes[l];
  const nOut = mlp.sizes[l + 1];
  const p = mlp.params;
  const w = mlp.offsets[l];
  const b = w + nIn * nOut;
  const y = new Float64Array(x.rows * nOut);
  for (let r = 0; r < x.rows; r++) {
    for (let o = 0; o < nOut; o++) {
      let s = p[b + o];
      const wo = w + o * nIn;
      for (let i = 0; i < nIn; i++) s += p[wo + i] * x.data[r * nIn + i];
      y[r * nOut + o] = s;
    }
  }
  activate(act, y, 0, y.length);
  return { data: y, rows: x.rows, dim: nOut };
}

/** A reward model's inputs for a clip's steps: [o, a] standardised and clipped as `RewardModel` does it. */
export function rewardModelInputs(rm: RewardModel, clip: Clip): Float64Array {
  const { obsSize, actionSize, inputSize, inputMean, inputStd } = rm;
  if (clip.obsSize !== obsSize || clip.actionSize !== actionSize) throw new RangeError(`clip ${clip.id} has observations of ${clip.obsSize} and actions of ${clip.actionSize}; the reward model takes ${obsSize} and ${actionSize}`);
  const out = new Float64Array(clip.length * inputSize);
  const standardise = rm.config.normalizeInputs !== 'off';
  const c = rm.config.inputClip;
  // Float32 like the model's own rows, so the activations are the ones the model computes.
  const f32 = (v: number) => Math.fround(v);
  for (let t = 0; t < clip.length; t++) {
    for (let j = 0; j < inputSize; j++) {
      const raw = j < obsSize ? clip.obs[t * obsSize + j] : clip.actions[t * actionSize + j - obsSize];
      out[t * inputSize + j] = standardise ? f32(Math.min(c, Math.max(-c, (raw - inputMean[j]) / inputStd[j]))) : raw;
    }
  }
  return out;
}

/** The policy's inputs for a clip's steps: observations through the agent's normaliser. */
export function policyInputs(agent: ActorCritic, clip: Clip): Float64Array {
  if (clip.obsSize !== agent.obsSize) throw new RangeError(`clip ${clip.id} has observations of ${clip.obsSize}; the policy takes ${agent.obsSize}`);
  return Float64Array.from(agent.normalize(clip.obs.subarray(0, clip.length * clip.obsSize), new Float32Array(clip.length * clip.obsSize)));
}

/** A network whose hidden units are recorded: its name in reports, the Mlp, and how a clip becomes its inputs. */
export interface RecordedNetwork {
  /** e.g. "reward-model/0" or "policy". */
  name: string;
  mlp: Mlp;
  inputs: (clip: Clip) => Float64Array;
}

/** The networks of a run: every reward-model member, and the policy's actor if given. */
export function runNetworks(rm: RewardModel, agent?: ActorCritic): RecordedNetwork[] {
  const nets: RecordedNetwork[] = rm.members.map((_, k) => ({ name: `reward-model/${k}`, mlp: rm.mlpMember(k, 'recording reward-model activations'), inputs: (c: Clip) => rewardModelInputs(rm, c) }));
  if (agent) nets.push({ name: 'policy', mlp: agent.mlpActor('recording policy activations'), inputs: (c: Clip) => policyInputs(agent, c) });
  return nets;
}

/** Which rows of the activation matrices belong to a clip. */
export interface ClipRows {
  id: string;
  source: Clip['source'];
  start: number;
  length: number;
}

export interface RecordedLayer {
  network: string;
  /** Hidden layer index (0 = first). */
  layer: number;
  /** rows × width: one row per state of every clip, in clip order. */
  values: Matrix;
}

/** Activations of every hidden unit of each network over the clips' states, with each state's features. */
export interface ActivationSet {
  clips: ClipRows[];
  /** Row-aligned with every layer's values. */
  states: StateFeatures[];
  layers: RecordedLayer[];
}

export function recordActivations(clips: readonly Clip[], networks: readonly RecordedNetwork[], library: FeatureLibrary): ActivationSet {
  const rows: ClipRows[] = [];
  const states: StateFeatures[] = [];
  let total = 0;
  for (const c of clips) {
    rows.push({ id: c.id, source: c.source, start: total, length: c.length });
    total += c.length;
    const fs = library.clip(c);
    if (fs.length !== c.length) throw new Error(`${library.envId} features: ${fs.length} states for clip ${c.id} of ${c.length}`);
    states.push(...fs);
  }
  const layers: RecordedLayer[] = [];
  for (const net of networks) {
    const widths = net.mlp.sizes.slice(1, -1);
    const data = widths.map((w) => new Float64Array(total * w));
    for (const [i, c] of clips.entries()) {
      const hs = hiddenLayers(net.mlp, net.inputs(c), c.length);
      hs.forEach((h, l) => data[l].set(h.data, rows[i].start * widths[l]));
    }
    widths.forEach((w, l) => layers.push({ network: net.name, layer: l, values: { data: data[l], rows: total, dim: w } }));
  }
  return { clips: rows, states, layers };
}

/** One record per clip (Bills et al.'s sequences) of the quantity `value(row)`: a unit, an SAE feature, a direction. */
export function clipRecords(set: Pick<ActivationSet, 'clips' | 'states'>, value: (row: number) => number, clips: readonly ClipRows[] = set.clips): ActivationRecord[] {
  return clips.map((c) => ({
    id: c.id,
    states: set.states.slice(c.start, c.start + c.length),
    activations: Array.from({ length: c.length }, (_, t) => value(c.start + t)),
  }));
}

/** Column `unit` of a matrix, as a row lookup for `clipRecords`. */
export const column = (m: Matrix, unit: number) => (row: number) => m.data[row * m.dim + unit];
