import type { FloatArray } from './params.js';

/**
 * 'silu' (x sigmoid(x)) and 'dsilu' (its derivative, sigmoid(x) (1 + x (1 - sigmoid(x)))) are
 * Elfwing et al. 2018's units, which MinAtar's AC(lambda) network uses (SiLU after its
 * convolution, dSiLU after its dense layer).
 */
export const ACTIVATIONS = ['tanh', 'relu', 'leaky_relu', 'identity', 'silu', 'dsilu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/**
 * Whether the activation's derivative needs its input z, not just its output: SiLU and dSiLU
 * are not one-to-one, so a network keeps their inputs from the forward pass for the backward one.
 */
export const needsInput = (act: Activation): boolean => act === 'silu' || act === 'dsilu';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** dSiLU, which is also SiLU's derivative: sigmoid(x) (1 + x (1 - sigmoid(x))). */
function dsilu(x: number): number {
  const s = sigmoid(x);
  return s * (1 + x * (1 - s));
}

/** Slope of leaky ReLU for negative inputs (the 2017 paper's reward model uses 0.01). */
export const LEAKY_RELU_ALPHA = 0.01;

export function assertActivation(a: unknown, what = 'activation'): Activation {
  if (!ACTIVATIONS.includes(a as Activation)) throw new Error(`${what} must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(a)}`);
  return a as Activation;
}

/**
 * Applies the activation in place to z[from, to). For an activation that `needsInput`, `keep`
 * (an offset in the same array, or -1 for none) receives the inputs for `activationBackward`.
 */
export function activate(act: Activation, z: FloatArray, from: number, to: number, keep = -1): void {
  switch (act) {
    case 'tanh':
      for (let i = from; i < to; i++) z[i] = Math.tanh(z[i]);
      return;
    case 'relu':
      for (let i = from; i < to; i++) if (z[i] < 0) z[i] = 0;
      return;
    case 'leaky_relu':
      for (let i = from; i < to; i++) if (z[i] < 0) z[i] *= LEAKY_RELU_ALPHA;
      return;
    case 'identity':
      return;
    case 'silu':
      if (keep >= 0) z.copyWithin(keep, from, to);
      for (let i = from; i < to; i++) z[i] = z[i] * sigmoid(z[i]);
      return;
    case 'dsilu':
      if (keep >= 0) z.copyWithin(keep, from, to);
      for (let i = from; i < to; i++) z[i] = dsilu(z[i]);
      return;
  }
}

/**
 * Multiplies the upstream gradient g = a[gOff, gOff + n) (dL/dh) in place by dh/dz, computed
 * from the activation's output h = a[hOff, hOff + n), or for an activation that `needsInput`
 * from its input z = a[zOff, zOff + n) as `activate` kept it.
 */
export function activationBackward(act: Activation, a: FloatArray, hOff: number, gOff: number, n: number, zOff = -1): void {
  if (needsInput(act) && zOff < 0) throw new Error(`the ${act} activation's backward pass needs its inputs, which the forward pass did not keep`);
  switch (act) {
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const h = a[hOff + i];
        a[gOff + i] *= 1 - h * h;
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) if (a[hOff + i] <= 0) a[gOff + i] = 0;
      return;
    case 'leaky_relu':
      for (let i = 0; i < n; i++) if (a[hOff + i] < 0) a[gOff + i] *= LEAKY_RELU_ALPHA;
      return;
    case 'identity':
      return;
    case 'silu':
      for (let i = 0; i < n; i++) a[gOff + i] *= dsilu(a[zOff + i]);
      return;
    case 'dsilu':
      // d/dz s (1 + z (1 - s)) = s (1 - s) (2 + z (1 - 2 s)).
      for (let i = 0; i < n; i++) {
        const x = a[zOff + i];
        const s = sigmoid(x);
        a[gOff + i] *= s * (1 - s) * (2 + x * (1 - 2 * s));
      }
      return;
  }
}
