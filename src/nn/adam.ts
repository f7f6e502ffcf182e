import type { FloatArray, ParamGroup } from './params.js';
import { decodeFloats, encodeFloats } from '../utils/floats.js';
import { instantiateKernels, kernelsModule, WASM_PAGE_BYTES, type WasmKernels } from './wasm/kernels.js';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  /** CleanRL's PPO uses 1e-5 rather than PyTorch's 1e-8. */
  eps: number;
}

/** Adam's moments and step count as plain JSON; m and v are base64 float64, one string per group. */
export interface AdamState {
  t: number;
  lr: number;
  m: string[];
  v: string[];
}

export const adamDefaults = { lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 } satisfies AdamOptions;

/** 'wasm': float32 groups step in the WebAssembly SIMD kernel (float64 groups always in JS); 'js': all in JS. Both give the same bits. */
export type AdamBackend = 'wasm' | 'js';

/**
 * The float32 groups' side of a WebAssembly step: their moments live in `memory` (which never
 * grows, so views of it stay valid), laid end to end as m | v | p | g; params and gradients
 * are copied in before each step and the params back out after it.
 */
interface WasmAdam {
  kernels: WasmKernels;
  /** Indices of the groups stepped here. */
  groups: number[];
  n: number;
  m: Float64Array;
  v: Float64Array;
  p: Float32Array;
  g: Float32Array;
}

/**
 * Kingma & Ba's Adam with bias correction, over one or more flat parameter groups. Float32
 * groups step in the WebAssembly SIMD kernel by default (1.4-2x faster on PPO's Reacher agent),
 * with the same bits as the JS loop, which float64 groups keep.
 */
export class Adam {
  readonly opts: AdamOptions;
  /** Mutable so schedules can anneal it. */
  lr: number;
  private t = 0;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private readonly wasm: WasmAdam | null;

  constructor(
    readonly groups: readonly ParamGroup[],
    opts: Partial<AdamOptions> & { backend?: AdamBackend } = {},
  ) {
    const { backend = kernelsModule ? 'wasm' : 'js', ...numeric } = opts;
    if (backend !== 'wasm' && backend !== 'js') throw new Error(`Adam backend must be 'wasm' or 'js', got ${JSON.stringify(backend)}`);
    if (backend === 'wasm' && !kernelsModule) throw new Error('WebAssembly SIMD is not available; use backend: "js"');
    this.opts = { ...adamDefaults, ...numeric };
    for (const [k, v] of Object.entries(this.opts)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`Adam ${k} must be a non-negative number, got ${v}`);
    }
    this.lr = this.opts.lr;
    const inWasm = groups.map((g) => backend === 'wasm' && g.params instanceof Float32Array && g.grads instanceof Float32Array);
    this.wasm = inWasm.includes(true) ? wasmAdam(groups, inWasm) : null;
    let o = 0;
    this.m = [];
    this.v = [];
    for (let k = 0; k < groups.length; k++) {
      const n = groups[k].params.length;
      this.m.push(inWasm[k] ? this.wasm!.m.subarray(o, o + n) : new Float64Array(n));
      this.v.push(inWasm[k] ? this.wasm!.v.subarray(o, o + n) : new Float64Array(n));
      if (inWasm[k]) o += n;
    }
  }

  get steps(): number {
    return this.t;
  }

  /** One update from the gradients currently in each group (gradients are not cleared). */
  step(): void {
    this.t += 1;
    const { beta1, beta2, eps } = this.opts;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    const stepSize = this.lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    const w = this.wasm;
    if (w) {
      let o = 0;
      for (const k of w.groups) {
        const { params, grads } = this.groups[k];
        w.p.set(params, o);
        w.g.set(grads, o);
        o += params.length;
      }
      // The same formula as the loop below, in f64x2 lanes; 1 - beta1 and 1 - beta2 are the JS doubles.
      w.kernels.adamStep(w.p.byteOffset, w.g.byteOffset, w.m.byteOffset, w.v.byteOffset, w.n, beta1, 1 - beta1, beta2, 1 - beta2, stepSize, sqrtBc2, eps);
      o = 0;
      for (const k of w.groups) {
        const { params } = this.groups[k];
        params.set(w.p.subarray(o, o + params.length));
        o += params.length;
      }
    }
    for (let k = 0; k < this.groups.length; k++) {
      if (w?.groups.includes(k)) continue; // stepped above
      const p: FloatArray = this.groups[k].params;
      const g: FloatArray = this.groups[k].grads;
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtBc2 + eps);
      }
    }
  }

  /** The moments, step count and current lr, so a resumed run steps bit for bit as this one would. */
  state(): AdamState {
    return { t: this.t, lr: this.lr, m: this.m.map(encodeFloats), v: this.v.map(encodeFloats) };
  }

  /** Restores `state()`; a group count or length that differs from this optimizer's is an error naming both. */
  loadState(state: AdamState): void {
    const s = state as Partial<AdamState> | null;
    if (!s || !Number.isSafeInteger(s.t) || s.t! < 0 || typeof s.lr !== 'number' || !Number.isFinite(s.lr) || s.lr < 0) {
      throw new Error(`Adam state needs a step count t (non-negative integer) and a finite lr >= 0, got t=${String(s?.t)}, lr=${String(s?.lr)}`);
    }
    if (!Array.isArray(s.m) || !Array.isArray(s.v) || s.m.length !== this.groups.length || s.v.length !== this.groups.length) {
      throw new Error(`Adam state has ${s.m?.length ?? 'no'} first and ${s.v?.length ?? 'no'} second moment groups, this optimizer has ${this.groups.length} groups`);
    }
    const decode = (enc: unknown, k: number, name: string): FloatArray => {
      if (typeof enc !== 'string') throw new Error(`Adam state ${name}[${k}] is not a base64 string`);
      const a = decodeFloats(enc, 'float64');
      const want = this.groups[k].params.length;
      if (a.length !== want) throw new Error(`Adam state ${name}[${k}] has ${a.length} values, group ${k} has ${want} parameters`);
      return a;
    };
    // Decode everything before changing anything, so a bad state leaves the optimizer as it was.
    const m = s.m.map((e, k) => decode(e, k, 'm'));
    const v = s.v.map((e, k) => decode(e, k, 'v'));
    for (let k = 0; k < this.groups.length; k++) {
      this.m[k].set(m[k]);
      this.v[k].set(v[k]);
    }
    this.t = s.t!;
    this.lr = s.lr;
  }
}

function wasmAdam(groups: readonly ParamGroup[], inWasm: boolean[]): WasmAdam {
  const idx = groups.flatMap((_, k) => (inWasm[k] ? [k] : []));
  const n = idx.reduce((s, k) => s + groups[k].params.length, 0);
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((24 * n) / WASM_PAGE_BYTES)) });
  const buf = memory.buffer;
  return {
    kernels: instantiateKernels(memory),
    groups: idx,
    n,
    m: new Float64Array(buf, 0, n),
    v: new Float64Array(buf, 8 * n, n),
    p: new Float32Array(buf, 16 * n, n),
    g: new Float32Array(buf, 20 * n, n),
  };
}
