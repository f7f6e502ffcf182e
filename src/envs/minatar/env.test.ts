import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from '../../utils/mt19937.js';
import { MinAtarEnv } from './env.js';
import { GRID, type MinAtarGame } from './game.js';

/** A game that records the actions it is given and draws once per frame, to watch the wrapper. */
class EchoGame implements MinAtarGame {
  readonly channels = ['echo', 'draw'];
  readonly minimalActionSet = [0, 2, 5];
  random = new NumpyRandomState(0);
  acted: number[] = [];
  resets = 0;
  private lastDraw = 0;
  reset(): void {
    this.resets += 1;
    this.acted = [];
  }
  act(action: number): { reward: number; terminal: boolean } {
    this.acted.push(action);
    this.lastDraw = this.random.randint(GRID);
    return { reward: action, terminal: this.acted.length >= 4 };
  }
  state(out: Float32Array): void {
    out.fill(0);
    out[(this.acted.at(-1) ?? 0) * 2] = 1;
    out[this.lastDraw * 2 + 1] = 1;
  }
  difficultyRamp(): number | null {
    return null;
  }
}

describe('MinAtarEnv', () => {
  it('maps -v1 actions through the minimal set and -v0 actions as they are; observations are 10x10xn', () => {
    const v1 = new MinAtarEnv(new EchoGame(), { stickyActionProb: 0 });
    expect(v1.actionSpace.n).toBe(3);
    expect(v1.observationSpace.shape).toEqual([10, 10, 2]);
    v1.reset({ seed: 1 });
    expect([0, 1, 2].map((a) => v1.step(a).reward)).toEqual([0, 2, 5]);
    const v0 = new MinAtarEnv(new EchoGame(), { stickyActionProb: 0, minimalActionSet: false });
    expect(v0.actionSpace.n).toBe(6);
    v0.reset({ seed: 1 });
    expect(v0.step(4).reward).toBe(4);
    expect(() => v1.step(3)).toThrow('invalid action');
  });

  it('repeats the previous action with the sticky probability, drawing before the game, and remembers it across episodes', () => {
    const game = new EchoGame();
    const env = new MinAtarEnv(game, { stickyActionProb: 0.1 });
    env.reset({ seed: 3 });
    // The same draws by hand: one rand() for stickiness, then the game's randint(10), every frame.
    const r = new NumpyRandomState(3);
    let last = 0;
    const expected: number[] = [];
    const actions = [2, 1, 2, 0, 1, 1, 2, 0, 2, 2, 1, 0];
    const seen: number[] = [];
    for (const a of actions) {
      let full = [0, 2, 5][a]!;
      if (r.rand() < 0.1) full = last;
      last = full;
      r.randint(GRID);
      expected.push(full);
      const { terminated } = env.step(a);
      seen.push(game.acted.at(-1)!);
      if (terminated) env.reset();
    }
    expect(seen).toEqual(expected);
    expect(game.resets).toBe(4);
    // At seed 3 some frames stuck (else the test would not tell the wrapper from no stickiness).
    expect(seen.some((full, i) => full !== [0, 2, 5][actions[i]!])).toBe(true);
  });

  it('reseeds on reset({seed}) and continues the stream on unseeded resets; the generator state round-trips', () => {
    const play = (env: MinAtarEnv) => Array.from({ length: 10 }, () => Array.from(env.step(1).obs).join(''));
    const a = new MinAtarEnv(new EchoGame());
    const b = new MinAtarEnv(new EchoGame());
    a.reset({ seed: 9 });
    b.reset({ seed: 9 });
    expect(play(a)).toEqual(play(b));
    const saved = JSON.parse(JSON.stringify(a.rngState()));
    a.reset();
    const after = play(a);
    const c = new MinAtarEnv(new EchoGame());
    c.setRngState(saved);
    c.reset();
    expect(play(c)).toEqual(after);
    // Without the MinAtar part, the state cannot carry MinAtar's generator: a bad one is refused.
    expect(() => c.setRngState({ ...saved, minatar: { ...saved.minatar, lastAction: 9 } })).toThrow('bad lastAction 9');
  });

  it('refuses options out of range, naming them', () => {
    expect(() => new MinAtarEnv(new EchoGame(), { stickyActionProb: 1.5 })).toThrow('stickyActionProb must be a number in [0, 1], got 1.5');
    expect(() => new MinAtarEnv(new EchoGame(), { difficultyRamping: 'yes' as unknown as boolean })).toThrow('difficultyRamping must be true or false, got yes');
    const env = new MinAtarEnv(new EchoGame());
    expect(() => env.reset({ seed: 2 ** 32 })).toThrow("MinAtar seeds numpy's RandomState, which takes seeds up to 2^32 - 1");
  });
});
