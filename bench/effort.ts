/**
 * Issue 24: does a run's learned reward see effort? For each prefs run directory: roll out its
 * final policy, and at the very states it visits ask the learned reward what the same action
 * scaled by 0, 0.5 and 1 is worth, beside the true reward's action cost there. A reward model
 * that never saw effort vary between clips scores "do nothing" about like "flail"; the true
 * reward of MuJoCo's tasks does not. `npm run bench -- effort NAME=RUN_DIR ...` writes
 * bench/results/effort.{json,md}.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInterpRun } from '../src/cli/interp.js';
import { make } from '../src/envs/registry.js';
import { Rng } from '../src/utils/rng.js';
import { RESULTS_DIR, provenance, writeResult } from './machine.js';

export interface EffortRow {
  name: string;
  run: string;
  envId: string;
  madeBy: string;
  evalReturn: number | null;
  episodes: number;
  meanLength: number;
  trueReturn: number;
  /** Per step, at the policy's states: the true action cost (reward_ctrl, <= 0) and the rest of the true reward. */
  trueCtrl: number;
  trueRest: number;
  /** Per step, the learned (normalised) reward of the policy's action scaled by 0, 0.5 and 1. */
  learned0: number;
  learned05: number;
  learned1: number;
}

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / Math.max(1, x.length);

/** Deterministic rollouts of a run's final policy, with the learned reward of scaled actions at every state. */
export function effortOf(name: string, dir: string, episodes: number): EffortRow {
  const run = loadInterpRun(dir);
  const { rm, agent } = run;
  const env = make(run.envId, { kwargs: run.envKwargs });
  const rng = new Rng(99);
  const at = { l0: [] as number[], l05: [] as number[], l1: [] as number[], ctrl: [] as number[], rest: [] as number[], len: [] as number[], ret: [] as number[] };
  try {
    for (let ep = 0; ep < episodes; ep++) {
      let { obs } = env.reset({ seed: 500 + ep });
      let len = 0;
      let ret = 0;
      for (;;) {
        const a = agent.act(obs, true, rng) as Float32Array;
        const scaled = (k: number) => a.map((v) => Math.max(-1, Math.min(1, v)) * k);
        at.l0.push(rm.reward(obs, scaled(0), 1)[0]);
        at.l05.push(rm.reward(obs, scaled(0.5), 1)[0]);
        at.l1.push(rm.reward(obs, scaled(1), 1)[0]);
        const r = env.step(a);
        const ctrl = (r.info as Record<string, number>).reward_ctrl;
        if (typeof ctrl !== 'number') throw new Error(`${run.envId} reports no reward_ctrl in its step info`);
        at.ctrl.push(ctrl);
        at.rest.push(r.reward - ctrl);
        ret += r.reward;
        len += 1;
        obs = r.obs;
        if (r.terminated || r.truncated) break;
      }
      at.len.push(len);
      at.ret.push(ret);
    }
  } finally {
    env.close();
  }
  return {
    name,
    run: dir,
    envId: run.envId,
    madeBy: run.madeBy,
    evalReturn: run.evalReturn,
    episodes,
    meanLength: mean(at.len),
    trueReturn: mean(at.ret),
    trueCtrl: mean(at.ctrl),
    trueRest: mean(at.rest),
    learned0: mean(at.l0),
    learned05: mean(at.l05),
    learned1: mean(at.l1),
  };
}

export function benchEffort(runs: string[], episodes: number, argv: string[]): void {
  const rows = runs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new Error(`effort: expected NAME=RUN_DIR, got ${JSON.stringify(spec)}`);
    const row = effortOf(spec.slice(0, eq), spec.slice(eq + 1), episodes);
    console.log(`${row.name}: true ctrl ${row.trueCtrl.toFixed(3)}/step; learned at x0 ${row.learned0.toFixed(3)}, x1 ${row.learned1.toFixed(3)}`);
    return row;
  });
  const p = provenance(argv);
  writeResult('effort', { provenance: p, rows });
  const f = (x: number) => x.toFixed(2);
  const lines = [
    '# Does the learned reward see effort? (issue 24)',
    '',
    `\`${p.command}\` at ${p.gitCommit}, ${p.date.slice(0, 10)}; ${p.machine.cpu}, ${p.machine.cores} cores, Node ${p.machine.node}.`,
    '',
    `Each run's final policy acts deterministically for ${episodes} episodes (reset seeds 500+). At every state it visits, the learned reward`,
    "(normalised, as PPO is paid) scores the policy's action scaled by 0, 0.5 and 1. The true reward pays the action cost `reward_ctrl`",
    'there; doing nothing would save all of it. "Learned rise" is learned(x0) − learned(x1), to set beside the true rise −reward_ctrl',
    '(the learned reward is in its own units: about 1 std of the labelled steps).',
    '',
    '| run | task | made by | eval return | episode length | true ctrl / step | true rest / step | learned x0 | x0.5 | x1 | learned rise | true rise |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.envId} | \`${r.madeBy.replace(/ --out \S+/, '')}\` | ${r.evalReturn === null ? '-' : r.evalReturn.toFixed(1)} | ${r.meanLength.toFixed(0)} | ${f(r.trueCtrl)} | ${f(r.trueRest)} | ${f(r.learned0)} | ${f(r.learned05)} | ${f(r.learned1)} | **${f(r.learned0 - r.learned1)}** | ${f(-r.trueCtrl)} |`,
    ),
    '',
  ];
  writeFileSync(join(RESULTS_DIR, 'effort.md'), `${lines.join('\n')}\n`);
}
