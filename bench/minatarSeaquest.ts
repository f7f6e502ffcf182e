/**
 * `npm run bench -- minatar-seaquest --run DIR`: how a Seaquest policy's episodes end, checkpoint
 * by checkpoint. Seaquest's larger scores need the sub to surface with divers aboard, which
 * refills its air (and, with a full crew of six, pays for the air left); the episode ends when
 * the air runs out, when the sub surfaces with nobody aboard, or when it is hit. MinAtar's DQN
 * and AC(λ) reach 16-20 at 5M frames; a policy that never surfaces is held near what it can
 * shoot on one tank. Each checkpoint's policy plays deterministically (as `eval`) and sampling
 * (as in training). Writes bench/results/minatar-seaquest.{json,md}, one entry per run.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import '../src/envs/builtins.js';
import type { MinAtarEnv } from '../src/envs/minatar/env.js';
import { SeaquestGame, type SeaquestStatus } from '../src/envs/minatar/seaquest.js';
import { make } from '../src/envs/registry.js';
import { ActorCritic } from '../src/rl/agent.js';
import { Rng } from '../src/utils/rng.js';
import { RESULTS_DIR, provenance, type Provenance } from './machine.js';
import { ROOT } from './train.js';

/** Why an episode ended: the air ran out, the sub surfaced with nobody aboard, it was hit, or the step cap. */
export type SeaquestEnd = 'air' | 'surfacedEmpty' | 'hit' | 'cap';
export const SEAQUEST_ENDS: readonly SeaquestEnd[] = ['air', 'surfacedEmpty', 'hit', 'cap'];

/**
 * What one step did, from the game's status before and after it: a surfacing that refilled the
 * air (`fullCrew` when six were aboard, which pays), and, on the last step, why the episode
 * ended. The game ends a sub that starts a step on an empty tank, and one that reaches the
 * surface with a diver count of 0; any other end is a hit. MinAtar's quirk: a full crew leaves
 * the count at -1, and each later surfacing refills the air and lowers it by one, so after a
 * full crew a surfacing refills with nobody aboard, and one with a single diver picked up ends
 * the episode as `surfacedEmpty`.
 */
export function seaquestStep(
  before: SeaquestStatus,
  after: SeaquestStatus,
  terminated: boolean,
  truncated: boolean,
): { surfacing: boolean; fullCrew: boolean; end: SeaquestEnd | null } {
  // The step that starts on an empty tank ends the episode even if it also reaches the surface.
  const surfacing = !before.surfaced && after.surfaced && !(terminated && before.oxygen <= 0);
  let end: SeaquestEnd | null = null;
  if (terminated) end = before.oxygen <= 0 ? 'air' : !before.surfaced && before.divers === 0 && after.subRow === 0 ? 'surfacedEmpty' : 'hit';
  else if (truncated) end = 'cap';
  return { surfacing, fullCrew: surfacing && before.divers === 6, end };
}

export interface SeaquestEnds {
  episodes: number;
  meanScore: number;
  meanLength: number;
  /** Per episode: surfacings that refilled the air, and those with a full crew. */
  surfacings: number;
  fullCrews: number;
  /** Per episode: the most divers aboard at once. */
  maxDivers: number;
  ends: Record<SeaquestEnd, number>;
  /** Episodes whose air ran out with at least one diver aboard: a surfacing would have refilled it. */
  airOutWithDivers: number;
}

/** Plays `episodes` episodes of MinAtar/Seaquest-v1 (episode k reset with seed `seed + k`) under `policy`. */
export function seaquestEnds(policy: (obs: Float32Array) => number, o: { episodes: number; seed: number; maxSteps: number }): SeaquestEnds {
  const env = make('MinAtar/Seaquest-v1', { maxEpisodeSteps: o.maxSteps });
  const game = (env.unwrapped as MinAtarEnv).game;
  if (!(game instanceof SeaquestGame)) throw new Error('MinAtar/Seaquest-v1 did not make a Seaquest game');
  const ends = Object.fromEntries(SEAQUEST_ENDS.map((e) => [e, 0])) as Record<SeaquestEnd, number>;
  let score = 0;
  let steps = 0;
  let surfacings = 0;
  let fullCrews = 0;
  let maxDivers = 0;
  let airOutWithDivers = 0;
  try {
    for (let k = 0; k < o.episodes; k++) {
      let { obs } = env.reset({ seed: o.seed + k });
      let most = 0;
      for (;;) {
        const before = game.status();
        const r = env.step(policy(obs as Float32Array));
        const after = game.status();
        const step = seaquestStep(before, after, r.terminated, r.truncated);
        score += r.reward;
        steps += 1;
        if (step.surfacing) surfacings += 1;
        if (step.fullCrew) fullCrews += 1;
        most = Math.max(most, before.divers, after.divers);
        obs = r.obs;
        if (step.end) {
          ends[step.end] += 1;
          if (step.end === 'air' && before.divers > 0) airOutWithDivers += 1;
          break;
        }
      }
      maxDivers += most;
    }
  } finally {
    env.close();
  }
  const n = o.episodes;
  return { episodes: n, meanScore: score / n, meanLength: steps / n, surfacings: surfacings / n, fullCrews: fullCrews / n, maxDivers: maxDivers / n, ends, airOutWithDivers };
}

export interface SeaquestRow extends SeaquestEnds {
  checkpoint: string;
  frames: number;
  mode: 'deterministic' | 'sampled';
}

export interface SeaquestRunResult {
  provenance: Provenance;
  run: string;
  seed: number;
  maxSteps: number;
  rows: SeaquestRow[];
}

/** Every checkpoint of a Seaquest run (step checkpoints, then final.json), each policy played both ways. */
export function benchSeaquest(runDir: string, o: { episodes: number; maxSteps: number; argv: string[]; root?: string; resultsDir?: string }): SeaquestRunResult {
  const root = o.root ?? ROOT;
  const resultsDir = o.resultsDir ?? RESULTS_DIR;
  if (!existsSync(join(runDir, 'config.json'))) throw new Error(`${runDir} is not a run directory (no config.json)`);
  const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { envId?: string; prefs?: { envId: string } };
  const envId = config.envId ?? config.prefs?.envId;
  if (envId !== 'MinAtar/Seaquest-v1') throw new Error(`${runDir} is a run on ${envId ?? 'an unknown env'}, not MinAtar/Seaquest-v1`);
  const dir = join(runDir, 'checkpoints');
  const steps = (existsSync(dir) ? readdirSync(dir) : []).filter((f) => /^step_\d+\.json$/.test(f)).sort();
  const summaryPath = join(runDir, 'summary.json');
  const finalFrames = existsSync(summaryPath) ? (JSON.parse(readFileSync(summaryPath, 'utf8')) as { globalStep?: number; envSteps?: number }) : null;
  const files = [...steps.map((f) => ({ file: f, frames: Number(/\d+/.exec(f)![0]) })), ...(existsSync(join(dir, 'final.json')) ? [{ file: 'final.json', frames: finalFrames?.globalStep ?? finalFrames?.envSteps ?? NaN }] : [])];
  if (files.length === 0) throw new Error(`${runDir} has no checkpoints yet`);
  const seed = 100;
  const rows: SeaquestRow[] = [];
  for (const { file, frames } of files) {
    const saved = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { agent?: unknown };
    // A train checkpoint is the agent itself; a prefs checkpoint holds it beside the reward model.
    const agent = ActorCritic.load(saved.agent ?? saved, join(dir, file));
    for (const mode of ['deterministic', 'sampled'] as const) {
      const rng = new Rng(1);
      const ends = seaquestEnds((obs) => agent.act(obs, mode === 'deterministic', rng) as number, { episodes: o.episodes, seed, maxSteps: o.maxSteps });
      rows.push({ checkpoint: file, frames, mode, ...ends });
    }
  }
  const result: SeaquestRunResult = { provenance: provenance(o.argv), run: relative(root, resolve(runDir)), seed, maxSteps: o.maxSteps, rows };
  const file = join(resultsDir, 'minatar-seaquest.json');
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, SeaquestRunResult>) : {};
  all[result.run] = result;
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'minatar-seaquest.md'), seaquestMarkdown(all));
  return result;
}

export function seaquestMarkdown(all: Record<string, SeaquestRunResult>): string {
  const f = (x: number, d = 2) => x.toFixed(d);
  const lines = [
    '# MinAtar Seaquest: how the episodes end',
    '',
    "Each checkpoint's policy on `MinAtar/Seaquest-v1`, played deterministically (as `eval`) and sampling (as in training), episode k reset with seed 100 + k. A surfacing with divers aboard refills the air (with all six, it pays a point per tenth of air left); the episode ends when the air runs out, when the sub surfaces with nobody aboard, or when it is hit. Per episode: score, length, surfacings that refilled the air, full-crew surfacings, the most divers aboard at once; then how many episodes ended each way, and how many of those whose air ran out had a diver aboard (a surfacing would have refilled the tank). A surfacing with a diver count of 0 ends the episode; after a full crew MinAtar leaves the count at -1, so there a surfacing refills with nobody aboard.",
    '',
  ];
  for (const r of Object.values(all)) {
    lines.push(`## ${r.run}`, '', `\`${r.provenance.command}\` at ${r.provenance.gitCommit ?? '?'}, ${r.provenance.date}; episodes cut at ${r.maxSteps} steps.`, '');
    lines.push('| frames | policy | episodes | score | length | surfacings | full crews | most divers | air ran out | of them with divers | surfaced empty | hit | cut |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const x of r.rows) {
      lines.push(`| ${Number.isFinite(x.frames) ? x.frames.toLocaleString('en-US') : x.checkpoint} | ${x.mode} | ${x.episodes} | ${f(x.meanScore)} | ${f(x.meanLength, 1)} | ${f(x.surfacings)} | ${f(x.fullCrews)} | ${f(x.maxDivers)} | ${x.ends.air} | ${x.airOutWithDivers ?? '–'} | ${x.ends.surfacedEmpty} | ${x.ends.hit} | ${x.ends.cap} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
