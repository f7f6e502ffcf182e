/**
 * PEBBLE's unsupervised pre-training reward (Lee, Smith & Abbeel 2021, arXiv:2106.05091): the
 * particle-based state-entropy estimate r = log(c + ‖s − s_k‖), s_k the k-th nearest neighbour
 * of the (normalised) observation s among recent ones, so the policy is paid for going where it
 * has not been and its first clips show the teacher more varied behaviour.
 *
 * PEBBLE (SAC) and B-Pref's PrefPPO compare against every state of the pre-training so far and
 * divide the distance by its running std; here the neighbours are the last rollout's worth of
 * states (PPO's batch, so the cost per step is bounded), c = 1 keeps the log finite (APT's
 * constant, Liu & Abbeel 2021), and PPO's reward normalisation does the scaling.
 */
import { decodeFloats, encodeFloats } from '../utils/floats.js';

/** PEBBLE's k. */
export const STATE_ENTROPY_K = 5;
/** APT's c in log(c + distance). */
export const STATE_ENTROPY_C = 1;

/** The entropy reward's saved state: the recent observations, in a ring. */
export interface StateEntropyState {
  count: number;
  next: number;
  observations: string;
}

/**
 * Distance from `x` to its k-th nearest neighbour among the first `count` rows of `refs`
 * ([rows, dim]); with fewer than k rows, to the farthest (0 with none).
 */
export function kthNearestDistance(x: ArrayLike<number>, refs: Float32Array, count: number, dim: number, k: number): number {
  if (count === 0) return 0;
  // The k smallest squared distances so far, ascending (k is small: insertion is cheapest).
  const best: number[] = [];
  const want = Math.min(k, count);
  for (let r = 0; r < count; r++) {
    let d = 0;
    const o = r * dim;
    for (let j = 0; j < dim; j++) {
      const v = x[j] - refs[o + j];
      d += v * v;
    }
    if (best.length === want && d >= best[want - 1]) continue;
    let i = best.length === want ? want - 1 : best.length;
    while (i > 0 && best[i - 1] > d) {
      best[i] = best[i - 1];
      i -= 1;
    }
    best[i] = d;
  }
  return Math.sqrt(best[want - 1]);
}

/** The state-entropy reward over a ring of the last `capacity` (normalised) observations. */
export class StateEntropy {
  private readonly ring: Float32Array;
  private count = 0;
  private next = 0;

  constructor(
    readonly obsSize: number,
    readonly capacity: number,
    readonly k = STATE_ENTROPY_K,
    readonly c = STATE_ENTROPY_C,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`state entropy: capacity must be a positive integer, got ${capacity}`);
    this.ring = new Float32Array(capacity * obsSize);
  }

  /**
   * The reward of each of `n` observations ([n, obsSize], normalised), each against the states
   * seen before this step's; then they join the ring.
   */
  reward(obs: Float32Array, n: number, out = new Float64Array(n)): Float64Array {
    const d = this.obsSize;
    for (let e = 0; e < n; e++) out[e] = Math.log(this.c + kthNearestDistance(obs.subarray(e * d, (e + 1) * d), this.ring, this.count, d, this.k));
    for (let e = 0; e < n; e++) {
      this.ring.set(obs.subarray(e * d, (e + 1) * d), this.next * d);
      this.next = (this.next + 1) % this.capacity;
      this.count = Math.min(this.count + 1, this.capacity);
    }
    return out;
  }

  state(): StateEntropyState {
    return { count: this.count, next: this.next, observations: encodeFloats(this.ring.subarray(0, this.count * this.obsSize)) };
  }

  load(s: StateEntropyState): void {
    const obs = decodeFloats(s.observations, 'float32');
    if (obs.length !== s.count * this.obsSize || s.count > this.capacity) throw new Error(`state entropy: the saved ring holds ${obs.length} floats, not ${s.count} observations of ${this.obsSize}`);
    this.ring.fill(0);
    this.ring.set(obs);
    this.count = s.count;
    this.next = s.next;
  }
}
