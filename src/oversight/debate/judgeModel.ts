/**
 * The judge network: the sparse gather layer (a dense layer on the [mask, values] planes, paid
 * for only at the revealed pixels) → an src/nn Mlp → 10 logits. Not the paper's CNN (conv32 5×5 →
 * pool → conv64 5×5 → pool → dense 1024): with k ≤ 6 of 784 pixels a convolution spends nearly all
 * its multiplies on zeros, while the gather costs O(k · width) per image.
 */
import { Mlp } from '../../nn/mlp.js';
import type { DType, FloatArray, ParamGroup } from '../../nn/params.js';
import { loadMlpInto, saveMlp, type MlpJson } from '../../nn/serialize.js';
import { assertActivation, type Activation } from '../../nn/activations.js';
import { decodeFloats, encodeFloats } from '../../utils/floats.js';
import type { Rng } from '../../utils/rng.js';
import { MNIST_CLASSES, MNIST_PIXELS, type Judge, type Revealed } from './judge.js';
import { SparseGatherLayer, allocSparseBatch, type SparseBatch } from './sparseLayer.js';

export interface JudgeArch {
  /** Hidden widths: the gather layer's, then the Mlp's hidden layers (e.g. [256] or [512, 256]). */
  hidden: number[];
  activation: Activation;
  dtype?: DType;
}

export class MnistJudge implements Judge {
  readonly hidden: readonly number[];
  readonly activation: Activation;
  readonly gather: SparseGatherLayer;
  /** hidden[0] → … → 10 logits. */
  readonly mlp: Mlp;
  private packed = allocSparseBatch(0, 0);

  constructor(arch: JudgeArch) {
    const { hidden } = arch;
    if (!Array.isArray(hidden) || hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h <= 0)) {
      throw new RangeError(`judge hidden sizes must be one or more positive integers, got ${JSON.stringify(hidden)}`);
    }
    this.hidden = [...hidden];
    this.activation = assertActivation(arch.activation, 'judge activation');
    const dtype = arch.dtype ?? 'float32';
    this.gather = new SparseGatherLayer({ pixels: MNIST_PIXELS, width: hidden[0], activation: this.activation, dtype });
    // float64 (gradient checks) has only the JS kernels.
    this.mlp = new Mlp({ sizes: [...hidden, MNIST_CLASSES], activation: this.activation, dtype, backend: dtype === 'float64' ? 'js' : undefined });
  }

  /** Trainable groups, for Adam and gradient clipping. */
  get groups(): ParamGroup[] {
    return [this.gather, this.mlp];
  }

  get numParams(): number {
    return this.gather.numParams + this.mlp.numParams;
  }

  /** Gather layer scaled to `revealedPerRow` nonzero pixels; the Mlp as PyTorch's default nn.Linear. */
  init(rng: Rng, revealedPerRow: number): this {
    this.gather.init(rng, revealedPerRow);
    this.mlp.init(rng, { scheme: 'fan_in_uniform' });
    return this;
  }

  /** Logits [rows, 10] for a packed batch (an internal view, valid until the next forward). */
  forward(batch: SparseBatch): FloatArray {
    return this.mlp.forward(this.gather.forward(batch), batch.rows);
  }

  /** Adds every parameter's gradient for the last forward, given dL/dlogits. */
  backward(dLogits: ArrayLike<number>): void {
    const dH = this.mlp.backward(dLogits, true)!;
    this.gather.backward(dH);
  }

  zeroGrad(): void {
    this.gather.zeroGrad();
    this.mlp.zeroGrad();
  }

  /** The Judge interface: revealed sets of any size (a debate in progress shows fewer than k). */
  logits(batch: readonly Revealed[]): Float32Array {
    if (batch.length === 0) return new Float32Array(0);
    const total = batch.reduce((n, r) => n + r.pixels.length, 0);
    if (this.packed.offsets.length < batch.length + 1 || this.packed.pixels.length < total) this.packed = allocSparseBatch(batch.length, Math.ceil(total / batch.length) + 1);
    const out = this.packed;
    let at = 0;
    batch.forEach((r, i) => {
      if (r.pixels.length !== r.values.length) throw new RangeError(`revealed set ${i}: ${r.pixels.length} pixels but ${r.values.length} values`);
      for (let j = 0; j < r.pixels.length; j++) {
        const v = r.values[j];
        if (!(v >= 0 && v <= 1)) throw new RangeError(`revealed set ${i}: pixel ${r.pixels[j]} has value ${v}, outside 0–1`);
        out.pixels[at] = r.pixels[j];
        out.values[at++] = v;
      }
      out.offsets[i + 1] = at;
    });
    out.rows = batch.length;
    // The gather layer checks the indices (integers in 0..783, none twice in a set).
    return Float32Array.from(this.forward(out));
  }
}

/** A saved judge: the architecture, both parameter blocks, and free-form notes on how it was trained. */
export interface JudgeJson {
  format: 'overseer.debate-judge';
  version: 1;
  hidden: number[];
  activation: string;
  /** SparseGatherLayer params (W_mask, W_value as [784, width], then b), base64 float32. */
  gather: string;
  mlp: MlpJson;
  training: Record<string, unknown>;
}

export function saveJudge(judge: MnistJudge, training: Record<string, unknown>): JudgeJson {
  if (judge.gather.dtype !== 'float32') throw new Error('judge checkpoints hold float32 parameters; this judge is float64');
  return {
    format: 'overseer.debate-judge',
    version: 1,
    hidden: [...judge.hidden],
    activation: judge.activation,
    gather: encodeFloats(judge.gather.params),
    mlp: saveMlp(judge.mlp),
    training,
  };
}

/** A judge from a checkpoint; `name` (e.g. the file) is named in every error. */
export function loadJudge(json: unknown, name = 'judge checkpoint'): { judge: MnistJudge; training: Record<string, unknown> } {
  const j = json as Partial<JudgeJson> | null;
  if (!j || typeof j !== 'object' || j.format !== 'overseer.debate-judge') throw new Error(`${name}: not a saved debate judge (format is not 'overseer.debate-judge')`);
  if (j.version !== 1) throw new Error(`${name}: unsupported judge format version ${String(j.version)} (this build reads version 1)`);
  if (!Array.isArray(j.hidden) || typeof j.gather !== 'string' || !j.mlp) throw new Error(`${name}: saved judge is missing hidden, gather or mlp`);
  const judge = new MnistJudge({ hidden: j.hidden, activation: assertActivation(j.activation, `${name} activation`) });
  const gather = decodeFloats(j.gather, 'float32', `${name} gather`);
  if (gather.length !== judge.gather.numParams) throw new Error(`${name}: gather layer has ${gather.length} parameters, hidden ${JSON.stringify(j.hidden)} needs ${judge.gather.numParams}`);
  judge.gather.params.set(gather);
  loadMlpInto(judge.mlp, j.mlp, `${name} mlp`);
  return { judge, training: j.training ?? {} };
}
