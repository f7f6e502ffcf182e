import { fnv1a32 } from './hash.js';
import { Rng, assertSeed, type RngState } from './rng.js';

/**
 * Named random streams derived from one seed: `streams.get('selection')` is the same
 * generator for the same seed and name, whatever other streams exist or draw. A consumer
 * (query selection, reward-model fitting, diagnostics, ...) owns its stream, so adding a
 * diagnostic cannot change which pairs are asked.
 */
export class RngStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: number) {
    assertSeed(seed, 'stream seed');
  }

  /** The stream called `name`, created on first use from (seed, name). */
  get(name: string): Rng {
    let rng = this.streams.get(name);
    if (!rng) {
      rng = new Rng(RngStreams.seedOf(this.seed, name));
      this.streams.set(name, rng);
    }
    return rng;
  }

  /** The seed a named stream starts from (2^53-safe: two 32-bit hashes). */
  static seedOf(seed: number, name: string): number {
    const hi = fnv1a32(`${seed}/${name}/hi`) >>> 11; // 21 bits
    return hi * 4294967296 + fnv1a32(`${seed}/${name}`);
  }

  /** States of every stream used so far. */
  state(): Record<string, RngState> {
    return Object.fromEntries([...this.streams].map(([k, r]) => [k, r.getState()]));
  }

  load(state: Record<string, RngState>): void {
    for (const [name, s] of Object.entries(state)) this.get(name).setState(s);
  }
}
