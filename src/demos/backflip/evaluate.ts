/**
 * The learned policy, measured: whole episodes on Hopper-v5 (no termination, so a flip is not
 * cut short), with every frame's drawn poses kept, flips counted from those poses alone, and
 * the env's true forward reward (which the policy never saw) summed beside them.
 */
import '../../envs/builtins.js';
import { make } from '../../envs/registry.js';
import type { MujocoRenderSpec } from '../../envs/render.js';
import { Rng } from '../../utils/rng.js';
import { loadAgent } from '../shared/humanRun.js';
import { AIR_HEIGHT, AIRBORNE, airShare, clearances, countFlips, hopperGeoms, torsoPoses, type FlipCount } from './poses.js';

export interface EpisodeMeasure {
  seed: number;
  length: number;
  /** Σ forward_reward_weight · dx/dt: Hopper-v5's forward reward. */
  forwardReward: number;
  /** Hopper-v5's whole reward (forward + healthy − control cost) under the evaluation's env options. */
  trueReturn: number;
  /** Flips counted from the poses (`countFlips`): all, and landed upright. */
  flips: number;
  landedFlips: number;
  /** Flips turned high: the torso's centre never below AIR_HEIGHT (0.7 m) during the turn (a roll along the ground is not). */
  highFlips: number;
  /** Flips turned mostly in the air: the whole body off the floor (`AIRBORNE`) for at least half the turn's frames. A tucked flip is, though its torso dips under AIR_HEIGHT. */
  airFlips: number;
  /** Frames at which each flip completed, and the lowest the torso's centre was during each (m). */
  flipFrames: number[];
  flipLowest: number[];
  /** For each flip, the share of its turning frames (from the turn's start to its completion) with the whole body off the floor. */
  airShare: number[];
  /** Net backward rotation of the torso over the episode, in turns (+ backwards). */
  netBackwardTurns: number;
  /** Share of frames with the torso upright (within 30°) and its centre at least 0.8 m high. */
  uprightShare: number;
  /** Mean and highest torso height (m). */
  meanHeight: number;
  maxHeight: number;
}

export interface Evaluation {
  envId: string;
  envKwargs: Record<string, unknown>;
  /** Episodes end (truncated) after this many steps. */
  maxEpisodeSteps: number;
  checkpoint: string;
  deterministic: boolean;
  spec: MujocoRenderSpec;
  episodes: EpisodeMeasure[];
  /** Every episode's render states, one array of numbers per frame (rounded to 1e-5). */
  frames: number[][][];
}

const round = (v: number) => Math.round(v * 1e5) / 1e5;

/** Runs `episodes` deterministic episodes (episode k reset with seed + k; `maxEpisodeSteps` steps long, default the env's own limit) and measures each. */
export function evaluateBackflips(checkpoint: string, opts: { envId?: string; envKwargs: Record<string, unknown>; episodes: number; seed: number; maxEpisodeSteps?: number }): Evaluation {
  const envId = opts.envId ?? 'Hopper-v5';
  const agent = loadAgent(checkpoint);
  const env = make(envId, { kwargs: opts.envKwargs, maxEpisodeSteps: opts.maxEpisodeSteps });
  const maxEpisodeSteps = env.spec?.maxEpisodeSteps;
  if (maxEpisodeSteps === undefined) throw new Error(`${envId} has no time limit: give maxEpisodeSteps`);
  const rng = new Rng(opts.seed);
  const spec = env.renderSpec() as MujocoRenderSpec;
  if (spec?.kind !== 'mujoco') throw new Error(`${envId} has no MuJoCo render states`);
  const geoms = hopperGeoms(spec.geoms);
  const episodes: EpisodeMeasure[] = [];
  const frames: number[][][] = [];
  try {
    for (let k = 0; k < opts.episodes; k++) {
      const seed = opts.seed + k;
      let { obs } = env.reset({ seed });
      const ep: number[][] = [Array.from(env.renderState()!, round)];
      let forwardReward = 0;
      let trueReturn = 0;
      for (;;) {
        const r = env.step(agent.act(obs, true, rng));
        obs = r.obs;
        forwardReward += Number(r.info.reward_forward ?? 0);
        trueReturn += r.reward;
        ep.push(Array.from(env.renderState()!, round));
        if (r.terminated || r.truncated) break;
      }
      frames.push(ep);
      const flat = Float32Array.from(ep.flat());
      const frameSize = ep[0].length;
      const poses = torsoPoses(flat, frameSize, geoms);
      const c: FlipCount = countFlips(poses, spec.dt);
      const clear = clearances(flat, frameSize, geoms);
      const air = c.from.map((from, i) => airShare(clear, from, c.at[i]));
      const upright = poses.filter((p) => Math.abs(p.pitch) <= Math.PI / 6 && p.height >= 0.8).length;
      const heights = poses.map((p) => p.height);
      episodes.push({
        seed,
        length: ep.length - 1,
        forwardReward,
        trueReturn,
        flips: c.flips,
        landedFlips: c.landed,
        highFlips: c.lowest.filter((h) => h >= AIR_HEIGHT).length,
        airFlips: air.filter((a) => a >= AIRBORNE.mostly).length,
        flipFrames: c.at,
        flipLowest: c.lowest,
        airShare: air,
        netBackwardTurns: c.netBackward / (2 * Math.PI),
        uprightShare: upright / poses.length,
        meanHeight: heights.reduce((a, b) => a + b, 0) / heights.length,
        maxHeight: Math.max(...heights),
      });
    }
  } finally {
    env.close();
  }
  return { envId, envKwargs: opts.envKwargs, maxEpisodeSteps, checkpoint, deterministic: true, spec, episodes, frames };
}
