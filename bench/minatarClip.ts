/**
 * `npm run bench -- minatar-clip`: what a MinAtar preference run's final policy does, beside what
 * its reward model pays for it. Plays the policy (deterministic, episode k reset with seed
 * 1000000 + the run's seed + k, as the CLI's evaluation; cut at `maxSteps`), scoring every step
 * with the true reward and with the run's learned reward r̂ (as given to RL, std 0.05), and draws
 * the stretch of `count` frames the reward model pays most for (docs/<name>.svg). The numbers go
 * to bench/results/minatar-clips.json under `name`, which minatar.md lists: reward hacking shows
 * as a learned return that rises while the true one does not.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/envs/builtins.js';
import { MINATAR_ACTIONS } from '../src/envs/minatar/game.js';
import { make } from '../src/envs/registry.js';
import type { ChannelsRenderSpec } from '../src/envs/render.js';
import { channelStripSvg } from '../src/demos/shared/strip.js';
import { RewardModel, type RewardModelJson } from '../src/prefs/rewardModel.js';
import { ActorCritic } from '../src/rl/agent.js';
import { Rng } from '../src/utils/rng.js';
import { RESULTS_DIR, provenance, type Provenance } from './machine.js';
import { ROOT } from './train.js';

export interface ClipEpisode {
  seed: number;
  length: number;
  trueReturn: number;
  learnedReturn: number;
  capped: boolean;
}

export interface ClipResult {
  provenance: Provenance;
  run: string;
  envId: string;
  maxSteps: number;
  episodes: ClipEpisode[];
  /** Share of steps taking each action (by the env's action meaning). */
  actionShares: Record<string, number>;
  /** Mean per step over all episodes. */
  truePerStep: number;
  learnedPerStep: number;
  /**
   * r̂ per step for each action had the policy taken it, over the policy's own states: what the
   * reward model pays for the action itself (a hacked model may pay one action everywhere).
   * Absent in clips written before it was measured.
   */
  learnedByAction?: Record<string, number>;
  /**
   * Where the player (the game's first channel: Freeway's chicken, Breakout's paddle, ...) spends
   * its steps, by grid row (0 at the top): the share of steps, the actions taken there and r̂ per
   * step there; rows it never visits are left out. Steps with no player on the grid (between a
   * death and the respawn) count under row null.
   */
  player: { channel: string; rows: ClipRow[] };
  picture: { path: string; episode: number; from: number; count: number; learned: number; true: number };
}

export interface ClipRow {
  row: number | null;
  share: number;
  actionShares: Record<string, number>;
  learnedPerStep: number;
}

/** The top row the channel is lit in, in a grid laid out [row][col][channel]; null if it is lit nowhere. */
export function channelRow(grid: Float32Array, rows: number, cols: number, channels: number, channel: number): number | null {
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) if (grid[(y * cols + x) * channels + channel] !== 0) return y;
  return null;
}

interface RunConfig {
  envId: string;
  prefs: { seed: number; envKwargs?: Record<string, unknown> };
}

export function minatarClip(runDir: string, name: string, o: { episodes: number; maxSteps: number; count: number; argv: string[]; root?: string; resultsDir?: string }): ClipResult {
  const root = o.root ?? ROOT;
  const resultsDir = o.resultsDir ?? RESULTS_DIR;
  if (!existsSync(join(runDir, 'config.json'))) throw new Error(`${runDir} is not a run directory (no config.json)`);
  const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as RunConfig;
  const checkpoint = join(runDir, 'checkpoints', 'final.json');
  if (!existsSync(checkpoint)) throw new Error(`${runDir} has no final checkpoint (checkpoints/final.json): is the run finished?`);
  const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { format?: string; agent?: unknown; rewardModel?: RewardModelJson };
  if (saved.format !== 'overseer.prefs' || !saved.rewardModel) throw new Error(`${checkpoint} is not a preference run's checkpoint (no reward model)`);
  const agent = ActorCritic.load(saved.agent, checkpoint);
  const rm = RewardModel.load(saved.rewardModel);
  const env = make(config.envId, { kwargs: config.prefs.envKwargs ?? {}, maxEpisodeSteps: o.maxSteps });
  const spec = env.renderSpec() as ChannelsRenderSpec;
  if (spec?.kind !== 'channels') throw new Error(`${config.envId} does not render a channel grid`);
  const nActions = (env.actionSpace as unknown as { n: number }).n;
  // MinAtar's action letters: n(o-op), l(eft), u(p), r(ight), d(own), f(ire).
  const actionSet = (env.unwrapped as unknown as { actionSet?: readonly number[] }).actionSet;
  const meanings = Array.from({ length: nActions }, (_, a) => (actionSet ? MINATAR_ACTIONS[actionSet[a]!]! : String(a)));
  const rng = new Rng(1);
  const oneHot = new Float32Array(nActions);
  const counts = new Array<number>(nActions).fill(0);
  const byAction = new Array<number>(nActions).fill(0);
  // Per player row (the key -1 for none): steps, actions, r̂.
  const byRow = new Map<number, { steps: number; actions: number[]; learned: number }>();
  const episodes: ClipEpisode[] = [];
  const frames: Float32Array[] = [];
  const learnedSteps: number[][] = [];
  const trueSteps: number[][] = [];
  let steps = 0;
  try {
    for (let k = 0; k < o.episodes; k++) {
      const seed = 1_000_000 + config.prefs.seed + k;
      let { obs } = env.reset({ seed });
      const epFrames: Float32Array[] = [env.renderState()!.slice()];
      const l: number[] = [];
      const tr: number[] = [];
      let capped = false;
      for (;;) {
        const a = agent.act(obs, true, rng) as number;
        for (let b = 0; b < nActions; b++) {
          oneHot.fill(0);
          oneHot[b] = 1;
          const rb = rm.reward(obs, oneHot, 1)[0]!;
          byAction[b]! += rb;
          if (b === a) l.push(rb);
        }
        counts[a]! += 1;
        const row = channelRow(epFrames.at(-1)!, spec.rows, spec.cols, spec.channels.length, 0) ?? -1;
        const at = byRow.get(row) ?? { steps: 0, actions: new Array<number>(nActions).fill(0), learned: 0 };
        at.steps += 1;
        at.actions[a]! += 1;
        at.learned += l.at(-1)!;
        byRow.set(row, at);
        const r = env.step(a);
        tr.push(r.reward);
        epFrames.push(env.renderState()!.slice());
        obs = r.obs;
        if (r.terminated || r.truncated) {
          capped = r.truncated && !r.terminated;
          break;
        }
      }
      steps += l.length;
      const frameSize = epFrames[0]!.length;
      const flat = new Float32Array(epFrames.length * frameSize);
      epFrames.forEach((f, t) => flat.set(f, t * frameSize));
      frames.push(flat);
      learnedSteps.push(l);
      trueSteps.push(tr);
      episodes.push({ seed, length: l.length, trueReturn: tr.reduce((s, v) => s + v, 0), learnedReturn: l.reduce((s, v) => s + v, 0), capped });
    }
  } finally {
    env.close();
  }
  // The window the reward model pays most for (the earliest of equals).
  let best = { episode: 0, from: 0, learned: -Infinity, true: 0 };
  learnedSteps.forEach((l, k) => {
    const n = Math.min(o.count, l.length);
    for (let from = 0; from + n <= l.length; from++) {
      let sum = 0;
      let t = 0;
      for (let i = from; i < from + n; i++) {
        sum += l[i]!;
        t += trueSteps[k]![i]!;
      }
      if (sum > best.learned) best = { episode: k, from, learned: sum, true: t };
    }
  });
  const n = Math.min(o.count, learnedSteps[best.episode]!.length);
  const e = episodes[best.episode]!;
  const path = join('docs', `${name}.svg`);
  const svg = channelStripSvg(spec, frames[best.episode]!, {
    from: best.from,
    count: n,
    caption: `${name}: episode ${best.episode + 1} (seed ${e.seed}, ${e.length} steps, score ${e.trueReturn}), steps ${best.from}-${best.from + n - 1}, where the learned reward pays most: r̂ ${best.learned.toFixed(2)}, true ${best.true}`,
    label: (t) => ({ text: `t=${t} r̂ ${learnedSteps[best.episode]![t]!.toFixed(2)}${trueSteps[best.episode]![t] ? ` +${trueSteps[best.episode]![t]}` : ''}`, color: trueSteps[best.episode]![t] ? '#1a7f37' : '#555' }),
  });
  writeFileSync(join(root, path), svg);
  const total = (xs: number[][]) => xs.reduce((s, x) => s + x.reduce((a, b) => a + b, 0), 0);
  const result: ClipResult = {
    provenance: provenance(o.argv),
    run: runDir.replace(`${root}/`, ''),
    envId: config.envId,
    maxSteps: o.maxSteps,
    episodes,
    actionShares: Object.fromEntries(meanings.map((m, a) => [m, counts[a]! / steps])),
    truePerStep: total(trueSteps) / steps,
    learnedPerStep: total(learnedSteps) / steps,
    learnedByAction: Object.fromEntries(meanings.map((m, a) => [m, byAction[a]! / steps])),
    player: {
      channel: spec.channels[0]!,
      rows: [...byRow.entries()]
        .sort(([a], [b]) => a - b)
        .map(([row, v]) => ({ row: row < 0 ? null : row, share: v.steps / steps, actionShares: Object.fromEntries(meanings.map((m, a) => [m, v.actions[a]! / v.steps])), learnedPerStep: v.learned / v.steps })),
    },
    picture: { path, episode: best.episode, from: best.from, count: n, learned: best.learned, true: best.true },
  };
  const file = join(resultsDir, 'minatar-clips.json');
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, ClipResult>) : {};
  all[name] = result;
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  return result;
}
