import { decodeFloats, encodeFloats } from '../utils/floats.js';
import { assertActivation, needsInput, type Activation } from './activations.js';
import { HeapNet } from './heap.js';
import { col2im, im2col, type ConvGeometry } from './kernels.js';
import type { MlpBackend } from './mlp.js';
import type { DType, FloatArray } from './params.js';

/** 'wasm': WebAssembly SIMD kernels (float32 only); 'js': plain TypeScript loops. Chosen as for `Mlp`. */
export type ConvBackend = MlpBackend;

/** 'valid': no padding; a number: that many cells of zeros on every side. */
export type Padding = 'valid' | number;

/** An image per sample, stored HWC: value (row * width + col) * channels + c. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** One convolution of a `ConvNet`: `channels` output channels, a square kernel. */
export interface ConvLayerSpec {
  channels: number;
  kernel: number;
  /** Default 1. */
  stride?: number;
  /** Default 'valid'. */
  padding?: Padding;
}

export interface Conv2dSpec {
  /** Input image per sample. */
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  /** Side of the square kernel. */
  kernel: number;
  /** Default 1. */
  stride?: number;
  /** Default 'valid'. */
  padding?: Padding;
  /** Applied to the output (default identity). */
  activation?: Activation;
  dtype?: DType;
  /** Default: 'wasm' for float32 where WebAssembly SIMD exists, else 'js'. */
  backend?: ConvBackend;
}

export interface ConvNetSpec {
  input: ImageShape;
  /** Convolutions in order, each followed by `activation`. */
  conv: ConvLayerSpec[];
  /** Dense widths after the flatten, the last being the output, e.g. [128, 6]. */
  dense: number[];
  /** Activation after every convolution and hidden dense layer. */
  activation: Activation;
  /** Activation after the hidden dense layers instead, where it differs (MinAtar's AC(lambda): SiLU, then dSiLU); default `activation`. */
  denseActivation?: Activation;
  /** Activation after the last layer (default identity). */
  outputActivation?: Activation;
  dtype?: DType;
  /** Default: 'wasm' for float32 where WebAssembly SIMD exists, else 'js'. */
  backend?: ConvBackend;
}

/** One layer of a `ConvStack`: a convolution, or a dense layer as a 1x1 convolution of a 1x1 image. */
interface Layer extends ConvGeometry {
  outC: number;
  /** Patch length kh * kw * C: the width of a row of im2col's matrix and of a row of W. */
  K: number;
  /** Output cells per sample, outH * outW. */
  P: number;
  inSize: number;
  outSize: number;
  act: Activation;
  /** The patch matrix is the input itself (1x1 kernel, stride 1, no padding): no im2col. */
  direct: boolean;
  /** Samples per im2col chunk. */
  chunk: number;
}

/** Floats of im2col's matrix per chunk: 256 KiB, so a chunk's patches stay in cache for their multiply. */
const CHUNK_FLOATS = 1 << 16;

/** Rows of activations reserved up front; larger batches grow the heap. */
const INITIAL_CAPACITY = 64;

const isPositiveInt = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0;

function paddingCells(p: Padding | undefined, what: string): number {
  if (p === undefined || p === 'valid') return 0;
  if (!Number.isInteger(p) || p < 0) throw new Error(`${what}: padding must be 'valid' or a non-negative integer, got ${JSON.stringify(p)}`);
  return p;
}

/** Output side of a convolution: floor((size + 2 pad - kernel) / stride) + 1. */
export function convOutputSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

function convLayer(input: ImageShape, outC: number, kernel: number, stride: number, pad: number, act: Activation, what: string): Layer {
  const { height: H, width: W, channels: C } = input;
  if (![H, W, C].every(isPositiveInt)) {
    throw new Error(`${what}: input height, width and channels must be positive integers, got ${JSON.stringify(input)}`);
  }
  if (!isPositiveInt(outC)) throw new Error(`${what}: output channels must be a positive integer, got ${JSON.stringify(outC)}`);
  if (!isPositiveInt(kernel)) throw new Error(`${what}: kernel must be a positive integer, got ${JSON.stringify(kernel)}`);
  if (!isPositiveInt(stride)) throw new Error(`${what}: stride must be a positive integer, got ${JSON.stringify(stride)}`);
  if (kernel > H + 2 * pad || kernel > W + 2 * pad) {
    throw new Error(`${what}: a ${kernel}x${kernel} kernel does not fit the ${H}x${W} input with padding ${pad}`);
  }
  const outH = convOutputSize(H, kernel, stride, pad);
  const outW = convOutputSize(W, kernel, stride, pad);
  const K = kernel * kernel * C;
  const P = outH * outW;
  return {
    H, W, C, kh: kernel, kw: kernel, stride, pad, outH, outW, outC, K, P,
    inSize: H * W * C,
    outSize: P * outC,
    act,
    direct: kernel === 1 && stride === 1 && pad === 0,
    chunk: Math.max(1, Math.floor(CHUNK_FLOATS / (P * Math.max(K, outC)))),
  };
}

const shapeText = (s: ImageShape) => `${s.height}x${s.width}x${s.channels}`;

/**
 * The engine under `Conv2d` and `ConvNet`: a chain of convolutions (dense layers being 1x1
 * convolutions of a 1x1 image), with explicit forward and backward passes, laid out as `Mlp`
 * lays out its layers. Every buffer (parameters, gradients, activations, scratch) lives in one
 * flat heap at fixed offsets (see `HeapNet`). Parameters are one flat vector, per layer W as
 * [outC, kh, kw, inC] row-major (a row per output channel, in the order of a patch), then b [outC].
 *
 * A convolution is im2col (each output cell's receptive field copied to a row of a patch
 * matrix, a chunk of samples at a time) then the same products as a dense layer: the patch
 * matrix times W^T is the HWC output. Backward recomputes the patches from the saved input,
 * so only activations are kept per row. `params`/`grads` are views of the heap, valid until a
 * forward pass with a batch larger than any before (the heap may grow then).
 */
export abstract class ConvStack extends HeapNet {
  /** Number of weights (not biases) of each layer, outC * kh * kw * inC: for L2 penalties over W only. */
  readonly weightSizes: readonly number[];
  /** Floats per sample at each layer boundary, input first (flattened HWC). */
  readonly widths: readonly number[];
  protected readonly layers: readonly Layer[];
  private readonly name: string;
  // Heap offsets of the scratch: W^T, the patch matrix and its second buffer, dZ^T.
  private readonly wTOff: number;
  private readonly colsOff: number;
  private readonly cols2Off: number;
  private readonly gTOff: number;
  private batch = 0;

  protected constructor(layers: Layer[], dtype: DType | undefined, backend: ConvBackend | undefined, name: string) {
    const dt = dtype ?? 'float32';
    if (dt !== 'float32' && dt !== 'float64') throw new Error(`${name} dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);

    let maxW = 0;
    let maxCols = 0;
    let maxG = 0;
    for (const L of layers) {
      maxW = Math.max(maxW, L.outC * L.K);
      maxCols = Math.max(maxCols, L.chunk * L.P * L.K);
      maxG = Math.max(maxG, L.chunk * L.P * L.outC);
    }
    const widths = [layers[0].inSize, ...layers.map((L) => L.outSize)];
    super({
      name,
      dtype: dt,
      backend,
      weights: layers.map((L) => ({ rows: L.outC, cols: L.K })),
      widths,
      scratch: [maxW, maxCols, maxCols, maxG],
      rowScratch: [],
      capacity: INITIAL_CAPACITY,
      keepInputs: layers.some((L) => needsInput(L.act)),
    });
    this.name = name;
    this.layers = layers;
    this.weightSizes = layers.map((L) => L.outC * L.K);
    this.widths = widths;
    [this.wTOff, this.colsOff, this.cols2Off, this.gTOff] = this.scratchOff;
  }

  /** The patch matrix of `n` samples of layer L's input at xOff, into the scratch at colsOff. */
  private im2col(L: Layer, xOff: number, n: number): void {
    const k = this.kernels;
    if (k) k.im2col(4 * xOff, 4 * this.colsOff, n, L.H, L.W, L.C, L.kh, L.kw, L.stride, L.pad, L.outH, L.outW);
    else im2col(this.heap, xOff, this.heap, this.colsOff, n, L);
  }

  /** dX of `n` samples at dxOff from the patch gradients at cols2Off. */
  private col2im(L: Layer, dxOff: number, n: number): void {
    const k = this.kernels;
    if (k) k.col2im(4 * this.cols2Off, 4 * dxOff, n, L.H, L.W, L.C, L.kh, L.kw, L.stride, L.pad, L.outH, L.outW);
    else col2im(this.heap, this.cols2Off, this.heap, dxOff, n, L);
  }

  /** One layer over `batch` samples: y = patches(x) W^T + b, then the layer's activation. */
  private layerForward(l: number, xOff: number, yOff: number, batch: number, keep = -1): void {
    const L = this.layers[l];
    const wOff = this.offsets[l];
    const k = this.kernels;
    const rows = batch * L.P;
    // The blocked A B kernel needs W^T; one transpose pays off from a handful of rows on.
    const blocked = k !== null && rows >= 8 && L.outC >= 8;
    if (blocked) k.transpose(4 * wOff, 4 * this.wTOff, L.outC, L.K);
    // A direct layer multiplies its input in one go; otherwise a chunk of samples' patches at a time.
    const step = L.direct ? batch : L.chunk;
    for (let s0 = 0; s0 < batch; s0 += step) {
      const n = Math.min(step, batch - s0);
      let aOff = xOff;
      if (!L.direct) {
        this.im2col(L, xOff + s0 * L.inSize, n);
        aOff = this.colsOff;
      }
      const cOff = yOff + s0 * L.outSize;
      if (blocked) k.gemmAB(4 * aOff, 4 * this.wTOff, 4 * cOff, n * L.P, L.outC, L.K, 0);
      else this.gemm(aOff, wOff, cOff, n * L.P, L.outC, L.K, false);
    }
    this.addBias(yOff, wOff + L.outC * L.K, rows, L.outC);
    this.activate(L.act, yOff, rows * L.outC, keep);
  }

  private checkInput(x: ArrayLike<number>, batch: number, what: string): void {
    const n = this.inputSize;
    if (!Number.isInteger(batch) || batch <= 0 || x.length < batch * n) {
      throw new RangeError(`${this.name} ${what}: input of length ${x.length} does not hold ${batch} rows of ${this.inputText()} (${batch * n} values)`);
    }
  }

  /** How the input of one sample is declared, for messages. */
  protected abstract inputText(): string;

  /**
   * Forward pass over `batch` samples of `x` ([batch, H * W * C], each HWC). Returns a view of
   * an internal [batch, out] buffer (HWC per sample for a convolution), valid until the next
   * call; caches what `backward` needs.
   */
  forward(x: ArrayLike<number>, batch: number): FloatArray {
    this.checkInput(x, batch, 'forward');
    this.ensureCapacity(batch);
    this.batch = batch;
    const h = this.heap;
    const a0 = this.actOff[0];
    const n = batch * this.inputSize;
    if (ArrayBuffer.isView(x)) h.set((x as FloatArray).subarray(0, n), a0);
    else for (let i = 0; i < n; i++) h[a0 + i] = x[i];
    for (let l = 0; l < this.numLayers; l++) this.layerForward(l, this.actOff[l], this.actOff[l + 1], batch, this.keepOf(l));
    const out = this.actOff[this.numLayers];
    return h.subarray(out, out + batch * this.outputSize);
  }

  /**
   * Backward pass for the last `forward`: adds dL/dparams to `grads` given dL/doutput
   * ([batch, out]). Returns dL/dinput ([batch, in], an internal view) when `inputGrad` is set.
   */
  backward(dOut: ArrayLike<number>, inputGrad = false): FloatArray | null {
    const batch = this.batch;
    if (batch === 0) throw new Error(`${this.name} backward called before forward`);
    if (dOut.length < batch * this.outputSize) {
      throw new RangeError(`${this.name} backward: gradient of length ${dOut.length} does not hold ${batch} rows of ${this.outputSize}`);
    }
    const h = this.heap;
    const k = this.kernels;
    const gLast = this.deltaOff[this.numLayers];
    const nOut = batch * this.outputSize;
    if (ArrayBuffer.isView(dOut)) h.set((dOut as FloatArray).subarray(0, nOut), gLast);
    else for (let i = 0; i < nOut; i++) h[gLast + i] = dOut[i];
    for (let l = this.numLayers - 1; l >= 0; l--) {
      const L = this.layers[l];
      const gOff = this.deltaOff[l + 1];
      const rowsAll = batch * L.P;
      this.activationBackward(L.act, this.actOff[l + 1], gOff, rowsAll * L.outC, this.keepOf(l));
      // db += sum over rows (samples x output cells) of dZ.
      const dWOff = this.gradOff + this.offsets[l];
      this.addColumnSums(gOff, dWOff + L.outC * L.K, rowsAll, L.outC);
      const needDx = l > 0 || inputGrad;
      const wide = k !== null && L.K >= 8;
      if (needDx && !wide) this.transpose(this.offsets[l], L.outC, L.K, this.wTOff);
      for (let s0 = 0; s0 < batch; s0 += L.chunk) {
        const n = Math.min(L.chunk, batch - s0);
        const rows = n * L.P;
        const gc = gOff + s0 * L.outSize;
        let xc = this.actOff[l] + s0 * L.inSize;
        if (!L.direct) {
          this.im2col(L, xc, n);
          xc = this.colsOff;
        }
        // dW += dZ^T patches. The blocked kernel takes the patches as they are; the dot kernel wants both transposed.
        this.transpose(gc, rows, L.outC, this.gTOff);
        if (wide) {
          k.gemmAB(4 * this.gTOff, 4 * xc, 4 * dWOff, L.outC, L.K, rows, 1);
        } else {
          this.transpose(xc, rows, L.K, this.cols2Off);
          this.gemm(this.gTOff, this.cols2Off, dWOff, L.outC, L.K, rows, true);
        }
        // dPatches = dZ W, then summed back onto the input cells; skipped for the input layer unless asked for.
        if (needDx) {
          const dc = L.direct ? this.deltaOff[l] + s0 * L.inSize : this.cols2Off;
          if (wide) k.gemmAB(4 * gc, 4 * this.offsets[l], 4 * dc, rows, L.K, L.outC, 0);
          else this.gemm(gc, this.wTOff, dc, rows, L.K, L.outC, false);
          if (!L.direct) this.col2im(L, this.deltaOff[l] + s0 * L.inSize, n);
        }
      }
    }
    return inputGrad ? h.subarray(this.deltaOff[0], this.deltaOff[0] + batch * this.inputSize) : null;
  }

  /** Batch-1 inference without allocation (beside, not over, what `backward` needs); writes into `out` if given. */
  predict(x: ArrayLike<number>, out?: FloatArray): FloatArray {
    this.checkInput(x, 1, 'predict');
    const h = this.heap;
    const s = this.singleOff;
    const n0 = this.inputSize;
    for (let i = 0; i < n0; i++) h[s[0] + i] = x[i];
    for (let l = 0; l < this.numLayers; l++) this.layerForward(l, s[l], s[l + 1], 1);
    if (!out) return this.singleOut;
    out.set(this.singleOut);
    return out;
  }
}

/**
 * One 2-D convolution over HWC images: `height` x `width` x `inChannels` per sample to
 * outH x outW x `outChannels`, with a square kernel, stride and zero padding, then `activation`
 * (identity by default). Parameters: W [outChannels, kernel, kernel, inChannels], then b.
 */
export class Conv2d extends ConvStack {
  readonly input: ImageShape;
  readonly output: ImageShape;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  readonly activation: Activation;

  constructor(spec: Conv2dSpec) {
    const act = assertActivation(spec.activation ?? 'identity', 'Conv2d activation');
    const pad = paddingCells(spec.padding, 'Conv2d');
    const input = { height: spec.height, width: spec.width, channels: spec.inChannels };
    const L = convLayer(input, spec.outChannels, spec.kernel, spec.stride ?? 1, pad, act, 'Conv2d');
    super([L], spec.dtype, spec.backend, 'Conv2d');
    this.input = input;
    this.output = { height: L.outH, width: L.outW, channels: L.outC };
    this.kernel = L.kh;
    this.stride = L.stride;
    this.padding = pad;
    this.activation = act;
  }

  protected inputText(): string {
    return shapeText(this.input);
  }

  spec(): Required<Omit<Conv2dSpec, 'backend'>> {
    return {
      height: this.input.height,
      width: this.input.width,
      inChannels: this.input.channels,
      outChannels: this.output.channels,
      kernel: this.kernel,
      stride: this.stride,
      padding: this.padding,
      activation: this.activation,
      dtype: this.dtype,
    };
  }

  /** An identical layer with copied parameters (gradients zeroed). */
  clone(): Conv2d {
    const c = new Conv2d({ ...this.spec(), backend: this.backend });
    c.params.set(this.params);
    return c;
  }
}

/**
 * Convolutions (each followed by `activation`), a flatten (free: HWC per sample is already
 * flat), then dense layers: a drop-in for `Mlp` where observations are images, with the same
 * forward/backward/predict/params/grads/init/zeroGrad/spec/clone surface and one flat
 * parameter vector. The first dense layer's W is [width, outH * outW * C] over the HWC flatten.
 */
export class ConvNet extends ConvStack {
  readonly input: ImageShape;
  readonly conv: readonly Required<ConvLayerSpec>[];
  readonly dense: readonly number[];
  readonly activation: Activation;
  readonly denseActivation: Activation;
  readonly outputActivation: Activation;

  constructor(spec: ConvNetSpec) {
    const activation = assertActivation(spec.activation, 'ConvNet activation');
    const denseActivation = assertActivation(spec.denseActivation ?? activation, 'ConvNet dense activation');
    const outputActivation = assertActivation(spec.outputActivation ?? 'identity', 'ConvNet output activation');
    if (!spec.input || typeof spec.input !== 'object') throw new Error(`ConvNet input must be { height, width, channels }, got ${JSON.stringify(spec.input)}`);
    if (!Array.isArray(spec.conv)) throw new Error(`ConvNet conv must be an array of layers, got ${JSON.stringify(spec.conv)}`);
    if (!Array.isArray(spec.dense) || spec.dense.length < 1 || spec.dense.some((s) => !isPositiveInt(s))) {
      throw new Error(`ConvNet dense must be at least one positive integer (the output width last), got ${JSON.stringify(spec.dense)}`);
    }
    const input = { height: spec.input.height, width: spec.input.width, channels: spec.input.channels };
    const layers: Layer[] = [];
    const conv: Required<ConvLayerSpec>[] = [];
    const nLayers = spec.conv.length + spec.dense.length;
    const actOf = (l: number) => (l === nLayers - 1 ? outputActivation : l >= spec.conv.length ? denseActivation : activation);
    let shape: ImageShape = input;
    spec.conv.forEach((c, i) => {
      const what = `ConvNet conv layer ${i + 1}`;
      const pad = paddingCells(c?.padding, what);
      const L = convLayer(shape, c?.channels, c?.kernel, c?.stride ?? 1, pad, actOf(layers.length), what);
      layers.push(L);
      conv.push({ channels: L.outC, kernel: L.kh, stride: L.stride, padding: c.padding ?? 'valid' });
      shape = { height: L.outH, width: L.outW, channels: L.outC };
    });
    if (layers.length === 0 && ![input.height, input.width, input.channels].every(isPositiveInt)) {
      throw new Error(`ConvNet: input height, width and channels must be positive integers, got ${JSON.stringify(spec.input)}`);
    }
    let width = shape.height * shape.width * shape.channels;
    spec.dense.forEach((d, j) => {
      layers.push(convLayer({ height: 1, width: 1, channels: width }, d, 1, 1, 0, actOf(layers.length), `ConvNet dense layer ${j + 1}`));
      width = d;
    });
    super(layers, spec.dtype, spec.backend, 'ConvNet');
    this.input = input;
    this.conv = conv;
    this.dense = [...spec.dense];
    this.activation = activation;
    this.denseActivation = denseActivation;
    this.outputActivation = outputActivation;
  }

  protected inputText(): string {
    return shapeText(this.input);
  }

  /** The architecture, for checkpoints and shape checks. */
  spec(): Required<Omit<ConvNetSpec, 'backend'>> {
    return {
      input: { ...this.input },
      conv: this.conv.map((c) => ({ ...c })),
      dense: [...this.dense],
      activation: this.activation,
      denseActivation: this.denseActivation,
      outputActivation: this.outputActivation,
      dtype: this.dtype,
    };
  }

  /** An identical network with copied parameters (gradients zeroed). */
  clone(): ConvNet {
    const m = new ConvNet({ ...this.spec(), backend: this.backend });
    m.params.set(this.params);
    return m;
  }
}

/** One line naming the architecture, e.g. "10x10x4 -> conv 16 3x3/1 valid -> dense 128, 6". */
export function describeConvNet(spec: Pick<ConvNetSpec, 'input' | 'conv' | 'dense'>): string {
  const pad = (p: Padding | undefined) => (p === undefined || p === 'valid' || p === 0 ? 'valid' : `pad ${p}`);
  const conv = spec.conv.map((c) => ` -> conv ${c.channels} ${c.kernel}x${c.kernel}/${c.stride ?? 1} ${pad(c.padding)}`);
  return `${shapeText(spec.input)}${conv.join('')} -> dense ${spec.dense.join(', ')}`;
}

export interface ConvNetOptions {
  activation?: Activation;
  denseActivation?: Activation;
  outputActivation?: Activation;
  dtype?: DType;
  backend?: ConvBackend;
}

/**
 * MinAtar's network (Young & Tian 2019): 10 x 10 x `channels` -> one 3x3 convolution, stride 1,
 * no padding, 16 channels, ReLU -> flatten (8 x 8 x 16 = 1024) -> dense 128, ReLU -> `outputs`:
 * its DQN's units. Its AC(lambda) uses SiLU after the convolution and dSiLU after the dense
 * layer (`activation: 'silu', denseActivation: 'dsilu'`).
 */
export function minAtarNet(channels: number, outputs: number, options: ConvNetOptions = {}): ConvNet {
  return new ConvNet({
    input: { height: 10, width: 10, channels },
    conv: [{ channels: 16, kernel: 3, stride: 1, padding: 'valid' }],
    dense: [128, outputs],
    activation: options.activation ?? 'relu',
    denseActivation: options.denseActivation,
    outputActivation: options.outputActivation,
    dtype: options.dtype,
    backend: options.backend,
  });
}

/**
 * A small network for rendered RGB frames (40 x 40 x 3 by default): 8 channels 4x4 stride 2,
 * then 16 channels 3x3 stride 2, both valid and ReLU (40 -> 19 -> 9), flatten (1296) ->
 * dense 128, ReLU -> `outputs`.
 */
export function pixelNet(outputs: number, options: ConvNetOptions & { input?: ImageShape } = {}): ConvNet {
  return new ConvNet({
    input: options.input ?? { height: 40, width: 40, channels: 3 },
    conv: [
      { channels: 8, kernel: 4, stride: 2, padding: 'valid' },
      { channels: 16, kernel: 3, stride: 2, padding: 'valid' },
    ],
    dense: [128, outputs],
    activation: options.activation ?? 'relu',
    outputActivation: options.outputActivation,
    dtype: options.dtype,
    backend: options.backend,
  });
}

/** A saved ConvNet: architecture plus parameters as base64 little-endian floats. */
export interface ConvNetJson {
  format: 'overseer.convnet';
  version: 1;
  input: ImageShape;
  conv: Required<ConvLayerSpec>[];
  dense: number[];
  activation: string;
  /** Absent in networks saved before it existed: `activation`. */
  denseActivation?: string;
  outputActivation: string;
  dtype: DType;
  params: string;
}

export function saveConvNet(net: ConvNet): ConvNetJson {
  const spec = net.spec();
  return {
    format: 'overseer.convnet',
    version: 1,
    input: spec.input,
    conv: spec.conv as Required<ConvLayerSpec>[],
    dense: spec.dense,
    activation: spec.activation,
    denseActivation: spec.denseActivation,
    outputActivation: spec.outputActivation,
    dtype: spec.dtype,
    params: encodeFloats(net.params),
  };
}

function checkJson(json: unknown, name: string): ConvNetJson {
  const j = json as Partial<ConvNetJson> | null;
  if (!j || typeof j !== 'object' || j.format !== 'overseer.convnet') throw new Error(`${name}: not a saved ConvNet (format is not 'overseer.convnet')`);
  if (j.version !== 1) throw new Error(`${name}: unsupported ConvNet format version ${String(j.version)} (this build reads version 1)`);
  if (!j.input || !Array.isArray(j.conv) || !Array.isArray(j.dense) || typeof j.params !== 'string' || (j.dtype !== 'float32' && j.dtype !== 'float64')) {
    throw new Error(`${name}: saved ConvNet is missing input, conv, dense, params or dtype`);
  }
  return j as ConvNetJson;
}

/** Builds a network from a saved one. */
export function loadConvNet(json: unknown, name = 'ConvNet', backend?: ConvBackend): ConvNet {
  const j = checkJson(json, name);
  const net = new ConvNet({
    input: j.input,
    conv: j.conv,
    dense: j.dense,
    activation: assertActivation(j.activation, `${name} activation`),
    denseActivation: assertActivation(j.denseActivation ?? j.activation, `${name} dense activation`),
    outputActivation: assertActivation(j.outputActivation, `${name} output activation`),
    dtype: j.dtype,
    backend,
  });
  loadConvNetInto(net, j, name);
  return net;
}

/** Copies saved parameters into an existing network; any mismatch in architecture or activation is an error naming both. */
export function loadConvNetInto(net: ConvNet, json: unknown, name = 'ConvNet'): void {
  const j = checkJson(json, name);
  const saved = describeConvNet(j);
  const want = describeConvNet(net.spec());
  if (saved !== want) throw new Error(`${name}: saved architecture ${saved} does not match the network's ${want}`);
  const savedActs = [j.activation, j.denseActivation ?? j.activation, j.outputActivation].join('/');
  const wantActs = [net.activation, net.denseActivation, net.outputActivation].join('/');
  if (savedActs !== wantActs) throw new Error(`${name}: saved activations ${savedActs} (conv/dense/output) do not match the network's ${wantActs}`);
  const params = decodeFloats(j.params, j.dtype);
  if (params.length !== net.params.length) {
    throw new Error(`${name}: saved parameter count ${params.length} does not match the network's ${net.params.length}`);
  }
  net.params.set(params);
}
