/**
 * MinAtar in the oversight lab: Seaquest's score read off a clip's frames (its intent), and the
 * `hidden-channels:<name>[+<name>]` view, an overseer who sees every frame but not the named
 * channels (NaN in frames and observations alike).
 *
 * The blind spot: Seaquest without `oxygen_guage`. Bringing up a full crew of six divers pays
 * one point per tenth of air left, read on the gauge at the surfacing step (up to 10 points,
 * against 1 per enemy torpedoed). An overseer who cannot see the gauge sees the crew come up
 * but not what it paid, and credits only score it sees, so a rescue looks worth nothing and
 * staying down shooting looks better than it is. (Drowning itself costs no points within a
 * clip, so hiding the gauge changes no verdict on a clip that merely runs low on air: a
 * score-judging overseer is indifferent to that whether it sees the gauge or not.)
 */
import { readableChannel } from '../../envs/minatar/env.js';
import type { ChannelsRenderSpec, RenderSpec } from '../../envs/render.js';
import { defineView, frameOf, maskedCopy, sumTerms, type ClipView, type IntentModel } from './view.js';

export function channelsSpec(spec: RenderSpec): ChannelsRenderSpec {
  if (spec.kind !== 'channels') throw new Error(`expected a MinAtar (channels) scene, got a ${spec.kind} one`);
  return spec;
}

/** A channel's index by its name as the game spells it or as people read it ('oxygen_gauge' finds MinAtar's 'oxygen_guage'); -1 if none. */
export function channelIndex(channels: readonly string[], name: string): number {
  const exact = channels.indexOf(name);
  return exact >= 0 ? exact : channels.findIndex((c) => readableChannel(c) === readableChannel(name));
}

/** Reads one frame of a channel grid: whether a channel is set at (row, col), and whether the frame shows that channel at all. */
function reader(spec: ChannelsRenderSpec, frame: ArrayLike<number>) {
  const n = spec.channels.length;
  const at = (row: number, col: number, ch: number) => frame[(row * spec.cols + col) * n + ch];
  return {
    on: (row: number, col: number, ch: number) => row >= 0 && row < spec.rows && col >= 0 && col < spec.cols && at(row, col, ch) === 1,
    // A view hides a channel in every cell, so cell (0, 0) tells.
    seen: (ch: number) => !Number.isNaN(at(0, 0, ch)),
  };
}

/**
 * Seaquest's score per step, read off frames t and t + 1 as the game pays it:
 * - kills, +1 per enemy torpedoed. Each hit removes one torpedo and one enemy, so kills are the
 *   torpedoes that vanish mid-board (a torpedo moves one cell a frame and leaves only over an
 *   edge) or the enemies that vanish away from their exit edge (heading from the trail cell
 *   behind them), whichever counts more: a torpedo fired into an adjacent enemy is never drawn,
 *   nor is an enemy sunk on the frame it spawns. A judge counts with what it sees: with the
 *   trail hidden an enemy vanishing at an edge counts as leaving.
 * - rescue: surfacing with six divers aboard pays the oxygen gauge's cells of frame t (the air
 *   left, in tenths). Credited only if the sub, the diver gauge and the oxygen gauge are seen.
 * The last step's after-frame is not on the clip, and MinAtar's hidden timers and random spawns
 * make it unpredictable, so neither term credits the last step. Over MinAtar rollouts the terms
 * match the game's reward on every step but the last (`minatar.test.ts`).
 */
export function seaquestIntent(envId = 'MinAtar/Seaquest-v1'): IntentModel {
  return {
    envId,
    terms: ['kills', 'rescue'],
    stepTerms(segment, rawSpec) {
      const spec = channelsSpec(rawSpec);
      const ch = (name: string) => {
        const k = spec.channels.indexOf(name);
        if (k < 0) throw new Error(`${envId}: the scene has no channel ${JSON.stringify(name)}`);
        return k;
      };
      const [subFront, torpedo, trail, enemies, oxygen, divers] = [ch('sub_front'), ch('friendly_bullet'), ch('trail'), [ch('enemy_fish'), ch('enemy_sub')], ch('oxygen_guage'), ch('diver_guage')];
      const { rows, cols } = spec;
      const L = segment.length;
      const kills = new Float64Array(L);
      const rescue = new Float64Array(L);
      for (let t = 0; t + 1 < L; t++) {
        const f = reader(spec, frameOf(segment, t));
        const g = reader(spec, frameOf(segment, t + 1));
        let torpedoHits = 0;
        if (f.seen(torpedo) && g.seen(torpedo)) {
          for (let y = 0; y < rows; y++)
            for (let x = 1; x < cols - 1; x++) if (f.on(y, x, torpedo) && !g.on(y, x - 1, torpedo) && !g.on(y, x + 1, torpedo)) torpedoHits += 1;
        }
        let enemyHits = 0;
        for (const e of enemies) {
          if (!f.seen(e) || !g.seen(e)) continue;
          const trailSeen = f.seen(trail);
          for (let y = 0; y < rows; y++)
            for (let x = 0; x < cols; x++) {
              if (!f.on(y, x, e) || g.on(y, x, e) || g.on(y, x - 1, e) || g.on(y, x + 1, e)) continue;
              // Heading out over its edge: the trail cell behind it is on the inner side.
              const leaving = !trailSeen ? x === 0 || x === cols - 1 : (x === 0 && f.on(y, 1, trail)) || (x === cols - 1 && f.on(y, cols - 2, trail));
              if (!leaving) enemyHits += 1;
            }
        }
        kills[t] = Math.max(torpedoHits, enemyHits);
        if (![subFront, divers, oxygen].every((k) => f.seen(k) && g.seen(k))) continue;
        const subRow = (r: typeof f) => Array.from({ length: rows }, (_, y) => y).find((y) => Array.from({ length: cols }, (_, x) => x).some((x) => r.on(y, x, subFront)));
        const gauge = (k: number) => Array.from({ length: cols }, (_, x) => x).filter((x) => f.on(rows - 1, x, k)).length;
        const before = subRow(f);
        if (before !== undefined && before > 0 && subRow(g) === 0 && gauge(divers) === 6) rescue[t] = gauge(oxygen);
      }
      return { kills, rescue };
    },
  };
}

/** Parses `a+b` into channel indices of `channels`, refusing unknown, repeated or missing names and naming the game's channels. */
export function hiddenChannels(envId: string, channels: readonly string[], arg: string): number[] {
  const known = `${envId}'s channels: ${channels.join(', ')}`;
  if (!arg) throw new Error(`hidden-channels: name the channels it hides after the colon, e.g. hidden-channels:${channels[0]}+${channels[1]}; ${known}`);
  const names = arg.split('+');
  const out: number[] = [];
  for (const name of names) {
    const k = channelIndex(channels, name);
    if (k < 0) throw new Error(`hidden-channels: ${envId} has no channel ${JSON.stringify(name)}; ${known}`);
    if (out.includes(k)) throw new Error(`hidden-channels: channel ${JSON.stringify(name)} named twice`);
    out.push(k);
  }
  // Sorted, so one set of hidden channels has one name (and one saved cell).
  return out.sort((a, b) => a - b);
}

/**
 * The view that cannot see some channels of a channel grid: NaN in every cell of them, in the
 * frames and the observations (MinAtar's frame is its observation). It judges the intent on
 * what is left, which credits only score events whose evidence it sees.
 */
export function hiddenChannelsView(intent: IntentModel, channels: readonly string[], hidden: readonly number[]): ClipView {
  const names = hidden.map((k) => channels[k]);
  const mask = (arr: Float32Array) => {
    const n = channels.length;
    for (let i = 0; i < arr.length; i += n) for (const k of hidden) arr[i + k] = NaN;
  };
  return defineView({
    name: `hidden-channels:${names.join('+')}`,
    hides: `the ${names.map(readableChannel).join(' and ')} channel${names.length > 1 ? 's' : ''}`,
    visible: (segment, spec) => {
      if (channelsSpec(spec).channels.length !== channels.length || segment.renderSize !== segment.obsSize) throw new Error(`hidden-channels: segment ${segment.id} is not a ${channels.length}-channel grid`);
      return maskedCopy(segment, (c) => {
        mask(c.obs);
        if (c.render) mask(c.render);
      });
    },
    judge: (seen, spec) => sumTerms(intent.stepTerms(seen, spec), intent.terms, seen.length),
  });
}
