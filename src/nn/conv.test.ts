import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import { encodeFloats } from '../utils/floats.js';
import { Conv2d, ConvNet, loadConvNet, loadConvNetInto, minAtarNet, pixelNet, saveConvNet, type Conv2dSpec, type ConvNetSpec } from './conv.js';
import { maxRelativeError, numericGradient } from './gradcheck.js';
import { col2im, im2col, type ConvGeometry } from './kernels.js';
import { WASM_PAGE_BYTES, instantiateKernels } from './wasm/kernels.js';

type Net = Conv2d | ConvNet;

function randomInput(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** L = sum(out * c) for fixed random c, so dL/dout = c; summed in float64 whatever the network's dtype. */
function lossOf(net: Net, x: ArrayLike<number>, batch: number, c: ArrayLike<number>): number {
  const y = net.forward(x, batch);
  let s = 0;
  for (let i = 0; i < c.length; i++) s += y[i] * c[i];
  return s;
}

/** Largest absolute difference over the largest magnitude of the reference: float32 rounding over sums. */
function relToMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / scale;
}

/** Analytic gradients (params, input) of lossOf at the current parameters. */
function analytic(net: Net, x: ArrayLike<number>, batch: number, c: ArrayLike<number>): { params: Float64Array; input: Float64Array } {
  net.zeroGrad();
  net.forward(x, batch);
  const dx = net.backward(c, true)!;
  return { params: Float64Array.from(net.grads), input: Float64Array.from(dx) };
}

/** Perturbs every parameter a little so relu kinks and zero biases are not special. */
function jitter(net: Net, rng: Rng, scale = 0.1): void {
  for (let i = 0; i < net.params.length; i++) net.params[i] += scale * rng.normal();
}

const convCases: { name: string; spec: Omit<Conv2dSpec, 'dtype' | 'backend'> }[] = [
  { name: '3x3, stride 1, valid', spec: { height: 5, width: 6, inChannels: 2, outChannels: 3, kernel: 3 } },
  { name: '3x3, stride 2, valid', spec: { height: 7, width: 6, inChannels: 3, outChannels: 4, kernel: 3, stride: 2 } },
  { name: '3x3, stride 1, padding 1', spec: { height: 4, width: 5, inChannels: 2, outChannels: 5, kernel: 3, padding: 1 } },
  { name: '4x4, stride 2, padding 2', spec: { height: 7, width: 5, inChannels: 3, outChannels: 9, kernel: 4, stride: 2, padding: 2 } },
  { name: '1x1, stride 1 (no im2col)', spec: { height: 3, width: 4, inChannels: 5, outChannels: 10, kernel: 1 } },
  { name: '1x1, padding 2 (padding wider than the kernel)', spec: { height: 3, width: 2, inChannels: 2, outChannels: 3, kernel: 1, padding: 2 } },
];

/** `eps`: the finite-difference step (default 1e-6). */
const netCases: { name: string; spec: Omit<ConvNetSpec, 'dtype' | 'backend'>; eps?: number }[] = [
  {
    name: 'two convs (padding 1, then stride 2) and two dense, tanh',
    spec: { input: { height: 6, width: 5, channels: 2 }, conv: [{ channels: 3, kernel: 3, padding: 1 }, { channels: 4, kernel: 2, stride: 2 }], dense: [7, 3], activation: 'tanh' },
  },
  {
    name: 'MinAtar-shaped, small, leaky relu',
    spec: { input: { height: 5, width: 5, channels: 4 }, conv: [{ channels: 6, kernel: 3 }], dense: [9, 2], activation: 'leaky_relu', outputActivation: 'tanh' },
  },
  {
    name: 'pixel-shaped, small, relu',
    spec: { input: { height: 9, width: 9, channels: 3 }, conv: [{ channels: 8, kernel: 4, stride: 2 }, { channels: 4, kernel: 3, stride: 2, padding: 1 }], dense: [6, 4], activation: 'relu' },
  },
  {
    // MinAtar's AC(lambda) units: the backward pass reads the pre-activations the forward pass kept.
    // Step 1e-5: at 1e-6 one gradient of 1.4e-5 (largest 1.8) differs by round-off alone (1.2e-5 relative; 2.8e-6 at 1e-5).
    name: 'MinAtar-shaped, small, SiLU conv and dSiLU dense (two hidden)',
    spec: { input: { height: 5, width: 5, channels: 3 }, conv: [{ channels: 4, kernel: 3 }], dense: [6, 5, 2], activation: 'silu', denseActivation: 'dsilu' },
    eps: 1e-5,
  },
];

describe('Conv2d', () => {
  it('computes a hand-worked 2x2 convolution over a two-channel HWC image', () => {
    for (const backend of ['js', 'wasm'] as const) {
      const conv = new Conv2d({ height: 3, width: 3, inChannels: 2, outChannels: 1, kernel: 2, backend });
      // W[o][ky][kx][c]: +1 at (0, 0, c0), +0.5 at (0, 1, c1), -1 at (1, 1, c0); b = 0.25.
      conv.params.set([1, 0, 0, 0.5, 0, 0, -1, 0, 0.25]);
      // Channel 0 holds 1..9, channel 1 ten times that.
      const x: number[] = [];
      for (let i = 1; i <= 9; i++) x.push(i, 10 * i);
      // out(oy, ox) = x0[oy][ox] + 0.5 x1[oy][ox + 1] - x0[oy + 1][ox + 1] + 0.25.
      expect(Array.from(conv.forward(x, 1))).toEqual([6.25, 11.25, 21.25, 26.25]);
      expect(conv.output).toEqual({ height: 2, width: 2, channels: 1 });
    }
  });

  it('computes a hand-worked 3x3, stride 2, padding 1 convolution with two output channels', () => {
    for (const backend of ['js', 'wasm'] as const) {
      const conv = new Conv2d({ height: 3, width: 3, inChannels: 1, outChannels: 2, kernel: 3, stride: 2, padding: 1, backend });
      // Channel 0 sums the window, channel 1 picks its centre.
      conv.params.set([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
      const y = conv.forward([1, 2, 3, 4, 5, 6, 7, 8, 9], 1);
      // Windows centred on (0, 0), (0, 2), (2, 0), (2, 2); the padding adds zeros. HWC output.
      expect(Array.from(y)).toEqual([12, 1, 16, 3, 24, 7, 28, 9]);
      // dL/dx for dL/dy = 1 everywhere: each cell counts its windows (channel 0) plus 1 if it is a centre (channel 1).
      conv.zeroGrad();
      const dx = conv.backward(new Float32Array(8).fill(1), true)!;
      expect(Array.from(dx)).toEqual([2, 2, 2, 2, 4, 2, 2, 2, 2]);
      expect(Array.from(conv.grads.subarray(18))).toEqual([4, 4]);
    }
  });

  it('has the output shapes of floor((size + 2 pad - kernel) / stride) + 1', () => {
    const a = new Conv2d({ height: 7, width: 5, inChannels: 3, outChannels: 4, kernel: 3, stride: 2, padding: 1 });
    expect(a.output).toEqual({ height: 4, width: 3, channels: 4 });
    expect(a.widths).toEqual([7 * 5 * 3, 4 * 3 * 4]);
    expect(a.numParams).toBe(4 * 3 * 3 * 3 + 4);
    expect(a.forward(new Float32Array(2 * 105), 2).length).toBe(2 * 48);
    const b = new Conv2d({ height: 40, width: 40, inChannels: 3, outChannels: 8, kernel: 4, stride: 2, padding: 'valid' });
    expect(b.output).toEqual({ height: 19, width: 19, channels: 8 });
  });

  for (const { name, spec } of convCases) {
    it(`backward matches finite differences for weights, bias and input (js, float64; ${name})`, () => {
      const rng = new Rng(11);
      const conv = new Conv2d({ ...spec, dtype: 'float64', backend: 'js' }).init(rng, { scheme: 'fan_in_uniform' });
      const batch = 3;
      const x = randomInput(rng, batch * conv.inputSize);
      const c = randomInput(rng, batch * conv.outputSize);
      const g = analytic(conv, x, batch, c);
      // The output is linear in each of W, b and x: a large step has no truncation error and little rounding.
      expect(maxRelativeError(g.params, numericGradient(() => lossOf(conv, x, batch, c), conv.params, 0.5))).toBeLessThan(1e-9);
      expect(maxRelativeError(g.input, numericGradient(() => lossOf(conv, x, batch, c), x, 0.5))).toBeLessThan(1e-9);
    });

    it(`backward matches finite differences (wasm, float32; ${name})`, () => {
      // Linear again, so a large step keeps float32 rounding small next to the differences.
      const rng = new Rng(12);
      const conv = new Conv2d({ ...spec, backend: 'wasm' }).init(rng, { scheme: 'fan_in_uniform' });
      expect(conv.backend).toBe('wasm');
      const batch = 3;
      const x = Float32Array.from(randomInput(rng, batch * conv.inputSize));
      const c = randomInput(rng, batch * conv.outputSize);
      const g = analytic(conv, x, batch, c);
      expect(relToMax(g.params, numericGradient(() => lossOf(conv, x, batch, c), conv.params, 0.25))).toBeLessThan(1e-5);
      expect(relToMax(g.input, numericGradient(() => lossOf(conv, x, batch, c), x, 0.25))).toBeLessThan(1e-5);
    });
  }

  it('accumulates gradients across backward calls until zeroGrad', () => {
    const conv = new Conv2d({ height: 4, width: 4, inChannels: 1, outChannels: 2, kernel: 2, dtype: 'float64' }).init(new Rng(1), { scheme: 'fan_in_uniform' });
    const x = randomInput(new Rng(2), 16);
    conv.forward(x, 1);
    conv.backward(new Float64Array(18).fill(1));
    const once = Float64Array.from(conv.grads);
    conv.forward(x, 1);
    conv.backward(new Float64Array(18).fill(1));
    for (let i = 0; i < once.length; i++) expect(conv.grads[i]).toBeCloseTo(2 * once[i], 12);
    conv.zeroGrad();
    expect(Math.max(...Array.from(conv.grads, Math.abs))).toBe(0);
  });
});

describe('im2col and col2im kernels', () => {
  const geometries: ConvGeometry[] = [
    { H: 5, W: 6, C: 3, kh: 3, kw: 3, stride: 1, pad: 0, outH: 3, outW: 4 },
    { H: 7, W: 5, C: 2, kh: 4, kw: 4, stride: 2, pad: 2, outH: 4, outW: 3 },
    { H: 4, W: 3, C: 5, kh: 2, kw: 2, stride: 3, pad: 1, outH: 2, outW: 2 },
    { H: 2, W: 3, C: 1, kh: 1, kw: 1, stride: 1, pad: 3, outH: 8, outW: 9 },
  ];
  for (const g of geometries) {
    it(`WebAssembly and JS give the same bits (${g.H}x${g.W}x${g.C}, ${g.kh}x${g.kw}/${g.stride}, padding ${g.pad})`, () => {
      const rng = new Rng(3);
      const n = 3;
      const inSize = n * g.H * g.W * g.C;
      const colSize = n * g.outH * g.outW * g.kh * g.kw * g.C;
      const memory = new WebAssembly.Memory({ initial: Math.ceil((4 * (inSize + colSize + 8)) / WASM_PAGE_BYTES) });
      const k = instantiateKernels(memory);
      const heap = new Float32Array(memory.buffer);
      // Odd offsets: the kernels must not assume 16-byte alignment.
      const xOff = 1;
      const cOff = xOff + inSize + 2;
      const x = Float32Array.from(randomInput(rng, inSize));
      heap.set(x, xOff);
      heap.fill(NaN, cOff, cOff + colSize);
      k.im2col(4 * xOff, 4 * cOff, n, g.H, g.W, g.C, g.kh, g.kw, g.stride, g.pad, g.outH, g.outW);
      const colsJs = new Float32Array(colSize).fill(NaN);
      im2col(x, 0, colsJs, 0, n, g);
      expect(Array.from(heap.subarray(cOff, cOff + colSize))).toEqual(Array.from(colsJs));
      // The adjoint: <im2col(x), d> = <x, col2im(d)>, and the same bits from both.
      const d = Float32Array.from(randomInput(rng, colSize));
      heap.set(d, cOff);
      heap.fill(NaN, xOff, xOff + inSize);
      k.col2im(4 * cOff, 4 * xOff, n, g.H, g.W, g.C, g.kh, g.kw, g.stride, g.pad, g.outH, g.outW);
      const dxJs = new Float32Array(inSize).fill(NaN);
      col2im(d, 0, dxJs, 0, n, g);
      expect(Array.from(heap.subarray(xOff, xOff + inSize))).toEqual(Array.from(dxJs));
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < colSize; i++) lhs += colsJs[i] * d[i];
      for (let i = 0; i < inSize; i++) rhs += x[i] * dxJs[i];
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
    });
  }
});

describe('ConvNet', () => {
  for (const { name, spec, eps } of netCases) {
    it(`backward matches finite differences end to end (js, float64; ${name})`, () => {
      const rng = new Rng(5);
      const net = new ConvNet({ ...spec, dtype: 'float64', backend: 'js' }).init(rng, { scheme: 'orthogonal', gain: 1.3 });
      jitter(net, rng);
      const batch = 4;
      const x = randomInput(rng, batch * net.inputSize);
      const c = randomInput(rng, batch * net.outputSize);
      const g = analytic(net, x, batch, c);
      expect(maxRelativeError(g.params, numericGradient(() => lossOf(net, x, batch, c), net.params, eps))).toBeLessThan(1e-5);
      expect(maxRelativeError(g.input, numericGradient(() => lossOf(net, x, batch, c), x, eps))).toBeLessThan(1e-5);
    });
  }

  it('backward matches finite differences end to end (wasm, float32)', () => {
    // Smooth activations, so a float32-sized step (1e-2) has little truncation error.
    const rng = new Rng(6);
    const net = new ConvNet({ ...netCases[0].spec, backend: 'wasm' }).init(rng, { scheme: 'orthogonal', gain: 1.3 });
    expect(net.backend).toBe('wasm');
    jitter(net, rng);
    const batch = 4;
    const x = Float32Array.from(randomInput(rng, batch * net.inputSize));
    const c = randomInput(rng, batch * net.outputSize);
    const g = analytic(net, x, batch, c);
    expect(relToMax(g.params, numericGradient(() => lossOf(net, x, batch, c), net.params, 1e-2))).toBeLessThan(2e-3);
    expect(relToMax(g.input, numericGradient(() => lossOf(net, x, batch, c), x, 1e-2))).toBeLessThan(2e-3);
  });

  // Batches that fill several im2col chunks with a remainder (MinAtar: 28 samples a chunk; pixels: 3), batch 1, and heap growth (> 64).
  const agreement: { name: string; make: (backend: 'wasm' | 'js', dtype: 'float32' | 'float64') => ConvNet; batches: number[] }[] = [
    { name: "MinAtar's network", make: (backend, dtype) => minAtarNet(4, 6, { backend, dtype }), batches: [1, 37, 130] },
    { name: "MinAtar's AC(lambda) units", make: (backend, dtype) => minAtarNet(4, 6, { activation: 'silu', denseActivation: 'dsilu', backend, dtype }), batches: [1, 37, 130] },
    { name: 'the pixel network', make: (backend, dtype) => pixelNet(5, { backend, dtype }), batches: [1, 7] },
    ...netCases.map(({ name, spec }) => ({ name, make: (backend: 'wasm' | 'js', dtype: 'float32' | 'float64') => new ConvNet({ ...spec, backend, dtype }), batches: [1, 5, 66] })),
    ...convCases.map(({ name, spec }) => ({ name: `a lone conv, ${name}`, make: (backend: 'wasm' | 'js', dtype: 'float32' | 'float64') => new ConvNet({ input: { height: spec.height, width: spec.width, channels: spec.inChannels }, conv: [{ channels: spec.outChannels, kernel: spec.kernel, stride: spec.stride, padding: spec.padding }], dense: [3], activation: 'leaky_relu', backend, dtype }), batches: [9] })),
  ];
  for (const { name, make, batches } of agreement) {
    it(`wasm and js backends agree to float32 rounding, and both match float64 (${name})`, () => {
      const rng = new Rng(8);
      const ref = make('js', 'float64').init(rng, { scheme: 'orthogonal', gain: Math.SQRT2 });
      jitter(ref, rng, 0.05);
      const wasm = make('wasm', 'float32');
      const js = make('js', 'float32');
      wasm.params.set(ref.params);
      js.params.set(ref.params);
      for (const batch of batches) {
        const x = Float32Array.from(randomInput(rng, batch * ref.inputSize));
        const c = Float32Array.from(randomInput(rng, batch * ref.outputSize));
        const outs = [ref, wasm, js].map((n) => Float64Array.from(n.forward(x, batch)));
        const grads = [ref, wasm, js].map((n) => analytic(n, x, batch, c));
        expect(relToMax(outs[1], outs[2])).toBeLessThan(1e-5);
        expect(relToMax(outs[1], outs[0])).toBeLessThan(1e-5);
        expect(relToMax(grads[1].params, grads[2].params)).toBeLessThan(1e-5);
        expect(relToMax(grads[1].params, grads[0].params)).toBeLessThan(1e-5);
        expect(relToMax(grads[1].input, grads[2].input)).toBeLessThan(1e-5);
        expect(relToMax(grads[1].input, grads[0].input)).toBeLessThan(1e-5);
        // predict (batch 1, its own buffers) gives the first row of the batched forward.
        const p = Array.from(wasm.predict(x.subarray(0, ref.inputSize)));
        for (let o = 0; o < p.length; o++) expect(p[o]).toBeCloseTo(outs[1][o], 5);
      }
    });
  }

  it("builds MinAtar's and the pixel network with the documented shapes", () => {
    const m = minAtarNet(4, 6);
    expect(m.widths).toEqual([400, 8 * 8 * 16, 128, 6]);
    expect(m.numParams).toBe(16 * 36 + 16 + 1024 * 128 + 128 + 128 * 6 + 6);
    expect(m.offsets).toEqual([0, 16 * 36 + 16, 16 * 36 + 16 + 1024 * 128 + 128]);
    expect(m.weightSizes).toEqual([16 * 36, 1024 * 128, 128 * 6]);
    expect(m.forward(new Float32Array(3 * 400), 3).length).toBe(18);
    const p = pixelNet(5);
    expect(p.widths).toEqual([4800, 19 * 19 * 8, 9 * 9 * 16, 128, 5]);
    expect(p.numParams).toBe(8 * 48 + 8 + 16 * 72 + 16 + 1296 * 128 + 128 + 128 * 5 + 5);
    expect(p.predict(new Float32Array(4800)).length).toBe(5);
  });

  it('keeps parameters and gradients when a larger batch grows the heap', () => {
    const net = minAtarNet(2, 3, { backend: 'wasm' }).init(new Rng(1), { scheme: 'orthogonal', gain: 1 });
    const before = Float32Array.from(net.params);
    net.forward(new Float32Array(200 * 8).fill(0.5), 8);
    net.backward(new Float32Array(3 * 8).fill(1));
    const grads = Float32Array.from(net.grads);
    net.forward(new Float32Array(200 * 3000), 3000);
    expect(Array.from(net.params)).toEqual(Array.from(before));
    expect(Array.from(net.grads)).toEqual(Array.from(grads));
  });

  it('round-trips through JSON exactly, and clones', () => {
    const net = pixelNet(3, { input: { height: 12, width: 10, channels: 3 } }).init(new Rng(1), { scheme: 'orthogonal', gain: 1 });
    const json = JSON.parse(JSON.stringify(saveConvNet(net)));
    const back = loadConvNet(json);
    expect(Array.from(back.params)).toEqual(Array.from(net.params));
    expect(back.spec()).toEqual(net.spec());
    const x = Float32Array.from(randomInput(new Rng(2), net.inputSize));
    expect(Array.from(back.predict(x))).toEqual(Array.from(net.predict(x)));
    const twin = net.clone();
    expect(Array.from(twin.params)).toEqual(Array.from(net.params));
    expect(Array.from(twin.forward(x, 1))).toEqual(Array.from(net.forward(x, 1)));
  });

  it('reads networks saved before the dense activation was kept as having the conv activation there', () => {
    const net = minAtarNet(4, 6).init(new Rng(3), { scheme: 'orthogonal', gain: 1 });
    const { denseActivation, ...old } = saveConvNet(net);
    expect(denseActivation).toBe('relu');
    const back = loadConvNet(old);
    expect(back.denseActivation).toBe('relu');
    expect(Array.from(back.params)).toEqual(Array.from(net.params));
    const ac = minAtarNet(4, 6, { activation: 'silu', denseActivation: 'dsilu' });
    expect(loadConvNet(JSON.parse(JSON.stringify(saveConvNet(ac)))).spec()).toEqual(ac.spec());
  });

  it('a predict between forward and backward leaves the kept SiLU inputs, and so the gradients, as they were', () => {
    const rng = new Rng(8);
    const net = minAtarNet(3, 2, { activation: 'silu', denseActivation: 'dsilu', dtype: 'float64', backend: 'js' }).init(rng, { scheme: 'orthogonal', gain: 1.3 });
    const batch = 3;
    const x = randomInput(rng, batch * net.inputSize);
    const c = randomInput(rng, batch * net.outputSize);
    const g = analytic(net, x, batch, c);
    net.zeroGrad();
    net.forward(x, batch);
    net.predict(randomInput(rng, net.inputSize));
    net.backward(c);
    expect(Array.from(net.grads)).toEqual(Array.from(g.params));
  });

  it('refuses saved networks that do not match, naming both', () => {
    const saved = saveConvNet(minAtarNet(4, 6));
    expect(() => loadConvNetInto(minAtarNet(6, 6), saved, 'actor')).toThrow(
      "actor: saved architecture 10x10x4 -> conv 16 3x3/1 valid -> dense 128, 6 does not match the network's 10x10x6 -> conv 16 3x3/1 valid -> dense 128, 6",
    );
    expect(() => loadConvNetInto(minAtarNet(4, 6, { activation: 'tanh' }), saved, 'actor')).toThrow("actor: saved activations relu/relu/identity (conv/dense/output) do not match the network's tanh/tanh/identity");
    expect(() => loadConvNetInto(minAtarNet(4, 6, { activation: 'silu', denseActivation: 'dsilu' }), saved, 'actor')).toThrow(/saved activations relu\/relu\/identity .* network's silu\/dsilu\/identity/);
    expect(() => loadConvNet({ ...saved, params: encodeFloats(new Float32Array(3)) })).toThrow(/saved parameter count 3 does not match the network's 132566/);
    expect(() => loadConvNet({ hello: 1 })).toThrow(/not a saved ConvNet/);
    expect(() => loadConvNet({ ...saved, version: 2 })).toThrow(/unsupported ConvNet format version 2/);
  });

  it('rejects bad shapes with messages naming the numbers', () => {
    const net = minAtarNet(4, 6);
    expect(() => net.forward(new Float32Array(300), 1)).toThrow('ConvNet forward: input of length 300 does not hold 1 rows of 10x10x4 (400 values)');
    expect(() => net.forward(new Float32Array(700), 2)).toThrow('ConvNet forward: input of length 700 does not hold 2 rows of 10x10x4 (800 values)');
    expect(() => net.predict(new Float32Array(100))).toThrow('ConvNet predict: input of length 100 does not hold 1 rows of 10x10x4 (400 values)');
    expect(() => new Conv2d({ height: 3, width: 3, inChannels: 1, outChannels: 1, kernel: 2 }).forward([1, 2, 3], 1)).toThrow(
      'Conv2d forward: input of length 3 does not hold 1 rows of 3x3x1 (9 values)',
    );
    expect(() => net.backward([1])).toThrow(/before forward/);
    net.forward(new Float32Array(400), 1);
    expect(() => net.backward([1, 2])).toThrow('ConvNet backward: gradient of length 2 does not hold 1 rows of 6');
    const base = { input: { height: 10, width: 10, channels: 4 }, dense: [6], activation: 'relu' as const };
    expect(() => new ConvNet({ ...base, conv: [{ channels: 8, kernel: 5 }, { channels: 8, kernel: 7 }] })).toThrow(
      'ConvNet conv layer 2: a 7x7 kernel does not fit the 6x6 input with padding 0',
    );
    expect(() => new ConvNet({ ...base, conv: [{ channels: 8, kernel: 3, padding: -1 }] })).toThrow(/conv layer 1: padding must be 'valid' or a non-negative integer, got -1/);
    expect(() => new ConvNet({ ...base, conv: [{ channels: 8, kernel: 3, stride: 0 }] })).toThrow(/conv layer 1: stride must be a positive integer, got 0/);
    expect(() => new ConvNet({ ...base, conv: [{ channels: 0, kernel: 3 }] })).toThrow(/output channels must be a positive integer, got 0/);
    expect(() => new ConvNet({ ...base, input: { height: 10, width: 0, channels: 4 }, conv: [{ channels: 8, kernel: 3 }] })).toThrow(/height, width and channels must be positive integers/);
    expect(() => new ConvNet({ ...base, conv: [], dense: [] })).toThrow(/dense must be at least one positive integer/);
    expect(() => new ConvNet({ ...base, conv: [], activation: 'gelu' as never })).toThrow(/tanh, relu, leaky_relu, identity/);
    expect(() => minAtarNet(4, 6, { dtype: 'float64', backend: 'wasm' })).toThrow(/'wasm' ConvNet backend supports float32 only/);
  });

  it('defaults to the wasm backend for float32 and js for float64, as Mlp does', () => {
    expect(minAtarNet(4, 6).backend).toBe('wasm');
    expect(minAtarNet(4, 6, { dtype: 'float64' }).backend).toBe('js');
  });
});
