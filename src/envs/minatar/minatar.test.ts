import { describe, expect, it } from 'vitest';
import { checkEnv } from '../checkEnv.js';
import { make, registeredIds } from '../registry.js';
import { MinAtarEnv } from './env.js';
import { MINATAR_GAMES, makeMinAtar } from './index.js';
import { Rng } from '../../utils/rng.js';

const IDS = ['Asterix', 'Breakout', 'Freeway', 'Seaquest', 'SpaceInvaders'];

describe('the MinAtar envs', () => {
  it('are registered as MinAtar registers them: -v0 with six actions, -v1 with the minimal set', () => {
    for (const id of IDS) {
      expect(registeredIds()).toContain(`MinAtar/${id}-v0`);
      expect(registeredIds()).toContain(`MinAtar/${id}-v1`);
      expect((make(`MinAtar/${id}-v0`).actionSpace as { n: number }).n).toBe(6);
    }
    // MinAtar's minimal action sets and channel counts.
    const v1 = (id: string) => make(`MinAtar/${id}-v1`).unwrapped as MinAtarEnv;
    expect(IDS.map((id) => v1(id).actionSet)).toEqual([[0, 1, 2, 3, 4], [0, 1, 3], [0, 2, 4], [0, 1, 2, 3, 4, 5], [0, 1, 3, 5]]);
    expect(IDS.map((id) => v1(id).observationSpace.shape)).toEqual([[10, 10, 4], [10, 10, 4], [10, 10, 7], [10, 10, 10], [10, 10, 6]]);
  });

  it('pass the Gymnasium env checks', () => {
    for (const id of IDS) expect(checkEnv(() => make(`MinAtar/${id}-v1`))).toEqual([]);
  });

  it('take MinAtar options and refuse unknown ones', () => {
    const env = make('MinAtar/Breakout-v1', { kwargs: { stickyActionProb: 0 } }).unwrapped as MinAtarEnv;
    expect(env.opts.stickyActionProb).toBe(0);
    expect(() => make('MinAtar/Breakout-v1', { kwargs: { sticky: 0.2 } })).toThrow('sticky');
    expect(() => makeMinAtar('pong')).toThrow('no MinAtar game "pong"; the games are asterix, breakout, freeway, seaquest, space_invaders');
  });

  it('play whole episodes under a random policy, with rewards and lengths in MinAtar\'s range', () => {
    // MinAtar's own random play (scripts/minatar/random_returns.py): Breakout 0.495 +- 0.023 per episode over 1000.
    const env = makeMinAtar('breakout', { minimalActionSet: false });
    const rng = new Rng(0);
    env.reset({ seed: 0 });
    const returns: number[] = [];
    let g = 0;
    while (returns.length < 400) {
      const { reward, terminated } = env.step(rng.integer(6));
      g += reward;
      if (terminated) {
        returns.push(g);
        g = 0;
        env.reset();
      }
    }
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    expect(mean).toBeGreaterThan(0.38);
    expect(mean).toBeLessThan(0.62);
    expect(Object.keys(MINATAR_GAMES)).toHaveLength(5);
  });
});
