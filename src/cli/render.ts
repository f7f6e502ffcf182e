import { writeFileSync } from 'node:fs';
import type { RenderSpec } from '../envs/render.js';
import { evaluatePolicy } from '../rl/evaluate.js';
import { UsageError, type CliIO } from './io.js';
import { loadRunAgent } from './runs.js';

export interface RenderFlags {
  episodes: number;
  seed: number;
  out: string;
  checkpoint?: string;
  stochastic: boolean;
}

/** An episode file: the scene once, then one frame of numbers per state (reset state first). */
export interface RenderFile {
  format: 'overseer.render';
  version: 1;
  envId: string;
  checkpoint: string;
  render: RenderSpec;
  episodes: { seed: number; return: number; length: number; frames: number[][] }[];
}

/** Five decimals keep a Hopper episode near 250 KB without visible error. */
const round = (v: number) => Math.round(v * 1e5) / 1e5;

export async function renderCommand(runPath: string, flags: RenderFlags, io: CliIO): Promise<number> {
  const { agent, envId, envKwargs, checkpoint } = loadRunAgent(runPath, flags.checkpoint);
  let spec = null as RenderSpec | null;
  const frames: number[][][] = [];
  const result = evaluatePolicy(agent, envId, {
    episodes: flags.episodes,
    seed: flags.seed,
    deterministic: !flags.stochastic,
    makeOptions: { kwargs: envKwargs },
    onStep: (env, episode, t) => {
      if (t === 0 && episode === 0) {
        spec = env.renderSpec();
        if (spec === null) throw new UsageError(`${envId} has no render states`);
      }
      if (t === 0) frames.push([]);
      frames[episode].push(Array.from(env.renderState()!, round));
    },
  });
  const file: RenderFile = {
    format: 'overseer.render',
    version: 1,
    envId,
    checkpoint,
    render: spec!,
    episodes: result.returns.map((r, k) => ({ seed: flags.seed + k, return: r, length: result.lengths[k], frames: frames[k] })),
  };
  writeFileSync(flags.out, `${JSON.stringify(file)}\n`);
  const scene = spec!;
  const what = scene.kind === 'mujoco' ? `${scene.geoms.length} geoms` : scene.kind === 'grid' ? `the ${scene.rows}x${scene.cols} board` : scene.kind === 'channels' ? `the ${scene.rows}x${scene.cols}x${scene.channels.length} grid` : `the ${scene.scene} state`;
  io.stdout(`${envId}: wrote ${flags.episodes} episode(s), ${frames.reduce((n, f) => n + f.length, 0)} frames of ${what}, to ${flags.out}\n`);
  return 0;
}
