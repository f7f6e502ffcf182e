import { describe, expect, it } from 'vitest';
import { CHANNELS_EMPTY } from '../channelGrid.js';
import { checkEnv } from '../checkEnv.js';
import { make } from '../registry.js';
import type { ChannelsRenderSpec } from '../render.js';
import { MinAtarEnv } from './env.js';
import { cssToRgb, rasterizeChannels } from './frame.js';
import { GRID } from './game.js';
import { BreakoutGame, MINATAR_GAMES } from './index.js';
import { loadTraces } from './testing.js';

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
const pixel = (img: Float32Array, y: number, x: number) => Array.from(img.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3));
const close = (got: number[], want: number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
const mix = (pairs: [number, number[]][]) => [0, 1, 2].map((c) => pairs.reduce((s, [w, col]) => s + w * col[c]!, 0));

describe('MinAtar RGB frames (obsType rgb)', () => {
  const spec = new MinAtarEnv(new BreakoutGame()).renderSpec();
  const [paddle, ball, , brick] = [0, 1, 2, 3];
  // Breakout's grid: the paddle alone at (9, 4); the ball over a brick at (2, 3), drawn as the brick with the ball's square inside.
  const grid = new Float32Array(GRID * GRID * 4);
  grid[(9 * GRID + 4) * 4 + paddle] = 1;
  grid[(2 * GRID + 3) * 4 + ball] = 1;
  grid[(2 * GRID + 3) * 4 + brick] = 1;
  const img = rasterizeChannels(spec, grid);
  const [P, B, K, E] = [spec.colors[paddle]!, spec.colors[ball]!, spec.colors[brick]!, CHANNELS_EMPTY].map(rgb);

  it('paints each 4 x 4 cell as the page does: its colour inset 0.04 cells on black, a second object as the middle square', () => {
    expect(img).toHaveLength(40 * 40 * 3);
    // Inside a cell its colour; an edge pixel is 84% cell (0.16 px of gap), a corner 84%^2, over the black board.
    close(pixel(img, 37, 17), P);
    close(pixel(img, 36, 17), mix([[0.84, P]]));
    close(pixel(img, 36, 16), mix([[0.84 * 0.84, P]]));
    close(pixel(img, 1, 1), E);
    close(pixel(img, 0, 0), mix([[0.84 * 0.84, E]]));
    // The two-object cell (rows 8-11, columns 12-15): brick, and the ball's square [1.2, 2.8] px covering 64% of the middle 2 x 2.
    close(pixel(img, 9, 13), mix([[0.36, K], [0.64, B]]));
    close(pixel(img, 10, 14), mix([[0.36, K], [0.64, B]]));
    close(pixel(img, 8, 13), mix([[0.84, K]]));
    close(pixel(img, 11, 15), mix([[0.84 * 0.84, K]]));
    // Each pixel is the picture's mean over its area: the cell's 16 pixels sum to the areas of ball (1.6^2), brick (3.68^2 - 1.6^2) and gap.
    const sum = [0, 0, 0];
    for (let y = 8; y < 12; y++) for (let x = 12; x < 16; x++) pixel(img, y, x).forEach((v, c) => (sum[c] += v));
    close(sum, mix([[1.6 ** 2, B], [3.68 ** 2 - 1.6 ** 2, K]]));
  });

  it('reads the colours the page uses: #rrggbb and the hsl() past the table; anything else is refused', () => {
    expect(cssToRgb('#ff8000')).toEqual([1, 128 / 255, 0]);
    close([...cssToRgb('hsl(0, 100%, 50%)')], [1, 0, 0]);
    close([...cssToRgb('hsl(120, 100%, 25%)')], [0, 0.5, 0]);
    close([...cssToRgb('hsl(240, 80%, 65%)')], [0.37, 0.37, 0.93]);
    expect(() => cssToRgb('red')).toThrow('cannot rasterise colour "red"');
    const small: ChannelsRenderSpec = { ...spec, rows: 2, cols: 2 };
    expect(() => rasterizeChannels(small, grid)).toThrow('a 2 x 2 x 4 grid has 16 values, got 400');
  });

  it('an rgb env observes 40 x 40 x 3 frames in [0, 1] and passes the env checks; people still see the grid', () => {
    const env = make('MinAtar/Breakout-v1', { kwargs: { obsType: 'rgb' } });
    const gridEnv = make('MinAtar/Breakout-v1');
    expect(env.observationSpace.shape).toEqual([40, 40, 3]);
    expect(env.renderSpec()).toEqual(gridEnv.renderSpec());
    const { obs } = env.reset({ seed: 4 });
    const g = gridEnv.reset({ seed: 4 }).obs;
    expect(env.observationSpace.contains(obs)).toBe(true);
    expect(Array.from(env.renderState()!)).toEqual(Array.from(g));
    expect(Array.from(obs)).toEqual(Array.from(rasterizeChannels(env.renderSpec() as ChannelsRenderSpec, g)));
    expect(checkEnv(() => make('MinAtar/Seaquest-v1', { kwargs: { obsType: 'rgb' } }))).toEqual([]);
  });

  it('refuses an obsType it does not know, naming it', () => {
    expect(() => make('MinAtar/Breakout-v1', { kwargs: { obsType: 'pixels' } })).toThrow(`obsType must be 'grid' or 'rgb', got "pixels"`);
    expect(() => new MinAtarEnv(new BreakoutGame(), { obsType: 'RGB' as never })).toThrow(`obsType must be 'grid' or 'rgb', got "RGB"`);
  });

  it.each(['breakout', 'seaquest'])("%s: replaying MinAtar's recorded trace, every rgb observation is the recorded grid rasterised", (game) => {
    const trace = loadTraces(game)[0]!;
    const env = new MinAtarEnv(MINATAR_GAMES[game]!.make({ ramping: true }), { obsType: 'rgb' });
    const frameSpec = env.renderSpec();
    const recorded = new Float32Array(GRID * GRID * trace.channels);
    env.reset({ seed: trace.seed });
    let differing = 0;
    let rewards = 0;
    for (const s of trace.steps) {
      const { obs, reward, terminated } = env.step(s.a);
      recorded.fill(0);
      for (const i of s.on) recorded[i] = 1;
      const want = rasterizeChannels(frameSpec, recorded);
      if (obs.some((v, i) => v !== want[i]) || reward !== s.r || terminated !== s.t) differing += 1;
      rewards += reward;
      if (terminated) env.reset();
    }
    expect(trace.steps.length).toBe(1500);
    expect(differing).toBe(0);
    expect(rewards).toBeGreaterThan(0);
  });
});
