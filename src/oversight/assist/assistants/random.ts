/**
 * The random pointer, the trials' control: it reveals `budget` pieces of evidence drawn
 * uniformly among those the overseer cannot see (any kind the view takes, any step, any
 * hidden cell), knowing nothing of where a flaw is. It helps only as much as
 * evidence at random places does.
 */
import { Rng, type RngState } from '../../../utils/rng.js';
import { revealCandidates, type Assistant, type Critique } from '../critique.js';

export class RandomAssistant implements Assistant {
  readonly name = 'random';
  private readonly rng: Rng;

  constructor(seed: number | Rng) {
    this.rng = typeof seed === 'number' ? new Rng(seed) : seed;
  }

  critique(pair: Parameters<Assistant['critique']>[0], ctx: Parameters<Assistant['critique']>[1]): Critique {
    const pool = revealCandidates(ctx.view, pair, ctx.spec);
    const reveals = [];
    // Without replacement: a partial Fisher-Yates over the pool.
    for (let i = 0; i < Math.min(ctx.budget, pool.length); i++) {
      const j = i + this.rng.integer(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
      reveals.push(pool[i]);
    }
    return { reveals, reason: reveals.length ? 'a random look at what you cannot see' : 'nothing hidden to show' };
  }

  state(): RngState {
    return this.rng.getState();
  }

  load(state: unknown): void {
    this.rng.setState(state as RngState);
  }
}
