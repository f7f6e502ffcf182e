/**
 * `npm run bench -- debate-speed`: what the debate experiment (issue 23) costs on this machine.
 * - Judge training: a few hundred timed steps per k of the `debate train-judge` defaults, per
 *   phase (src/oversight/debate/judgeBench.ts), extrapolated to the paper's schedule (30k batches
 *   at k = 6, 50k at k = 4).
 * - Games per second of each debater, with precommit (9 games an image), on the first test images
 *   of `debate play`'s shuffle, with the judges `debate play` used (bench/results/debate/judges,
 *   made by `overseer debate train-judge`); MCTS also in rollouts per second.
 * Writes bench/results/debate-speed.json.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist } from '../src/data/mnist.js';
import { playImage, type Debater, type Role } from '../src/oversight/debate/game.js';
import { greedyDebater } from '../src/oversight/debate/greedy.js';
import { judgeImages, judgeSplit } from '../src/oversight/debate/judgeData.js';
import { timeJudgeSteps } from '../src/oversight/debate/judgeBench.js';
import { JudgeOptionsSchema, judgeDefaults } from '../src/oversight/debate/judgeTrain.js';
import { MctsDebater, MctsOptionsSchema } from '../src/oversight/debate/mcts.js';
import { imageAt, imageOrder } from '../src/oversight/debate/play.js';
import { loadJudgeCheckpoint } from '../src/cli/debatePlay.js';
import { provenance, writeResult } from './machine.js';
import { ROOT } from './train.js';

const PAPER_BATCHES: Record<number, number> = { 6: 30_000, 4: 50_000 };

export interface DebateSpeedOptions {
  /** Timed judge training steps per k. */
  steps: number;
  /** Test images per debater and k. */
  images: number;
  rollouts: number;
  judges: string;
}

/** The judge `debate play` used for k (named in bench/results/debate.json), else the train-judge checkpoint with the chosen defaults (h256, lr 1e-3, seed 1), else any for k. */
function judgePath(dir: string, k: number): string | null {
  const report = join(ROOT, 'bench', 'results', 'debate.json');
  if (existsSync(report)) {
    const named = (JSON.parse(readFileSync(report, 'utf8')) as { judges?: Record<string, string> }).judges?.[`k=${k}`];
    const path = named?.split(' — ').at(-1);
    if (path && existsSync(join(ROOT, path))) return join(ROOT, path);
  }
  if (!existsSync(dir)) return null;
  const names = readdirSync(dir).filter((f) => f.startsWith(`judge-k${k}-`) && f.endsWith('.json'));
  const chosen = names.find((f) => f.startsWith(`judge-k${k}-h256-lr0.001-`) && f.endsWith('-s1.json')) ?? names.sort()[0];
  return chosen ? join(dir, chosen) : null;
}

export async function benchDebateSpeed(o: DebateSpeedOptions, argv: string[]): Promise<string> {
  const train = judgeImages(loadMnist('train'));
  const test = loadMnist('test');
  const rows: Record<string, unknown>[] = [];
  for (const k of [6, 4]) {
    const opts = JudgeOptionsSchema.parse({ ...judgeDefaults, k, batches: PAPER_BATCHES[k], evalEvery: 0 });
    const split = judgeSplit(opts.seed, train.count, opts.valSize);
    const t = timeJudgeSteps(opts, train, split, o.steps);
    const schedule = { batches: PAPER_BATCHES[k], cpuSeconds: (t.stepCpuMs * PAPER_BATCHES[k]) / 1000, wallSeconds: (t.stepMs * PAPER_BATCHES[k]) / 1000 };
    console.log(`judge k=${k}: ${t.stepMs.toFixed(2)} ms a batch of 128 (CPU ${t.stepCpuMs.toFixed(2)} ms); the paper's ${schedule.batches} batches: ${schedule.wallSeconds.toFixed(0)} s`);
    rows.push({ what: 'judge training', k, ...t, paperSchedule: schedule });

    const path = judgePath(join(ROOT, o.judges), k);
    if (!path) {
      console.log(`debaters k=${k}: no judge checkpoint in ${o.judges} (make one with overseer debate train-judge --k ${k}); skipped`);
      continue;
    }
    const { judge, name } = await loadJudgeCheckpoint(path, k);
    const order = imageOrder(test.count, 0).subarray(0, o.images);
    const kinds: Record<string, (i: number) => Record<Role, Debater> & { sims: () => number }> = {
      greedy: () => ({ honest: greedyDebater, liar: greedyDebater, sims: () => 0 }),
      mcts: (i) => {
        const mk = (seed: number) => new MctsDebater(MctsOptionsSchema.parse({ rollouts: o.rollouts, seed }));
        const [honest, liar] = [mk(2 * i), mk(2 * i + 1)];
        return { honest, liar, sims: () => honest.stats.simulations + liar.stats.simulations };
      },
    };
    for (const [kind, make] of Object.entries(kinds)) {
      let games = 0;
      let sims = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (const index of order) {
        const debaters = make(index);
        games += playImage(imageAt(test, index), test.labels[index], { k, precommit: true, first: 'honest' }, debaters, judge).games.length;
        sims += debaters.sims();
      }
      const seconds = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(cpu0);
      const row = { what: 'debate games', k, debater: kind, rollouts: kind === 'mcts' ? o.rollouts : null, images: order.length, games, seconds, cpuSeconds: (c.user + c.system) / 1e6, gamesPerSecond: games / seconds, rolloutsPerSecond: kind === 'mcts' ? sims / seconds : null, judge: name };
      console.log(`debaters k=${k} ${kind}: ${row.gamesPerSecond.toFixed(1)} games/s${row.rolloutsPerSecond ? `, ${row.rolloutsPerSecond.toFixed(0)} rollouts/s` : ''} (${games} games)`);
      rows.push(row);
    }
  }
  return writeResult('debate-speed', { provenance: provenance(argv), options: o, rows });
}
