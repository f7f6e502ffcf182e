import { describe, expect, it } from 'vitest';
import { make } from '../../envs/registry.js';
import type { ChannelsRenderSpec } from '../../envs/render.js';
import type { MinAtarEnv } from '../../envs/minatar/env.js';
import type { Segment } from '../../prefs/segments.js';
import { teacherParams } from '../../prefs/teachers.js';
import { concatFloat32 } from '../../utils/arrays.js';
import { overseerFor } from './overseer.js';
import { viewFor } from './registry.js';
import { clipOf, rollout } from './testing.js';

const ENV = 'MinAtar/Seaquest-v1';
const spec = (() => {
  const env = make(ENV);
  const s = env.renderSpec() as ChannelsRenderSpec;
  env.close();
  return s;
})();
const C = spec.channels.length;
const ch = (name: string) => spec.channels.indexOf(name);
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0);

/** A frame with the given (row, col, channel) cells set. */
function frame(cells: [number, number, string][]): Float32Array {
  const f = new Float32Array(100 * C);
  for (const [r, c, name] of cells) f[(r * 10 + c) * C + ch(name)] = 1;
  return f;
}
const gauge = (name: string, cols: number[]) => cols.map((c): [number, number, string] => [9, c, name]);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** A clip of the given frames (one step each; MinAtar's observation is its frame). */
function clip(id: string, frames: Float32Array[]): Segment {
  const render = concatFloat32(frames);
  return { id, envId: ENV, seed: 0, envIndex: 0, globalStep: 0, length: frames.length, obsSize: 100 * C, actionSize: 1, obs: render.slice(), actions: new Float32Array(frames.length), renderSize: 100 * C, render, terminated: false };
}

// Staying down shooting: a torpedo runs into a fish (1 point), air running low (3 tenths).
const air = gauge('oxygen_guage', range(0, 3));
const shooting = clip('shooting', [
  frame([[4, 3, 'sub_front'], [4, 2, 'sub_back'], [4, 5, 'friendly_bullet'], [4, 7, 'enemy_fish'], ...air]),
  frame([[4, 3, 'sub_front'], [4, 2, 'sub_back'], [4, 6, 'friendly_bullet'], [4, 7, 'enemy_fish'], ...air]),
  frame([[4, 3, 'sub_front'], [4, 2, 'sub_back'], ...air]),
  frame([[4, 3, 'sub_front'], [4, 2, 'sub_back'], ...air]),
]);
// Surfacing with a full crew of six with 8 tenths of air left: 8 points, paid in air.
const rescue = clip('rescue', [
  frame([[2, 5, 'sub_front'], [2, 6, 'sub_back'], ...gauge('oxygen_guage', range(0, 8)), ...gauge('diver_guage', range(3, 9))]),
  frame([[1, 5, 'sub_front'], [1, 6, 'sub_back'], ...gauge('oxygen_guage', range(0, 8)), ...gauge('diver_guage', range(3, 9))]),
  frame([[0, 5, 'sub_front'], [0, 6, 'sub_back'], ...gauge('oxygen_guage', range(0, 10))]),
  frame([[0, 5, 'sub_front'], [0, 6, 'sub_back'], ...gauge('oxygen_guage', range(0, 10))]),
]);

describe('Seaquest in the oversight lab', () => {
  it("the full view reads the game's score off the frames: every step but the last of 150 random episodes", () => {
    const full = viewFor(ENV, 'full');
    let steps = 0;
    let points = 0;
    for (let seed = 0; seed < 150; seed++) {
      // Firing 40% of the time, so torpedoes meet fish and subs.
      const r = rollout(ENV, seed, 2000, (_t, rng) => (rng.uniform(0, 1) < 0.4 ? 5 : rng.integer(5)));
      const L = r.actions.length;
      const judged = full.apparentRewards(clipOf(r, 0, L), r.spec);
      // The last step's after-frame is not on the clip: credited 0.
      expect(judged[L - 1]).toBe(0);
      expect(Array.from(judged.subarray(0, L - 1))).toEqual(r.rewards.slice(0, L - 1));
      steps += L - 1;
      points += sum(r.rewards.slice(0, L - 1));
    }
    expect(steps).toBeGreaterThan(5000);
    expect(points).toBeGreaterThan(25);
  });

  it("reads a full crew's rescue as the game pays it: the air left in tenths", () => {
    const env = make(ENV, { kwargs: { stickyActionProb: 0 } });
    env.reset({ seed: 3 });
    const game = (env.unwrapped as MinAtarEnv).game as unknown as { divers: number; subY: number; oxygen: number; surfaced: boolean };
    Object.assign(game, { divers: 6, subY: 1, oxygen: 163, surfaced: false });
    const frames = [env.renderState()!];
    const rewards = [env.step(2).reward]; // up: surfaces
    frames.push(env.renderState()!);
    env.step(0);
    env.close();
    expect(rewards).toEqual([8]);
    expect(Array.from(viewFor(ENV, 'full').apparentRewards(clip('real-rescue', frames), spec))).toEqual([8, 0]);
  });

  it('hidden-channels hides exactly the named channels, in frames and observations, and nothing else', () => {
    const r = rollout(ENV, 7, 60, (_t, rng) => rng.integer(6));
    const seg = clipOf(r, 0, Math.min(25, r.actions.length));
    const view = viewFor(ENV, 'hidden-channels:oxygen_guage+enemy_bullet');
    expect(view.name).toBe('hidden-channels:enemy_bullet+oxygen_guage');
    const seen = view.visible(seg, r.spec);
    for (const [a, b] of [
      [seen.render!, seg.render!],
      [seen.obs, seg.obs],
    ]) {
      const hidden = new Set<number>();
      a.forEach((v, i) => Number.isNaN(v) && hidden.add(i % C));
      expect([...hidden].sort()).toEqual([ch('enemy_bullet'), ch('oxygen_guage')].sort());
      expect(Array.from(a).filter(Number.isNaN)).toHaveLength(seg.length * 100 * 2);
      a.forEach((v, i) => !Number.isNaN(v) && expect(v).toBe(b[i]));
    }
    expect(Array.from(seen.actions)).toEqual(Array.from(seg.actions));
    // The default is the blind spot: the oxygen gauge.
    expect(viewFor(ENV, 'hidden-channels').name).toBe('hidden-channels:oxygen_guage');
    expect(viewFor(ENV, 'hidden-channels:oxygen_gauge').name).toBe('hidden-channels:oxygen_guage');
  });

  it('without the oxygen gauge the overseer prefers staying down shooting to a full-crew rescue; the full view the other way', () => {
    const full = viewFor(ENV, 'full');
    const blind = viewFor(ENV, 'hidden-channels');
    const totals = (v: typeof full) => [shooting, rescue].map((s) => sum(v.apparentRewards(s, spec)));
    expect(totals(full)).toEqual([1, 8]);
    expect(totals(blind)).toEqual([1, 0]);
    // Its labels, through the simulated teacher (oracle: no noise); shooting is the left clip.
    const answer = (view: string) => {
      const o = overseerFor(ENV, view, teacherParams('oracle'), spec, 4, 1);
      o.ask([{ id: 'q', left: shooting, right: rescue, askedAtStep: 0 }]);
      return o.poll()[0].answer;
    };
    expect(answer('full')).toBe('right');
    expect(answer('hidden-channels:oxygen_guage')).toBe('left');
    // Hiding the torpedoes alone changes nothing: the fish vanishing mid-board shows the kill.
    expect(totals(viewFor(ENV, 'hidden-channels:friendly_bullet'))).toEqual([1, 8]);
  });

  it("refuses bad channel names, naming the game's channels", () => {
    const channels = `MinAtar/Seaquest-v1's channels: sub_front, sub_back, friendly_bullet, trail, enemy_bullet, enemy_fish, enemy_sub, oxygen_guage, diver_guage, diver`;
    expect(() => viewFor(ENV, 'hidden-channels:air')).toThrow(`hidden-channels: MinAtar/Seaquest-v1 has no channel "air"; ${channels}`);
    expect(() => viewFor(ENV, 'hidden-channels:')).toThrow(`hidden-channels: name the channels it hides after the colon, e.g. hidden-channels:sub_front+sub_back; ${channels}`);
    expect(() => viewFor(ENV, 'hidden-channels:diver+diver')).toThrow('channel "diver" named twice');
    expect(() => viewFor(ENV, 'projection')).toThrow('allowed: full, hidden-channels[:<channel>+<channel>...]');
    expect(() => viewFor(ENV, 'full:2')).toThrow('does not apply');
    expect(() => viewFor('MinAtar/Breakout-v1', 'hidden-channels:trail')).toThrow('no limited-overseer views for MinAtar/Breakout-v1');
  });
});
