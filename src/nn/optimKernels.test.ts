import { describe, expect, it } from 'vitest';
import { unpackFrom } from '../rl/parallelGradient.js';
import { decodeFloats } from '../utils/floats.js';
import { Rng } from '../utils/rng.js';
import { Adam, type AdamState } from './adam.js';
import { Mlp } from './mlp.js';
import { clipGradNorm, type FloatArray, type ParamGroup } from './params.js';

// The JS loops that the WebAssembly optimizer kernels replaced, kept as the reference they
// must match to the bit.

function referenceAdam(groups: ParamGroup[], m: Float64Array[], v: Float64Array[], t: number, lr: number, beta1: number, beta2: number, eps: number): void {
  const bc1 = 1 - beta1 ** t;
  const bc2 = 1 - beta2 ** t;
  const stepSize = lr / bc1;
  const sqrtBc2 = Math.sqrt(bc2);
  for (let k = 0; k < groups.length; k++) {
    const p: FloatArray = groups[k].params;
    const g: FloatArray = groups[k].grads;
    const mk = m[k];
    const vk = v[k];
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      mk[i] = beta1 * mk[i] + (1 - beta1) * gi;
      vk[i] = beta2 * vk[i] + (1 - beta2) * gi * gi;
      p[i] -= (stepSize * mk[i]) / (Math.sqrt(vk[i]) / sqrtBc2 + eps);
    }
  }
}

function referenceClip(groups: ParamGroup[], maxNorm: number): number {
  let s = 0;
  for (const { grads } of groups) for (let i = 0; i < grads.length; i++) s += grads[i] * grads[i];
  const norm = Math.sqrt(s);
  if (Number.isFinite(maxNorm) && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const { grads } of groups) for (let i = 0; i < grads.length; i++) grads[i] *= scale;
  }
  return norm;
}

function referenceAddGrads(groups: ParamGroup[], flat: Float32Array): void {
  let o = 0;
  for (const g of groups) {
    const gr = g.grads;
    for (let i = 0; i < gr.length; i++) gr[i] += flat[o + i];
    o += gr.length;
  }
}

/** Index of the first element whose bits differ (-1: none), so a failure names where. */
function firstBitDiff(a: FloatArray, b: FloatArray): number {
  if (a.length !== b.length || a.constructor !== b.constructor) return -2;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return Math.floor(i / a.BYTES_PER_ELEMENT);
  return -1;
}

/** Gradients over many magnitudes, with exact zeros and signed zeros. */
function fillGrads(a: FloatArray, rng: Rng): void {
  for (let i = 0; i < a.length; i++) {
    const r = rng.random();
    a[i] = r < 0.03 ? 0 : r < 0.05 ? -0 : rng.normal() * 10 ** rng.uniform(-7, 2);
  }
}

// Odd lengths, so every kernel's 2- and 4-lane tails run; 4994 and 4929 are Reacher-v5's actor and critic.
const LENGTHS = [1, 3, 7, 97, 4994, 4929, 2];

const f32Groups = (rng: Rng, lengths = LENGTHS): ParamGroup[] =>
  lengths.map((n) => ({ params: Float32Array.from({ length: n }, () => rng.normal() * 0.5), grads: new Float32Array(n) }));

const copyGroups = (groups: readonly ParamGroup[]): ParamGroup[] => groups.map((g) => ({ params: g.params.slice(), grads: g.grads.slice() }));

const moments = (s: AdamState) => ({ m: s.m.map((e) => decodeFloats(e, 'float64')), v: s.v.map((e) => decodeFloats(e, 'float64')) });

describe('optimizer kernels match the JS loops bit for bit', () => {
  for (const eps of [1e-8, 1e-5]) {
    it(`Adam (eps ${eps}) over 50 steps with lr changes: same params and moments`, () => {
      const rng = new Rng(11);
      const groups = f32Groups(rng);
      // A float64 group steps in JS beside the float32 ones.
      groups.splice(2, 0, { params: Float64Array.from({ length: 5 }, () => rng.normal()), grads: new Float64Array(5) });
      const ref = copyGroups(groups);
      const refM = ref.map((g) => new Float64Array(g.params.length));
      const refV = ref.map((g) => new Float64Array(g.params.length));
      const opt = new Adam(groups, { lr: 3e-4, eps });
      for (let t = 1; t <= 50; t++) {
        if (t % 7 === 0) opt.lr = 3e-4 * (1 - t / 60); // annealed as PPO does
        if (t === 30) opt.lr = 0.05; // and a large one, so params move a lot
        for (let k = 0; k < groups.length; k++) {
          fillGrads(groups[k].grads, rng);
          ref[k].grads.set(groups[k].grads);
        }
        opt.step();
        referenceAdam(ref, refM, refV, t, opt.lr, 0.9, 0.999, eps);
      }
      const { m, v } = moments(opt.state());
      for (let k = 0; k < groups.length; k++) {
        expect(firstBitDiff(groups[k].params, ref[k].params), `params of group ${k}`).toBe(-1);
        expect(firstBitDiff(m[k], refM[k]), `m of group ${k}`).toBe(-1);
        expect(firstBitDiff(v[k], refV[k]), `v of group ${k}`).toBe(-1);
      }
    });
  }

  it("Adam's 'wasm' and 'js' backends give the same bits, and a state saved by one resumes in the other", () => {
    const rng = new Rng(5);
    const a = f32Groups(rng);
    const b = copyGroups(a);
    const wasm = new Adam(a, { lr: 1e-3, eps: 1e-5, backend: 'wasm' });
    const js = new Adam(b, { lr: 1e-3, eps: 1e-5, backend: 'js' });
    const stepBoth = () => {
      for (let k = 0; k < a.length; k++) {
        fillGrads(a[k].grads, rng);
        b[k].grads.set(a[k].grads);
      }
      wasm.step();
      js.step();
    };
    for (let t = 0; t < 10; t++) stepBoth();
    expect(wasm.state()).toEqual(js.state());
    // Cross-load: each continues from the other's state.
    const ws = JSON.parse(JSON.stringify(wasm.state())) as AdamState;
    wasm.loadState(JSON.parse(JSON.stringify(js.state())) as AdamState);
    js.loadState(ws);
    for (let t = 0; t < 10; t++) stepBoth();
    expect(wasm.state()).toEqual(js.state());
    for (let k = 0; k < a.length; k++) expect(firstBitDiff(a[k].params, b[k].params), `params of group ${k}`).toBe(-1);
  });

  it('Adam steps an MLP whose heap grows between steps (params re-read as views of the new memory)', () => {
    const rng = new Rng(8);
    const net = new Mlp({ sizes: [10, 64, 64, 2], activation: 'tanh' }).init(rng, { scheme: 'orthogonal', gain: Math.SQRT2 });
    const logStd: ParamGroup = { params: new Float32Array(2), grads: new Float32Array(2) };
    const opt = new Adam([net, logStd], { lr: 3e-4, eps: 1e-5 });
    const ref = copyGroups([net, logStd]);
    const refM = ref.map((g) => new Float64Array(g.params.length));
    const refV = ref.map((g) => new Float64Array(g.params.length));
    for (let t = 1; t <= 6; t++) {
      const batch = 100 * t * t; // grows past the initial capacity
      net.zeroGrad();
      const y = net.forward(Float32Array.from({ length: batch * 10 }, () => rng.normal()), batch);
      net.backward(Float32Array.from(y, (x) => x - 0.3));
      fillGrads(logStd.grads, rng);
      ref[0].grads.set(net.grads);
      ref[1].grads.set(logStd.grads);
      opt.step();
      referenceAdam(ref, refM, refV, t, 3e-4, 0.9, 0.999, 1e-5);
    }
    const { m, v } = moments(opt.state());
    for (let k = 0; k < 2; k++) {
      expect(firstBitDiff(ref[k].params, k === 0 ? net.params : logStd.params), `params of group ${k}`).toBe(-1);
      expect(firstBitDiff(m[k], refM[k]), `m of group ${k}`).toBe(-1);
      expect(firstBitDiff(v[k], refV[k]), `v of group ${k}`).toBe(-1);
    }
  });

  it('clipGradNorm: same norm and same clipped gradients, clipping or not', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const groups = f32Groups(rng, trial % 2 ? LENGTHS : [5, 1, 11]);
      for (const g of groups) fillGrads(g.grads, rng);
      const ref = copyGroups(groups);
      // From far below the norm (clips hard) to above it (leaves alone), and no limit at all.
      const maxNorm = trial === 19 ? Infinity : 10 ** rng.uniform(-4, 4);
      expect(Object.is(clipGradNorm(groups, maxNorm), referenceClip(ref, maxNorm))).toBe(true);
      for (let k = 0; k < groups.length; k++) expect(firstBitDiff(groups[k].grads, ref[k].grads), `trial ${trial}, group ${k}`).toBe(-1);
    }
  });

  it("unpackFrom 'add-grads' adds the flat half exactly as the JS loop; 'params' copies", () => {
    const rng = new Rng(9);
    for (let trial = 0; trial < 10; trial++) {
      const groups = f32Groups(rng);
      for (const g of groups) fillGrads(g.grads, rng);
      const n = LENGTHS.reduce((s, x) => s + x, 0);
      const flat = new Float32Array(new SharedArrayBuffer(4 * n));
      fillGrads(flat, rng);
      const ref = copyGroups(groups);
      unpackFrom(groups, flat, 'add-grads');
      referenceAddGrads(ref, flat);
      for (let k = 0; k < groups.length; k++) expect(firstBitDiff(groups[k].grads, ref[k].grads), `trial ${trial}, group ${k}`).toBe(-1);
    }
    const groups = f32Groups(rng, [3, 5]);
    const flat = Float32Array.from({ length: 8 }, (_, i) => i + 0.5);
    unpackFrom(groups, flat, 'params');
    expect([...groups[0].params, ...groups[1].params]).toEqual(Array.from(flat));
  });
});
