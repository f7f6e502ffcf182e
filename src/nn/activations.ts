import type { FloatArray } from './params.js';

export const ACTIVATIONS = ['tanh', 'relu', 'leaky_relu', 'identity'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Slope of leaky ReLU for negative inputs (the 2017 paper's reward model uses 0.01). */
export const LEAKY_RELU_ALPHA = 0.01;

export function assertActivation(a: unknown, what = 'activation'): Activation {
  if (!ACTIVATIONS.includes(a as Activation)) throw new Error(`${what} must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(a)}`);
  return a as Activation;
}

/** Applies the activation in place to z[from, to). */
export function activate(act: Activation, z: FloatArray, from: number, to: number): void {
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
  }
}

/**
 * Multiplies the upstream gradient g = a[gOff, gOff + n) (dL/dh) in place by dh/dz, computed
 * from the activation's output h = a[hOff, hOff + n): every supported activation's
 * derivative is a function of h.
 */
export function activationBackward(act: Activation, a: FloatArray, hOff: number, gOff: number, n: number): void {
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
  }
}
