import { describe, expect, it } from 'vitest';
import { channelCellColor, channelOfCell } from '../../server/ui/draw.js';
import { make } from '../registry.js';
import type { ChannelsRenderSpec } from '../render.js';
import { CHANNEL_COLORS, channelColor, MINATAR_FRAME_SECONDS, readableChannel, type MinAtarEnv } from './env.js';
import { GRID, LEFT, RIGHT } from './game.js';
import './index.js';

const GAMES = ['Asterix', 'Breakout', 'Freeway', 'Seaquest', 'SpaceInvaders'];

describe('MinAtar render states', () => {
  it.each(GAMES)('%s: a channel grid of its observation, one distinct colour and a readable name per channel', (game) => {
    const env = make(`MinAtar/${game}-v1`);
    const channels = (env.unwrapped as MinAtarEnv).channels;
    const spec = env.renderSpec() as ChannelsRenderSpec;
    expect(spec).toMatchObject({ kind: 'channels', rows: GRID, cols: GRID, dt: MINATAR_FRAME_SECONDS, channels: [...channels] });
    expect(spec.colors).toHaveLength(channels.length);
    expect(new Set(spec.colors).size).toBe(channels.length);
    for (const c of spec.colors) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(spec.legend).toEqual(channels.map(readableChannel));
    for (const name of spec.legend!) expect(name).not.toMatch(/_/);
    // JSON as it is stored with the run and served to the page.
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);

    const { obs } = env.reset({ seed: 3 });
    const frame = env.renderState()!;
    expect(frame).toHaveLength(GRID * GRID * channels.length);
    expect(Array.from(frame)).toEqual(Array.from(obs));
    // Its own copy: a segment keeps it while the game goes on.
    frame[0] = 7;
    expect(env.renderState()![0]).toBe(obs[0]);
    const next = env.step(0).obs;
    expect(Array.from(env.renderState()!)).toEqual(Array.from(next));
  });

  it("Breakout: the paddle's cell shows the paddle channel, in the paddle's colour, and follows the paddle", () => {
    const env = make('MinAtar/Breakout-v1', { kwargs: { stickyActionProb: 0 } });
    const spec = env.renderSpec() as ChannelsRenderSpec;
    const paddle = spec.channels.indexOf('paddle');
    const brick = spec.channels.indexOf('brick');
    env.reset({ seed: 1 });
    const at = (row: number, col: number) => row * GRID + col;
    let frame = env.renderState()!;
    expect(channelOfCell(spec, frame, at(9, 4))).toBe(paddle);
    expect(channelCellColor(spec, frame, at(9, 4))).toBe(spec.colors[paddle]);
    // Bricks fill rows 1-3; the bottom row is empty but for the paddle.
    for (let col = 0; col < GRID; col++) expect(channelOfCell(spec, frame, at(2, col))).toBe(brick);
    expect(channelOfCell(spec, frame, at(9, 0))).toBe(-1);
    // Actions of -v1 index its minimal set: no-op, left, right.
    const actions = (env.unwrapped as MinAtarEnv).actionSet;
    env.step(actions.indexOf(RIGHT));
    frame = env.renderState()!;
    expect([channelOfCell(spec, frame, at(9, 4)), channelOfCell(spec, frame, at(9, 5))]).toEqual([-1, paddle]);
    env.step(actions.indexOf(LEFT));
    env.step(actions.indexOf(LEFT));
    expect(channelOfCell(spec, env.renderState()!, at(9, 3))).toBe(paddle);
  });

  it('names and colours: underscores become spaces, numbers stand apart, MinAtar\'s "guage" is spelled gauge; colours past the table go round the wheel', () => {
    expect(['enemy_sub', 'speed1', 'oxygen_guage', 'alien_left', 'ball'].map(readableChannel)).toEqual(['enemy sub', 'speed 1', 'oxygen gauge', 'alien left', 'ball']);
    expect(channelColor(0)).toBe(CHANNEL_COLORS[0]);
    expect(channelColor(CHANNEL_COLORS.length)).toMatch(/^hsl\(/);
    expect(channelColor(CHANNEL_COLORS.length)).not.toBe(channelColor(CHANNEL_COLORS.length + 1));
  });
});
